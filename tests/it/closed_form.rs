//! Closed-form checks of the model: small scenarios whose outputs have an exact
//! distribution (Binomial bookings and headcount, Poisson leads, compound ARR, ramp and
//! backfill arithmetic), run through the engine and the runner and compared with that
//! distribution. Deterministic quantities are compared exactly (or to a relative 1e-12
//! where floating-point summation order enters). Random ones are compared with a
//! tolerance of `Z = 4` Monte Carlo standard errors, each derived from the closed form's
//! own variance and the number of trials, never tuned to the seed: a correct engine fails
//! one such check with probability about 6e-5, and each test documents how many checks it
//! makes. Seeds are fixed, so a run is reproducible; they were chosen before the first run.
//! Reference CDFs come from `statrs`.

use sopsim::engine::{self, metrics::Layout};
use sopsim::runner::{self, RunConfig, RunResults};
use sopsim::scenario::{self, Scenario};
use sopsim::stats::{self, LEVELS, Stats};
use statrs::distribution::{Binomial, DiscreteCDF};

/// Standard errors allowed between a Monte Carlo estimate and its closed form.
pub(crate) const Z: f64 = 4.0;

/// Relative tolerance for deterministic values that go through floating-point sums.
const EXACT: f64 = 1e-12;

// ---------------------------------------------------------------------------------------
// Running scenarios
// ---------------------------------------------------------------------------------------

/// Loads scenario text, panicking with the rendered diagnostics if it is refused.
pub(crate) fn load(text: &str) -> Scenario {
    match scenario::load_str(text, "closed_form.toml", &[]) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("test scenario refused:\n{}", e.render()),
    }
}

/// Runs the scenario through the runner.
pub(crate) fn run(scenario: &Scenario, trials: u64, seed: u64, threads: usize) -> RunResults {
    runner::run(scenario, &RunConfig { trials, seed, threads, progress: false }).expect("run starts")
}

/// Every value of every trial, from [`engine::run_trial`] (trial-major).
pub(crate) struct Trials {
    pub(crate) layout: Layout,
    pub(crate) n: usize,
    pub(crate) values: Vec<f64>,
}

impl Trials {
    /// Trials `0..n` of `scenario` with `seed`: the same trials the runner aggregates.
    pub(crate) fn simulate(scenario: &Scenario, seed: u64, n: usize) -> Trials {
        let layout = Layout::new(scenario);
        let cells = layout.cells();
        let mut values = vec![0.0; n * cells];
        for (i, out) in values.chunks_exact_mut(cells).enumerate() {
            engine::run_trial(scenario, &layout, seed, i as u64, out);
        }
        Trials { layout, n, values }
    }

    fn metric(&self, name: &str) -> usize {
        self.layout.index(name).unwrap_or_else(|| panic!("no metric `{name}`"))
    }

    /// Value of `metric` in month `t` of trial `trial`.
    fn at(&self, trial: usize, metric: usize, t: usize) -> f64 {
        self.values[trial * self.layout.cells() + metric * self.layout.months + t]
    }

    /// One trial's path of a metric over all months.
    pub(crate) fn path(&self, trial: usize, name: &str) -> Vec<f64> {
        let m = self.metric(name);
        (0..self.layout.months).map(|t| self.at(trial, m, t)).collect()
    }

    /// The values of a metric in month `t`, one per trial.
    pub(crate) fn month(&self, name: &str, t: usize) -> Vec<f64> {
        let m = self.metric(name);
        (0..self.n).map(|i| self.at(i, m, t)).collect()
    }
}

/// A runner cell that must exist.
pub(crate) fn cell<'a>(results: &'a RunResults, metric: &str, t: usize) -> &'a Stats {
    results.get(metric, t).unwrap_or_else(|| panic!("no statistics for {metric} in month {t}"))
}

// ---------------------------------------------------------------------------------------
// Statistical comparisons
// ---------------------------------------------------------------------------------------

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// `|got - want| <= tol`, with a message saying how far off it is.
#[track_caller]
pub(crate) fn assert_within(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, closed form {want}, tolerance {tol} (off by {:.2} tolerances)",
        (got - want).abs() / tol
    );
}

/// Deterministic equality up to floating-point summation: relative [`EXACT`].
#[track_caller]
pub(crate) fn assert_exact(what: &str, got: f64, want: f64) {
    assert!((got - want).abs() <= EXACT * want.abs().max(1.0), "{what}: got {got}, expected exactly {want}");
}

/// A mean of `n` draws is within `Z` standard errors `sqrt(var / n)` of `mu`.
#[track_caller]
pub(crate) fn check_mean(what: &str, mean: f64, n: usize, mu: f64, var: f64) {
    assert_within(&format!("{what}: mean"), mean, mu, Z * (var / n as f64).sqrt());
}

/// The sample variance of `x` is within `Z` standard errors of `sigma2`.
///
/// For i.i.d. draws with variance `s2` and excess kurtosis `k`,
/// `Var(S^2) = s2^2 (2 / (n - 1) + k / n)` exactly; `S^2` is close to normal at the
/// sample sizes used here (thousands), so `Z` of these standard errors is the same
/// ~6e-5 false-alarm rate as for a mean.
#[track_caller]
fn check_variance(what: &str, x: &[f64], sigma2: f64, excess_kurtosis: f64) {
    let n = x.len() as f64;
    let (_, var) = mean_var(x);
    let se = sigma2 * (2.0 / (n - 1.0) + excess_kurtosis / n).sqrt();
    assert_within(&format!("{what}: variance"), var, sigma2, Z * se);
}

