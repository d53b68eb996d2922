//! The files and terminal text of `sopsim backtest`: `backtest.csv` (every actual
//! against its forecast), `calibration.csv` (each cutoff's coverage, rank, CRPS and the
//! first quarter against the naive forecasts, then a summary row `all` with sopsim's
//! skill), for each of the first three cutoffs a fan chart of monthly bookings with the
//! actuals drawn on it and a chart of the bookings split into open pipeline and new
//! deals, and a histogram of the bookings' percentile ranks over all cutoffs.

use std::fmt::Write as _;

use super::OutputFile;
use super::charts::build::{month_ticks, split_bars};
use super::charts::spec::{Band, Bars, Chart, Line, Monthly, Notation, Plot, Stroke};
use super::charts::theme::{GREY, NAVY, RED};
use crate::engine::metrics;
use crate::format::{money, percent};
use crate::gather::backtest::{Backtest, Calibration, Cutoff, Metric, calibration, pit_histogram, skill};
use crate::gather::date::month_label;
use crate::month::YearMonth;

/// Chart names of the first three cutoffs.
const CHARTS: [&str; 3] = ["backtest_1", "backtest_2", "backtest_3"];
/// Chart names of their bookings split into open pipeline and new deals.
const SPLITS: [&str; 3] = ["backtest_split_1", "backtest_split_2", "backtest_split_3"];
/// Bins of the percentile-rank histogram.
pub const PIT_BINS: usize = 10;

/// A number cell: empty for a missing value.
fn cell(v: f64) -> String {
    if v.is_finite() { super::csv::number(v) } else { String::new() }
}

/// The tables and charts of a back-test (charts drawn by the caller).
pub fn tables(bt: &Backtest) -> Result<Vec<OutputFile>, super::Error> {
    let mut rows = Vec::new();
    for c in &bt.cutoffs {
        for r in &c.rows {
            let mut row = vec![c.date.to_string(), month_label(r.month), r.metric.name().to_string(), cell(r.actual)];
            row.extend(r.quantiles.iter().map(|q| cell(*q)));
            row.push(cell(r.rank));
            row.push(cell(r.crps));
            rows.push(row);
        }
    }
    let header = ["cutoff", "month", "metric", "actual", "p10", "p25", "p50", "p75", "p90", "percentile_rank", "crps"];
    let mut files = vec![super::csv::table("backtest.csv", &header, &rows)?];
    let mut rows = Vec::new();
    let calibrated =
        |k: Calibration| [k.n.to_string(), cell(k.within_80), cell(k.within_50), cell(k.mean_rank), cell(k.crps)];
    for c in &bt.cutoffs {
        let q = &c.quarter;
        let mut row = vec![c.date.to_string()];
        row.extend(calibrated(calibration([c], Metric::Bookings)));
        row.extend([q.months.to_string(), cell(q.actual), cell(q.p50), cell(q.run_rate), cell(q.weighted_pipeline)]);
        row.extend(q.errors().map(cell));
        row.extend([String::new(), String::new()]);
        rows.push(row);
    }
    // The summary: every cutoff's months, the mean absolute errors and their ratios.
    let k = skill(bt.cutoffs.iter().map(|c| &c.quarter));
    let mut row = vec!["all".to_string()];
    row.extend(calibrated(calibration(&bt.cutoffs, Metric::Bookings)));
    row.extend(std::iter::repeat_n(String::new(), 5));
    row.extend([k.p50, k.run_rate, k.weighted_pipeline, k.vs_run_rate(), k.vs_weighted_pipeline()].map(cell));
    rows.push(row);
    let header = [
        "cutoff",
        "months",
        "bookings_within_p10_p90",
        "bookings_within_p25_p75",
        "bookings_mean_rank",
        "bookings_crps",
        "quarter_months",
        "quarter_actual",
        "quarter_p50",
        "quarter_run_rate",
        "quarter_weighted_pipeline",
        "quarter_error_p50",
        "quarter_error_run_rate",
        "quarter_error_weighted_pipeline",
        "skill_vs_run_rate",
        "skill_vs_weighted_pipeline",
    ];
    files.push(super::csv::table("calibration.csv", &header, &rows)?);
    Ok(files)
}

/// A fan chart of monthly bookings after each of the first three cutoffs, with the
/// actuals drawn on it, then a chart of each one's bookings split into open pipeline and
/// new deals, then the histogram of the percentile ranks.
pub fn charts(bt: &Backtest, source: &str) -> Vec<Chart> {
    let mut charts: Vec<Chart> = bt.cutoffs.iter().zip(CHARTS).map(|(c, name)| chart(c, name, source)).collect();
    charts.extend(bt.cutoffs.iter().zip(SPLITS).map(|(c, name)| split_chart(c, name, source)));
    charts.push(pit_chart(bt, source));
    charts
}

