//! `sopsim sweep`: the scenario at every value of one key, or every pair of values of
//! two keys, each point on the same trials (the same seed and trial indexes: common
//! random numbers), so that the differences between points are the key's doing and not
//! the draws'.
//!
//! A point is the scenario file with the command's `--set` overrides and then
//! `key=value` for each varied key, loaded and validated like any run; every point is
//! loaded before any is simulated. The points run one after the other, each on all the
//! threads.

use std::fmt::Write as _;

use crate::format::{money, percent, percent1, visible};
use crate::report::charts::build::{GREY, NAVY, RED};
use crate::report::charts::spec::{self, Band, Bars, Categories, Chart, Heatmap, Level, Line, Plot, Stroke, Unit, Xy};
use crate::scenario::Scenario;

use super::{Outcomes, mean_se, quantile};

/// Most values one `--vary` may take.
pub const MAX_VALUES: usize = 200;
/// Most points of a sweep (the product of the `--vary` lists).
pub const MAX_POINTS: usize = 400;
/// Trials per point when `--trials` is not given: the scenario's, at most this.
pub const DEFAULT_TRIALS: u64 = 2_000;

/// A varied key and its values, each as TOML text for an override.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The key path, as `--set` takes it.
    pub key: String,
    /// The values, as written (or generated from a range).
    pub values: Vec<String>,
}

impl Vary {
    /// Parses `KEY=V1,V2,...` or `KEY=FROM..TO [step S]`.
    pub fn parse(arg: &str) -> Result<Vary, String> {
        let Some((key, values)) = arg.split_once('=') else {
            return Err(format!("--vary {arg}: needs the form KEY=V1,V2,... or KEY=FROM..TO step S"));
        };
        let key = key.trim();
        if key.is_empty() || key.split('.').any(|p| p.trim().is_empty()) {
            return Err(format!(
                "--vary {arg}: the key path is empty or has an empty part (e.g. demand.leads_per_month)"
            ));
        }
        let values = match parse_range(values) {
            Some(range) => range.map_err(|e| format!("--vary {arg}: {e}"))?,
            None => split_list(values).map_err(|e| format!("--vary {arg}: {e}"))?,
        };
        if values.len() > MAX_VALUES {
            return Err(format!("--vary {arg}: {} values; at most {MAX_VALUES} per key", values.len()));
        }
        Ok(Vary { key: key.to_string(), values })
    }

    /// The values as numbers, if every one is a number.
    pub(crate) fn numbers(&self) -> Option<Vec<f64>> {
        self.values.iter().map(|v| number(v)).collect()
    }
}

/// A number as TOML writes it (`1_000`, `0.15`, `-2`), if `text` is one.
pub(crate) fn number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    if t.is_empty() || t.contains(['n', 'N', 'i', 'I']) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `text` as an integer, if it is written as one.
pub(crate) fn integer(text: &str) -> Option<i64> {
    text.trim().replace('_', "").parse::<i64>().ok()
}

/// Digits after the decimal point in a number as written (no exponent).
pub(crate) fn decimals(text: &str) -> usize {
    text.trim().split_once('.').map_or(0, |(_, f)| f.chars().filter(char::is_ascii_digit).count())
}

/// `FROM..TO` or `FROM..TO step S`: `None` when `text` is not a range at all (no `..`
/// outside quotes), else its values or why it is refused. `TO` is included when it lands
/// on a step; integers stay integers (`S` defaults to 1 for them).
pub fn parse_range(text: &str) -> Option<Result<Vec<String>, String>> {
    let text = text.trim();
    if text.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let (from, rest) = text.split_once("..")?;
    Some(range_values(from.trim(), rest.trim()))
}

