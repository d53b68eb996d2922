//! The files and terminal text of `sopsim sensitivity`, from what [`crate::whatif::sensitivity`] found.

use crate::format::{money, percent, visible};
use crate::report::charts::build::month;
use crate::report::charts::spec::{Chart, Line, Monthly, Notation, Plot, Rgb, Stroke, Tornado};
use crate::report::charts::theme::PALETTE;
use crate::report::keys;
use crate::report::{Error, OutputFile};
use crate::scenario::Scenario;
use crate::whatif::sensitivity::*;
use std::fmt::Write as _;

pub(crate) use crate::report::charts::spec::TITLE_CHARS;
/// Room for the legend of the per-quarter chart, in pixels, and the estimated width of
/// a legend entry: its swatch and gap, and about 11.5 pixels a character at 19 px.
pub(crate) const LEGEND_ROOM: f64 = 1_100.0;
pub(crate) fn legend_width(label: &str) -> f64 {
    60.0 + 11.5 * label.chars().count() as f64
}
/// Colour of the low (P10) ends.
pub(crate) const LOW_COLOUR: Rgb = PALETTE[1];
/// Colour of the high (P90) ends.
pub(crate) const HIGH_COLOUR: Rgb = PALETTE[0];

/// A number in the file: as Rust writes it, empty when undefined.
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() { v.to_string() } else { String::new() }
}

pub(crate) fn ranking_csv(found: &Sensitivity) -> Result<OutputFile, Error> {
    let header = [
        "input",
        "rank_correlation",
        "low_value",
        "high_value",
        "outcome_at_low",
        "outcome_at_high",
        "swing",
        "p_hit_at_low",
        "p_hit_at_high",
        "p50_at_low",
        "p50_at_high",
        "swing_se",
    ];
    let rows: Vec<Vec<String>> = found
        .influences
        .iter()
        .map(|f| {
            vec![
                f.path.clone(),
                num(f.rank_correlation),
                num(f.low_value),
                num(f.high_value),
                num(f.at_low.mean),
                num(f.at_high.mean),
                num(f.swing),
                num(f.at_low.p_hit),
                num(f.at_high.p_hit),
                num(f.at_low.p50),
                num(f.at_high.p50),
                num(f.swing_se),
            ]
        })
        .collect();
    crate::report::csv::table("sensitivity.csv", &header, &rows)
}

pub(crate) fn quarters_csv(found: &Sensitivity) -> Result<OutputFile, Error> {
    let mut header = vec!["input"];
    header.extend(found.quarters.iter().map(|q| q.label.as_str()));
    let rows: Vec<Vec<String>> = found
        .influences
        .iter()
        .map(|f| std::iter::once(f.path.clone()).chain(f.by_quarter.iter().map(|r| num(*r))).collect())
        .collect();
    crate::report::csv::table("sensitivity_quarters.csv", &header, &rows)
}

pub(crate) fn tornado_chart(s: &Scenario, found: &Sensitivity, source: &str) -> Chart {
    let shown: Vec<&Influence> = found.influences.iter().take(TORNADO_INPUTS).collect();
    let k = found.influences.len();
    let when = month(s.start, found.judged);
    let title = match found.influences.first() {
        Some(top) => {
            let swing = money(top.swing.abs());
            let most = if k == 1 { "the only uncertain input".to_string() } else { format!("the most of {k} inputs") };
            let name = keys::words(&top.path, s).start();
            let full = format!("{name} moves ARR by {swing} between its P10 and P90, {most}");
            if full.chars().count() <= TITLE_CHARS {
                full
            } else {
                format!("{name} moves ARR most: {swing} between its P10 and P90")
            }
        }
        None => "No uncertain input".to_string(),
    };
    let shown_words =
        if k > shown.len() { format!("the {} largest of {k} inputs", shown.len()) } else { format!("{k} inputs") };
    let subtitle = format!(
        "Mean ARR in {when} with one input fixed at its P10 or P90, the others uncertain; {} trials each; {shown_words}",
        crate::format::count(found.swing_trials as f64),
    );
    Chart {
        name: "tornado",
        title,
        subtitle,
        source: source.to_string(),
        plot: Plot::Tornado(Tornado {
            labels: shown.iter().map(|f| keys::words(&f.path, s).label()).collect(),
            low: shown.iter().map(|f| f.at_low.mean).collect(),
            high: shown.iter().map(|f| f.at_high.mean).collect(),
            low_values: shown.iter().map(|f| keys::words(&f.path, s).reading.value(f.low_value)).collect(),
            high_values: shown.iter().map(|f| keys::words(&f.path, s).reading.value(f.high_value)).collect(),
            base: found.base.mean,
            base_label: format!("every input uncertain: {}", money(found.base.mean)),
            notation: Notation::Money,
            x_label: format!("Mean ARR, {when}"),
            low_key: ("input at its P10".to_string(), LOW_COLOUR),
            high_key: ("input at its P90".to_string(), HIGH_COLOUR),
        }),
    }
}

/// The input with the largest |rank correlation| at each quarter end (`None` where no
/// correlation is defined).
pub(crate) fn leaders(found: &Sensitivity) -> Vec<Option<&str>> {
    (0..found.quarters.len())
        .map(|q| {
            found
                .influences
                .iter()
                .filter(|f| f.by_quarter[q].is_finite())
                .max_by(|a, b| a.by_quarter[q].abs().total_cmp(&b.by_quarter[q].abs()))
                .map(|f| f.path.as_str())
        })
        .collect()
}