/// The month labels and ticks of a cutoff's `n` months.
fn month_axis(c: &Cutoff, n: usize) -> (Vec<String>, Vec<usize>) {
    let start = YearMonth::new(c.start.div_euclid(12), (c.start.rem_euclid(12) + 1) as u32);
    let months = (0..n)
        .map(|t| start.map_or_else(|| month_label(c.start + t as i32), |s| s.offset(t as i64).short_label()))
        .collect();
    let ticks = start.map_or_else(|| (0..n).collect(), |s| month_ticks(s, n));
    (months, ticks)
}

/// Monthly bookings after a cutoff: the P50 of the open pipeline's and of the new
/// deals' stacked, with the actual total and its open-pipeline part drawn on them.
fn split_chart(c: &Cutoff, name: &'static str, source: &str) -> Chart {
    let rows = |metric: Metric| c.rows.iter().filter(|r| r.metric == metric).collect::<Vec<_>>();
    let (open, new, total) =
        (rows(Metric::BookingsOpenPipeline), rows(Metric::BookingsNewDeals), rows(Metric::Bookings));
    let p50 = |rows: &[&crate::gather::backtest::Row]| rows.iter().map(|r| r.quantiles[2]).collect::<Vec<f64>>();
    let (open_p50, new_p50) = (p50(&open), p50(&new));
    let sum = |v: &[f64]| v.iter().filter(|v| v.is_finite()).sum::<f64>();
    let actual = |rows: &[&crate::gather::backtest::Row]| rows.iter().map(|r| r.actual).collect::<Vec<f64>>();
    let (months, ticks) = month_axis(c, total.len());
    let plot = Monthly {
        bars: split_bars(
            ("New deals (P50)", open_p50.iter().zip(&new_p50).map(|(o, n)| o + n).collect()),
            ("Open pipeline at the cutoff (P50)", open_p50.clone()),
        ),
        lines: vec![
            Line { label: "Actual".into(), color: RED, stroke: Stroke::Solid, values: actual(&total) },
            Line {
                label: "Actual from the open pipeline".into(),
                color: RED,
                stroke: Stroke::Dashed,
                values: actual(&open),
            },
        ],
        ..Monthly::new(months, ticks, Notation::Money, "Bookings a month")
    };
    Chart {
        name,
        title: format!(
            "The open pipeline booked {} (P50 {}), new deals {} (P50 {})",
            money(sum(&actual(&open))),
            money(sum(&open_p50)),
            money(sum(&actual(&new))),
            money(sum(&new_p50))
        ),
        subtitle: format!(
            "After {}: monthly P50s of the deals open at the cutoff and of those created after it, stacked; actual in red, its open-pipeline part dashed",
            c.date
        ),
        source: source.to_string(),
        plot: Plot::Monthly(plot),
    }
}

/// The histogram of the monthly bookings' percentile ranks over all cutoffs, against
/// the uniform share of a calibrated forecast. The positions are the rank bins.
fn pit_chart(bt: &Backtest, source: &str) -> Chart {
    let counts = pit_histogram(&bt.cutoffs, Metric::Bookings, PIT_BINS);
    let n: usize = counts.iter().sum();
    let below: usize = counts[..PIT_BINS / 2].iter().sum();
    let k = calibration(&bt.cutoffs, Metric::Bookings);
    let width = 100 / PIT_BINS;
    let bins: Vec<String> = (0..PIT_BINS).map(|b| format!("{}–{}%", b * width, (b + 1) * width)).collect();
    let plot = Monthly {
        bars: vec![Bars {
            label: "Months of actual bookings, by percentile rank".into(),
            color: NAVY,
            values: counts.iter().map(|&c| c as f64 / n.max(1) as f64).collect(),
            whiskers: None,
        }],
        lines: vec![Line {
            label: format!("Calibrated: {width}% in each"),
            color: GREY,
            stroke: Stroke::Dashed,
            values: vec![1.0 / PIT_BINS as f64; PIT_BINS],
        }],
        ..Monthly::new(bins, (0..PIT_BINS).collect(), Notation::Percent, "Share of the months")
    };
    Chart {
        name: "backtest_pit",
        title: format!("Actual bookings fell below the forecast's P50 in {below} of {n} months"),
        subtitle: format!(
            "Percentile rank of each month's actual bookings among the trials, {} cutoff{}: {} inside P10–P90 (80% if calibrated), mean rank {:.2} (0.50)",
            bt.cutoffs.len(),
            if bt.cutoffs.len() == 1 { "" } else { "s" },
            percent(k.within_80),
            k.mean_rank
        ),
        source: source.to_string(),
        plot: Plot::Monthly(plot),
    }
}

