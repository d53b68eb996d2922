//! The short summary printed after a run: the answer first, then the spread and hires.

use std::fmt::Write as _;

use crate::format::{money, percent1};
use crate::runner::RunResults;
use crate::scenario::Scenario;

/// The terminal summary of a run.
pub fn summary(scenario: &Scenario, results: &RunResults, out_dir: &str) -> String {
    let months = results.layout.months;
    let last = months - 1;
    let label = |t: usize| scenario.start.offset(t as i64).short_label();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} trials, {} months from {} to {}, seed {}",
        scenario.name,
        results.trials,
        months,
        label(0),
        label(last),
        results.seed
    );
    if let (Some(t), Some(r)) = (&scenario.target, &results.target) {
        let verdict = if r.p_hit >= t.confidence { "meets" } else { "below" };
        let _ = writeln!(
            s,
            "  target {} ARR by {}: P(hit) = {} ± {} ({verdict} the {} confidence asked)",
            money(t.arr),
            label(t.month),
            percent1(r.p_hit),
            if r.standard_error < 0.001 {
                format!("{:.2}%", r.standard_error * 100.0)
            } else {
                percent1(r.standard_error)
            },
            percent1(t.confidence)
        );
    }
    if let Some(t) = scenario.target.as_ref().filter(|t| t.month != last)
        && let Some(a) = results.get("arr", t.month)
    {
        let _ = writeln!(
            s,
            "  ARR {} (target month): P10 {}  P50 {}  P90 {}",
            label(t.month),
            money(a.at(0.10)),
            money(a.p50()),
            money(a.at(0.90))
        );
    }
    if let Some(a) = results.get("arr", last) {
        let _ = writeln!(
            s,
            "  ARR {}: P10 {}  P50 {}  P90 {}  (start {})",
            label(last),
            money(a.at(0.10)),
            money(a.p50()),
            money(a.at(0.90)),
            money(scenario.company.arr)
        );
    }
    if let Some(b) = results.total("bookings") {
        let _ = writeln!(
            s,
            "  new bookings over the horizon: P10 {}  P50 {}  P90 {}",
            money(b.at(0.10)),
            money(b.p50()),
            money(b.at(0.90))
        );
    }
    for r in &scenario.roles {
        let hires = results.total(&format!("hires.{}", r.id));
        let head = results.get(&format!("headcount.{}", r.id), last);
        if let (Some(h), Some(c)) = (hires, head) {
            let _ = writeln!(
                s,
                "  {:<12} hires {:>6.1} (P10 {:.0}, P90 {:.0}); headcount at end P50 {:.0}",
                r.id,
                h.mean,
                h.at(0.10),
                h.at(0.90),
                c.p50()
            );
        }
    }
    let _ = writeln!(
        s,
        "  wrote {out_dir}/monthly.csv and summary.json in {:.2} s on {} threads",
        results.elapsed_seconds, results.threads
    );
    s
}
