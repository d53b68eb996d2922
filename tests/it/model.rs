//! The organisation around the closers, checked against hand-computed values and closed
//! forms: compensation and quota attainment, territory coverage through a departure and
//! its backfill, support coverage and churn, ARR stages, the forecast and the gather
//! KPIs, and the capacity hiring policy. Tolerances follow `closed_form`: exact values to
//! a relative 1e-12, random ones to `Z = 4` Monte Carlo standard errors of the closed
//! form's own variance.

use crate::closed_form::{Trials, assert_exact, binomial, check_mean, load};
use statrs::distribution::DiscreteCDF;

/// Per-trial scalar `name` of trial `i`.
fn scalar(raw: &Trials, i: usize, name: &str) -> f64 {
    let cell = raw.layout.scalar_cell(name).unwrap_or_else(|| panic!("no scalar `{name}`"));
    raw.values[i * raw.layout.cells() + cell]
}

/// Ten reps who always have work: each works 10 opportunities a month, won with p = 0.2,
/// $10K each, closing in the month worked. Quota $240K a year ($20K = 2 wins a month),
/// variable $60K (rate 0.25), base $60K.
const TEN_REPS: &str = r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[demand]
leads_per_month = 1_000
lead_to_opportunity = 1.0

[[roles]]
id = "ae"
kind = "closer"
headcount = 10
opportunities_per_month = 10
comp_plan = "ae"

[[comp_plans]]
id = "ae"
base = 60_000
variable = 60_000
quota = 240_000
"#;

/// Closed form: a rep is at quota after month `t` (0-based) when its wins reach
/// `2 (t + 1)` of `10 (t + 1)` Binomial(p = 0.2) opportunities, so the mean quota
/// attainment rate is `P(Bin(10 (t + 1), 0.2) >= 2 (t + 1))`; the share over 10
/// independent reps has variance `P (1 - P) / 10` per trial. At the plan-year end each
/// rep's attainment `wins / 24` goes to the histogram: 10 a trial, a share at or above
/// 100% of `P(Bin(120, 0.2) >= 24)`. With no tiers and no cap, pay is exact:
/// `comp_cost[t] = 10 x 60,000 / 12 + 0.25 x bookings[t]`.
///
/// 3 + 1 random checks at Z = 4, N = 2,000 trials.
#[test]
fn quota_attainment_and_pay_of_ten_reps() {
    const N: usize = 2_000;
    let s = load(TEN_REPS);
    let raw = Trials::simulate(&s, 21_001, N);
    for t in [0usize, 5, 11] {
        let k = 10 * (t as u64 + 1);
        let p = 1.0 - binomial(k, 0.2).cdf(2 * (t as u64 + 1) - 1);
        let rates = raw.month("quota_attainment_rate", t);
        check_mean(
            &format!("attainment rate month {t}"),
            rates.iter().sum::<f64>() / N as f64,
            N,
            p,
            p * (1.0 - p) / 10.0,
        );
    }
    let p_year = 1.0 - binomial(120, 0.2).cdf(23);
    let mut shares = Vec::with_capacity(N);
    for i in 0..N {
        let bins: Vec<f64> = (0..21).map(|k| scalar(&raw, i, &format!("attainment.{}", k as f64 / 10.0))).collect();
        assert_eq!(bins.iter().sum::<f64>(), 10.0, "trial {i}: one plan-year end per rep");
        shares.push(bins[10..].iter().sum::<f64>() / 10.0);
        let comp = raw.path(i, "comp_cost");
        let bookings = raw.path(i, "bookings");
        for t in 0..12 {
            assert_exact(&format!("trial {i} comp month {t}"), comp[t], 50_000.0 + 0.25 * bookings[t]);
        }
        let total: f64 = bookings.iter().sum();
        assert_exact(
            &format!("trial {i} cost of sales"),
            scalar(&raw, i, "cost_of_sales"),
            (600_000.0 + 0.25 * total) / total,
        );
    }
    check_mean(
        "share at quota at year end",
        shares.iter().sum::<f64>() / N as f64,
        N,
        p_year,
        p_year * (1.0 - p_year) / 10.0,
    );
}