pub(crate) fn range_values(from: &str, rest: &str) -> Result<Vec<String>, String> {
    let (to, step) = match rest.split_once("step") {
        Some((to, step)) => (to.trim(), Some(step.trim())),
        None => (rest, None),
    };
    let bad = |what: &str, t: &str| format!("the range's {what} `{t}` is not a number (write FROM..TO step S)");
    let a = number(from).ok_or_else(|| bad("start", from))?;
    let b = number(to).ok_or_else(|| bad("end", to))?;
    let ints = integer(from).is_some() && integer(to).is_some() && step.is_none_or(|s| integer(s).is_some());
    let s = match step {
        Some(s) => number(s).ok_or_else(|| bad("step", s))?,
        None if ints => 1.0,
        None => return Err("a range of decimals needs a step: FROM..TO step S".to_string()),
    };
    if !(s > 0.0) {
        return Err(format!("the step must be positive, not {}", step.unwrap_or("0")));
    }
    if b < a {
        return Err(format!("the range {from}..{to} is empty: its end is below its start"));
    }
    let span = (b - a) / s;
    // A value within a millionth of a step of the end lands on it.
    let count = (span + 1e-6).floor() + 1.0;
    if count > MAX_VALUES as f64 {
        return Err(format!("the range has {count} values; at most {MAX_VALUES} per key (take a larger step)"));
    }
    let count = count as usize;
    if ints {
        let (a, s) = (integer(from).unwrap_or(0), step.and_then(integer).unwrap_or(1));
        return Ok((0..count as i64).map(|i| (a + i * s).to_string()).collect());
    }
    let places = decimals(from).max(step.map_or(0, decimals)).clamp(1, 12);
    Ok((0..count)
        .map(|i| {
            let v = a + i as f64 * s;
            let text = format!("{v:.places$}");
            let trimmed = text.trim_end_matches('0');
            if trimmed.ends_with('.') { format!("{trimmed}0") } else { trimmed.to_string() }
        })
        .collect())
}

/// Splits a list at the commas outside quotes, brackets and braces, so that a value may
/// be an inline table or array: `{ low = 1, high = 2 },{ low = 2, high = 3 }`.
pub fn split_list(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut current) = (0i32, None::<char>, String::new());
    for ch in text.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    out.push(current);
    let out: Vec<String> = out.into_iter().map(|v| v.trim().to_string()).collect();
    if out.iter().any(String::is_empty) {
        return Err("a value in the list is empty (write V1,V2,...)".to_string());
    }
    Ok(out)
}

/// What one point gave.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// The value of each varied key.
    pub(crate) values: Vec<String>,
    /// The target and confidence of the point's scenario.
    pub(crate) target: Option<(f64, f64)>,
    pub(crate) p_hit: f64,
    pub(crate) p_hit_se: f64,
    pub(crate) arr: [f64; 3],
    pub(crate) arr_mean: f64,
    pub(crate) hires_mean: f64,
    pub(crate) comp_cost_mean: f64,
}

impl Point {
    pub(crate) fn new(values: Vec<String>, scenario: &Scenario, o: &Outcomes) -> Point {
        let (p_hit, p_hit_se) = o.p_hit();
        Point {
            values,
            target: scenario.target.as_ref().map(|t| (t.arr, t.confidence)),
            p_hit,
            p_hit_se,
            arr: [quantile(&o.arr, 0.1), quantile(&o.arr, 0.5), quantile(&o.arr, 0.9)],
            arr_mean: mean_se(&o.arr).0,
            hires_mean: mean_se(&o.hires).0,
            comp_cost_mean: mean_se(&o.comp_cost).0,
        }
    }
}

/// A number for the CSV: shortest round-trip text, empty when undefined.
pub(crate) fn cell(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { String::new() }
}

