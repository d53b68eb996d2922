//! How deals resolve: won, lost over their own cycle, or stalled (never closing); the
//! open pipeline conditioned on being still open at its age; won closes slipping to the
//! fiscal quarter's busiest month, and shared monthly shocks on volume and on closing.
//! Each is checked against its closed form (Binomial counts, the conditioned outcome
//! chances, the slip chain's steady state, the negative binomial of shocked leads), with
//! tolerances of `Z` Monte Carlo standard errors from the closed form's own variance
//! (see `closed_form.rs`); the seeds were chosen before the first run.

use crate::closed_form::{Trials, Z, load};

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn var(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0)
}

/// One segment worked by closers with room for every opportunity, `segment` added to
/// the segment, `company` to `[company]` and `pipeline` at the end.
fn scenario(months: u32, leads: &str, segment: &str, company: &str, pipeline: &str) -> String {
    format!(
        r#"
[scenario]
start = "2027-01"
months = {months}

[company]
{company}

[[segments]]
name = "mm"
deal_size = 1_000
{segment}

[demand]
leads_per_month = {leads}
lead_to_opportunity = 1

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 50
opportunities_per_month = 100

{pipeline}
"#
    )
}

/// Won, lost and stalled as one uniform's three parts: of the opportunities worked in
/// month 0 (cycle 0 for won, 1 for lost), the month-0 wins are Binomial(n, 0.3) given n,
/// the month-1 closes (lost) Binomial(n, 0.5), and the 20% stalled never close; the
/// pipeline holds them at every month's end. 3 x 2 checks.
#[test]
fn deals_are_won_lost_or_stalled_in_their_shares() {
    let text = scenario(2, "200", "win_rate = 0.3\nstall_rate = 0.2\ncycle_months = 0\nloss_cycle_months = 1", "", "");
    let s = load(&text);
    let n = 4000;
    let trials = Trials::simulate(&s, 21, n);
    let worked0 = trials.month("opportunities.worked", 0);
    let won0 = trials.month("deals.won", 0);
    let closed0 = trials.month("deals.closed", 0);
    assert_eq!(won0, closed0, "only won deals close in the month they are worked");
    // Conditioned on the worked count: the residuals won - 0.3 n have mean 0 and
    // variance E[n] 0.3 x 0.7.
    let check = |what: &str, got: Vec<f64>, p: f64| {
        let resid: Vec<f64> = got.iter().zip(&worked0).map(|(k, w)| k - p * w).collect();
        let se = (mean(&worked0) * p * (1.0 - p) / n as f64).sqrt();
        assert!(mean(&resid).abs() < Z * se, "{what}: mean residual {} against 0 ± {}", mean(&resid), Z * se);
        let v = var(&resid);
        let want = mean(&worked0) * p * (1.0 - p);
        // The variance of a sample variance of n values: about 2 sigma^4 / n (normal).
        assert!((v - want).abs() < Z * want * (2.0 / n as f64).sqrt() * 1.5, "{what}: variance {v} against {want}");
    };
    check("won in month 0", won0, 0.3);
    // Month 1 closes: month 0's lost (cycle 1) and month 1's won (cycle 0).
    let lost1: Vec<f64> =
        trials.month("deals.closed", 1).iter().zip(trials.month("deals.won", 1)).map(|(c, w)| c - w).collect();
    check("lost in month 1", lost1, 0.5);
    // Stalled deals stay open: the pipeline at the end of month 0 is month 0's lost and
    // stalled (both still open), 0.7 n, at $1,000 each.
    let open0: Vec<f64> = trials.month("pipeline", 0).iter().map(|v| v / 1_000.0).collect();
    check("open at the end of month 0", open0, 0.7);
}

