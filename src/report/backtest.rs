//! The files and terminal text of `sopsim backtest`: `backtest.csv` (every actual
//! against its forecast), `calibration.csv` (each cutoff's coverage, rank, CRPS and the
//! first quarter against the naive forecasts) and, for each of the first three cutoffs,
//! a fan chart of monthly bookings with the actuals drawn on it and a chart of the
//! bookings split into open pipeline and new deals.

use std::fmt::Write as _;

use super::OutputFile;
use super::charts::build::month_ticks;
use super::charts::spec::{Band, Bars, Chart, Line, Monthly, Plot, Stroke, Unit};
use super::charts::theme::{NAVY, PALETTE, RED};
use crate::format::{money, percent};
use crate::gather::backtest::{Backtest, Calibration, Cutoff, calibration};
use crate::gather::date::month_label;
use crate::month::YearMonth;

/// Chart names of the first three cutoffs.
const CHARTS: [&str; 3] = ["backtest_1", "backtest_2", "backtest_3"];
/// Chart names of their bookings split into open pipeline and new deals.
const SPLITS: [&str; 3] = ["backtest_split_1", "backtest_split_2", "backtest_split_3"];

/// A number cell: empty for a missing value.
fn cell(v: f64) -> String {
    if v.is_finite() { super::csv::number(v) } else { String::new() }
}

/// The tables and charts of a back-test (charts drawn by the caller).
pub fn tables(bt: &Backtest) -> Result<Vec<OutputFile>, String> {
    let mut rows = Vec::new();
    for c in &bt.cutoffs {
        for r in &c.rows {
            let mut row = vec![c.date.to_string(), month_label(r.month), r.metric.to_string(), cell(r.actual)];
            row.extend(r.quantiles.iter().map(|q| cell(*q)));
            row.push(cell(r.rank));
            row.push(cell(r.crps));
            rows.push(row);
        }
    }
    let header = ["cutoff", "month", "metric", "actual", "p10", "p25", "p50", "p75", "p90", "percentile_rank", "crps"];
    let mut files = vec![super::csv::table("backtest.csv", &header, &rows)?];
    let mut rows = Vec::new();
    for c in &bt.cutoffs {
        let k = calibration([c], "bookings");
        let q = &c.quarter;
        rows.push(vec![
            c.date.to_string(),
            k.n.to_string(),
            cell(k.within_80),
            cell(k.within_50),
            cell(k.mean_rank),
            cell(k.crps),
            q.months.to_string(),
            cell(q.actual),
            cell(q.p50),
            cell(q.run_rate),
            cell(q.weighted_pipeline),
        ]);
    }
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
    ];
    files.push(super::csv::table("calibration.csv", &header, &rows)?);
    Ok(files)
}

/// A fan chart of monthly bookings after each of the first three cutoffs, with the
/// actuals drawn on it, then a chart of each one's bookings split into open pipeline and
/// new deals.
pub fn charts(bt: &Backtest, source: &str) -> Vec<Chart> {
    let mut charts: Vec<Chart> = bt.cutoffs.iter().zip(CHARTS).map(|(c, name)| chart(c, name, source)).collect();
    charts.extend(bt.cutoffs.iter().zip(SPLITS).map(|(c, name)| split_chart(c, name, source)));
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
    let rows = |metric: &str| c.rows.iter().filter(|r| r.metric == metric).collect::<Vec<_>>();
    let (open, new, total) = (rows("bookings_open_pipeline"), rows("bookings_new_deals"), rows("bookings"));
    let p50 = |rows: &[&crate::gather::backtest::Row]| rows.iter().map(|r| r.quantiles[2]).collect::<Vec<f64>>();
    let (open_p50, new_p50) = (p50(&open), p50(&new));
    let sum = |v: &[f64]| v.iter().filter(|v| v.is_finite()).sum::<f64>();
    let actual = |rows: &[&crate::gather::backtest::Row]| rows.iter().map(|r| r.actual).collect::<Vec<f64>>();
    let (months, ticks) = month_axis(c, total.len());
    let plot = Monthly {
        bars: vec![
            Bars {
                label: "New deals (P50)".into(),
                color: PALETTE[1],
                values: open_p50.iter().zip(&new_p50).map(|(o, n)| o + n).collect(),
                whiskers: None,
            },
            Bars {
                label: "Open pipeline at the cutoff (P50)".into(),
                color: NAVY,
                values: open_p50.clone(),
                whiskers: None,
            },
        ],
        lines: vec![
            Line { label: "Actual".into(), color: RED, stroke: Stroke::Solid, values: actual(&total) },
            Line {
                label: "Actual from the open pipeline".into(),
                color: RED,
                stroke: Stroke::Dashed,
                values: actual(&open),
            },
        ],
        ..Monthly::new(months, ticks, Unit::Money, "Bookings a month")
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

fn chart(c: &Cutoff, name: &'static str, source: &str) -> Chart {
    let rows: Vec<_> = c.rows.iter().filter(|r| r.metric == "bookings").collect();
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
        ..Monthly::new(months, ticks, Unit::Money, "Bookings a month")
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

fn line(out: &mut String, what: &str, k: &Calibration, unit: Unit) {
    let _ = writeln!(
        out,
        "  {what:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        k.n,
        percent(k.within_80),
        percent(k.within_50),
        format!("{:.2}", k.mean_rank),
        match unit {
            Unit::Money => money(k.crps),
            Unit::Count => format!("{:.0}", k.crps),
            Unit::Percent => format!("{:.3}", k.crps),
        },
    );
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
        bt.trials,
        bt.seed
    );
    let _ = writeln!(
        out,
        "  {:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        "monthly", "months", "in P10-90", "in P25-75", "mean rank", "CRPS"
    );
    for (metric, what, unit) in [
        ("bookings", "bookings", Unit::Money),
        ("bookings_open_pipeline", "  from the open pipeline", Unit::Money),
        ("bookings_new_deals", "  from new deals", Unit::Money),
        ("won_deals", "won deals", Unit::Count),
        ("win_rate", "win rate", Unit::Percent),
    ] {
        line(&mut out, what, &calibration(&bt.cutoffs, metric), unit);
    }
    let _ = writeln!(out, "  (calibrated: 80% in P10-90, 50% in P25-75, mean rank 0.50)");
    let _ = writeln!(out, "  first quarter's bookings      actual  sopsim P50   run rate   pipeline");
    for c in &bt.cutoffs {
        let q = &c.quarter;
        let _ = writeln!(
            out,
            "  after {} ({} months) {:>10} {:>11} {:>10} {:>10}",
            c.date,
            q.months,
            money(q.actual),
            money(q.p50),
            money(q.run_rate),
            money(q.weighted_pipeline)
        );
    }
    let err = |f: &dyn Fn(&crate::gather::backtest::Quarter) -> f64| {
        let v: Vec<f64> =
            bt.cutoffs.iter().map(|c| (f(&c.quarter) - c.quarter.actual).abs()).filter(|v| v.is_finite()).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let _ = writeln!(
        out,
        "  mean absolute error          {:>22} {:>10} {:>10}",
        money(err(&|q| q.p50)),
        money(err(&|q| q.run_rate)),
        money(err(&|q| q.weighted_pipeline))
    );
    let _ = writeln!(out, "\n  wrote {} in {dir}", written.join(", "));
    out
}