/// The table of points for the terminal.
pub(crate) fn terminal(
    scenario: &Scenario,
    varies: &[Vary],
    rows: &[Point],
    month: &str,
    trials: u64,
    seed: u64,
    seconds: f64,
) -> String {
    let mut out = String::new();
    let keys: Vec<String> = varies.iter().map(|v| visible(&v.key).into_owned()).collect();
    let _ = writeln!(
        out,
        "{}: sweep of {} over {} points, {} trials each, seed {} ({:.2} s); ARR in {month}",
        visible(&scenario.name),
        keys.join(" x "),
        rows.len(),
        spec::count(trials as f64),
        seed,
        seconds
    );
    let widths: Vec<usize> = (0..varies.len())
        .map(|k| rows.iter().map(|p| visible(&p.values[k]).chars().count()).chain([keys[k].len()]).max().unwrap_or(8))
        .collect();
    let mut line = String::from("  ");
    for (k, key) in keys.iter().enumerate() {
        let _ = write!(line, "{key:<w$}  ", w = widths[k]);
    }
    let _ = write!(
        line,
        "{:>16}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
        "P(hit) ± SE", "ARR P10", "P50", "P90", "hires", "comp cost"
    );
    let _ = writeln!(out, "{}", line.trim_end());
    for p in rows {
        let mut line = String::from("  ");
        for (k, v) in p.values.iter().enumerate() {
            let _ = write!(line, "{:<w$}  ", visible(v), w = widths[k]);
        }
        let hit = if p.p_hit.is_finite() {
            format!("{} ± {}", percent1(p.p_hit), percent1(p.p_hit_se))
        } else {
            "no target".to_string()
        };
        let _ = writeln!(
            line,
            "{hit:>16}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}",
            money(p.arr[0]),
            money(p.arr[1]),
            money(p.arr[2]),
            spec::count(p.hires_mean),
            money(p.comp_cost_mean)
        );
        out.push_str(&line);
    }
    out
}

/// How the values of a key read on an axis.
pub(crate) fn unit_of(key: &str, x: &[f64]) -> Unit {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    if ["arr", "base", "variable", "quota", "draw", "annual_cost", "arr_per_head"].contains(&leaf)
        || key.contains("deal_size")
    {
        Unit::Money
    } else if x.iter().all(|v| (0.0..=1.0).contains(v)) && x.iter().any(|v| v.fract() != 0.0) {
        Unit::Percent
    } else {
        Unit::Count
    }
}

/// The one target (and confidence) every point shares, if they share one.
pub(crate) fn shared_target(rows: &[Point]) -> Option<(f64, f64)> {
    let first = rows.first()?.target?;
    rows.iter().all(|p| p.target == Some(first)).then_some(first)
}

/// How a value changes from the first point to the last, in words: `rises from 41% to
/// 88%`; a change within two standard errors (when given) `stays near 60%`; an interior
/// peak is named.
pub(crate) fn trend(values: &[f64], se: Option<&[f64]>, xs: &[String], fmt: impl Fn(f64) -> String) -> String {
    let (first, last) = (values[0], values[values.len() - 1]);
    let noise = |i: usize, j: usize| se.map_or(0.0, |s| 2.0 * (s[i].powi(2) + s[j].powi(2)).sqrt());
    let n = values.len();
    let (imax, max) =
        values.iter().copied().enumerate().fold((0, f64::NEG_INFINITY), |m, (i, v)| if v > m.1 { (i, v) } else { m });
    let (imin, min) =
        values.iter().copied().enumerate().fold((0, f64::INFINITY), |m, (i, v)| if v < m.1 { (i, v) } else { m });
    if imax != 0 && imax != n - 1 && max - first.max(last) > noise(imax, if first > last { 0 } else { n - 1 }) {
        return format!(
            "peaks at {} at {} ({} at {}, {} at {})",
            fmt(max),
            xs[imax],
            fmt(first),
            xs[0],
            fmt(last),
            xs[n - 1]
        );
    }
    if imin != 0 && imin != n - 1 && first.min(last) - min > noise(imin, if first < last { 0 } else { n - 1 }) {
        return format!(
            "dips to {} at {} ({} at {}, {} at {})",
            fmt(min),
            xs[imin],
            fmt(first),
            xs[0],
            fmt(last),
            xs[n - 1]
        );
    }
    if (last - first).abs() <= noise(0, n - 1) || fmt(first) == fmt(last) {
        return format!("stays near {} from {} to {}", fmt((first + last) / 2.0), xs[0], xs[n - 1]);
    }
    let verb = if last > first { "rises" } else { "falls" };
    format!("{verb} from {} to {}", fmt(first), fmt(last))
}

