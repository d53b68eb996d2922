//! The files and terminal text of `sopsim backtest`: `backtest.csv` (every actual
//! against its forecast), `calibration.csv` (each cutoff's coverage, rank, CRPS and the
//! first quarter against the naive forecasts) and a fan chart of monthly bookings with
//! the actuals drawn on it, for each of the first three cutoffs.

use std::fmt::Write as _;

use super::OutputFile;
use super::charts::build::month_ticks;
use super::charts::spec::{Band, Chart, Line, Monthly, Plot, Stroke, Unit};
use super::charts::theme::{NAVY, RED};
use crate::format::{money, percent};
use crate::gather::backtest::{Backtest, Calibration, Cutoff, calibration};
use crate::gather::date::month_label;
use crate::month::YearMonth;

/// Chart names of the first three cutoffs.
const CHARTS: [&str; 3] = ["backtest_1", "backtest_2", "backtest_3"];

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
/// actuals drawn on it.
pub fn charts(bt: &Backtest, source: &str) -> Vec<Chart> {
    bt.cutoffs.iter().zip(CHARTS).map(|(c, name)| chart(c, name, source)).collect()
}

fn chart(c: &Cutoff, name: &'static str, source: &str) -> Chart {
    let rows: Vec<_> = c.rows.iter().filter(|r| r.metric == "bookings").collect();
    let start = YearMonth::new(c.start.div_euclid(12), (c.start.rem_euclid(12) + 1) as u32);
    let months: Vec<String> = (0..rows.len())
        .map(|t| start.map_or_else(|| month_label(c.start + t as i32), |s| s.offset(t as i64).short_label()))
        .collect();
    let q = |k: usize| rows.iter().map(|r| r.quantiles[k]).collect::<Vec<f64>>();
    let inside = rows.iter().filter(|r| r.quantiles[0] <= r.actual && r.actual <= r.quantiles[4]).count();
    let ticks = start.map_or_else(|| (0..rows.len()).collect(), |s| month_ticks(s, rows.len()));
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

fn line(out: &mut String, what: &str, k: &Calibration) {
    let _ = writeln!(
        out,
        "  {what:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        k.n,
        percent(k.within_80),
        percent(k.within_50),
        format!("{:.2}", k.mean_rank),
        match what {
            "bookings" => money(k.crps),
            "won deals" => format!("{:.0}", k.crps),
            _ => format!("{:.3}", k.crps),
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
    let _ = writeln!(out, "  as of {}: {}; no month after it is scored", bt.as_of.date, bt.as_of.why);
    let _ = writeln!(
        out,
        "  {:<28} {:>6} {:>9} {:>9} {:>9} {:>10}",
        "monthly", "months", "in P10-90", "in P25-75", "mean rank", "CRPS"
    );
    for (metric, what) in [("bookings", "bookings"), ("won_deals", "won deals"), ("win_rate", "win rate")] {
        line(&mut out, what, &calibration(&bt.cutoffs, metric));
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