/// Without `stall_rate` and `loss_cycle_months` the segment is drawn exactly as before:
/// writing `stall_rate = 0` changes no output of a trial.
#[test]
fn a_segment_without_stalls_is_drawn_as_it_always_was() {
    let base = "win_rate = { low = 0.2, high = 0.4 }\ncycle_months = { dist = \"gamma\", mean = 2, sd = 1 }";
    let pipeline = "[[pipeline]]\nage_months = 1\ncount = 30\n";
    let a = load(&scenario(6, "100", base, "", pipeline));
    let b = load(&scenario(6, "100", &format!("{base}\nstall_rate = 0"), "", pipeline));
    let (ta, tb) = (Trials::simulate(&a, 5, 50), Trials::simulate(&b, 5, 50));
    assert_eq!(
        ta.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        tb.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

/// An open deal of age `a` resolves by the chances still ahead of it: with won deals
/// closing at age 3, lost ones at age 1, `w = 0.5`, `st = 0.2` (so 0.3 lost),
/// - a deal open at age 0 may still be won (0.5) or lost (0.3): won 0.5 / 1.0;
/// - at age 1 the lost deals are past (they close at 1): won 0.5 / 0.7, closing in month
///   3 - 1 - 1 = 1, the rest stalled;
/// - at age 3 neither can come: every deal is stalled and none ever closes.
///
/// 2 checks, and exact ones.
#[test]
fn the_open_pipeline_resolves_by_the_chances_left_at_its_age() {
    let segment = "win_rate = 0.5\nstall_rate = 0.2\ncycle_months = 3\nloss_cycle_months = 1";
    let n = 4000;
    let count = 200.0;
    let run = |age: u32| {
        let text = scenario(6, "0", segment, "", &format!("[[pipeline]]\nage_months = {age}\ncount = 200\n"));
        Trials::simulate(&load(&text), 31, n)
    };
    let young = run(0);
    // Age 0: lost deals close in month 0 (1 - 0 - 1), won ones in month 2 (3 - 0 - 1).
    let won = young.month("deals.won", 2);
    let se = (count * 0.25 / n as f64).sqrt();
    assert!((mean(&won) - count * 0.5).abs() < Z * se, "age 0: won {} against 100 ± {}", mean(&won), Z * se);
    let middle = run(1);
    let p = 0.5 / 0.7;
    let won = middle.month("deals.won", 1);
    let se = (count * p * (1.0 - p) / n as f64).sqrt();
    assert!((mean(&won) - count * p).abs() < Z * se, "age 1: won {} against {} ± {}", mean(&won), count * p, Z * se);
    assert_eq!(middle.month("deals.closed", 1), middle.month("deals.won", 1), "no lost deal is left at age 1");
    let old = run(3);
    for t in 0..6 {
        assert!(old.month("deals.closed", t).iter().all(|&c| c == 0.0), "nothing closes in month {t}");
    }
    assert!(old.month("pipeline", 5).iter().all(|&v| v == count * 1_000.0), "stalled deals stay open");
}

/// The open pipeline's bookings, `bookings.open_pipeline`, by the closed form above: of
/// 200 deals aged 0, won ones (`w = 0.5`) close in month 2; of 200 aged 1, won ones
/// (`0.5 / 0.7`) in month 1; at $1,000 each, so month 1 books `200 x 5/7 x $1,000` and
/// month 2 `200 x 0.5 x $1,000` on average, Binomial, and every other month nothing.
/// New deals worked from 200 leads a month book beside them: `bookings` minus the open
/// pipeline's is, trial by trial and month by month, the bookings of the same scenario
/// without a pipeline (common random numbers; whole dollars, so exactly). 2 checks, the
/// rest exact.
#[test]
fn the_open_pipelines_bookings_are_its_wins_by_the_chances_left_at_its_age() {
    let segment = "win_rate = 0.5\nstall_rate = 0.2\ncycle_months = 3\nloss_cycle_months = 1";
    let pipeline = "[[pipeline]]\nage_months = 0\ncount = 200\n[[pipeline]]\nage_months = 1\ncount = 200\n";
    let n = 4000;
    let count = 200.0;
    let mixed = Trials::simulate(&load(&scenario(6, "200", segment, "", pipeline)), 37, n);
    for (t, p) in [(1, 0.5 / 0.7), (2, 0.5)] {
        let booked = mixed.month("bookings.open_pipeline", t);
        let se = 1_000.0 * (count * p * (1.0 - p) / n as f64).sqrt();
        let want = count * p * 1_000.0;
        assert!((mean(&booked) - want).abs() < Z * se, "month {t}: {} against {want} ± {}", mean(&booked), Z * se);
    }
    for t in [0, 3, 4, 5] {
        assert!(mixed.month("bookings.open_pipeline", t).iter().all(|&b| b == 0.0), "month {t}");
    }
    let new_only = Trials::simulate(&load(&scenario(6, "200", segment, "", "")), 37, n);
    for i in 0..n {
        let open = mixed.path(i, "bookings.open_pipeline");
        let new: Vec<f64> = mixed.path(i, "bookings").iter().zip(&open).map(|(b, o)| b - o).collect();
        assert_eq!(new, new_only.path(i, "bookings"), "trial {i}");
    }
    assert!(mean(&new_only.month("bookings", 3)) > 0.0, "new deals book");
}

/// Where every deal's timing is drawn (stalls, quarter timing, close noise, cohort
/// noise, a drawn deal size) and nothing else is worked, the open pipeline books
/// everything: `bookings.open_pipeline` is `bookings`, bit for bit.
#[test]
fn with_no_new_deals_the_resolving_pipeline_books_everything() {
    let segment = "win_rate = { low = 0.3, high = 0.5 }\nstall_rate = 0.1\n\
                   cycle_months = { dist = \"gamma\", mean = 3, sd = 1.5 }\nloss_cycle_months = 2\n\
                   cohort_noise = 0.3\ndeal_size = { dist = \"lognormal\", median = 20_000, p90 = 60_000 }";
    let company = "quarter_timing = [0.8, 1.0, 1.2]\nclose_noise = 0.2";
    let pipeline = "[[pipeline]]\nage_months = 0\ncount = 50\n[[pipeline]]\nage_months = 2\ncount = 50\n";
    let text = scenario(9, "0", segment, company, pipeline).replace("deal_size = 1_000\n", "");
    let trials = Trials::simulate(&load(&text), 43, 300);
    for i in 0..trials.n {
        let (open, all) = (trials.path(i, "bookings.open_pipeline"), trials.path(i, "bookings"));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&open), bits(&all), "trial {i}");
    }
    assert!(mean(&trials.month("bookings", 2)) > 0.0, "the pipeline books");
}