/// docs/REFERENCE.md 2's plan, end to end, for one rep over a plan year: quota $500K, variable
/// $100K (rate 0.2), 1.5x above 100%, 0.5x below 50%, capped at 3x the variable. The
/// year's variable for bookings B is, by hand,
/// `0.2 x (0.5 min(B, 250K) + (min(B, 500K) - 250K)+ + 1.5 (B - 500K)+)`, at most $300K.
/// With a 3-month draw of $100K / 12 for a hire ramping 0.5, 1.0, every month of the
/// draw pays at least the base plus the draw.
#[test]
fn tiered_commission_of_one_rep_over_a_plan_year() {
    let text = r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = { low = 10_000, high = 60_000 }
win_rate = 0.2

[demand]
leads_per_month = 1_000
lead_to_opportunity = 1.0

[[roles]]
id = "ae"
kind = "closer"
headcount = 1
opportunities_per_month = 6
comp_plan = "ae"

[[roles]]
id = "new"
kind = "closer"
ramp = [0.5]
opportunities_per_month = 10
hires = { "2027-01" = 1 }
comp_plan = "new"

[[comp_plans]]
id = "ae"
base = 120_000
variable = 100_000
quota = 500_000
accelerators = [ { above = 1.0, multiplier = 1.5 } ]
decelerators = [ { below = 0.5, multiplier = 0.5 } ]
cap = 3.0

[[comp_plans]]
id = "new"
base = 0
variable = 120_000
quota = 10_000_000_000
ramp_draw_months = 3
"#;
    let s = load(text);
    let raw = Trials::simulate(&s, 22_001, 400);
    let by_hand = |b: f64| {
        let v =
            0.2 * (0.5 * b.min(250_000.0) + (b.min(500_000.0) - 250_000.0).max(0.0) + 1.5 * (b - 500_000.0).max(0.0));
        v.min(300_000.0)
    };
    let (mut below_half, mut above_quota) = (0, 0);
    for i in 0..raw.n {
        // The new rep's quota is out of reach, so its variable is the draw alone; the ramped
        // rep earns at least its base.
        for (t, c) in raw.path(i, "comp_cost").iter().enumerate().take(3) {
            assert!(*c >= 10_000.0 + 10_000.0 - 1e-6, "trial {i} month {t}: the draw is paid ({c})");
        }
    }
    // The ramped rep alone: run the same plan without the new hire.
    let alone = load(&text.replace("hires = { \"2027-01\" = 1 }", "hires = {}"));
    let raw = Trials::simulate(&alone, 22_002, 400);
    for i in 0..raw.n {
        let b: f64 = raw.path(i, "bookings").iter().sum();
        let paid: f64 = raw.path(i, "comp_cost").iter().sum();
        assert_exact(&format!("trial {i}: pay for bookings {b}"), paid, 120_000.0 + by_hand(b));
        below_half += usize::from(b < 250_000.0);
        above_quota += usize::from(b > 500_000.0);
    }
    assert!(below_half > 0 && above_quota > 0, "the trials reach both tiers ({below_half}, {above_quota})");
}

/// Exact: a territory of 1,000 accounts at 100 per rep is fully covered by 10 reps. One
/// leaves at the end of 2027-04 (t = 3): coverage is 0.9 at the end of t = 3 and t = 4;
/// the backfill (time to hire 2) starts in t = 5, and coverage is 1 again. Demand in
/// t = 4 sees 9 reps: the uncovered accounts' opportunities are
/// `Binomial(Binomial(1000, 0.05), 0.1) = Binomial(1000, 0.005)` (1 random check); in
/// every other month there are none.
#[test]
fn coverage_through_a_departure_and_its_backfill() {
    const N: usize = 2_000;
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 8

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
headcount = 10
opportunities_per_month = 5
departures = { "2027-04" = 1 }
backfill = true
time_to_hire_months = 2

[[territories]]
name = "East"
accounts = 1_000
accounts_per_rep = 100
opportunity_rate = 0.05
"#,
    );
    let raw = Trials::simulate(&s, 23_001, N);
    let want = [1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0];
    for i in 0..N {
        let got = raw.path(i, "coverage.East");
        for (t, (g, w)) in got.iter().zip(want).enumerate() {
            assert_exact(&format!("trial {i} coverage month {t}"), *g, w);
        }
        let uncovered = raw.path(i, "opportunities.uncovered");
        for (t, u) in uncovered.iter().enumerate() {
            if t != 4 {
                assert_eq!(*u, 0.0, "trial {i} month {t}: fully covered");
            }
        }
    }
    let u4 = raw.month("opportunities.uncovered", 4);
    check_mean("uncovered opportunities month 4", u4.iter().sum::<f64>() / N as f64, N, 5.0, 1000.0 * 0.005 * 0.995);
}

