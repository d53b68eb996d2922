//! The files and terminal text of `sopsim sweep`, from what [`crate::whatif::sweep`] found.

use crate::format::{money, people, percent, percent1, visible};
use crate::report::OutputFile;
use crate::report::charts::spec::{Band, Bars, Categories, Chart, Heatmap, Level, Line, Notation, Plot, Stroke, Xy};
use crate::report::charts::theme::{GREY, NAVY, RED};
use crate::report::keys::{self, KeyWords};
use crate::scenario::Scenario;
use crate::whatif::sweep::*;
use crate::whatif::vary::Vary;
use std::fmt::Write as _;

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
        crate::format::count(trials as f64),
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
        "{:>16}  {:>9}  {:>9}  {:>9}  {:>15}  {:>9}",
        "P(hit) ± SE", "ARR P10", "P50", "P90", "hires (P10–P90)", "comp cost"
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
            "{hit:>16}  {:>9}  {:>9}  {:>9}  {:>15}  {:>9}",
            money(p.arr[0]),
            money(p.arr[1]),
            money(p.arr[2]),
            people(p.hires[0], p.hires[1], p.hires[2]),
            money(p.comp_cost_mean)
        );
        out.push_str(&line);
    }
    out
}

/// How the values of a key [`keys::words`] does not know read on an axis, guessed from
/// its leaf and values: money, a rate (fractions from 0 to 1), or a number.
pub(crate) fn notation_of(key: &str, x: &[f64]) -> Notation {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    if ["arr", "base", "variable", "quota", "draw", "annual_cost", "arr_per_head"].contains(&leaf)
        || key.contains("deal_size")
    {
        Notation::Money
    } else if x.iter().all(|v| (0.0..=1.0).contains(v)) && x.iter().any(|v| v.fract() != 0.0) {
        Notation::Rate
    } else {
        Notation::Number
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

pub(crate) fn charts(scenario: &Scenario, varies: &[Vary], rows: &[Point], month: &str, source: &str) -> Vec<Chart> {
    if rows.is_empty() {
        return Vec::new();
    }
    // Keys in words with their units, values as people read them (`15%`, not `0.15`).
    let words: Vec<KeyWords> = varies.iter().map(|v| keys::words(&v.key, scenario)).collect();
    let written = |k: usize, text: &str| words[k].reading.written(text);
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
        let (what, notation) = if has_target { ("P(hit)", Notation::Percent) } else { ("P50 ARR", Notation::Money) };
        let best = rows.iter().max_by(|x, y| value(x).total_cmp(&value(y))).unwrap_or(&rows[0]);
        let worst = rows.iter().min_by(|x, y| value(x).total_cmp(&value(y))).unwrap_or(&rows[0]);
        let at = |p: &Point| format!("({}, {})", written(0, &p.values[0]), written(1, &p.values[1]));
        let title = format!(
            "{what} ranges from {} to {}: highest at {}",
            notation.format(value(worst)),
            notation.format(value(best)),
            at(best)
        );
        let subtitle = match (has_target, target) {
            (true, Some((arr, _))) => format!(
                "Chance of ARR ≥ {} in {month} by {} (across) and {} (up)",
                money(arr),
                words[0].words,
                words[1].words
            ),
            (true, None) => format!(
                "Chance of reaching each point's target by {} (across) and {} (up)",
                words[0].words, words[1].words
            ),
            _ => format!("Median ARR in {month} by {} (across) and {} (up)", words[0].words, words[1].words),
        };
        let heat = Heatmap {
            x_label: words[0].label(),
            columns: a.values.iter().map(|v| written(0, v)).collect(),
            y_label: words[1].label(),
            rows: b.values.iter().map(|v| written(1, v)).collect(),
            notation,
            value_label: what.to_string(),
            values,
            color: NAVY,
        };
        return vec![chart("sweep_heatmap", title, subtitle, Plot::Heatmap(heat))];
    }
    let vary = &varies[0];
    let key = &words[0].words;
    let mut out = Vec::new();
    match vary.numbers() {
        Some(x) => {
            // Drawn in ascending order of the value.
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
            let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
            let labels: Vec<String> = order.iter().map(|&i| written(0, &rows[i].values[0])).collect();
            let sorted: Vec<&Point> = order.iter().map(|&i| &rows[i]).collect();
            let x_notation =
                if words[0].unit.is_empty() { notation_of(&vary.key, &xs) } else { words[0].reading.axis() };
            // Values that are all whole (people, months, a count) tick at whole numbers only.
            let whole = xs.iter().all(|v| v.fract() == 0.0);
            let xy = |y_notation: Notation, y_label: &str| Xy {
                x_notation,
                x_whole: whole,
                x_label: words[0].label(),
                y_notation,
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
                let mut plot = xy(Notation::Percent, "P(hit)");
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
                    "P(hit) {} with {key} from {} to {}",
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
            let mut plot = xy(Notation::Money, &format!("ARR in {month}"));
            plot.bands.push(Band { label: "P10–P90".into(), color: NAVY, opacity: 0.18, low: q(0), high: q(2) });
            plot.lines.push(Line { label: "P50 (median)".into(), color: NAVY, stroke: Stroke::Solid, values: q(1) });
            if let Some((arr, _)) = target {
                plot.levels.push(Level { value: arr, label: format!("Target {}", money(arr)), color: RED });
            }
            let title = format!(
                "P50 ARR {} with {key} from {} to {}",
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
            let names: Vec<String> = vary.values.iter().map(|v| written(0, v)).collect();
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
                    notation: Notation::Percent,
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
                notation: Notation::Money,
                y_label: format!("ARR in {month}"),
                bars,
                value_labels: p50.iter().map(|v| money(*v)).collect(),
            };
            let title =
                format!("P50 ARR is highest with {key} = {}: {}", written(0, &vary.values[best]), money(p50[best]));
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

/// `sweep.csv`: a row per point, the varied keys' values first.
pub(crate) fn sweep_csv(varies: &[Vary], rows: &[Point]) -> Result<OutputFile, crate::report::Error> {
    let mut header: Vec<&str> = varies.iter().map(|v| v.key.as_str()).collect();
    header.extend(["p_hit", "p_hit_se", "arr_p10", "arr_p50", "arr_p90", "arr_mean", "hires_mean", "comp_cost_mean"]);
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            let mut r = p.values.clone();
            r.extend([p.p_hit, p.p_hit_se].map(cell));
            r.extend(p.arr.map(cell));
            r.extend([p.arr_mean, p.hires_mean, p.comp_cost_mean].map(cell));
            r
        })
        .collect();
    crate::report::csv::table("sweep.csv", &header, &table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trends_read_as_sentences() {
        let xs: Vec<String> = ["300", "400", "500"].iter().map(ToString::to_string).collect();
        assert_eq!(trend(&[0.41, 0.6, 0.88], Some(&[0.01; 3]), &xs, percent), "rises from 41% to 88%");
        assert_eq!(trend(&[0.6, 0.61, 0.6], Some(&[0.02; 3]), &xs, percent), "stays near 60% from 300 to 500");
        assert_eq!(
            trend(&[0.2, 0.9, 0.3], Some(&[0.01; 3]), &xs, percent),
            "peaks at 90% at 400 (20% at 300, 30% at 500)"
        );
    }
}