/// Quarter timing reweights the months a won deal's cycle may end in by their month of
/// the quarter, so that a steady flow of 300 won deals a month closes exactly `f x 300`
/// by month of the quarter once every cycle overlaps, and none is lost: with cycles of
/// 1, 2 or 3 months, equally likely (the weights are the factors themselves), from month
/// 3; with a skewed gamma cycle (weights found by iteration), in months 12-14 of 18,
/// when fewer than 1 in 10,000 deals are still due from the start. With a fiscal year
/// from February the pattern moves a month. 3 x 3 checks of means of 4,000 trials, and
/// an exact count per trial.
#[test]
fn quarter_timing_gives_won_closes_its_factors() {
    let n = 4000;
    let due = 300.0;
    let even = "cycle_months = { dist = \"uniform\", min = 0.5, max = 3.5 }";
    let skewed = "cycle_months = { dist = \"gamma\", mean = 2, sd = 1.5 }";
    for (fiscal, shift, cycle, months, from) in [(1, 0usize, even, 12, 3), (2, 1, even, 12, 3), (1, 0, skewed, 18, 12)]
    {
        let company = format!("quarter_timing = [0.73, 1.03, 1.24]\nfiscal_year_start = {fiscal}");
        let text = scenario(months, "300", &format!("win_rate = 1\n{cycle}"), &company, "");
        let trials = Trials::simulate(&load(&text), 41, n);
        for (q, f) in [0.73, 1.03, 1.24].into_iter().enumerate() {
            let t = from + shift + q;
            let won = trials.month("deals.won", t);
            // Independent thinnings of Poisson counts are Poisson: Poisson(f x 300).
            let se = (f * due / n as f64).sqrt();
            assert!(
                (mean(&won) - f * due).abs() < Z * se,
                "fiscal {fiscal}, month {t}: won {} against {} ± {}",
                mean(&won),
                f * due,
                Z * se
            );
        }
        for i in 0..n {
            let worked: f64 = trials.path(i, "opportunities.worked").iter().sum();
            let won: f64 = trials.path(i, "deals.won").iter().sum();
            let open = trials.path(i, "pipeline")[months as usize - 1] / 1_000.0;
            assert_eq!(worked, won + open, "fiscal {fiscal}, trial {i}");
        }
    }
}