fn chart(c: &Cutoff, name: &'static str, source: &str) -> Chart {
    let rows: Vec<_> = c.rows.iter().filter(|r| r.metric == Metric::Bookings).collect();
    let (months, ticks) = month_axis(c, rows.len());
    let q = |k: usize| rows.iter().map(|r| r.quantiles[k]).collect::<Vec<f64>>();
    let inside = rows.iter().filter(|r| r.quantiles[0] <= r.actual && r.actual <= r.quantiles[4]).count();
    let plot = Monthly {
        bands: vec![
            Band { label: "P10–P90".into(), color: NAVY, opacity: 0.16, low: q(0), high: q(4) },
            Band { label: "P25–P75".into(), color: NAVY, opacity: 0.28, low: q(1), high: q(3) },
        ],
        lines: vec![
            Line { label: "P50 (median)".into(), color: NAVY, stroke: Stroke::Dashed, values: q(2) },
            Line {
                label: "Actual".into(),
                color: RED,
                stroke: Stroke::Solid,
                values: rows.iter().map(|r| r.actual).collect(),
            },
        ],
        ..Monthly::new(months, ticks, Notation::Money, "Bookings a month")
    };
    Chart {
        name,
        title: format!(
            "Actual bookings inside the P10–P90 forecast in {inside} of {} months after {}",
            rows.len(),
            c.date
        ),
        subtitle: "Forecast gathered from what the export knew at the cutoff; actual in red".into(),
        source: source.to_string(),
        plot: Plot::Monthly(plot),
    }
}

fn line(out: &mut String, what: &str, k: &Calibration, unit: metrics::Unit) {
    let _ = writeln!(
        out,
        "  {what:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        k.n,
        percent(k.within_80),
        percent(k.within_50),
        format!("{:.2}", k.mean_rank),
        match unit {
            metrics::Unit::Money => money(k.crps),
            metrics::Unit::Count => format!("{:.0}", k.crps),
            metrics::Unit::Share => format!("{:.3}", k.crps),
        },
    );
}

/// A ratio to two decimals, `n/a` when unknown.
fn ratio(v: f64) -> String {
    if v.is_finite() { format!("{v:.2}") } else { "n/a".to_string() }
}

/// The terminal summary.
pub fn text(bt: &Backtest, file: &str, dir: &str, written: &[String]) -> String {
    let mut out = String::new();
    let dates: Vec<String> = bt.cutoffs.iter().map(|c| c.date.to_string()).collect();
    let _ = writeln!(
        out,
        "Back-test of {file}: {} cutoff{} ({}), {} trials each, seed {}",
        dates.len(),
        if dates.len() == 1 { "" } else { "s" },
        dates.join(", "),
        crate::format::thousands(bt.trials),
        bt.seed
    );
    let _ = writeln!(out, "  as of {}: {}; no month after it is scored", bt.as_of.date, bt.as_of.why);
    let _ = writeln!(
        out,
        "  {:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        "monthly", "months", "in P10-90", "in P25-75", "mean rank", "CRPS"
    );
    for metric in Metric::ALL {
        if let Some(what) = metric.label() {
            line(&mut out, what, &calibration(&bt.cutoffs, metric), metric.unit());
        }
    }
    let _ = writeln!(out, "  (calibrated: 80% in P10-90, 50% in P25-75, mean rank 0.50)");
    let quarter = |out: &mut String, what: &str, cells: [String; 4]| {
        let [a, b, c, d] = cells;
        let _ = writeln!(out, "  {what:<27} {a:>10} {b:>11} {c:>10} {d:>10}");
    };
    quarter(&mut out, "first quarter's bookings", ["actual", "sopsim P50", "run rate", "pipeline"].map(String::from));
    for c in &bt.cutoffs {
        let q = &c.quarter;
        let what = format!("after {} ({} months)", c.date, q.months);
        quarter(&mut out, &what, [q.actual, q.p50, q.run_rate, q.weighted_pipeline].map(money));
    }
    let k = skill(bt.cutoffs.iter().map(|c| &c.quarter));
    quarter(
        &mut out,
        "mean absolute error",
        [String::new(), money(k.p50), money(k.run_rate), money(k.weighted_pipeline)],
    );
    quarter(
        &mut out,
        "skill (sopsim's error over)",
        [String::new(), String::new(), ratio(k.vs_run_rate()), ratio(k.vs_weighted_pipeline())],
    );
    let _ = writeln!(out, "  (skill below 1: sopsim's P50 was nearer than that forecast)");
    let _ = writeln!(out, "\n  wrote {} in {dir}", written.join(", "));
    out
}
