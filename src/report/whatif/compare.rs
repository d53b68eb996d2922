//! The files and terminal text of `sopsim compare`, from what [`crate::whatif::compare`] found.

use crate::format::{money, people, percent, percent1, visible};
use crate::report::OutputFile;
use crate::report::charts::build::{month, month_ticks};
use crate::report::charts::spec::{self, Band, Bars, Categories, Chart, Level, Line, Monthly, Notation, Plot, Stroke};
use crate::report::charts::theme::{NAVY, PALETTE};
use crate::whatif::compare::*;
use crate::whatif::judged_month;
use std::fmt::Write as _;

/// A number for the CSV: shortest round-trip text, empty when undefined.
pub(crate) fn cell(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// The labels of the scenarios: their names, or their file stems when names repeat.
pub(crate) fn labels(sides: &[Side]) -> Vec<String> {
    let names: Vec<&str> = sides.iter().map(|s| s.scenario().name.as_str()).collect();
    let unique = names.iter().enumerate().all(|(i, n)| !names[..i].contains(n));
    if unique { names.iter().map(ToString::to_string).collect() } else { sides.iter().map(Side::stem).collect() }
}

/// A difference of two shares in percentage points, the number only: `0.158` is "15.8".
fn points(v: f64) -> String {
    format!("{:.1}", 100.0 * v)
}

pub(crate) fn signed(v: f64, f: impl Fn(f64) -> String) -> String {
    if !v.is_finite() {
        "n/a".to_string()
    } else if v > 0.0 {
        format!("+{}", f(v))
    } else if v < 0.0 {
        format!("-{}", f(-v))
    } else {
        f(0.0)
    }
}

/// The side-by-side table for the terminal.
pub(crate) fn terminal(
    sides: &[Side],
    rows: &[Row],
    diffs: &[Difference],
    trials: u64,
    seed: u64,
    seconds: f64,
) -> String {
    let mut out = String::new();
    let labels: Vec<String> = labels(sides).iter().map(|l| visible(l).into_owned()).collect();
    let first = sides[0].scenario();
    let _ = writeln!(
        out,
        "compare {}: {} trials each on the same draws, seed {}, {} months from {} ({:.2} s)",
        labels.join(" vs "),
        crate::format::count(trials as f64),
        seed,
        first.months,
        first.start,
        seconds
    );
    let targets: Vec<Option<(f64, usize)>> =
        sides.iter().map(|s| s.scenario().target.as_ref().map(|t| (t.arr, t.month))).collect();
    if targets.iter().any(|t| *t != targets[0]) {
        let _ = writeln!(out, "  note: the targets differ; each scenario's P(hit) is against its own target");
    }
    let w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10).clamp(12, 28);
    let mut table: Vec<(String, Vec<String>)> = Vec::new();
    let months: Vec<String> = sides.iter().map(|s| month(s.scenario().start, judged_month(s.scenario()))).collect();
    table.push((
        "target".into(),
        sides
            .iter()
            .zip(&months)
            .map(|(s, m)| {
                s.scenario().target.as_ref().map_or("none".to_string(), |t| format!("{} by {m}", money(t.arr)))
            })
            .collect(),
    ));
    table.push((
        "P(hit) ± SE".into(),
        rows.iter().map(|r| format!("{} ± {}", percent1(r.p_hit.0), percent1(r.p_hit.1))).collect(),
    ));
    let diff = |i: usize, text: String| if i == 0 { "(reference)".to_string() } else { text };
    table.push((
        "  vs first, paired".into(),
        rows.iter()
            .enumerate()
            .map(|(i, r)| diff(i, format!("{} ± {} points", signed(r.diff_p_hit.0, points), points(r.diff_p_hit.1))))
            .collect(),
    ));
    for (k, name) in ["ARR P10", "ARR P50", "ARR P90"].iter().enumerate() {
        table.push((format!("{name} (judged month)"), rows.iter().map(|r| money(r.arr[k])).collect()));
    }
    table.push(("ARR mean".into(), rows.iter().map(|r| money(r.arr_mean)).collect()));
    table.push((
        "  vs first, paired".into(),
        rows.iter()
            .enumerate()
            .map(|(i, r)| diff(i, format!("{} ± {}", signed(r.diff_arr.0, money), money(r.diff_arr.1))))
            .collect(),
    ));
    table.push((
        "hires, P50 (P10–P90)".into(),
        rows.iter().map(|r| people(r.hires[0], r.hires[1], r.hires[2])).collect(),
    ));
    table.push(("comp cost (mean)".into(), rows.iter().map(|r| money(r.comp_cost_mean)).collect()));
    table.push((
        "  vs first, paired".into(),
        rows.iter()
            .enumerate()
            .map(|(i, r)| diff(i, format!("{} ± {}", signed(r.diff_comp_cost.0, money), money(r.diff_comp_cost.1))))
            .collect(),
    ));

    let w = table.iter().flat_map(|(_, cells)| cells.iter().map(|c| c.chars().count())).fold(w, usize::max);
    let _ = write!(out, "\n  {:<26}", "");
    for l in &labels {
        let _ = write!(out, "  {:>w$}", shorten(l, w));
    }
    out.push('\n');
    for (name, cells) in &table {
        let _ = write!(out, "  {name:<26}");
        for c in cells {
            let _ = write!(out, "  {c:>w$}");
        }
        out.push('\n');
    }
    out.push('\n');
    if diffs.is_empty() {
        let _ = writeln!(out, "  inputs: the files set the same keys to the same values");
    } else {
        let _ = writeln!(out, "  inputs that differ ({}):", diffs.len());
        for (key, values) in diffs.iter().take(20) {
            let vals: Vec<String> = values.iter().map(|v| v.clone().unwrap_or_else(|| "(absent)".into())).collect();
            let _ = writeln!(out, "    {key}: {}", vals.join(" | "));
        }
        if diffs.len() > 20 {
            let _ = writeln!(out, "    ... and {} more in inputs_diff.csv", diffs.len() - 20);
        }
    }
    out
}