pub(crate) fn charts(varies: &[Vary], rows: &[Point], month: &str, source: &str) -> Vec<Chart> {
    if rows.is_empty() {
        return Vec::new();
    }
    let chart = |name: &'static str, title: String, subtitle: String, plot: Plot| Chart {
        name,
        title,
        subtitle,
        source: source.to_string(),
        plot,
    };
    let has_target = rows.iter().all(|p| p.p_hit.is_finite());
    let target = shared_target(rows);
    if varies.len() == 2 {
        let (a, b) = (&varies[0], &varies[1]);
        let (na, nb) = (a.values.len(), b.values.len());
        // Points run with the first key outer: point i * nb + j is (a[i], b[j]); cells
        // are row-major from the bottom row, with b on the rows.
        let value = |p: &Point| if has_target { p.p_hit } else { p.arr[1] };
        let values: Vec<f64> =
            (0..nb).flat_map(|j| (0..na).map(move |i| (i, j))).map(|(i, j)| value(&rows[i * nb + j])).collect();
        let (what, unit) = if has_target { ("P(hit)", Unit::Percent) } else { ("P50 ARR", Unit::Money) };
        let best = rows.iter().max_by(|x, y| value(x).total_cmp(&value(y))).unwrap_or(&rows[0]);
        let worst = rows.iter().min_by(|x, y| value(x).total_cmp(&value(y))).unwrap_or(&rows[0]);
        let at = |p: &Point| format!("({}, {})", p.values[0], p.values[1]);
        let title = format!(
            "{what} ranges from {} to {}: highest at {}",
            unit.format(value(worst)),
            unit.format(value(best)),
            at(best)
        );
        let subtitle = match (has_target, target) {
            (true, Some((arr, _))) => {
                format!("Chance of ARR ≥ {} in {month} by {} (across) and {} (up)", money(arr), a.key, b.key)
            }
            (true, None) => format!("Chance of reaching each point's target by {} (across) and {} (up)", a.key, b.key),
            _ => format!("Median ARR in {month} by {} (across) and {} (up)", a.key, b.key),
        };
        let heat = Heatmap {
            x_label: a.key.clone(),
            columns: a.values.clone(),
            y_label: b.key.clone(),
            rows: b.values.clone(),
            unit,
            value_label: what.to_string(),
            values,
            color: NAVY,
        };
        return vec![chart("sweep_heatmap", title, subtitle, Plot::Heatmap(heat))];
    }
    let vary = &varies[0];
    let key = &vary.key;
    let mut out = Vec::new();
    match vary.numbers() {
        Some(x) => {
            // Drawn in ascending order of the value.
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
            let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
            let labels: Vec<String> = order.iter().map(|&i| rows[i].values[0].clone()).collect();
            let sorted: Vec<&Point> = order.iter().map(|&i| &rows[i]).collect();
            let unit = unit_of(key, &xs);
            let xy = |y_unit: Unit, y_label: &str| Xy {
                x_unit: unit,
                x_label: key.clone(),
                y_unit,
                y_label: y_label.to_string(),
                x: xs.clone(),
                bands: Vec::new(),
                lines: Vec::new(),
                levels: Vec::new(),
                mark: None,
                y_max: None,
            };
            if has_target {
                let p: Vec<f64> = sorted.iter().map(|r| r.p_hit).collect();
                let se: Vec<f64> = sorted.iter().map(|r| r.p_hit_se).collect();
                let mut plot = xy(Unit::Percent, "P(hit)");
                let (low, high) = super::two_se(&p, &se);
                plot.bands.push(Band { label: "±2 SE".into(), color: NAVY, opacity: 0.18, low, high });
                plot.lines.push(Line { label: "P(hit)".into(), color: NAVY, stroke: Stroke::Solid, values: p.clone() });
                if let Some((_, confidence)) = target {
                    plot.levels.push(Level {
                        value: confidence,
                        label: format!("confidence {}", percent(confidence)),
                        color: GREY,
                    });
                }
                plot.y_max = Some(1.0);
                let title = format!(
                    "P(hit) {} as {key} goes from {} to {}",
                    trend(&p, Some(&se), &labels, percent),
                    labels[0],
                    labels[labels.len() - 1]
                );
                let subtitle = match target {
                    Some((arr, _)) => {
                        format!("Chance of ARR ≥ {} in {month} at each value; shaded: ±2 standard errors", money(arr))
                    }
                    None => "Chance of reaching each point's target; shaded: ±2 standard errors".to_string(),
                };
                out.push(chart("sweep_p_hit", title, subtitle, Plot::Xy(plot)));
            }
            let q = |k: usize| sorted.iter().map(|r| r.arr[k]).collect::<Vec<f64>>();
            let mut plot = xy(Unit::Money, &format!("ARR in {month}"));
            plot.bands.push(Band { label: "P10–P90".into(), color: NAVY, opacity: 0.18, low: q(0), high: q(2) });
            plot.lines.push(Line { label: "P50 (median)".into(), color: NAVY, stroke: Stroke::Solid, values: q(1) });
            if let Some((arr, _)) = target {
                plot.levels.push(Level { value: arr, label: format!("Target {}", money(arr)), color: RED });
            }
            let title = format!(
                "P50 ARR {} as {key} goes from {} to {}",
                trend(&q(1), None, &labels, money),
                labels[0],
                labels[labels.len() - 1]
            );
            out.push(chart(
                "sweep_arr",
                title,
                format!("Median ARR in {month} at each value; shaded: where 80% of trials land"),
                Plot::Xy(plot),
            ));
        }
        None => {
            let names = vary.values.clone();
            if has_target {
                let p: Vec<f64> = rows.iter().map(|r| r.p_hit).collect();
                let se: Vec<f64> = rows.iter().map(|r| r.p_hit_se).collect();
                let bars = Bars {
                    label: "P(hit)".into(),
                    color: NAVY,
                    values: p.clone(),
                    whiskers: Some(super::two_se(&p, &se)),
                };
                let best = (0..p.len()).max_by(|&i, &j| p[i].total_cmp(&p[j])).unwrap_or(0);
                let title = format!("P(hit) is highest with {key} = {}: {}", names[best], percent(p[best]));
                let plot = Categories {
                    names: names.clone(),
                    unit: Unit::Percent,
                    y_label: "P(hit)".into(),
                    bars,
                    value_labels: p.iter().map(|v| percent(*v)).collect(),
                };
                out.push(chart(
                    "sweep_p_hit",
                    title,
                    format!("Chance of reaching the target in {month} by {key}; whiskers ±2 standard errors"),
                    Plot::Categories(plot),
                ));
            }
            let q = |k: usize| rows.iter().map(|r| r.arr[k]).collect::<Vec<f64>>();
            let p50 = q(1);
            let best = (0..p50.len()).max_by(|&i, &j| p50[i].total_cmp(&p50[j])).unwrap_or(0);
            let bars = Bars { label: "P50 ARR".into(), color: NAVY, values: p50.clone(), whiskers: Some((q(0), q(2))) };
            let plot = Categories {
                names,
                unit: Unit::Money,
                y_label: format!("ARR in {month}"),
                bars,
                value_labels: p50.iter().map(|v| money(*v)).collect(),
            };
            let title = format!("P50 ARR is highest with {key} = {}: {}", vary.values[best], money(p50[best]));
            out.push(chart(
                "sweep_arr",
                title,
                format!("Median ARR in {month} by value; whiskers P10–P90"),
                Plot::Categories(plot),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Result<Vec<String>, String> {
        parse_range(text).expect("a range")
    }

    #[test]
    fn ranges_include_the_end_when_it_lands_on_a_step() {
        assert_eq!(range("200..600 step 100").unwrap(), ["200", "300", "400", "500", "600"]);
        assert_eq!(range("200..650 step 100").unwrap(), ["200", "300", "400", "500", "600"]);
        assert_eq!(range("1..3").unwrap(), ["1", "2", "3"]);
        assert_eq!(range("5..5 step 2").unwrap(), ["5"]);
        assert_eq!(range("1_000..3_000 step 1_000").unwrap(), ["1000", "2000", "3000"]);
        assert_eq!(range("-2..2 step 2").unwrap(), ["-2", "0", "2"]);
    }

    #[test]
    fn decimal_ranges_read_as_written() {
        // 0.1 + 2 * 0.05 is 0.20000000000000004 in binary: written 0.2.
        assert_eq!(range("0.1..0.3 step 0.05").unwrap(), ["0.1", "0.15", "0.2", "0.25", "0.3"]);
        assert_eq!(range("0.15..0.25 step 0.1").unwrap(), ["0.15", "0.25"]);
        assert_eq!(range("1..2 step 0.5").unwrap(), ["1.0", "1.5", "2.0"]);
    }

    #[test]
    fn bad_ranges_are_refused() {
        assert!(range("200..600 step 0").unwrap_err().contains("positive"));
        assert!(range("200..600 step -50").unwrap_err().contains("positive"));
        assert!(range("600..200 step 50").unwrap_err().contains("empty"));
        assert!(range("1..1000 step 1").unwrap_err().contains("at most 200"));
        assert!(range("a..b").unwrap_err().contains("not a number"));
        assert!(range("0.1..0.3").unwrap_err().contains("needs a step"));
        assert!(range("1..2 step nan").unwrap_err().contains("not a number"));
        assert!(range("0..1e300 step 1e-300").unwrap_err().contains("at most 200"));
    }

    #[test]
    fn lists_split_at_top_level_commas() {
        assert!(parse_range("300,400").is_none());
        assert_eq!(split_list("300, 400,500").unwrap(), ["300", "400", "500"]);
        assert_eq!(split_list("plan,capacity").unwrap(), ["plan", "capacity"]);
        assert_eq!(
            split_list("{ low = 1, high = 2 },{ low = 2, high = 3 }").unwrap(),
            ["{ low = 1, high = 2 }", "{ low = 2, high = 3 }"]
        );
        assert_eq!(split_list(r#""a,b",c"#).unwrap(), [r#""a,b""#, "c"]);
        assert!(split_list("300,,400").is_err());
        assert!(parse_range("\"a..b\"").is_none());
    }

    #[test]
    fn a_vary_names_a_key_and_values() {
        let v = Vary::parse("demand.leads_per_month=200..400 step 100").unwrap();
        assert_eq!(
            v,
            Vary { key: "demand.leads_per_month".into(), values: vec!["200".into(), "300".into(), "400".into()] }
        );
        assert_eq!(v.numbers(), Some(vec![200.0, 300.0, 400.0]));
        assert_eq!(Vary::parse("roles.ae.policy=plan,capacity").unwrap().numbers(), None);
        assert!(Vary::parse("demand.leads_per_month").is_err());
        assert!(Vary::parse("=1,2").is_err());
        assert!(Vary::parse("a..b=1,2").is_err());
    }

    #[test]
    fn trends_read_as_sentences() {
        let xs: Vec<String> = ["300", "400", "500"].iter().map(|s| s.to_string()).collect();
        assert_eq!(trend(&[0.41, 0.6, 0.88], Some(&[0.01; 3]), &xs, percent), "rises from 41% to 88%");
        assert_eq!(trend(&[0.6, 0.61, 0.6], Some(&[0.02; 3]), &xs, percent), "stays near 60% from 300 to 500");
        assert_eq!(
            trend(&[0.2, 0.9, 0.3], Some(&[0.01; 3]), &xs, percent),
            "peaks at 90% at 400 (20% at 300, 30% at 500)"
        );
    }
}