pub(crate) fn quarters_chart(s: &Scenario, found: &Sensitivity, source: &str) -> Chart {
    // The legend is one row: as many of the top inputs as fit it, by their short names.
    let mut shown: Vec<&Influence> = Vec::new();
    let name = |path: &str| keys::words(path, s).start();
    let mid = |path: &str| keys::words(path, s).words;
    let mut room = LEGEND_ROOM;
    for f in found.influences.iter().take(QUARTER_LINES) {
        room -= legend_width(&name(&f.path));
        if room < 0.0 && !shown.is_empty() {
            break;
        }
        shown.push(f);
    }
    let lead = leaders(found);
    let labels: Vec<&str> = found.quarters.iter().map(|q| q.label.as_str()).collect();
    let first = lead.iter().position(Option::is_some);
    let title = |long: bool| match (first, lead.last().copied().flatten()) {
        (Some(_), Some(last)) if lead.iter().flatten().all(|l| *l == last) => {
            let phrase = if long {
                "is the strongest influence on ARR at every quarter end"
            } else {
                "leads at every quarter end"
            };
            format!("{} {phrase}", name(last))
        }
        (Some(f), Some(last)) if long => format!(
            "{} matters most in {}, {} by {}",
            name(lead[f].unwrap_or_default()),
            labels[f],
            mid(last),
            labels[labels.len() - 1]
        ),
        (Some(_), Some(last)) => format!("{} matters most by {}", name(last), labels[labels.len() - 1]),
        _ => "No input's rank correlation with ARR is defined".to_string(),
    };
    let full = title(true);
    let title = if full.chars().count() <= TITLE_CHARS { full } else { title(false) };
    let lines = shown
        .iter()
        .enumerate()
        .map(|(i, f)| Line {
            label: name(&f.path),
            color: PALETTE[i % PALETTE.len()],
            stroke: Stroke::Solid,
            values: f.by_quarter.iter().map(|r| r.abs()).collect(),
        })
        .collect();
    let judged = month(s.start, found.judged);
    Chart {
        name: "sensitivity_quarters",
        title,
        subtitle: format!(
            "|Rank correlation| of each input's draw with ARR at each quarter end up to {judged}; the {} inputs of \
             largest swing, of {}",
            shown.len(),
            found.influences.len()
        ),
        source: source.to_string(),
        plot: Plot::Monthly(Monthly {
            lines,
            y_max: Some(1.0),
            ..Monthly::new(
                labels.iter().map(ToString::to_string).collect(),
                (0..labels.len()).collect(),
                Notation::Number,
                "|rank correlation| with ARR",
            )
        }),
    }
}

/// The ranking as a table, for the terminal.
pub fn summary(s: &Scenario, found: &Sensitivity, seed: u64) -> String {
    let mut out = String::new();
    let when = month(s.start, found.judged);
    let target = match &s.target {
        Some(t) => format!(", P(ARR >= {}) {}", money(t.arr), percent(found.all.p_hit)),
        None => String::new(),
    };
    let _ = writeln!(out, "{}: what moves ARR in {when} (mean {}{target})", visible(&s.name), money(found.all.mean));
    let _ = writeln!(
        out,
        "  {} uncertain inputs; rank correlation over {} trials, swing between P10 and P90 on {} trials each, seed {seed}",
        found.influences.len(),
        crate::format::count(found.trials as f64),
        crate::format::count(found.swing_trials as f64)
    );
    let width = found.influences.iter().map(|f| visible(&f.path).chars().count()).max().unwrap_or(0).max(5);
    let ends: Vec<String> = found
        .influences
        .iter()
        .map(|f| {
            let reading = keys::words(&f.path, s).reading;
            format!("{} -> {}", reading.value(f.low_value), reading.value(f.high_value))
        })
        .collect();
    let ends_width = ends.iter().map(|e| e.chars().count()).max().unwrap_or(0).max(10);
    let hit = s.target.is_some();
    let _ = write!(
        out,
        "\n  {:<width$}  {:<ends_width$}  {:>10} {:>10} {:>10} {:>11}",
        "input", "P10 -> P90", "ARR @ P10", "ARR @ P90", "swing", "rank corr."
    );
    let _ = writeln!(out, "{}", if hit { "   P(hit) @ P10 -> P90" } else { "" });
    for (f, e) in found.influences.iter().zip(&ends) {
        let swing = if f.swing > 0.0 { format!("+{}", money(f.swing)) } else { money(f.swing) };
        let rho = match f.rank_correlation {
            r if !r.is_finite() => "n/a".to_string(),
            r if r.abs() < 0.005 => "0.00".to_string(),
            r => format!("{r:+.2}"),
        };
        let _ = write!(
            out,
            "  {:<width$}  {e:<ends_width$}  {:>10} {:>10} {swing:>10} {rho:>11}",
            visible(&f.path),
            money(f.at_low.mean),
            money(f.at_high.mean)
        );
        let p = if hit {
            format!("   {:>6} -> {}", percent(f.at_low.p_hit), percent(f.at_high.p_hit))
        } else {
            String::new()
        };
        let _ = writeln!(out, "{p}");
    }
    out
}
