//! Why an export cannot be gathered or back-tested: each case with the file, line,
//! column or date it concerns. Its `Display` is the message without `error:` (see
//! [`crate::message`]); the command exits with code 2 for every one.

use std::fmt;

use super::backtest::ROLLING_HISTORY;
use super::columns::ColumnRole;
use super::date::{self, Date};
use crate::message::Message;
use crate::scenario::diag::did_you_mean;

/// Why an export cannot be gathered or back-tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `--sheet` was given for a CSV export.
    SheetOfCsv {
        /// The export.
        file: String,
        /// The sheet named.
        sheet: String,
    },
    /// The export holds nothing but white space.
    Empty {
        /// The export.
        file: String,
    },
    /// The CSV reader failed at `line`.
    Csv {
        /// The export.
        file: String,
        /// The line where it failed.
        line: u64,
        /// The reader's words.
        reason: String,
    },
    /// No record to take as the header.
    NoHeader {
        /// The export.
        file: String,
    },
    /// `--map` names a column the header does not have.
    UnknownMapColumn {
        /// The export.
        file: String,
        /// The header's line.
        line: u64,
        /// The column named.
        column: String,
        /// The header's columns.
        header: Vec<String>,
    },
    /// No column for roles the export needs.
    MissingColumns {
        /// The export.
        file: String,
        /// The header's line.
        line: u64,
        /// The roles without a column.
        missing: Vec<ColumnRole>,
        /// The header's columns.
        header: Vec<String>,
    },
    /// A header and no row under it.
    NoRows {
        /// The export.
        file: String,
        /// The line after the header.
        line: u64,
    },
    /// Not one date of a date column can be read.
    UnreadableDates {
        /// The export.
        file: String,
        /// The line of the column's first cell that is not blank.
        line: u64,
        /// Its column.
        column: usize,
        /// The column's role (created or close).
        role: ColumnRole,
        /// The cell's text.
        first: String,
    },
    /// Every date reads as well day first as month first.
    AmbiguousDates {
        /// The export.
        file: String,
        /// A date that could be either: its line.
        line: u64,
        /// Its text.
        text: String,
    },
    /// Some dates are written day first, others month first.
    MixedDates {
        /// The export.
        file: String,
        /// A day-first date: its line and text.
        day_first: (u64, String),
        /// A month-first date: its line and text.
        month_first: (u64, String),
    },
    /// The XLSX workbook cannot be opened.
    NotXlsx {
        /// The export.
        file: String,
        /// The reader's words.
        reason: String,
    },
    /// `--sheet` names a sheet the workbook does not have.
    UnknownSheet {
        /// The export.
        file: String,
        /// The sheet named.
        sheet: String,
        /// The workbook's sheets.
        sheets: Vec<String>,
    },
    /// The workbook has no sheet.
    NoSheet {
        /// The export.
        file: String,
    },
    /// A sheet cannot be read.
    UnreadableSheet {
        /// The export.
        file: String,
        /// The sheet.
        sheet: String,
        /// The reader's words.
        reason: String,
    },
    /// A sheet's rows cannot be turned into CSV.
    SheetToCsv {
        /// The export.
        file: String,
        /// The writer's words.
        reason: String,
    },
    /// No readable date, so nothing to measure over time.
    NothingToMeasure {
        /// The export.
        file: String,
    },
    /// No readable date, so nothing to back-test.
    NothingToBacktest {
        /// The export.
        file: String,
    },
    /// No opportunity created and none closed by the as-of date.
    NothingByAsOf {
        /// The export.
        file: String,
        /// The as-of date.
        as_of: Date,
        /// The export's last date.
        last: Date,
    },
    /// The back-test's worker threads cannot start.
    Threads(String),
    /// A `--cutoff` leaves no whole month of the export after it.
    CutoffTooLate {
        /// The cutoff.
        cutoff: Date,
        /// The as-of date.
        as_of: Date,
        /// The export's last whole month by the as-of date (`2017-03`).
        last_month: String,
    },
    /// The scenario gathered at a cutoff does not load: a fault of sopsim.
    GatheredDoesNotLoad {
        /// The cutoff.
        cutoff: Date,
        /// The loader's diagnostics, rendered.
        diagnostics: String,
    },
    /// `--rolling` finds no cutoff with enough months before and after it.
    NoRollingCutoff {
        /// The export.
        file: String,
        /// Whole months each cutoff is tested on (`--months`).
        months: u64,
        /// The first close date, if any.
        first_close: Option<Date>,
        /// The export's last whole month (`2017-03`).
        last_month: String,
    },
}

