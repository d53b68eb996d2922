//! Common random numbers: what two runs of the same seed share. Changing a hiring plan
//! does not reshuffle demand, and raising a win rate adds wins and takes none away, in
//! every trial and month, not only on average (each opportunity's draws keep their
//! place in their stream whatever its outcome).

use crate::closed_form::{Trials, load};

/// Two segments, one with timed lost deals and a stall rate (the resolving path), one
/// without, closers of each with ramp and attrition, and `{win}`, `{hires}` to vary.
const SCENARIO: &str = r#"
[scenario]
start = "2027-01"
months = 18
[company]
arr = 1_000_000
monthly_churn = 0.01
[[segments]]
name = "mid"
deal_size = { dist = "lognormal", median = 20_000, p90 = 60_000 }
win_rate = WIN
cycle_months = { dist = "gamma", mean = 2, sd = 1 }
[[segments]]
name = "smb"
deal_size = { dist = "lognormal", median = 5_000, p90 = 12_000 }
win_rate = WIN
cycle_months = { dist = "gamma", mean = 1, sd = 0.5 }
loss_cycle_months = { dist = "gamma", mean = 2, sd = 1 }
stall_rate = 0.1
[demand]
leads_per_month = { low = 150, high = 250 }
lead_to_opportunity = { low = 0.1, high = 0.2 }
segment_mix = { mid = 0.5, smb = 0.5 }
[[roles]]
id = "ae"
kind = "closer"
segment = "mid"
headcount = 3
ramp_months = 3
opportunities_per_month = 5.5
annual_attrition = 0.3
hires = HIRES
[[roles]]
id = "smb-ae"
kind = "closer"
segment = "smb"
headcount = 2
opportunities_per_month = 9.5
annual_attrition = 0.3
"#;

fn scenario(win: f64, hires: &str) -> Trials {
    let text = SCENARIO.replace("WIN", &win.to_string()).replace("HIRES", hires);
    Trials::simulate(&load(&text), 11, 400)
}

/// In every trial and month, the run with the higher win rate wins at least as many
/// deals and books at least as much, and wins more somewhere (so the comparison bites).
#[test]
fn raising_a_win_rate_adds_wins_and_takes_none_away() {
    let (low, high) = (scenario(0.2, "{}"), scenario(0.3, "{}"));
    let mut more = false;
    for trial in 0..low.n {
        let worked = (low.path(trial, "opportunities.worked"), high.path(trial, "opportunities.worked"));
        assert_eq!(worked.0, worked.1, "trial {trial}: the same opportunities are worked");
        let (a, b) = (low.path(trial, "deals.won"), high.path(trial, "deals.won"));
        let (x, y) = (low.path(trial, "bookings"), high.path(trial, "bookings"));
        for t in 0..a.len() {
            assert!(b[t] >= a[t], "trial {trial}, month {t}: {} wins at 0.3 against {} at 0.2", b[t], a[t]);
            assert!(y[t] >= x[t], "trial {trial}, month {t}: bookings {} at 0.3 against {} at 0.2", y[t], x[t]);
            more |= b[t] > a[t];
        }
    }
    assert!(more);
}

/// Another hiring plan changes who works the opportunities, not the leads or the
/// opportunities demanded: the same in every trial and month, bit for bit.
#[test]
fn changing_a_hiring_plan_does_not_reshuffle_demand() {
    let (plain, hiring) = (scenario(0.25, "{}"), scenario(0.25, r#"{ "2027-03" = 2, "2027-06" = 1 }"#));
    let mut differs = false;
    for trial in 0..plain.n {
        for metric in ["leads", "opportunities.demand"] {
            assert_eq!(plain.path(trial, metric), hiring.path(trial, metric), "trial {trial}: {metric}");
        }
        differs |= plain.path(trial, "opportunities.worked") != hiring.path(trial, "opportunities.worked");
    }
    assert!(differs, "the hires work more opportunities somewhere");
}