pub(crate) fn shorten(s: &str, w: usize) -> String {
    if s.chars().count() <= w { s.to_string() } else { format!("{}…", s.chars().take(w - 1).collect::<String>()) }
}

pub(crate) fn charts(sides: &[Side], rows: &[Row], source: &str) -> Vec<Chart> {
    let labels = labels(sides);
    let first = sides[0].scenario();
    let n = first.months;
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let months = (0..n).map(|t| month(first.start, t)).collect();
    let mut m = Monthly::new(months, month_ticks(first.start, n), Notation::Money, "ARR at month end");
    for (i, (side, label)) in sides.iter().zip(&labels).enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let q = |level: f64| -> Vec<f64> {
            (0..n).map(|t| side.results.get("arr", t).map_or(f64::NAN, |s| s.at(level))).collect()
        };
        m.bands.push(Band { label: String::new(), color, opacity: 0.16, low: q(0.10), high: q(0.90) });
        m.lines.push(Line { label: format!("{label} P50"), color, stroke: Stroke::Solid, values: q(0.50) });
        if let Some(t) = &side.scenario().target
            && !m.levels.iter().any(|l| l.value == t.arr)
        {
            m.levels.push(Level {
                value: t.arr,
                label: format!("Target {}", money(t.arr)),
                color: spec::Rgb(192, 57, 43),
            });
        }
    }
    let judged = judged_month(first);
    let p50s: Vec<String> = labels.iter().zip(rows).map(|(l, r)| format!("{l} {}", money(r.arr[1]))).collect();
    let title = format!("P50 ARR in {}: {}", month(first.start, judged), p50s.join(", "));
    out.push(Chart {
        name: "compare_fan",
        title,
        subtitle: "ARR by month on the same trials: P50 line and P10–P90 band per scenario".into(),
        source: source.to_string(),
        plot: Plot::Monthly(m),
    });

    if rows.iter().any(|r| r.p_hit.0.is_finite()) {
        let p: Vec<f64> = rows.iter().map(|r| r.p_hit.0).collect();
        let se: Vec<f64> = rows.iter().map(|r| r.p_hit.1).collect();
        let bars =
            Bars { label: "P(hit)".into(), color: NAVY, values: p.clone(), whiskers: Some(super::two_se(&p, &se)) };
        let parts: Vec<String> = labels.iter().zip(&p).map(|(l, v)| format!("{l} {}", percent(*v))).collect();
        let title = if sides.len() == 2 && p.iter().all(|v| v.is_finite()) {
            let d = rows[1].diff_p_hit;
            // The names are under the bars: the title says the finding, short enough for
            // long file names not to cut it.
            format!(
                "P(hit) {} vs {}: {} ± {} points, paired",
                percent(p[0]),
                percent(p[1]),
                signed(d.0, points),
                points(d.1)
            )
        } else {
            format!("P(hit): {}", parts.join(", "))
        };
        out.push(Chart {
            name: "compare_p_hit",
            title,
            subtitle: "Chance of reaching each scenario's own target; whiskers ±2 standard errors".into(),
            source: source.to_string(),
            plot: Plot::Categories(Categories {
                names: labels.clone(),
                notation: Notation::Percent,
                y_label: "P(hit)".into(),
                bars,
                value_labels: p.iter().map(|v| percent(*v)).collect(),
            }),
        });
    }
    out
}

