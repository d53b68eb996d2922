//! `sopsim gather`: a ready-to-run scenario fitted from a CRM opportunity export.
//!
//! [`read`] turns the export into opportunities (outcome, dates, amount, owner,
//! segment) and counts its quirks. Then three stages: [`measure`] takes what was known
//! at the as-of date (a deal closed after it is open at it) as counts and dates;
//! [`fitted`] estimates from them each segment's win rate, deal size and cycle, the
//! monthly volume's level and trend, the closers on staff and their load, the spread
//! between reps and the open pipeline, with [`fit`]'s statistics, into a typed scenario
//! that keeps each value's evidence (count, window, method); and [`render`] writes it,
//! each key commented with that evidence. It never writes a number it did not measure
//! without saying so in the comment beside it. The back-test simulates the fitted
//! scenario as it is ([`fitted::Fitted::scenario`]). What stops it is an [`Error`],
//! with the file, line and column it concerns.

pub mod amount;
pub mod asof;
pub mod backtest;
pub mod closers;
mod columns;
pub mod date;
mod doc;
mod error;
mod estimate;
pub mod fit;
pub mod fitted;
pub mod measure;
pub mod read;
mod render;
pub mod resolve;
mod rows;
pub mod stages;
pub mod timing;
mod words;
pub mod xlsx;

use date::Date;
pub use error::Error;
use fitted::Fitted;
use read::{Export, ReadOptions};

/// How to gather.
#[derive(Debug, Clone)]
pub struct Options {
    /// Columns, won and lost stages.
    pub read: ReadOptions,
    /// What is known: the export up to this date (default: its last date).
    pub as_of: Option<Date>,
    /// Months the scenario simulates.
    pub months: u64,
    /// The month the company's fiscal year starts in, 0 for January (as the scenario
    /// holds `fiscal_year_start`, taken modulo 12): the quarter timing and the cycles by
    /// month of the quarter are measured on its fiscal quarters, and the scenario says
    /// so. `None`: calendar quarters, and the scenario marks `fiscal_year_start` SET.
    pub fiscal_year_start: Option<u32>,
}

/// A gathered scenario.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The scenario's TOML text.
    pub toml: String,
    /// The export's quirks, one line each.
    pub warnings: Vec<String>,
    /// A few lines saying what was measured.
    pub summary: Vec<String>,
    /// The as-of date.
    pub as_of: Date,
}

/// Days before the as-of date in which an owner's activity makes them a closer on staff.
pub const ACTIVE_DAYS: i32 = 90;

/// Fewest closed deals (and won cycles) of mature cohorts to measure from; with fewer,
/// every closed deal is used, and the comment says so.
pub const MIN_MATURE: usize = 30;

/// Gathers the export `bytes` of `file`.
pub fn gather(file: &str, bytes: &[u8], options: &Options) -> Result<Gathered, Error> {
    let export = read::read(file, bytes, &options.read)?;
    from_export(&export, options.as_of, options.months, options.fiscal_year_start)
}

/// Measures a read export as of `as_of` (default: its last date) and fits a scenario of
/// `months` months from it, on the quarters of a fiscal year starting in month
/// `fiscal_year_start` ([`Options::fiscal_year_start`]); the back-test reads its export
/// once and fits it at each cutoff.
pub fn fit_export(
    export: &Export,
    as_of: Option<Date>,
    months: u64,
    fiscal_year_start: Option<u32>,
) -> Result<Fitted, Error> {
    let measured = measure::measure(export, as_of)?;
    Ok(estimate::fit(measured, months, fiscal_year_start))
}

/// Gathers a read export as of `as_of` for a scenario of `months` months on the quarters
/// of a fiscal year starting in month `fiscal_year_start`: measured, fitted and written.
pub fn from_export(
    export: &Export,
    as_of: Option<Date>,
    months: u64,
    fiscal_year_start: Option<u32>,
) -> Result<Gathered, Error> {
    let fitted = fit_export(export, as_of, months, fiscal_year_start)?;
    Ok(Gathered { toml: fitted.toml(), warnings: fitted.warnings, summary: fitted.summary, as_of: fitted.as_of })
}
