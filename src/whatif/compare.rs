//! `sopsim compare`: two or more scenarios run on the same trials (the same seed and
//! trial indexes: common random numbers), side by side, with each one's paired
//! difference to the first, and the inputs in which their files differ.
//!
//! The scenarios must share their horizon (start and months) so that their months line
//! up; each is judged against its own target. Trials and seed default to the first
//! scenario's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::format::{money, percent, percent1, visible};
use crate::report::charts::build::{NAVY, PALETTE, month, month_ticks};
use crate::report::charts::spec::{self, Band, Bars, Categories, Chart, Level, Line, Monthly, Plot, Stroke, Unit};
use crate::runner::RunResults;
use crate::scenario::{Loaded, Scenario};

use super::{Outcomes, judged_month, mean_se, paired, quantile};

/// One scenario of the comparison and what it gave.
pub(crate) struct Side {
    pub(crate) file: PathBuf,
    pub(crate) loaded: Loaded,
    pub(crate) outcomes: Outcomes,
    pub(crate) results: RunResults,
}

impl Side {
    pub(crate) fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The file's stem, to tell scenarios apart.
    pub(crate) fn stem(&self) -> String {
        self.file.file_stem().map_or_else(|| "scenario".to_string(), |s| s.to_string_lossy().into_owned())
    }
}

/// A scenario's numbers, and its paired differences to the first.
pub(crate) struct Row {
    pub(crate) p_hit: (f64, f64),
    pub(crate) diff_p_hit: (f64, f64),
    pub(crate) arr: [f64; 3],
    pub(crate) arr_mean: f64,
    pub(crate) diff_arr: (f64, f64),
    pub(crate) hires_mean: f64,
    pub(crate) comp_cost_mean: f64,
}

pub(crate) fn row(first: &Outcomes, o: &Outcomes) -> Row {
    Row {
        p_hit: o.p_hit(),
        diff_p_hit: paired(&first.hit, &o.hit),
        arr: [quantile(&o.arr, 0.1), quantile(&o.arr, 0.5), quantile(&o.arr, 0.9)],
        arr_mean: mean_se(&o.arr).0,
        diff_arr: paired(&first.arr, &o.arr),
        hires_mean: mean_se(&o.hires).0,
        comp_cost_mean: mean_se(&o.comp_cost).0,
    }
}

/// A number for the CSV: shortest round-trip text, empty when undefined.
pub(crate) fn cell(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// The labels of the scenarios: their names, or their file stems when names repeat.
pub(crate) fn labels(sides: &[Side]) -> Vec<String> {
    let names: Vec<&str> = sides.iter().map(|s| s.scenario().name.as_str()).collect();
    let unique = names.iter().enumerate().all(|(i, n)| !names[..i].contains(n));
    if unique { names.iter().map(|n| n.to_string()).collect() } else { sides.iter().map(Side::stem).collect() }
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
        spec::count(trials as f64),
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
            .map(|(i, r)| diff(i, format!("{} ± {}", signed(r.diff_p_hit.0, percent1), percent1(r.diff_p_hit.1))))
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
    table.push(("hires (mean)".into(), rows.iter().map(|r| spec::count(r.hires_mean)).collect()));
    table.push(("comp cost (mean)".into(), rows.iter().map(|r| money(r.comp_cost_mean)).collect()));

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
    let mut m = Monthly {
        months: (0..n).map(|t| month(first.start, t)).collect(),
        ticks: month_ticks(first.start, n),
        unit: Unit::Money,
        y_label: "ARR at month end".into(),
        bands: Vec::new(),
        bars: Vec::new(),
        lines: Vec::new(),
        levels: Vec::new(),
        mark: None,
        y_max: None,
    };
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
            format!(
                "P(hit): {} vs {} ({} points, paired SE {})",
                parts[0],
                parts[1],
                signed(d.0 * 100.0, |v| format!("{v:.1}")),
                percent1(d.1)
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
                unit: Unit::Percent,
                y_label: "P(hit)".into(),
                bars,
                value_labels: p.iter().map(|v| percent(*v)).collect(),
            }),
        });
    }
    out
}

/// A key and its value in each scenario text (`None` where the text does not set it).
pub type Difference = (String, Vec<Option<String>>);