/// The empirical CDF of integer draws is within `Z sqrt(F (1 - F) / n) + 4 / n` of `F` at
/// every `k` from 0 to `k_max` (and to the largest draw).
///
/// `Z sqrt(F (1 - F) / n)` is the standard error of an empirical CDF value. Where `n F`
/// or `n (1 - F)` is small, the count below `k` is close to Poisson and skewed, and the
/// normal bound alone understates its tail; the slack of four trials (`4 / n`) keeps the
/// one-sided false-alarm rate below 1.5e-5 for every Poisson mean (checked numerically:
/// `P(Poisson(m) > m + 4 sqrt(m) + 4) <= 1.4e-5` for all m), so each point is no more
/// likely to fail than a 4-sigma check. Returns how many points had `0 < F < 1` to test.
#[track_caller]
pub(crate) fn check_cdf(what: &str, draws: &[u64], k_max: u64, cdf: &dyn Fn(u64) -> f64) -> usize {
    let n = draws.len();
    let top = draws.iter().copied().max().unwrap_or(0).max(k_max) as usize;
    let mut counts = vec![0usize; top + 1];
    draws.iter().for_each(|&x| counts[x as usize] += 1);
    let mut below = 0usize;
    let mut informative = 0;
    for (k, c) in counts.iter().enumerate() {
        below += c;
        let f = cdf(k as u64);
        let fn_ = below as f64 / n as f64;
        let tol = Z * (f * (1.0 - f) / n as f64).sqrt() + 4.0 / n as f64;
        assert_within(&format!("{what}: empirical CDF at {k} ({n} draws)"), fn_, f, tol);
        if f > 1e-9 && f < 1.0 - 1e-9 {
            informative += 1;
        }
    }
    informative
}

/// The smallest `k` with `F(k) >= q`.
fn quantile_of(cdf: &dyn Fn(u64) -> f64, q: f64) -> u64 {
    let mut k = 0;
    while cdf(k) < q {
        k += 1;
    }
    k
}

/// The runner's quantiles of a cell whose values are `scale x K`, `K` with CDF `cdf`,
/// over `n` trials, against the quantiles of `K`.
///
/// The runner's type-7 quantile at level `q` interpolates between the order statistics
/// `x[floor((n-1) q)]` and the next, that is between the values where the empirical CDF
/// first reaches `q - 1/n` and `q + 2/n`. The empirical CDF is within
/// `Z sqrt(q (1 - q) / n)` of `F` near the level, so the reported quantile lies between
/// the quantiles of `K` at `q - m` and `q + m`, `m = Z sqrt(q (1 - q) / n) + 2 / n`. Where
/// no CDF value of `K` falls within `m` of `q`, those two are equal and the reported
/// quantile must be exactly the quantile of `K`. Returns how many of the seven levels were
/// checked for exact equality.
#[track_caller]
pub(crate) fn check_quantiles(what: &str, stats: &Stats, n: usize, scale: f64, cdf: &dyn Fn(u64) -> f64) -> usize {
    let mut exact = 0;
    for (level, got) in LEVELS.iter().zip(stats.quantiles) {
        let m = Z * (level * (1.0 - level) / n as f64).sqrt() + 2.0 / n as f64;
        let lo = quantile_of(cdf, level - m) as f64 * scale;
        let hi = quantile_of(cdf, (level + m).min(1.0)) as f64 * scale;
        assert!(
            lo <= got && got <= hi,
            "{what}: quantile at {level} is {got}, outside the closed-form bracket [{lo}, {hi}]"
        );
        if lo == hi {
            exact += 1;
        }
    }
    exact
}

pub(crate) fn binomial(n: u64, p: f64) -> Binomial {
    Binomial::new(p, n).expect("valid binomial")
}