impl Error {
    /// What failed, where, and what to do.
    pub fn message(&self) -> Message {
        let at = |file: &str, line: u64, column: usize| format!("{file}:{line}:{column}");
        match self {
            Error::SheetOfCsv { file, sheet } => {
                Message::new(format!("--sheet {sheet} names a sheet of an XLSX workbook, and {file} is not one"))
                    .help("leave out --sheet for a CSV export")
            }
            Error::Empty { file } => Message::new(format!("{file} is empty"))
                .at(at(file, 1, 1))
                .expected("a CSV export with a header row naming its columns, then one row per opportunity"),
            Error::Csv { file, line, reason } => Message::new(format!("{file} cannot be read as CSV: {reason}"))
                .at(at(file, *line, 1))
                .expected("a CSV export"),
            Error::NoHeader { file } => {
                Message::new(format!("{file} has no header row")).at(at(file, 1, 1)).expected("a header row")
            }
            Error::UnknownMapColumn { file, line, column, header } => {
                Message::new(format!("--map names the column `{column}`, which the header does not have"))
                    .at(at(file, *line, 1))
                    .expected(format!("one of the header's columns: {}", header.join(", ")))
                    .maybe_help(did_you_mean(column, header.iter().map(String::as_str)))
            }
            Error::MissingColumns { file, line, missing, header } => {
                let names: Vec<&str> = missing.iter().map(|r| r.name()).collect();
                let known: Vec<String> =
                    missing.iter().map(|r| format!("{}: {}", r.name(), r.headers().join(" / "))).collect();
                Message::new(format!("the header has no column for: {}", names.join(", ")))
                    .at(at(file, *line, 1))
                    .expected(format!(
                        "a column for each of id (optional), owner, stage, created, close, amount; recognised \
                         headers (compared in lower case, letters and digits only): {}",
                        known.join("; ")
                    ))
                    .help(format!(
                        "the header reads: {}; name a column's role with --map, e.g. --map \"{}={}\"",
                        header.join(", "),
                        header.first().map_or("Column", String::as_str),
                        names.first().copied().unwrap_or_default()
                    ))
            }
            Error::NoRows { file, line } => Message::new(format!("{file} has a header but no rows"))
                .at(at(file, *line, 1))
                .expected("one row per opportunity"),
            Error::UnreadableDates { file, line, column, role, first } => {
                Message::new(format!("no {} date can be read: the first reads `{first}`", role.name()))
                    .at(at(file, *line, *column))
                    .expected(format!("dates written {}", date::FORMS))
                    .help("convert the column to YYYY-MM-DD, or --map another column to this role")
            }
            Error::AmbiguousDates { file, line, text } => Message::new(format!(
                "the dates of {file} read as well day first as month first: `{text}` could be either, and no date \
                 has a day above 12 to tell"
            ))
            .at(format!("{file}:{line}"))
            .help(
                "say the order with --date-format DMY (day first, as in the UK and most of Europe) or \
                 --date-format MDY (month first, as in the US)",
            ),
            Error::MixedDates { file, day_first: (dl, dt), month_first: (ml, mt) } => Message::new(format!(
                "the dates of {file} are written both day first (`{dt}`, line {dl}) and month first (`{mt}`, line \
                 {ml})"
            ))
            .at(format!("{file}:{ml}"))
            .help(
                "write them in one form (YYYY-MM-DD is read whatever the locale), or say --date-format DMY or MDY \
                 to read the others as unreadable",
            ),
            Error::NotXlsx { file, reason } => {
                Message::new(format!("{file} cannot be read as an XLSX workbook: {reason}"))
                    .at(file.as_str())
                    .help("save the export as .xlsx or .csv")
            }
            Error::UnknownSheet { file, sheet, sheets } => Message::new(format!(
                "--sheet {sheet}: {file} has no sheet of that name; its sheets are: {}",
                sheets.join(", ")
            ))
            .at(file.as_str())
            .maybe_help(did_you_mean(sheet, sheets.iter().map(String::as_str))),
            Error::NoSheet { file } => Message::new(format!("{file} has no sheet")).at(file.as_str()),
            Error::UnreadableSheet { file, sheet, reason } => {
                Message::new(format!("the sheet `{sheet}` of {file} cannot be read: {reason}")).at(file.as_str())
            }
            Error::SheetToCsv { file, reason } => Message::new(reason.as_str()).at(file.as_str()),
            Error::NothingToMeasure { file } => {
                Message::new(format!("{file} holds no readable date, so nothing can be measured over time"))
            }
            Error::NothingToBacktest { file } => {
                Message::new(format!("{file} holds no readable date, so nothing can be back-tested"))
            }
            Error::NothingByAsOf { file, as_of, last } => {
                Message::new(format!("{file} has no opportunity created and none closed by the as-of date {as_of}"))
                    .help(format!("give a later --as-of (the export runs to {last})"))
            }
            Error::Threads(reason) => Message::new(reason.as_str()),
            Error::CutoffTooLate { cutoff, as_of, last_month } => Message::new(format!(
                "--cutoff {cutoff} leaves no whole month of the export after it (its last whole month by the as-of \
                 date {as_of} is {last_month})"
            ))
            .help(format!("give a cutoff before {last_month}, or a later --as-of")),
            Error::GatheredDoesNotLoad { cutoff, diagnostics } => Message::new(format!(
                "the scenario gathered at {cutoff} does not load, which is a fault of sopsim:\n{diagnostics}"
            )),
            Error::NoRollingCutoff { file, months, first_close, last_month } => {
                let closes = first_close.map_or("no closed deal".to_string(), |c| format!("closed deals from {c}"));
                Message::new(format!(
                    "--rolling finds no cutoff in {file}: it needs {ROLLING_HISTORY} whole months of closed deals \
                     before a cutoff and {months} whole months after it, and the export has {closes} to the end of \
                     {last_month}"
                ))
                .help("lower --months, or give --cutoff dates")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}