/// The reweighted table, by hand: a cycle of 0, 1 or 2 months (a third each) worked in a
/// quarter's first month ends in its months 1, 2, 3 with the factors' shares; worked in
/// its third month, in months 3, 1, 2 of the next.
#[test]
fn the_timed_cycle_is_the_cycle_reweighted_by_the_quarter() {
    use sopsim::dist::{Dist, Support, WholeDraw};
    let get = |p: &str| match p {
        "min" => Some(-0.5),
        "max" => Some(2.5),
        _ => None,
    };
    let cycle = WholeDraw::new(&Dist::named("uniform", &get, Support::Real).unwrap(), 600);
    let q = sopsim::scenario::QuarterTiming::new([0.73, 1.03, 1.24]);
    let timed = q.timed(&cycle);
    for (k, f) in [0.73, 1.03, 1.24].into_iter().enumerate() {
        assert!((timed[0].probability(k as u32) - f / 3.0).abs() < 1e-12, "{:?}", timed[0]);
    }
    for (k, f) in [1.24, 0.73, 1.03].into_iter().enumerate() {
        assert!((timed[2].probability(k as u32) - f / 3.0).abs() < 1e-12, "{:?}", timed[2]);
    }
}

/// Close noise moves won deals between months and loses none: the year's won deals
/// (plus those still due at its end) are the year's worked ones, the month's mean is
/// unchanged, and its variance grows by about `2 sd^2` of the flow squared (a month
/// closes `1 + r_m - r_(m-1)` of those due). 1 + 2 checks.
#[test]
fn close_noise_moves_deals_between_months_without_losing_them() {
    let n = 4000;
    let (sd, due) = (0.1, 300.0);
    let noisy = load(&scenario(12, "300", "win_rate = 1\ncycle_months = 1", &format!("close_noise = {sd}"), ""));
    let b = Trials::simulate(&noisy, 51, n);
    for i in 0..n {
        let worked: f64 = b.path(i, "opportunities.worked").iter().sum();
        let won: f64 = b.path(i, "deals.won").iter().sum();
        let open = b.path(i, "pipeline")[11] / 1_000.0;
        assert_eq!(worked, won + open, "trial {i}");
    }
    let won = b.month("deals.won", 6);
    // Poisson(300) due, then shares of at most a few tenths moved: the variance is
    // about 300 + 2 sd^2 300^2 = 2,100 (a little less: a deal pulled into the month
    // before cannot also be pushed). The sample variance of 4,000 trials has a standard
    // error of about 2,100 x sqrt(2 / 4,000) = 2.2%: the 15% allowed is 4 of them plus
    // that approximation.
    let want = due + 2.0 * sd * sd * due * due;
    let se = (want / n as f64).sqrt();
    assert!((mean(&won) - due).abs() < Z * se, "mean {} against {due} ± {}", mean(&won), Z * se);
    let got = var(&won);
    assert!((got - want).abs() < 0.15 * want, "variance {got} against about {want}");
}