/// The keys whose values differ between the scenario texts (or that only some set), in
/// the first file's order then the others': `(key, value in each text)`. Each text is
/// flattened to `key.path = value` (see [`flatten`]).
pub fn input_differences(texts: &[&str]) -> Result<Vec<Difference>, String> {
    let mut flat: Vec<Vec<(String, String)>> = Vec::new();
    for text in texts {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
        let mut out = Vec::new();
        flatten("", &toml::Value::Table(table), 0, &mut out);
        flat.push(out);
    }
    let maps: Vec<BTreeMap<&str, &str>> =
        flat.iter().map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()).collect();
    let mut keys: Vec<&str> = Vec::new();
    for f in &flat {
        for (k, _) in f {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let values: Vec<Option<&str>> = maps.iter().map(|m| m.get(k).copied()).collect();
            values
                .iter()
                .any(|v| *v != values[0])
                .then(|| (k.to_string(), values.into_iter().map(|v| v.map(str::to_string)).collect()))
        })
        .collect())
}

/// `key.path = value` lines of a TOML value: sections and tables are walked; an array of
/// tables that each have a `name` or `id` is walked by it (`roles.ae.ramp_months`); a
/// table of plain values below a section (a distribution, `hires`, `segment_mix`) and
/// any other array are one value, written as inline TOML.
pub fn flatten(prefix: &str, value: &toml::Value, depth: usize, out: &mut Vec<(String, String)>) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match value {
        toml::Value::Table(t) if depth < 2 || t.values().any(|v| v.is_table() || is_named_tables(v)) => {
            for (k, v) in t {
                flatten(&join(k), v, depth + 1, out);
            }
        }
        toml::Value::Array(items) if is_named_tables(value) => {
            for item in items {
                if let Some(t) = item.as_table() {
                    let id = t.get("name").or_else(|| t.get("id")).and_then(toml::Value::as_str).unwrap_or_default();
                    let element = join(id);
                    for (k, v) in t {
                        flatten(&format!("{element}.{k}"), v, depth + 2, out);
                    }
                }
            }
        }
        other => out.push((prefix.to_string(), inline(other))),
    }
}

/// Whether `v` is a non-empty array of tables that each have a distinct string `name` or `id`.
pub(crate) fn is_named_tables(v: &toml::Value) -> bool {
    let Some(items) = v.as_array() else { return false };
    let ids: Vec<Option<&str>> = items
        .iter()
        .map(|i| i.as_table().and_then(|t| t.get("name").or_else(|| t.get("id"))).and_then(toml::Value::as_str))
        .collect();
    !ids.is_empty() && ids.iter().all(Option::is_some) && ids.iter().enumerate().all(|(i, id)| !ids[..i].contains(id))
}

/// A value as one line of TOML.
pub(crate) fn inline(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(t) => {
            let parts: Vec<String> = t.iter().map(|(k, v)| format!("{} = {}", key(k), inline(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        toml::Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// A key as TOML writes it: bare when it can be, else quoted.
pub(crate) fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_listed_by_key_path() {
        let a = "[scenario]\nname = \"A\"\nmonths = 12\n[[roles]]\nid = \"ae\"\nheadcount = 3\n\
                 hires = { \"2027-03\" = 1 }\n[demand]\nleads_per_month = { low = 300, high = 500 }\n";
        let b = "[scenario]\nname = \"A\"\nmonths = 12\n[[roles]]\nid = \"ae\"\nheadcount = 4\n\
                 hires = { \"2027-03\" = 1 }\n[demand]\nleads_per_month = { low = 300, high = 600 }\nextra = 1\n";
        let d = input_differences(&[a, b]).unwrap();
        let keys: Vec<&str> = d.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["roles.ae.headcount", "demand.leads_per_month", "demand.extra"]);
        assert_eq!(d[0].1, [Some("3".to_string()), Some("4".to_string())]);
        assert_eq!(d[1].1[1].as_deref(), Some("{ low = 300, high = 600 }"));
        assert_eq!(d[2].1, [None, Some("1".to_string())]);
        assert!(input_differences(&[a, a]).unwrap().is_empty());
    }
}
