//! `[[pipeline]]`: deals open at the start close over the rest of their cycle, won with
//! the segment's win rate. Checked against closed forms: Binomial wins, and the cycle's
//! distribution conditioned on exceeding the deal's age. Tolerances are `Z` Monte Carlo
//! standard errors from the closed form's own variance (see `closed_form.rs`).

use crate::closed_form::{Trials, Z, load};

fn scenario(cycle: &str, win_rate: &str, pipeline: &str, leads: u32) -> String {
    format!(
        r#"
[scenario]
start = "2027-01"
months = 6

[[segments]]
name = "mm"
deal_size = 1_000
win_rate = {win_rate}
cycle_months = {cycle}

[demand]
leads_per_month = {leads}
lead_to_opportunity = 0.5

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 5
opportunities_per_month = 40

{pipeline}
"#
    )
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// 50 deals aged 1 month with a constant 3-month cycle all close in month 1 (3 - 1 - 1),
/// won Binomial(50, 0.4): bookings of mean 20,000 and sd 1,000 x sqrt(50 x 0.24).
#[test]
fn open_deals_close_after_the_rest_of_their_cycle_with_binomial_wins() {
    let s = load(&scenario("3", "0.4", "[[pipeline]]\nage_months = 1\ncount = 50\n", 0));
    let n = 4000;
    let trials = Trials::simulate(&s, 11, n);
    for t in [0, 2, 3, 4, 5] {
        assert!(trials.month("deals.closed", t).iter().all(|&c| c == 0.0), "nothing closes in month {t}");
    }
    assert!(trials.month("deals.closed", 1).iter().all(|&c| c == 50.0), "all 50 close in month 1");
    assert!(trials.month("pipeline", 0).iter().all(|&v| v == 50_000.0), "open at the end of month 0");
    let bookings = trials.month("bookings", 1);
    let se = 1_000.0 * (50.0f64 * 0.4 * 0.6).sqrt() / (n as f64).sqrt();
    assert!(
        (mean(&bookings) - 20_000.0).abs() < Z * se,
        "mean bookings {} against 20,000 ± {}",
        mean(&bookings),
        Z * se
    );
}

/// A cycle uniform on [0, 6] drawn in whole months: P(C = 0) = P(C = 6) = 1/12, 1/6 for
/// 1..5. Deals aged 2 are open with C >= 3, so they close in months 0, 1, 2 with
/// probability 2/7 each and in month 3 with 1/7: 4 checks of 1,000 deals x 2,000 trials.
#[test]
fn the_rest_of_a_cycle_is_the_cycle_conditioned_on_the_deals_age() {
    let cycle = r#"{ dist = "uniform", min = 0, max = 6 }"#;
    let s = load(&scenario(cycle, "1", "[[pipeline]]\nage_months = 2\ncount = 1000\n", 0));
    let n = 2000;
    let trials = Trials::simulate(&s, 5, n);
    for (t, p) in [(0, 2.0 / 7.0), (1, 2.0 / 7.0), (2, 2.0 / 7.0), (3, 1.0 / 7.0)] {
        let closed = mean(&trials.month("deals.closed", t));
        let se = (1000.0 * p * (1.0 - p) / n as f64).sqrt();
        assert!((closed - 1000.0 * p).abs() < Z * se, "month {t}: {closed} closed against {} ± {}", 1000.0 * p, Z * se);
    }
    assert!(trials.month("deals.closed", 4).iter().all(|&c| c == 0.0), "none is left after the longest cycle");
}

/// A deal older than any cycle its distribution allows is stale: it closes lost in the
/// first month, even at a win rate of 1, while a deal young enough is won.
#[test]
fn deals_older_than_any_cycle_close_lost_in_the_first_month() {
    let pipeline = "[[pipeline]]\nage_months = 5\ncount = 7\n[[pipeline]]\nage_months = 0\ncount = 2\n";
    let s = load(&scenario("1", "1", pipeline, 0));
    let trials = Trials::simulate(&s, 1, 20);
    assert!(trials.month("deals.closed", 0).iter().all(|&c| c == 9.0));
    assert!(trials.month("deals.won", 0).iter().all(|&c| c == 2.0), "only the two young deals are won");
    assert!(trials.month("bookings", 0).iter().all(|&b| b == 2_000.0));
}

/// The starting pipeline draws from a stream of its own: adding it changes none of the
/// demand, and none of the outcomes of the deals worked in the months (common random
/// numbers), so the difference in bookings is the pipeline's own.
#[test]
fn a_starting_pipeline_leaves_the_draws_of_new_deals_as_they_were() {
    let cycle = r#"{ dist = "gamma", mean = 2, sd = 1 }"#;
    let without = load(&scenario(cycle, "{ low = 0.2, high = 0.4 }", "", 300));
    let with = load(&scenario(cycle, "{ low = 0.2, high = 0.4 }", "[[pipeline]]\nage_months = 3\ncount = 30\n", 300));
    let (a, b) = (Trials::simulate(&without, 9, 200), Trials::simulate(&with, 9, 200));
    for i in 0..200 {
        assert_eq!(a.path(i, "opportunities.worked"), b.path(i, "opportunities.worked"), "trial {i}");
        let total = |t: &Trials| t.path(i, "deals.closed").iter().sum::<f64>();
        assert!(total(&b) >= total(&a) && total(&b) <= total(&a) + 30.0, "trial {i}: the pipeline adds at most its 30");
    }
}