/// Integer draws from float metric values that must be whole multiples of `scale`.
#[track_caller]
pub(crate) fn as_counts(what: &str, values: &[f64], scale: f64) -> Vec<u64> {
    values
        .iter()
        .map(|v| {
            let k = v / scale;
            assert!(k >= 0.0 && k.fract() == 0.0, "{what}: {v} is not a whole multiple of {scale}");
            k as u64
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. Bookings are Binomial
// ---------------------------------------------------------------------------------------

/// Demand far above capacity, one segment with a constant deal size and win rate, no
/// ramp, attrition or cycle: `n` = headcount x `opportunities_per_month` is worked.
const BINOMIAL_SCENARIO: &str = r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[demand]
leads_per_month = 1_000_000
lead_to_opportunity = 1

[[roles]]
id = "ae"
kind = "closer"
headcount = 2
opportunities_per_month = 10
"#;

/// Closed form: with demand (1e6 opportunities a month) far above capacity, exactly
/// `n = 2 x 10 = 20` opportunities are worked each month and `bookings[t] / D` is
/// Binomial(20, 0.2), independent across months and trials, so the 12-month total is
/// Binomial(240, 0.2).
///
/// Checks: per trial, `worked == 20` and bookings a whole multiple of D (exact). Per
/// month, the runner's mean within `Z D sqrt(n p (1-p) / N)` of `D n p` and its seven
/// quantiles inside the bracket of [`check_quantiles`] (exactly equal to the Binomial
/// quantile wherever its CDF is not within `Z` SE of the level: all seven levels for
/// Binomial(20, 0.2)). The empirical CDF at every k, pooled over the 12 i.i.d. months
/// (`12 N` draws), within [`check_cdf`]'s band. Independence across months: the total's
/// mean within `Z` SE of `12 n p D` and its variance within `Z` SE of the Binomial(240, p)
/// variance (SE from the Binomial's excess kurtosis `(1 - 6pq) / (npq)`), plus its
/// quantiles. About 12 + 84 + 21 + 9 = 126 checks: family false-alarm rate < 1%.
///
/// N = 20,000: the mean's 4-SE tolerance is 0.05 wins on 4 (1.3%, a win-rate error of
/// 0.0025), and the pooled CDF's is at most 0.0041, against a CDF shift of 0.009 at k = 4
/// for a win-rate error of 0.002; the trials are cheap (~0.5 s for runner and raw passes).
#[test]
fn bookings_are_binomial_when_demand_exceeds_capacity() {
    const N: usize = 20_000;
    const SEED: u64 = 1_001;
    let (d, n, p) = (10_000.0, 20u64, 0.2);
    let s = load(BINOMIAL_SCENARIO);
    let results = run(&s, N as u64, SEED, 0);
    let raw = Trials::simulate(&s, SEED, N);
    let dist = binomial(n, p);
    let cdf = |k: u64| dist.cdf(k);

    let mut pooled = Vec::with_capacity(N * 12);
    for t in 0..12 {
        assert!(raw.month("opportunities.worked", t).iter().all(|&w| w == n as f64), "worked != {n} in month {t}");
        let wins = as_counts("bookings", &raw.month("bookings", t), d);
        assert!(wins.iter().all(|&k| k <= n), "more wins than worked opportunities in month {t}");
        pooled.extend(wins);

        let st = cell(&results, "bookings", t);
        assert_eq!(st.count, N);
        let var = d * d * n as f64 * p * (1.0 - p);
        check_mean(&format!("bookings month {t}"), st.mean, N, d * n as f64 * p, var);
        let exact = check_quantiles(&format!("bookings month {t}"), st, N, d, &cdf);
        assert_eq!(exact, 7, "Binomial(20, 0.2) has no CDF value near a level: all seven quantiles are exact");
    }
    let informative = check_cdf("bookings / D, 12 months pooled", &pooled, n, &cdf);
    assert!(informative >= 15, "only {informative} CDF points were informative");

    // The total over the horizon: Binomial(12 n, p) only if the months are independent.
    let total_n = 12 * n;
    let q = p * (1.0 - p);
    let total = results.total("bookings").expect("bookings total");
    check_mean("12-month bookings", total.mean, N, d * total_n as f64 * p, d * d * total_n as f64 * q);
    let totals: Vec<f64> = (0..N).map(|i| raw.path(i, "bookings").iter().sum::<f64>() / d).collect();
    let kurtosis = (1.0 - 6.0 * q) / (total_n as f64 * q);
    check_variance("12-month wins", &totals, total_n as f64 * q, kurtosis);
    let total_dist = binomial(total_n, p);
    check_quantiles("12-month bookings", total, N, d, &|k| total_dist.cdf(k));
}

/// Closed form: a fractional capacity of 20.5 opportunities for one rep is worked as 20
/// plus one more with probability 0.5, so `worked[t]` is 20 + Bernoulli(1/2) (mean 20.5,
/// variance 1/4) and the month's wins are a 50/50 mixture of Binomial(20, p) and
/// Binomial(21, p): mean `20.5 p`, variance `20.5 p (1 - p) + p^2 / 4`.
///
/// Checks: per trial, `worked` in {20, 21} (exact); per month, the runner's mean of
/// `worked` within `Z x 0.5 / sqrt(N)` of 20.5 and of bookings within `Z` SE of
/// `20.5 p D`; pooled over the 12 months, the share of 21s within `Z x 0.5 / sqrt(12 N)`
/// of 1/2. 25 checks.
///
/// N = 20,000: the 4-SE tolerance on the mean of `worked` is 0.014 opportunities, so a
/// rounding rule (always 20 or always 21) or a biased draw of 5% is caught many times over.
#[test]
fn fractional_capacity_is_worked_with_its_probability() {
    const N: usize = 20_000;
    const SEED: u64 = 1_002;
    let (d, p) = (10_000.0, 0.2);
    let text = BINOMIAL_SCENARIO
        .replace("headcount = 2", "headcount = 1")
        .replace("opportunities_per_month = 10", "opportunities_per_month = 20.5");
    let s = load(&text);
    let results = run(&s, N as u64, SEED, 0);
    let raw = Trials::simulate(&s, SEED, N);

    let mut extra = 0usize;
    for t in 0..12 {
        let worked = raw.month("opportunities.worked", t);
        assert!(worked.iter().all(|&w| w == 20.0 || w == 21.0), "worked outside {{20, 21}} in month {t}");
        extra += worked.iter().filter(|&&w| w == 21.0).count();
        check_mean(&format!("worked month {t}"), cell(&results, "opportunities.worked", t).mean, N, 20.5, 0.25);
        let var = d * d * (20.5 * p * (1.0 - p) + p * p / 4.0);
        check_mean(&format!("bookings month {t}"), cell(&results, "bookings", t).mean, N, d * 20.5 * p, var);
    }
    let draws = 12 * N;
    check_mean("share of months with 21 worked", extra as f64 / draws as f64, draws, 0.5, 0.25);
}

// ---------------------------------------------------------------------------------------
// 2. Headcount under attrition
// ---------------------------------------------------------------------------------------

/// Closed form: with H = 200 people, annual attrition A = 0.3 and no hiring, each person
/// leaves in a month with probability `h = 1 - (1 - A)^(1/12)`, independently; leavers are
/// counted in the month they leave, so `headcount[t]` ~ Binomial(H, (1 - h)^t) (month 0 has
/// all H) and at t = 12 the survival is exactly 1 - A. The total departures over 24
/// months are Binomial(H, 1 - (1 - h)^24).
///
/// Checks: per trial, `headcount[0] == H`, `hires == 0` and
/// `headcount[t+1] == headcount[t] - departures[t]` (exact). Per month, the runner's mean
/// within `Z sqrt(H s (1-s) / N)` of `H s`, `s = (1-h)^t`, and its quantiles in the
/// [`check_quantiles`] bracket (the Binomial(200, s) CDF steps are small, so most levels
/// get a bracket one or two people wide rather than an exact value); the empirical CDF at
/// every k in months 1, 12 and 23 ([`check_cdf`]: 186 points with 0 < F < 1, strongly
/// correlated within a month); the total departures' mean. About 24 + 168 + 186 + 1
/// checks: a Bonferroni bound of 2.4% on a false alarm, much less given the correlation.
///
/// N = 5,000: the 4-SE tolerance on the mean at t = 12 is 0.37 people of 140 (0.26%);
/// using `A / 12` for `h` instead of the compound rate would move it by 7.6 people.
#[test]
fn headcount_under_attrition_is_binomial() {
    const N: usize = 5_000;
    const SEED: u64 = 2_001;
    const H: u64 = 200;
    let annual: f64 = 0.3;
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 24

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
headcount = 200
opportunities_per_month = 10
annual_attrition = 0.3
"#,
    );
    let h = 1.0 - (1.0 - annual).powf(1.0 / 12.0);
    assert!(((1.0 - h).powi(12) - (1.0 - annual)).abs() < 1e-12, "12 months of survival compound to 1 - A");
    let results = run(&s, N as u64, SEED, 0);
    let raw = Trials::simulate(&s, SEED, N);

    for i in 0..N {
        let hc = raw.path(i, "headcount.ae");
        let dep = raw.path(i, "departures.ae");
        assert_eq!(hc[0], H as f64, "trial {i}: month 0 counts everyone");
        assert!(raw.path(i, "hires.ae").iter().all(|&x| x == 0.0));
        for t in 0..23 {
            assert_eq!(hc[t + 1], hc[t] - dep[t], "trial {i} month {t}: leavers are counted in the month they leave");
        }
    }
    for t in 0..24 {
        let surv = (1.0 - h).powi(t as i32);
        let st = cell(&results, "headcount.ae", t);
        check_mean(&format!("headcount month {t}"), st.mean, N, H as f64 * surv, H as f64 * surv * (1.0 - surv));
        let dist = binomial(H, surv);
        check_quantiles(&format!("headcount month {t}"), st, N, 1.0, &|k| dist.cdf(k));
    }
    for t in [1, 12, 23] {
        let dist = binomial(H, (1.0 - h).powi(t as i32));
        let draws = as_counts("headcount", &raw.month("headcount.ae", t), 1.0);
        check_cdf(&format!("headcount month {t}"), &draws, H, &|k| dist.cdf(k));
    }
    let gone = 1.0 - (1.0 - h).powi(24);
    let total = results.total("departures.ae").expect("departures total");
    check_mean("departures over 24 months", total.mean, N, H as f64 * gone, H as f64 * gone * (1.0 - gone));
}

// ---------------------------------------------------------------------------------------
// 3. ARR under churn and expansion
// ---------------------------------------------------------------------------------------

/// Closed form: with no bookings, `ARR[t] = ARR0 (1 - c + e)^(t + 1)` exactly (ARR is
/// the end-of-month stock, so month 0 already has one month of churn), and
/// `churned_arr[t] = ARR[t-1] c`, `expansion_arr[t] = ARR[t-1] e` (`ARR[-1] = ARR0`).
///
/// Tolerance: none beyond floating point (relative 1e-12: the engine multiplies month by
/// month and the runner sums N equal values, each off by at most ~N x 1.1e-16 relative).
/// Both with no roles at all and with closers that have no demand.
///
/// N = 2,000: every trial is identical; N only needs to exceed a few so that the mean and
/// the interpolated quantiles go through the aggregation.
#[test]
fn arr_compounds_churn_and_expansion_exactly() {
    const N: usize = 2_000;
    let (arr0, c, e): (f64, f64, f64) = (2_400_000.0, 0.012, 0.005);
    let base = r#"
[scenario]
start = "2027-01"
months = 24

[company]
arr = 2_400_000
monthly_churn = 0.012
monthly_expansion = 0.005

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2
"#;
    let with_idle_closers =
        format!("{base}\n[[roles]]\nid = \"ae\"\nkind = \"closer\"\nheadcount = 5\nopportunities_per_month = 10\n");
    for (label, text) in [("no roles", base.to_string()), ("closers without demand", with_idle_closers)] {
        let s = load(&text);
        let results = run(&s, N as u64, 3_001, 0);
        for t in 0..24 {
            let want = arr0 * (1.0 - c + e).powi(t as i32 + 1);
            let before = arr0 * (1.0 - c + e).powi(t as i32);
            let arr = cell(&results, "arr", t);
            assert_exact(&format!("{label}: ARR mean, month {t}"), arr.mean, want);
            for (level, q) in LEVELS.iter().zip(arr.quantiles) {
                assert_exact(&format!("{label}: ARR p{level}, month {t}"), q, want);
            }
            assert_exact(
                &format!("{label}: churned ARR, month {t}"),
                cell(&results, "churned_arr", t).mean,
                before * c,
            );
            assert_exact(
                &format!("{label}: expansion, month {t}"),
                cell(&results, "expansion_arr", t).mean,
                before * e,
            );
            assert_eq!(cell(&results, "bookings", t).mean, 0.0);
        }
        let raw = Trials::simulate(&s, 3_001, 20);
        for i in 0..raw.n {
            let arr = raw.path(i, "arr");
            let churned = raw.path(i, "churned_arr");
            for t in 1..24 {
                assert_exact(
                    &format!("{label}: trial {i} churned[{t}] = ARR[{}] c", t - 1),
                    churned[t],
                    arr[t - 1] * c,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. Ramp and 5. planned departures
// ---------------------------------------------------------------------------------------

/// Asserts a metric's path equals `want` in every one of `trials`.
#[track_caller]
fn assert_paths(raw: &Trials, metric: &str, want: &[f64]) {
    for i in 0..raw.n {
        let got = raw.path(i, metric);
        assert_eq!(got.len(), want.len());
        for (t, (g, w)) in got.iter().zip(want).enumerate() {
            assert_exact(&format!("{metric} trial {i} month {t} (path {got:?})"), *g, *w);
        }
    }
}

/// A scenario of one closer role with the given extra keys, no demand.
fn ramp_scenario(months: usize, role_keys: &str) -> Scenario {
    load(&format!(
        r#"
[scenario]
start = "2027-01"
months = {months}

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
opportunities_per_month = 20
{role_keys}
"#
    ))
}

/// Closed form (exact): `ramp_months = 4` is the curve 0.25, 0.5, 0.75, then 1.0 from the
/// start month, so 4 hires starting 2027-03 (t = 2) give ramped FTE 0, 0, 1, 2, 3, 4, 4, 4
/// and headcount 0, 0, 4, 4, ...; capacity is ramp-weighted, `20 x ramped` (whole numbers
/// here, so no fractional draw). An explicit `ramp = [0.1, 0.3, 0.6]` with 10 hires in
/// 2027-02 gives 0, 1, 3, 6, 10, 10.
///
/// Tolerance: relative 1e-12 (a sum of ten 0.1s is not exactly 1 in binary).
/// N = 50 trials: the values are deterministic; the trials only confirm it.
#[test]
fn ramp_of_a_hiring_cohort() {
    let s = ramp_scenario(8, "ramp_months = 4\nhires = { \"2027-03\" = 4 }");
    let raw = Trials::simulate(&s, 4_001, 50);
    assert_paths(&raw, "ramped.ae", &[0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0]);
    assert_paths(&raw, "headcount.ae", &[0.0, 0.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]);
    assert_paths(&raw, "hires.ae", &[0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_paths(&raw, "opportunities.capacity", &[0.0, 0.0, 20.0, 40.0, 60.0, 80.0, 80.0, 80.0]);

    let s = ramp_scenario(6, "ramp = [0.1, 0.3, 0.6]\nhires = { \"2027-02\" = 10 }");
    let raw = Trials::simulate(&s, 4_002, 50);
    assert_paths(&raw, "ramped.ae", &[0.0, 1.0, 3.0, 6.0, 10.0, 10.0]);
    assert_paths(&raw, "headcount.ae", &[0.0, 10.0, 10.0, 10.0, 10.0, 10.0]);
}

/// Closed form (exact), the published mixed-tenure example: `ramp = [0.25, 0.6, 0.85]`,
/// 15 people in `headcount` (fully ramped) and hires dated 2027-01 (5, tenure 0 at the
/// start), 2026-12 (3, tenure 1) and 2026-11 (2, tenure 2). Ramped FTE at t = 0 is
/// 5 x 0.25 + 3 x 0.6 + 2 x 0.85 + 15 = 19.75, then 5 x 0.6 + 3 x 0.85 + 2 + 15 = 22.55,
/// 5 x 0.85 + 20 = 24.25, then 25; headcount 25 throughout.
///
/// Tolerance: relative 1e-12, per trial and in the runner's mean and quantiles.
/// N = 2,000 for the runner (all trials equal: it exercises the aggregation), 50 raw.
#[test]
fn mixed_tenure_example_ramps_as_published() {
    let s = ramp_scenario(
        5,
        "headcount = 15\nramp = [0.25, 0.6, 0.85]\nhires = { \"2027-01\" = 5, \"2026-12\" = 3, \"2026-11\" = 2 }",
    );
    let want = [19.75, 22.55, 24.25, 25.0, 25.0];
    let raw = Trials::simulate(&s, 4_003, 50);
    assert_paths(&raw, "ramped.ae", &want);
    assert_paths(&raw, "headcount.ae", &[25.0; 5]);
    assert_paths(&raw, "hires.ae", &[5.0, 0.0, 0.0, 0.0, 0.0]);
    let results = run(&s, 2_000, 4_003, 0);
    for (t, w) in want.iter().enumerate() {
        let st = cell(&results, "ramped.ae", t);
        assert_exact(&format!("ramped mean month {t}"), st.mean, *w);
        for q in st.quantiles {
            assert_exact(&format!("ramped quantile month {t}"), q, *w);
        }
    }
}

/// Closed form (exact): planned departures take the longest-tenured first, and the month
/// named is the leaver's last month counted. With `ramp = [0.1, 0.3, 0.6]`, 2 fully
/// ramped people, a hire of 2026-12 (tenure 1 at t = 0) and one of 2027-02, and planned
/// exits of 2 in 2027-01 and 1 in 2027-03, the two veterans leave first, then the
/// 2026-12 hire: ramped FTE 2.3, 0.7 (0.6 + 0.1), 1.3 (1.0 + 0.3), 0.6, 1.0, headcount
/// 3, 2, 2, 1, 1. (Newest-first exits would leave a veteran: 1.1 at t = 1.)
///
/// Tolerance: relative 1e-12. N = 50 trials: deterministic.
#[test]
fn planned_departures_take_the_longest_tenured_first() {
    let s = ramp_scenario(
        5,
        "headcount = 2\nramp = [0.1, 0.3, 0.6]\nhires = { \"2026-12\" = 1, \"2027-02\" = 1 }\n\
         departures = { \"2027-01\" = 2, \"2027-03\" = 1 }",
    );
    let raw = Trials::simulate(&s, 5_001, 50);
    assert_paths(&raw, "ramped.ae", &[2.3, 0.7, 1.3, 0.6, 1.0]);
    assert_paths(&raw, "headcount.ae", &[3.0, 2.0, 2.0, 1.0, 1.0]);
    assert_paths(&raw, "departures.ae", &[2.0, 0.0, 1.0, 0.0, 0.0]);
    assert_paths(&raw, "hires.ae", &[0.0, 1.0, 0.0, 0.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// 6. Backfill
// ---------------------------------------------------------------------------------------

/// Closed form: with `backfill = true` and a constant `time_to_hire_months = 2`, each
/// departure in month t opens a requisition filled at the start of t + 2. Per trial,
/// exactly: `hires[t] == departures[t-2]` (0 for t < 2),
/// `open_reqs[t] == departures[t] + departures[t-1]` and
/// `headcount[t+1] == headcount[t] - departures[t] + hires[t+1]`.
///
/// And a distribution: each of the H = 50 seats is filled at the start of month t with
/// probability `f(t)`, `f(0) = 1`, `f(t+1) = 1 - h f(t)` (a seat is empty for the one month
/// after its holder's last), seats independent, so headcount[t] ~ Binomial(H, f(t)):
/// the runner's mean within `Z sqrt(H f (1-f) / N)` (24 checks).
///
/// N = 5,000: the invariants see about 7,000 departures a month across the trials; the
/// mean's 4-SE tolerance is at most 0.07 people, well under the 1.3 people by which a
/// one-month error in the hiring delay would move the steady state `H / (1 + h)`.
#[test]
fn backfill_replaces_each_departure_after_time_to_hire() {
    const N: usize = 5_000;
    const SEED: u64 = 6_001;
    const H: f64 = 50.0;
    let s = ramp_scenario(24, "headcount = 50\nannual_attrition = 0.3\nbackfill = true\ntime_to_hire_months = 2");
    let h = 1.0 - (1.0 - 0.3f64).powf(1.0 / 12.0);
    let raw = Trials::simulate(&s, SEED, N);
    let mut departures_seen = 0.0;
    for i in 0..N {
        let dep = raw.path(i, "departures.ae");
        let hires = raw.path(i, "hires.ae");
        let reqs = raw.path(i, "open_reqs.ae");
        let hc = raw.path(i, "headcount.ae");
        departures_seen += dep.iter().sum::<f64>();
        for t in 0..24 {
            let want_hires = if t >= 2 { dep[t - 2] } else { 0.0 };
            assert_eq!(hires[t], want_hires, "trial {i} month {t}: hires = departures two months before");
            let want_reqs = dep[t] + if t >= 1 { dep[t - 1] } else { 0.0 };
            assert_eq!(reqs[t], want_reqs, "trial {i} month {t}: open requisitions");
            if t + 1 < 24 {
                assert_eq!(hc[t + 1], hc[t] - dep[t] + hires[t + 1], "trial {i} month {t}: stock-flow");
            }
        }
    }
    assert!(departures_seen > 1_000.0, "the invariants were exercised ({departures_seen} departures)");

    let results = run(&s, N as u64, SEED, 0);
    let mut f = 1.0;
    for t in 0..24 {
        let st = cell(&results, "headcount.ae", t);
        check_mean(&format!("headcount with backfill, month {t}"), st.mean, N, H * f, H * f * (1.0 - f));
        f = 1.0 - h * f;
    }
}

// ---------------------------------------------------------------------------------------
// 7. Leads
// ---------------------------------------------------------------------------------------

/// Closed form: leads in month t are Poisson with mean
/// `λ_t = L (1 + g)^t x seasonality[calendar month of t]` (L = 400, g = 0.02, start March,
/// 14 months so the calendar wraps), and opportunities from leads are their Binomial
/// thinning by `lead_to_opportunity = 0.25`, hence Poisson(0.25 `λ_t`).
///
/// Checks, per month for both: the mean within `Z sqrt(λ/N)`, and the sample variance
/// within `Z` SE of λ, with `SE(S^2) = sqrt(2 λ^2 / (N - 1) + λ / N)` (the exact variance
/// of a sample variance: `2 σ^4 / (N-1)` plus the Poisson's excess kurtosis `1/λ` times
/// `σ^4 / N`); the normal approximation of `S^2` is good at N = 10,000. 56 checks: family
/// false-alarm rate < 0.4%. Per trial: with no closers, `lost == demand` (exact).
///
/// N = 10,000: the mean's 4-SE tolerance is 0.2-0.4% of λ, far below the 2% of a
/// month's growth and the 4-6% between adjacent seasonality factors (so an off-by-one
/// month in either is caught); the variance is pinned to ±5.7%, so over-dispersion
/// (e.g. a per-month random rate) of that size is caught.
#[test]
fn leads_are_poisson_with_growth_and_seasonality() {
    const N: usize = 10_000;
    let season = [0.80, 0.85, 0.90, 0.95, 1.00, 1.05, 1.10, 1.15, 1.20, 1.25, 1.30, 1.35];
    let s = load(
        r#"
[scenario]
start = "2027-03"
months = 14

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[demand]
leads_per_month = 400
growth_per_month = 0.02
seasonality = [0.80, 0.85, 0.90, 0.95, 1.00, 1.05, 1.10, 1.15, 1.20, 1.25, 1.30, 1.35]
lead_to_opportunity = 0.25
"#,
    );
    let raw = Trials::simulate(&s, 7_001, N);
    for t in 0..14 {
        let lambda = 400.0 * 1.02f64.powi(t as i32) * season[(2 + t) % 12];
        for (metric, mu) in [("leads", lambda), ("opportunities.demand", 0.25 * lambda)] {
            let x = raw.month(metric, t);
            let (mean, _) = mean_var(&x);
            check_mean(&format!("{metric} month {t}"), mean, N, mu, mu);
            check_variance(&format!("{metric} month {t}"), &x, mu, 1.0 / mu);
        }
        assert_eq!(raw.month("opportunities.lost", t), raw.month("opportunities.demand", t));
    }
}

// ---------------------------------------------------------------------------------------
// 8. Sales cycles
// ---------------------------------------------------------------------------------------

/// Closed form (exact, per trial): with `cycle_months = 2` and `win_rate = 1`, every
/// opportunity worked in month t is won and booked in t + 2, so
/// `bookings[t] == D worked[t-2]` and `deals.closed[t] == worked[t-2]` (0 and no win rate
/// for t < 2), and the end-of-month pipeline holds the deals worked this month and last:
/// `pipeline[t] == D (worked[t] + worked[t-1])` (`D worked[0]` at t = 0, deals closing
/// past the horizon included).
///
/// `worked` is made random (20 + Bernoulli(1/2) from a capacity of 20.5) so the identities
/// are not satisfied by constants. N = 2,000 trials: deterministic identities; N only
/// makes every combination of 20s and 21s occur.
#[test]
fn cycles_delay_bookings_and_fill_the_pipeline() {
    const N: usize = 2_000;
    const SEED: u64 = 8_001;
    let d = 10_000.0;
    let text = BINOMIAL_SCENARIO
        .replace("win_rate = 0.2", "win_rate = 1\ncycle_months = 2")
        .replace("headcount = 2", "headcount = 1")
        .replace("opportunities_per_month = 10", "opportunities_per_month = 20.5");
    let s = load(&text);
    let raw = Trials::simulate(&s, SEED, N);
    for i in 0..N {
        let worked = raw.path(i, "opportunities.worked");
        let bookings = raw.path(i, "bookings");
        let closed = raw.path(i, "deals.closed");
        let pipeline = raw.path(i, "pipeline");
        let win_rate = raw.path(i, "win_rate");
        for t in 0..12 {
            let (want_closed, want_pipe) = match t {
                0 => (0.0, d * worked[0]),
                1 => (0.0, d * (worked[1] + worked[0])),
                _ => (worked[t - 2], d * (worked[t] + worked[t - 1])),
            };
            assert_eq!(bookings[t], d * want_closed, "trial {i} month {t}: bookings");
            assert_eq!(closed[t], want_closed, "trial {i} month {t}: closed deals");
            assert_eq!(pipeline[t], want_pipe, "trial {i} month {t}: pipeline");
            if t < 2 {
                assert!(win_rate[t].is_nan(), "trial {i} month {t}: no deal closed, no win rate");
            } else {
                assert_eq!(win_rate[t], 1.0);
            }
        }
    }
    let results = run(&s, N as u64, SEED, 0);
    assert!(results.get("win_rate", 0).is_none(), "a month with no closed deal has no win-rate statistics");
    assert_eq!(cell(&results, "bookings", 1).quantiles, [0.0; 7]);
}

// ---------------------------------------------------------------------------------------
// 9. Common random numbers, 10. determinism, 11. P(hit)
// ---------------------------------------------------------------------------------------

/// Closed form (exact, per trial): two scenarios identical but for the closers' hiring
/// plan, run with the same seed, share every demand draw: `leads` and
/// `opportunities.demand` are identical in every trial and month. Worked opportunities
/// are `min(demand, capacity)` with capacity 20 x the reps on staff (2 until the plan
/// differs), so they agree in month 0 (as do bookings, drawn from the same deal stream
/// for the same number of deals) and differ afterwards whenever demand exceeds the
/// smaller capacity.
///
/// N = 2,000: deterministic identities; with demand around 60 a month (45 to 75 across
/// trials) against capacities of 40 and 60, the difference in month 1 shows in most trials.
#[test]
fn common_random_numbers_share_demand_across_hiring_plans() {
    const N: usize = 2_000;
    const SEED: u64 = 9_001;
    let text = |hires: &str| {
        format!(
            r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = {{ dist = "lognormal", median = 20_000, p90 = 50_000 }}
win_rate = {{ low = 0.15, high = 0.3 }}

[demand]
leads_per_month = {{ low = 150, high = 250 }}
growth_per_month = 0.01
lead_to_opportunity = 0.3

[[roles]]
id = "ae"
kind = "closer"
headcount = 2
opportunities_per_month = 20
hires = {hires}
"#
        )
    };
    let a = load(&text(r#"{ "2027-04" = 3 }"#));
    let b = load(&text(r#"{ "2027-02" = 1 }"#));
    let capacity = |plan: &str, t: usize| -> f64 {
        match plan {
            "a" => 20.0 * if t >= 3 { 5.0 } else { 2.0 },
            _ => 20.0 * if t >= 1 { 3.0 } else { 2.0 },
        }
    };
    let (ra, rb) = (Trials::simulate(&a, SEED, N), Trials::simulate(&b, SEED, N));
    let mut differ = 0;
    for i in 0..N {
        for metric in ["leads", "opportunities.demand"] {
            assert_eq!(ra.path(i, metric), rb.path(i, metric), "trial {i}: {metric} must not depend on hiring");
        }
        for (plan, r) in [("a", &ra), ("b", &rb)] {
            let demand = r.path(i, "opportunities.demand");
            let worked = r.path(i, "opportunities.worked");
            for t in 0..12 {
                assert_eq!(worked[t], demand[t].min(capacity(plan, t)), "plan {plan} trial {i} month {t}: worked");
            }
        }
        let (wa, wb) = (ra.path(i, "opportunities.worked"), rb.path(i, "opportunities.worked"));
        assert_eq!(wa[0], wb[0]);
        assert_eq!(ra.path(i, "bookings")[0], rb.path(i, "bookings")[0], "trial {i}: same deals in month 0");
        if wa[1] != wb[1] {
            differ += 1;
        }
    }
    assert!(differ > N / 2, "worked differs in month 1 in only {differ} of {N} trials");
}

/// Exact, per trial: a deal's cycle takes one number from the deal stream whatever its
/// distribution (constants aside), by inversion, so two scenarios that differ only in `cycle_months` work
/// the same opportunities with the same sizes, and with a cycle distribution that is
/// stochastically larger (uniform on [3, 6] against a gamma of mean 1) every deal closes
/// no sooner. With `win_rate = 1`, the value of all worked opportunities, `sum_t
/// bookings[t] + pipeline[last]`, is the same in both (to rounding: it is summed in
/// another grouping), and the deals closed by any month are never more in the later one.
/// A sampler that draws a variable number of numbers (a gamma's rejection step) fails
/// both from the first month.
#[test]
fn common_random_numbers_keep_the_deals_when_the_cycle_changes() {
    const N: usize = 500;
    let text = |cycle: &str| {
        format!(
            r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = {{ dist = "lognormal", median = 20_000, p90 = 50_000 }}
win_rate = 1
cycle_months = {cycle}

[demand]
leads_per_month = {{ low = 150, high = 250 }}
lead_to_opportunity = 0.3

[[roles]]
id = "ae"
kind = "closer"
headcount = 3
opportunities_per_month = 20
"#
        )
    };
    let early = load(&text(r#"{ dist = "gamma", mean = 1, sd = 0.5 }"#));
    let late = load(&text(r#"{ dist = "uniform", min = 3, max = 6 }"#));
    let (re, rl) = (Trials::simulate(&early, 31, N), Trials::simulate(&late, 31, N));
    let mut later = 0;
    for i in 0..N {
        assert_eq!(re.path(i, "opportunities.worked"), rl.path(i, "opportunities.worked"), "trial {i}");
        let total = |r: &Trials| r.path(i, "bookings").iter().sum::<f64>() + r.path(i, "pipeline")[11];
        let (te, tl) = (total(&re), total(&rl));
        assert!((te - tl).abs() <= 1e-9 * te, "trial {i}: worked value {te} vs {tl}");
        let (ce, cl) = (re.path(i, "deals.closed"), rl.path(i, "deals.closed"));
        let (mut sum_e, mut sum_l) = (0.0, 0.0);
        for t in 0..12 {
            sum_e += ce[t];
            sum_l += cl[t];
            assert!(
                sum_l <= sum_e,
                "trial {i}, month {t}: {sum_l} deals closed by then with the later cycle, {sum_e} with the earlier"
            );
        }
        later += usize::from(sum_l < sum_e);
    }
    assert_eq!(later, N, "the later cycle closes fewer deals within the year in every trial");
}

/// A scenario with every kind of random draw: uncertain rates, per-deal sizes and cycles,
/// SDRs, attrition with backfill and a random time to hire, two segments, a target.
const RICH_SCENARIO: &str = r#"
[scenario]
start = "2027-01"
months = 18

[company]
arr = 1_500_000
monthly_churn = { low = 0.005, high = 0.015 }
monthly_expansion = { low = 0.002, high = 0.008 }

[target]
arr = 3_000_000

[[segments]]
name = "mid"
deal_size = { dist = "lognormal", median = 30_000, p90 = 80_000 }
win_rate = { low = 0.15, high = 0.28 }
cycle_months = { dist = "gamma", mean = 2, sd = 1 }

[[segments]]
name = "smb"
deal_size = { dist = "lognormal", median = 9_000, p90 = 20_000 }
win_rate = { low = 0.2, high = 0.3 }
cycle_months = { dist = "gamma", mean = 0.7, sd = 0.4 }

[demand]
leads_per_month = { low = 300, high = 450 }
growth_per_month = 0.015
seasonality = [0.9, 0.95, 1.05, 1.0, 1.0, 0.95, 0.85, 0.85, 1.05, 1.1, 1.1, 1.2]
segment_mix = { mid = 0.6, smb = 0.4 }
lead_to_opportunity = { low = 0.08, high = 0.13 }

[[roles]]
id = "ae"
kind = "closer"
segment = "mid"
headcount = 4
ramp_months = 5
annual_attrition = { low = 0.2, high = 0.4 }
time_to_hire_months = { dist = "lognormal", median = 1.5, p90 = 2.5 }
opportunities_per_month = 5.5
hires = { "2026-11" = 1, "2027-03" = 2, "2027-06" = 2 }
backfill = true

[[roles]]
id = "smb-ae"
kind = "closer"
segment = "smb"
headcount = 2
ramp = [0.3, 0.7]
annual_attrition = 0.35
opportunities_per_month = { low = 8, high = 12 }

[[roles]]
id = "sdr"
kind = "sdr"
headcount = 3
ramp_months = 3
annual_attrition = { low = 0.25, high = 0.55 }
time_to_hire_months = 1
meetings_per_month = { low = 10, high = 20 }
meeting_to_opportunity = 0.5
departures = { "2027-06" = 1 }
backfill = true
"#;

fn assert_stats_bits_equal(what: &str, a: &Stats, b: &Stats) {
    assert_eq!(a.count, b.count, "{what}: count");
    assert_eq!(a.mean.to_bits(), b.mean.to_bits(), "{what}: mean {} vs {}", a.mean, b.mean);
    for (k, (x, y)) in a.quantiles.iter().zip(b.quantiles).enumerate() {
        assert_eq!(x.to_bits(), y.to_bits(), "{what}: quantile {k}: {x} vs {y}");
    }
}

/// Determinism: the runner's results with 1 and 2 worker threads are bit-identical in
/// every cell (count, mean, every quantile), every horizon total and P(hit); and they
/// equal a serial recomputation from [`engine::run_trial`] in trial order through
/// [`stats::describe`]. No tolerance: `to_bits()` equality.
///
/// N = 3,000: not a multiple of the runner's 64-trial chunk, so the last chunk is partial
/// and 47 chunks are spread unevenly over the threads; the rich scenario draws from every
/// random stream.
#[test]
fn results_are_bit_identical_across_thread_counts() {
    const N: usize = 3_000;
    const SEED: u64 = 10_001;
    let s = load(RICH_SCENARIO);
    let one = run(&s, N as u64, SEED, 1);
    let two = run(&s, N as u64, SEED, 2);
    assert_eq!((one.threads, two.threads), (1, 2));
    assert_eq!(one.cells.len(), two.cells.len());

    let raw = Trials::simulate(&s, SEED, N);
    let months = raw.layout.months;
    let mut cells_with_values = 0;
    let cells = raw.layout.cells();
    for (c, (x, y)) in one.cells.iter().zip(&two.cells).enumerate() {
        let what = match one.layout.names.get(c / months) {
            Some(name) => format!("{name} month {}", c % months),
            None => format!("scalar {}", one.layout.scalars[c - one.layout.monthly_cells()]),
        };
        let mut serial: Vec<f64> = (0..N).map(|i| raw.values[i * cells + c]).collect();
        let serial = stats::describe(&mut serial);
        match (x, y, serial) {
            (Some(x), Some(y), Some(z)) => {
                assert_stats_bits_equal(&format!("{what}, 1 vs 2 threads"), x, y);
                assert_stats_bits_equal(&format!("{what}, runner vs serial"), x, &z);
                cells_with_values += 1;
            }
            (None, None, None) => {}
            _ => panic!("{what}: a cell exists in one run only"),
        }
    }
    assert!(cells_with_values > one.layout.scalars.len());
    let (ta, tb) = (one.target.expect("target"), two.target.expect("target"));
    assert_eq!(ta.p_hit.to_bits(), tb.p_hit.to_bits());
    assert_eq!(ta.standard_error.to_bits(), tb.standard_error.to_bits());
}

/// Closed form: in the Binomial scenario (20 opportunities a month, p = 0.2, D = 10,000,
/// no churn) with a target of 48 deals' ARR by the last month, ARR at month 11 is
/// D x Binomial(240, 0.2), so P(hit) = P(K >= 48) = 1 - F(47). The reported P(hit) must
/// equal the share of trials at or above the target (exact, from the raw trials), its
/// standard error must be `sqrt(p (1 - p) / N)` for the reported p (relative 1e-12), and
/// P(hit) must be within `Z` of those standard errors of the closed form (using the
/// closed form's own `sqrt(P (1 - P) / N)`).
///
/// N = 10,000: the standard error is 0.005 around P = 0.526, so the 4-SE tolerance (0.02)
/// is well under the 0.064 that one deal more or less on the target would move P(hit).
#[test]
fn p_hit_and_its_standard_error() {
    const N: usize = 10_000;
    const SEED: u64 = 11_001;
    let (d, k) = (10_000.0, 48u64);
    let text = format!("{BINOMIAL_SCENARIO}\n[target]\narr = {}\n", d * k as f64);
    let s = load(&text);
    let results = run(&s, N as u64, SEED, 0);
    let target = results.target.as_ref().expect("the scenario has a target");

    let raw = Trials::simulate(&s, SEED, N);
    let hits = raw.month("arr", 11).iter().filter(|&&a| a >= d * k as f64).count();
    assert_eq!(target.p_hit, hits as f64 / N as f64, "P(hit) is the share of trials at or above the target");
    let p = target.p_hit;
    assert_exact("standard error of P(hit)", target.standard_error, (p * (1.0 - p) / N as f64).sqrt());

    let total = raw.layout.scalar_cell("bookings").expect("bookings total");
    for i in 0..N {
        let sum: f64 = raw.path(i, "bookings").iter().sum();
        assert_eq!(raw.values[i * raw.layout.cells() + total], sum, "trial {i}: the bookings total is the monthly sum");
    }

    let exact = 1.0 - binomial(240, 0.2).cdf(k - 1);
    assert_within("P(hit)", p, exact, Z * (exact * (1.0 - exact) / N as f64).sqrt());
}