/// Exact: new closers take the least-covered territory, ties to the first. Three hires
/// into A (1,000 accounts) and B (500), 100 accounts per rep: A, then B (A at 0.1 > B at
/// 0), then A (0.1 < 0.2): both at 0.2.
#[test]
fn new_hires_go_to_the_least_covered_territory() {
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 2

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
opportunities_per_month = 5
hires = { "2027-01" = 3 }

[[territories]]
name = "A"
accounts = 1_000
accounts_per_rep = 100

[[territories]]
name = "B"
accounts = 500
accounts_per_rep = 100
"#,
    );
    let raw = Trials::simulate(&s, 24_001, 5);
    for i in 0..raw.n {
        assert_eq!(raw.path(i, "coverage.A"), vec![0.2, 0.2]);
        assert_eq!(raw.path(i, "coverage.B"), vec![0.2, 0.2]);
    }
}

/// Exact: ARR starts at $900K and one closer books one $50K deal a month, so
/// `ARR[t] = 900K + 50K (t + 1)` reaches $1M in t = 1. With `months_above = 3` the stage
/// is reached in t = 3, not before; its hire (time to hire 2) is costed from t = 5 at
/// $120K / 12. A company starting at $900K already has the $0 stage.
#[test]
fn a_stage_is_reached_only_after_n_months_above_its_threshold() {
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 8

[company]
arr = 900_000

[[segments]]
name = "core"
deal_size = 50_000
win_rate = 1.0

[demand]
leads_per_month = 1_000
lead_to_opportunity = 1.0

[[roles]]
id = "ae"
kind = "closer"
headcount = 1
opportunities_per_month = 1

[[stages]]
from_arr = 0
role = "analyst"

[[stages]]
from_arr = 1_000_000
role = "sales effectiveness manager"
months_above = 3
annual_cost = 120_000
time_to_hire_months = 2
"#,
    );
    let raw = Trials::simulate(&s, 25_001, 20);
    for i in 0..raw.n {
        let arr: Vec<f64> = (0..8).map(|t| 900_000.0 + 50_000.0 * (t as f64 + 1.0)).collect();
        assert_eq!(raw.path(i, "arr"), arr);
        assert_eq!(raw.path(i, "reached.sales-effectiveness-manager"), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(raw.path(i, "reached.analyst"), vec![1.0; 8]);
        assert_eq!(raw.path(i, "stage"), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(raw.path(i, "ops_cost"), vec![0.0, 0.0, 0.0, 0.0, 0.0, 10_000.0, 10_000.0, 10_000.0]);
    }
}

/// Exact: a support team serving $1.5M of ARR for $3M covers half its load, so churn is
/// `2% x (1 + (2 - 1) x 0.5) = 3%`; each month `c = min(1, 1.5M / ARR)` and
/// `ARR' = ARR (1 - 0.02 (1 + (1 - c)))`.
#[test]
fn support_shortfall_raises_churn() {
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 12

[company]
arr = 3_000_000
monthly_churn = 0.02

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "csm"
kind = "support"
headcount = 1
arr_per_head = 1_500_000
"#,
    );
    let raw = Trials::simulate(&s, 26_001, 3);
    let (mut arr, mut want_arr, mut want_cov) = (3_000_000.0f64, Vec::new(), Vec::new());
    for _ in 0..12 {
        let c = (1_500_000.0 / arr).min(1.0);
        want_cov.push(c);
        arr *= 1.0 - 0.02 * (1.0 + (1.0 - c));
        want_arr.push(arr);
    }
    for i in 0..raw.n {
        for (t, (g, w)) in raw.path(i, "arr").iter().zip(&want_arr).enumerate() {
            assert_exact(&format!("ARR month {t}"), *g, *w);
        }
        for (t, (g, w)) in raw.path(i, "support.coverage").iter().zip(&want_cov).enumerate() {
            assert_exact(&format!("support coverage month {t}"), *g, *w);
        }
    }
    assert_exact("first month", want_arr[0], 2_910_000.0);
}

/// Exact: one closer works 5 opportunities a month, all won at $10K, each closing the
/// next month. From t = 1 the actual is $50K and the forecast made the month before is
/// `1.25 x 5 x $10K x win rate 1 = $62.5K`: error 25% every month, MAPE = WAPE = bias =
/// 0.25. Gather measures a win rate of 1, a cycle of 1 month, a deal size of $10K, and all
/// capacity worked.
#[test]
fn forecast_error_and_gathered_kpis() {
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 6

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 1.0
cycle_months = 1

[demand]
leads_per_month = 1_000
lead_to_opportunity = 1.0

[[roles]]
id = "ae"
kind = "closer"
headcount = 1
opportunities_per_month = 5

[forecast]
bias = 0.25
"#,
    );
    let raw = Trials::simulate(&s, 27_001, 10);
    for i in 0..raw.n {
        let f = raw.path(i, "forecast");
        let e = raw.path(i, "forecast_error");
        assert!(f[0].is_nan() && e[0].is_nan(), "no forecast for the first month");
        for t in 1..6 {
            assert_exact("forecast", f[t], 62_500.0);
            assert_exact("error", e[t], 0.25);
        }
        for name in ["forecast.mape", "forecast.wape", "forecast.bias"] {
            assert_exact(name, scalar(&raw, i, name), 0.25);
        }
        for t in 2..6 {
            assert_eq!(raw.path(i, "kpi.win_rate")[t], 1.0);
            assert_eq!(raw.path(i, "kpi.cycle_months")[t], 1.0);
            assert_eq!(raw.path(i, "kpi.deal_size")[t], 10_000.0);
            assert_eq!(raw.path(i, "kpi.selling_time")[t], 1.0);
            assert_eq!(raw.path(i, "kpi.opportunities_per_rep")[t], 5.0);
        }
    }
}