/// `compare.csv`: a row per scenario, with its paired differences to the first.
pub(crate) fn compare_csv(sides: &[Side], rows: &[Row]) -> Result<OutputFile, crate::report::Error> {
    let mut table = Vec::new();
    for (i, (side, r)) in sides.iter().zip(rows).enumerate() {
        let mut line = vec![side.file.display().to_string(), side.scenario().name.clone()];
        line.extend([r.p_hit.0, r.p_hit.1].map(cell));
        // The first scenario is the reference: no difference to itself is reported.
        let diff = |v: f64| if i == 0 { String::new() } else { cell(v) };
        line.extend([diff(r.diff_p_hit.0), diff(r.diff_p_hit.1)]);
        line.extend(r.arr.map(cell));
        line.extend([diff(r.diff_arr.0), diff(r.diff_arr.1)]);
        line.extend([r.hires_mean, r.comp_cost_mean].map(cell));
        line.extend([diff(r.diff_comp_cost.0), diff(r.diff_comp_cost.1)]);
        table.push(line);
    }
    let header = [
        "file",
        "name",
        "p_hit",
        "p_hit_se",
        "diff_p_hit",
        "diff_p_hit_se",
        "arr_p10",
        "arr_p50",
        "arr_p90",
        "diff_arr_mean",
        "diff_arr_se",
        "hires_mean",
        "comp_cost_mean",
        "diff_comp_cost_mean",
        "diff_comp_cost_se",
    ];
    crate::report::csv::table("compare.csv", &header, &table)
}

/// `inputs_diff.csv`: each key whose value differs between the scenarios, a column
/// per scenario.
pub(crate) fn inputs_diff_csv(sides: &[Side], diffs: &[Difference]) -> Result<OutputFile, crate::report::Error> {
    let mut diff_header = vec!["key".to_string()];
    diff_header.extend(sides.iter().map(|s| s.file.display().to_string()));
    let diff_header: Vec<&str> = diff_header.iter().map(String::as_str).collect();
    let diff_rows: Vec<Vec<String>> = diffs
        .iter()
        .map(|(key, values)| {
            let mut r = vec![key.clone()];
            r.extend(values.iter().map(|v| v.clone().unwrap_or_default()));
            r
        })
        .collect();
    crate::report::csv::table("inputs_diff.csv", &diff_header, &diff_rows)
}