/// Volume noise makes the month's leads a gamma-Poisson mixture: mean `lambda`, variance
/// `lambda (1 + v^2 lambda)`. 2 checks.
#[test]
fn volume_noise_gives_leads_a_negative_binomial_spread() {
    let n = 8000;
    let text = scenario(3, "400", "win_rate = 0.3", "", "")
        .replace("lead_to_opportunity = 1\n", "lead_to_opportunity = 1\nvolume_noise = 0.2\n");
    let trials = Trials::simulate(&load(&text), 61, n);
    let leads = trials.month("leads", 1);
    let (lambda, v) = (400.0, 0.2);
    let want = lambda * (1.0 + v * v * lambda);
    let se_mean = (want / n as f64).sqrt();
    assert!((mean(&leads) - lambda).abs() < Z * se_mean, "mean {} against 400 ± {}", mean(&leads), Z * se_mean);
    // A gamma-Poisson's variance estimate: sd about want x sqrt(2 / n) x (1 + kurtosis),
    // the gamma's excess kurtosis 6 v^2 = 0.24 at most adding a quarter.
    let got = var(&leads);
    assert!((got - want).abs() < Z * want * (2.0 / n as f64).sqrt() * 1.25, "variance {got} against {want}");
}

/// Cohort noise gives each month's opportunities (and each age of the open pipeline) a
/// shared multiplier of mean 1 and relative sd `sd` on the win rate: given the count
/// `n` worked, the wins are Binomial(n, p theta), whose variance over theta is
/// `n p (1 - p (1 + sd^2)) + n^2 p^2 sd^2`. 1,000 open deals of age 0 and cycle 1 all
/// close in month 0: 210 without the noise, 5,829 with sd 0.25. The month-1 wins are
/// month 0's opportunities (Poisson(200), cycle 1): the residual `won - p n` has mean 0
/// and variance `E[n] p (1 - p (1 + sd^2)) + E[n^2] p^2 sd^2`. Months' cohorts are
/// independent: the wins of months 1 and 2 are uncorrelated. 2 + 2 + 1 checks.
#[test]
fn cohort_noise_shares_a_multiplier_on_the_win_rate_within_a_cohort() {
    let n = 4000;
    let (p, sd, open) = (0.3, 0.25, 1000.0);
    let segment = format!("win_rate = {p}\ncycle_months = 1\ncohort_noise = {sd}");
    let text = scenario(3, "200", &segment, "", "[[pipeline]]\nage_months = 0\ncount = 1000\n");
    let trials = Trials::simulate(&load(&text), 71, n);
    // The variance of a sample variance of n values: about 2 sigma^4 / n (normal); the
    // wins are near normal at these counts.
    let check_var = |what: &str, got: f64, want: f64| {
        let tol = Z * want * (2.0 / n as f64).sqrt() * 1.5;
        assert!((got - want).abs() < tol, "{what}: variance {got} against {want} ± {tol}");
    };
    let won0 = trials.month("deals.won", 0);
    let want = open * p * (1.0 - p * (1.0 + sd * sd)) + open * open * p * p * sd * sd;
    let se = (want / n as f64).sqrt();
    assert!(
        (mean(&won0) - open * p).abs() < Z * se,
        "pipeline: mean {} against {} ± {}",
        mean(&won0),
        open * p,
        Z * se
    );
    check_var("pipeline", var(&won0), want);
    let worked0 = trials.month("opportunities.worked", 0);
    let won1 = trials.month("deals.won", 1);
    let resid: Vec<f64> = won1.iter().zip(&worked0).map(|(k, w)| k - p * w).collect();
    let (en, en2) = (mean(&worked0), worked0.iter().map(|w| w * w).sum::<f64>() / n as f64);
    let want = en * p * (1.0 - p * (1.0 + sd * sd)) + en2 * p * p * sd * sd;
    let se = (want / n as f64).sqrt();
    assert!(mean(&resid).abs() < Z * se, "new deals: mean residual {} against 0 ± {}", mean(&resid), Z * se);
    check_var("new deals", var(&resid), want);
    let won2 = trials.month("deals.won", 2);
    let (m1, m2) = (mean(&won1), mean(&won2));
    let cov = won1.iter().zip(&won2).map(|(a, b)| (a - m1) * (b - m2)).sum::<f64>() / (n as f64 - 1.0);
    let r = cov / (var(&won1) * var(&won2)).sqrt();
    // A correlation of independent samples has sd about 1 / sqrt(n).
    assert!(r.abs() < Z / (n as f64).sqrt(), "months 1 and 2: correlation {r}");
}