/// A segment whose demand is 100 opportunities a month, flat or growing 3% a month
/// (doubling in 24 months), worked by 12 reps of 12 opportunities at a target
/// utilisation of 0.85 (enough for 122 a month). The expected demand first needs a 13th
/// rep in month M = 7 (`100 x 1.03^7 = 123`). With a time to hire of 2 and a 4-month
/// ramp the look-ahead is 6 months, so the capacity policy hires for month 7 in month 1
/// (its measured level, centred half a month back, is projected 6.5 months ahead):
/// the first hire arrives by month M - ramp = 3 in most trials, while the flat scenario
/// hires almost never (its measured demand would have to be 4 standard errors high).
#[test]
fn capacity_policy_hires_ahead_of_growing_demand() {
    const N: usize = 1_000;
    let scenario = |growth: f64| {
        load(&format!(
            r#"
[scenario]
start = "2027-01"
months = 24

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[demand]
leads_per_month = 10_000
growth_per_month = {growth}
lead_to_opportunity = 0.01

[[roles]]
id = "ae"
kind = "closer"
headcount = 12
ramp_months = 4
opportunities_per_month = 12
time_to_hire_months = 2
policy = "capacity"
target_utilisation = 0.85
"#
        ))
    };
    let flat = Trials::simulate(&scenario(0.0), 28_001, N);
    let growing = Trials::simulate(&scenario(0.03), 28_001, N);
    let total = |raw: &Trials| -> Vec<f64> { (0..N).map(|i| raw.path(i, "hires.ae").iter().sum()).collect() };
    let (flat_hires, growing_hires) = (total(&flat), total(&growing));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    assert!(mean(&flat_hires) < 0.5, "flat demand needs no hire: {}", mean(&flat_hires));
    // 100 x 1.03^23 / (0.85 x 12) = 19.4 reps by the end: at least 7 more.
    assert!(mean(&growing_hires) >= 7.0, "growing demand: {}", mean(&growing_hires));
    for i in 0..N {
        assert!(growing_hires[i] >= flat_hires[i], "trial {i}: same seed, more demand, no fewer hires");
    }
    let mut first: Vec<usize> =
        (0..N).map(|i| growing.path(i, "hires.ae").iter().position(|h| *h > 0.0).unwrap_or(usize::MAX)).collect();
    first.sort_unstable();
    assert!(first[N / 2] <= 3, "median first arrival {} is after M - ramp = 3", first[N / 2]);
    // Month 0's need projects that month's demand, Poisson(100), 6 months ahead: 1 check.
    let k = 1.03f64.powi(6) / (0.85 * 12.0);
    let need0 = growing.month("needed.ae", 0);
    check_mean("heads needed in month 0", need0.iter().sum::<f64>() / N as f64, N, 100.0 * k, 100.0 * k * k);
}

/// Exact: a manager with a span of 7 over a team of 7 needs 1; when an 8th closer joins
/// in t = 2, a requisition opens in t = 2 and (time to hire 1) the second manager starts
/// in t = 3.
#[test]
fn managers_are_requisitioned_as_the_team_grows() {
    let s = load(
        r#"
[scenario]
start = "2027-01"
months = 5

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
headcount = 7
opportunities_per_month = 5
hires = { "2027-03" = 1 }

[[roles]]
id = "mgr"
kind = "manager"
headcount = 1
span_of_control = 7
time_to_hire_months = 1
"#,
    );
    let raw = Trials::simulate(&s, 29_001, 5);
    for i in 0..raw.n {
        assert_eq!(raw.path(i, "needed.mgr"), vec![1.0, 1.0, 2.0, 2.0, 2.0]);
        assert_eq!(raw.path(i, "open_reqs.mgr"), vec![0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(raw.path(i, "headcount.mgr"), vec![1.0, 1.0, 1.0, 2.0, 2.0]);
    }
}
