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

/// The values of a per-trial scalar, one per trial.
fn scalar(trials: &Trials, name: &str) -> Vec<f64> {
    let cell = trials.layout.scalar_cell(name).unwrap_or_else(|| panic!("no scalar `{name}`"));
    (0..trials.n).map(|i| trials.values[i * trials.layout.cells() + cell]).collect()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// With no leads, every deal won was open at the start: `bookings.open_pipeline` is
/// `bookings`, bit for bit, in every trial and month, and so are their horizon totals.
#[test]
fn with_no_new_deals_the_open_pipeline_books_everything() {
    let cycle = r#"{ dist = "gamma", mean = 2.5, sd = 1.5 }"#;
    let pipeline = "[[pipeline]]\nage_months = 0\ncount = 40\n[[pipeline]]\nage_months = 3\ncount = 25\n";
    let s = load(&scenario(cycle, "{ low = 0.2, high = 0.4 }", pipeline, 0));
    let trials = Trials::simulate(&s, 17, 300);
    for i in 0..trials.n {
        assert_eq!(bits(&trials.path(i, "bookings.open_pipeline")), bits(&trials.path(i, "bookings")), "trial {i}");
    }
    assert_eq!(bits(&scalar(&trials, "bookings.open_pipeline")), bits(&scalar(&trials, "bookings")));
    assert!(trials.month("bookings", 0).iter().any(|&b| b > 0.0), "the pipeline books");
}

/// Without `[[pipeline]]` the metric does not exist (no row of zeros in the outputs);
/// with a pipeline none of whose deals can be won (older than any cycle: stale, closed
/// lost in the first month) it is 0 in every trial and month while new deals book.
#[test]
fn the_open_pipeline_books_nothing_when_it_has_no_deal_to_win() {
    let without = load(&scenario("1", "0.5", "", 100));
    let layout = sopsim::engine::metrics::Layout::new(&without);
    assert_eq!(layout.index("bookings.open_pipeline"), None);
    assert_eq!(layout.scalar_cell("bookings.open_pipeline"), None);
    let stale = load(&scenario("1", "0.5", "[[pipeline]]\nage_months = 4\ncount = 30\n", 100));
    let trials = Trials::simulate(&stale, 3, 200);
    for t in 0..6 {
        assert!(trials.month("bookings.open_pipeline", t).iter().all(|&b| b == 0.0), "month {t}");
    }
    assert!(trials.month("deals.closed", 0).iter().all(|&c| c == 30.0), "the 30 stale deals close lost");
    assert!(mean(&trials.month("bookings", 3)) > 0.0, "new deals book");
}

/// Months whose actual bookings are given have no split (the actuals do not say which
/// deals they came from); other months keep the plan's. After the last month of actuals
/// the deals still open are scaled to the actual pipeline, the open pipeline's with
/// them: its bookings are the plan's times `actual pipeline / plan's pipeline`, exactly.
#[test]
fn actual_bookings_are_not_split_and_an_actual_pipeline_scales_the_rest() {
    let cycle = r#"{ dist = "uniform", min = 0, max = 5 }"#;
    let pipeline = "[[pipeline]]\nage_months = 0\ncount = 60\n";
    let plan = load(&scenario(cycle, "0.3", pipeline, 50));
    let actuals = "[[actuals]]\nmonth = \"2027-01\"\nbookings = 9_000\n\
                   [[actuals]]\nmonth = \"2027-02\"\npipeline = 80_000\n";
    let real = load(&scenario(cycle, "0.3", &format!("{pipeline}\n{actuals}"), 50));
    let (a, b) = (Trials::simulate(&plan, 23, 200), Trials::simulate(&real, 23, 200));
    assert!(b.month("bookings.open_pipeline", 0).iter().all(|v| v.is_nan()), "month 0 is not split");
    assert_eq!(bits(&b.month("bookings.open_pipeline", 1)), bits(&a.month("bookings.open_pipeline", 1)));
    assert!(scalar(&b, "bookings.open_pipeline").iter().all(|v| v.is_nan()), "nor is the horizon's total");
    let mut scaled = 0;
    for i in 0..b.n {
        let f = 80_000.0 / b.path(i, "plan.pipeline")[1];
        for t in 2..6 {
            let want = a.path(i, "bookings.open_pipeline")[t] * f;
            assert_eq!(b.path(i, "bookings.open_pipeline")[t].to_bits(), want.to_bits(), "trial {i}, month {t}");
            scaled += usize::from(want > 0.0 && f != 1.0);
        }
    }
    assert!(scaled > 100, "the check saw scaled bookings: {scaled}");
}
