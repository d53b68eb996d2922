//! The short summary printed after a run: the answer first, then a compact table of
//! the headline numbers (P10, P50, P90), then what was written where.

use std::fmt::Write as _;

use crate::engine::params::Realised;
use crate::format::{money, people, percent, percent1, visible};
use crate::runner::RunResults;
use crate::scenario::Scenario;
use crate::stats::Stats;

use super::charts::build::suffixes;
use super::charts::spec::Notation;
use crate::format::{count, whole};

/// What a run wrote, for the last line of the summary.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    /// The output folder as shown to the user.
    pub dir: &'a str,
    /// The names of the files written.
    pub files: &'a [String],
    /// Seconds spent making and writing them.
    pub seconds: f64,
}

/// The terminal summary of a run.
pub fn summary(scenario: &Scenario, results: &RunResults, realised: &Realised, written: &Written) -> String {
    let months = results.layout.months;
    let last = months.saturating_sub(1);
    let label = |t: usize| scenario.start.offset(t as i64).short_label();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} trials, {} months from {} to {}, seed {}",
        visible(&scenario.name),
        count(results.trials as f64),
        months,
        label(0),
        label(last),
        results.seed
    );
    let happened = scenario.actuals.len().min(months);
    if happened > 0 {
        let _ = writeln!(
            s,
            "  re-forecast from the actuals of {} to {}: the months after go on from the real state",
            label(0),
            label(happened - 1)
        );
    }
    if let (Some(t), Some(r)) = (&scenario.target, &results.target) {
        let verdict = if r.p_hit >= t.confidence { "meets" } else { "below" };
        let se = if r.standard_error < 0.001 {
            format!("{:.2}%", r.standard_error * 100.0)
        } else {
            percent1(r.standard_error)
        };
        let _ = writeln!(
            s,
            "  {} chance of reaching {} ARR by {}: P(hit) = {} ± {se} ({verdict} the {} confidence asked)",
            percent(r.p_hit),
            money(t.arr),
            label(t.month),
            percent1(r.p_hit),
            percent(t.confidence)
        );
    }

    for (c, r) in scenario.correlations.iter().zip(&realised.values) {
        let _ = writeln!(
            s,
            "  rank correlation of {} and {}: {:.2} asked, {r:.2} realised over {} trials",
            visible(&scenario.inputs[c.between[0]].path),
            visible(&scenario.inputs[c.between[1]].path),
            c.rank,
            count(realised.trials_read as f64)
        );
    }

    let mut rows: Vec<(String, Option<&Stats>, Notation)> = Vec::new();
    if let Some(t) = scenario.target.as_ref().filter(|t| t.month != last) {
        rows.push((format!("ARR {} (target month)", label(t.month)), results.get("arr", t.month), Notation::Money));
    }
    rows.push((
        format!("ARR {} (start {})", label(last), money(scenario.company.arr)),
        results.get("arr", last),
        Notation::Money,
    ));
    rows.push((format!("new bookings, {months} months"), results.total("bookings"), Notation::Money));
    // Pay is only counted for roles with a comp plan: without one, $0 says nothing.
    let paid = scenario.roles.iter().any(|r| r.comp_plan.is_some());
    for (name, what, notation) in [
        ("bookings.open_pipeline", "  from the open pipeline", Notation::Money),
        ("comp_cost", "compensation cost", Notation::Money),
        ("cost_of_sales", "cost of sales", Notation::Percent),
        ("opportunities.lost", "opportunities lost", Notation::Count),
    ] {
        if !paid && matches!(name, "comp_cost" | "cost_of_sales") {
            continue;
        }
        if let Some(st) = results.total(name) {
            rows.push((what.to_string(), Some(st), notation));
        }
    }
    let roles = suffixes(&results.layout.names, "hires");
    for role in &roles {
        let name = scenario.role_name(role);
        rows.push((format!("hires {name}"), results.total(&format!("hires.{role}")), Notation::Count));
    }
    // Each trial's people over every role: not the sum of the roles' quantiles.
    if roles.len() > 1 {
        rows.push(("hires, all roles".to_string(), results.total("hires"), Notation::Count));
    }
    if !roles.is_empty() {
        rows.push(("departures, all roles".to_string(), results.total("departures"), Notation::Count));
    }
    for role in &roles {
        let head = results.get(&format!("headcount.{role}"), last);
        rows.push((format!("headcount {}, {}", scenario.role_name(role), label(last)), head, Notation::Count));
    }
    let rows: Vec<(String, &Stats, Notation)> = rows.into_iter().filter_map(|(l, st, u)| Some((l, st?, u))).collect();
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let _ = writeln!(s, "\n  {:<width$}  {:>9} {:>9} {:>9}", "", "P10", "P50", "P90");
    for (name, st, notation) in &rows {
        // Whole people and opportunities: a tenth read from interpolated quantiles is noise here.
        let cell = |v: f64| if *notation == Notation::Count { whole(v) } else { notation.format(v) };
        let _ =
            writeln!(s, "  {name:<width$}  {:>9} {:>9} {:>9}", cell(st.at(0.10)), cell(st.p50()), cell(st.at(0.90)));
    }

    s.push_str(&hires_by_period(scenario, results));

    let _ = writeln!(
        s,
        "\n  wrote {} to {} in {:.2} s (simulation {:.2} s on {} threads)",
        file_list(written.files),
        written.dir,
        written.seconds,
        results.elapsed_seconds,
        results.threads
    );
    s
}