/// `quarter_timing_sd` draws each trial's quarter factors around the given ones: the
/// mean month is unchanged and a quarter's first month closes `f_0 + e_0` of the flow,
/// `e_0` normal of sd `sd_0`, so its variance grows by `(sd_0 due)^2`; no deal leaves its
/// quarter. With cycles of 1, 2 or 3 months equally likely, factors [0.8, 1.0, 1.2] and
/// sd 0.08: month 3 (a quarter's first month) closes 240 on average with variance
/// `240 + (0.08 x 300)^2 = 816`. 1 + 1 + 1 checks.
#[test]
fn quarter_timing_sd_draws_each_trials_factors_around_the_given_ones() {
    let n = 4000;
    let due = 300.0;
    let company = "quarter_timing = [0.8, 1.0, 1.2]\nquarter_timing_sd = [0.08, 0.08, 0.08]";
    let segment = "win_rate = 1\ncycle_months = { dist = \"uniform\", min = 0.5, max = 3.5 }";
    let text = scenario(12, "300", segment, company, "");
    let trials = Trials::simulate(&load(&text), 81, n);
    let won = trials.month("deals.won", 3);
    let mean_want = 0.8 * due;
    let var_want = mean_want + (0.08f64 * due).powi(2);
    let se = (var_want / n as f64).sqrt();
    assert!((mean(&won) - mean_want).abs() < Z * se, "mean {} against {mean_want} ± {}", mean(&won), Z * se);
    let got = var(&won);
    assert!((got - var_want).abs() < Z * var_want * (2.0 / n as f64).sqrt() * 1.5, "variance {got} against {var_want}");
    // The quarter's won deals, months 3-5: the same in every trial as without the
    // draws (the same seed draws the same deals and cycles; only their month moves).
    let fixed = text.replace("quarter_timing_sd = [0.08, 0.08, 0.08]", "");
    let base = Trials::simulate(&load(&fixed), 81, n);
    let total = |t: &Trials, i: usize| t.path(i, "deals.won")[3..6].iter().sum::<f64>();
    let moved = (0..n).filter(|&i| total(&trials, i) != total(&base, i)).count();
    assert_eq!(moved, 0, "trials whose quarter total moved");
}

/// `quarter_cycle_months` gives each month of the quarter its own cycle: with cycles of
/// 2, 0 and 1 months for deals worked in a quarter's first, second and third month (all
/// won), January's deals close in March, February's in February and March's in April,
/// and so on each quarter; the open deals created in December (third month, age 0) close
/// in January. Lost deals without a lost cycle of their own close on the same cycles.
/// Exact, trial by trial.
#[test]
fn quarter_cycles_close_each_month_of_the_quarter_on_its_own_cycle() {
    let s = load(&scenario(
        9,
        "300",
        "win_rate = 1\nquarter_cycle_months = [2, 0, 1]",
        "",
        "[[pipeline]]\nage_months = 0\ncount = 40",
    ));
    let trials = Trials::simulate(&s, 71, 200);
    for i in 0..200 {
        let worked = trials.path(i, "opportunities.worked");
        let won = trials.path(i, "deals.won");
        assert_eq!(won[0], 40.0, "trial {i}: the open deals of December");
        for q in 0..3 {
            let t = 3 * q;
            assert_eq!(won[t + 1], worked[t + 1], "trial {i}: the second month's own");
            assert_eq!(won[t + 2], worked[t], "trial {i}: the first month's two months on");
            if t + 3 < 9 {
                assert_eq!(won[t + 3], worked[t + 2], "trial {i}: the third month's a month on");
            }
        }
    }
    let lost = load(&scenario(9, "300", "win_rate = 0\nquarter_cycle_months = [2, 0, 1]", "", ""));
    let trials = Trials::simulate(&lost, 72, 50);
    for i in 0..50 {
        let (worked, closed) = (trials.path(i, "opportunities.worked"), trials.path(i, "deals.closed"));
        assert_eq!((closed[0], closed[1], closed[2], closed[3]), (0.0, worked[1], worked[0], worked[2]), "trial {i}");
    }
}