/// Widest line of the table of hires by period, in characters; its periods are cut into
/// blocks that fit it.
const HIRES_WIDTH: usize = 100;

/// Each role's hires per period in people: `7 (6–8)`, the P50 and the P10–P90 range of
/// the trials' totals for the period; empty without roles.
fn hires_by_period(scenario: &Scenario, results: &RunResults) -> String {
    let periods = &results.layout.periods;
    if scenario.roles.is_empty() || periods.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = scenario.roles.iter().map(|r| visible(r.display_name()).into_owned()).collect();
    let mut metrics: Vec<String> = scenario.roles.iter().map(|r| format!("hires.{}", r.id)).collect();
    // Each trial's hires over every role in the period.
    if scenario.roles.len() > 1 {
        names.push("All roles".to_string());
        metrics.push("hires".to_string());
    }
    let cells: Vec<Vec<String>> = metrics
        .iter()
        .map(|metric| {
            (0..periods.len())
                .map(|p| {
                    results
                        .period_total(metric, p)
                        .map_or("n/a".into(), |st| people(st.at(0.10), st.p50(), st.at(0.90)))
                })
                .collect()
        })
        .collect();
    let label = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // Each column as wide as its widest cell, and as many columns a block as fit.
    let widths: Vec<usize> = (0..periods.len())
        .map(|p| {
            cells.iter().map(|row| row[p].chars().count()).chain([periods[p].label.chars().count()]).max().unwrap_or(0)
        })
        .collect();
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut used = label + 2;
    for (p, w) in widths.iter().enumerate() {
        match blocks.last_mut() {
            Some(b) if used + w + 2 <= HIRES_WIDTH => b.end = p + 1,
            _ => {
                blocks.push(p..p + 1);
                used = label + 2;
            }
        }
        used += w + 2;
    }
    let mut s = format!("\n  hires by {}, P50 (P10–P90) of the trials' totals\n", periods[0].noun());
    for block in blocks {
        let _ = write!(s, "  {:<label$}", "");
        for p in block.clone() {
            let _ = write!(s, "  {:>width$}", periods[p].label, width = widths[p]);
        }
        s.push('\n');
        for (name, row) in names.iter().zip(&cells) {
            let _ = write!(s, "  {name:<label$}");
            for p in block.clone() {
                let _ = write!(s, "  {:>width$}", row[p], width = widths[p]);
            }
            s.push('\n');
        }
    }
    s
}

/// `monthly.csv, summary.json and 12 chart files`: the files by name, charts counted.
fn file_list(files: &[String]) -> String {
    let charts = files.iter().filter(|f| f.ends_with(".svg") || f.ends_with(".png")).count();
    let mut parts: Vec<String> =
        files.iter().filter(|f| !(f.ends_with(".svg") || f.ends_with(".png"))).cloned().collect();
    if charts > 0 {
        parts.push(format!("{charts} chart files"));
    }
    match parts.len() {
        0 => "nothing".to_string(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_are_listed_with_charts_counted() {
        let names = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(file_list(&names(&["monthly.csv"])), "monthly.csv");
        assert_eq!(
            file_list(&names(&["monthly.csv", "summary.json", "a.svg", "a.png"])),
            "monthly.csv, summary.json and 2 chart files"
        );
        assert_eq!(file_list(&[]), "nothing");
    }
}
