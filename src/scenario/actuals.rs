//! `[[actuals]]` (or `--actuals FILE.csv`): the months of the plan that already
//! happened, from `scenario.start` in order, each with what is known of it: ARR at the
//! month's end, the month's bookings, the open pipeline and headcount by role at the
//! month's end.
//!
//! A run with actuals plays the plan's months as before (so the plan's own forecast of
//! them is kept, as the `plan.*` metrics), reports the actual values in those months,
//! and from the end of the last one goes on from the real state (see docs/MODEL.md
//! section 4.15).

use std::fmt;
use std::path::Path;

use super::diag::{Diagnostic, Span, did_you_mean};
use super::names::reference;
use super::read::group_digits;
use super::read::{Reader, Tbl};
use super::{MAX_MONEY, MAX_PEOPLE, MAX_STAFF_MONTHS, Scenario};
use crate::message::Message;
use crate::month::YearMonth;

/// What is known of one month that already happened; `None`: not given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actual {
    /// ARR at the end of the month.
    pub arr: Option<f64>,
    /// New ARR booked in the month.
    pub bookings: Option<f64>,
    /// Value of the opportunities open at the end of the month.
    pub pipeline: Option<f64>,
    /// People on staff at the end of the month, by role index.
    pub headcount: Vec<Option<u32>>,
}

impl Actual {
    /// Whether the month gives any value.
    fn is_empty(&self) -> bool {
        self.arr.is_none()
            && self.bookings.is_none()
            && self.pipeline.is_none()
            && self.headcount.iter().all(Option::is_none)
    }
}

/// Reads `[[actuals]]` (optional). `dating` is the start and horizon when both are
/// valid; `roles` the role ids in file order.
pub fn read_actuals(
    r: &mut Reader,
    top: &mut Tbl<'_>,
    dating: Option<(YearMonth, usize)>,
    roles: &[&str],
) -> Option<Vec<Actual>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (k, mut t) in r.array_of_tables(top, "actuals").into_iter().enumerate() {
        let month = r.month(&mut t, "month");
        if !t.has("month") {
            r.missing(&t, "month", "the month that happened, e.g. month = \"2027-01\"");
            ok = false;
        }
        if let (Some(month), Some((start, months))) = (month, dating) {
            let span = t.entries().iter().find(|e| e.key == "month").map(|e| e.node.span);
            if let Err(problem) = check_month(month, k, start, months) {
                r.error(diagnostic(span, t.key_path("month"), problem.message()));
                ok = false;
            }
        }
        let mut actual = Actual { headcount: vec![None; roles.len()], ..Actual::default() };
        actual.arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
        ok &= actual.arr.is_some() || !t.has("arr");
        actual.bookings = r.number(&mut t, "bookings", 0.0, MAX_MONEY);
        ok &= actual.bookings.is_some() || !t.has("bookings");
        actual.pipeline = r.number(&mut t, "pipeline", 0.0, MAX_MONEY);
        ok &= actual.pipeline.is_some() || !t.has("pipeline");
        match r.table(&mut t, "headcount") {
            Some(h) => {
                for e in h.entries() {
                    let path = h.key_path(&e.key);
                    let role = reference(r, e.key_span, path.clone(), "role", &e.key, roles);
                    let count = r.count_node(&e.node, path, MAX_PEOPLE);
                    match (role, count) {
                        (Some(role), Some(n)) => actual.headcount[role] = Some(n as u32),
                        _ => ok = false,
                    }
                }
                h.accept_all();
            }
            None => ok &= !t.has("headcount"),
        }
        if ok && actual.is_empty() {
            r.warn(Some(t.span), t.path.clone(), "this month of actuals gives no arr, bookings, pipeline or headcount");
        }
        r.finish(t);
        out.push(actual);
    }
    if let (true, Some((_, months))) = (ok, dating)
        && let Some(people) = too_many_people(&out, months)
    {
        let span = top.entries().iter().find(|e| e.key == "actuals").map(|e| e.key_span);
        r.error(diagnostic(span, "actuals".into(), too_many_people_message(people, months)));
        ok = false;
    }
    ok.then_some(out)
}

/// An error of the scenario's reader at `span` for key `path`, in `message`'s words.
fn diagnostic(span: Option<Span>, path: String, message: Message) -> Diagnostic {
    Diagnostic { expected: message.expected, help: message.help, ..Diagnostic::error(span, path, message.text) }
}

/// The people the actual headcounts put on staff (each role's most), when, carried over
/// the horizon, they would be more person-months than a trial may simulate: the people
/// the actuals put on staff come on top of the roles' own (bounded by
/// [`MAX_STAFF_MONTHS`] when the roles are read).
fn too_many_people(actuals: &[Actual], months: usize) -> Option<u64> {
    let roles = actuals.first().map_or(0, |a| a.headcount.len());
    let most: u64 = (0..roles).map(|r| actuals.iter().filter_map(|a| a.headcount[r]).max().map_or(0, u64::from)).sum();
    (most * months as u64 > MAX_STAFF_MONTHS).then_some(most)
}

/// Why `people` on staff over `months` months are refused.
fn too_many_people_message(people: u64, months: usize) -> Message {
    Message::new(format!(
        "the actual headcounts add up to {} people, {} person-months over {months} months",
        group_digits(people),
        group_digits(people * months as u64)
    ))
    .expected(format!("at most {} person-months", group_digits(MAX_STAFF_MONTHS)))
    .help("check the headcount columns: they count people, not cost")
}

/// Why a month of actuals is out of place, in the scenario's `[[actuals]]` or a CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthProblem {
    /// A month past the horizon of `months` months from `start`.
    PastHorizon {
        /// The scenario's first month.
        start: YearMonth,
        /// The horizon.
        months: usize,
    },
    /// The `k`-th month (from 0) is `month`, not `expected`.
    OutOfOrder {
        /// Which month of the actuals, from 0.
        k: usize,
        /// The month given.
        month: YearMonth,
        /// The month it should be, `start` + `k`.
        expected: YearMonth,
        /// The scenario's first month.
        start: YearMonth,
    },
}

impl MonthProblem {
    /// What is wrong, what was expected and what to do.
    fn message(self) -> Message {
        match self {
            MonthProblem::PastHorizon { start, months } => {
                Message::new(format!("the actuals run past the horizon ({months} months from {start})"))
                    .expected(format!(
                        "at most {months} months of actuals, the last one {}",
                        start.offset(months as i64 - 1)
                    ))
                    .help("drop the months after the horizon, or raise scenario.months")
            }
            MonthProblem::OutOfOrder { k, month, expected, start } => {
                Message::new(format!("month {k} of the actuals is {month}"))
                    .expected(format!(
                        "{expected}: the actuals are the months from scenario.start ({start}) in order, with no gap"
                    ))
                    .help("list every month from the start up to the last one that happened, even with no values")
            }
        }
    }
}

/// Checks that the `k`-th month of actuals is `start + k`, inside the horizon.
fn check_month(month: YearMonth, k: usize, start: YearMonth, months: usize) -> Result<(), MonthProblem> {
    let expected = start.offset(k as i64);
    if k >= months {
        return Err(MonthProblem::PastHorizon { start, months });
    }
    if month != expected {
        return Err(MonthProblem::OutOfOrder { k, month, expected, start });
    }
    Ok(())
}

/// Why an actuals CSV (`--actuals FILE.csv`) is refused: each case with the file and,
/// in it, the line and column (from 1) it concerns. Its `Display` is the message
/// without `error:` (see [`crate::message`]); the command exits with code 2 for every
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file cannot be read.
    Read {
        /// The file.
        file: String,
        /// The system's words.
        reason: String,
    },
    /// The file is not UTF-8 text.
    NotUtf8 {
        /// The file.
        file: String,
    },
    /// The CSV reader cannot read the header.
    Header {
        /// The file.
        file: String,
        /// The reader's words.
        reason: String,
    },
    /// Nothing in the file, not even a header.
    Empty {
        /// The file.
        file: String,
        /// The columns it may have.
        known: Vec<String>,
    },
    /// A header column that is none of `known`.
    UnknownColumn {
        /// The file.
        file: String,
        /// Where the column starts on the header's line.
        column: usize,
        /// The column's name.
        name: String,
        /// The columns it may have.
        known: Vec<String>,
    },
    /// A header column named twice.
    ColumnTwice {
        /// The file.
        file: String,
        /// Where the second one starts on the header's line.
        column: usize,
        /// The column's name.
        name: String,
    },
    /// A header without a `month` column.
    NoMonthColumn {
        /// The file.
        file: String,
    },
    /// The CSV reader cannot read a row.
    Row {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// The reader's words.
        reason: String,
    },
    /// A row with another number of cells than the header has columns.
    Cells {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// The row's cells.
        cells: usize,
        /// The header's columns.
        columns: usize,
    },
    /// A row whose month is empty.
    EmptyMonth {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// Where the cell starts.
        column: usize,
    },
    /// A month cell that is not `YYYY-MM`.
    NotAMonth {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// Where the cell starts.
        column: usize,
        /// The cell.
        text: String,
    },
    /// A month out of place: past the horizon, or not the one after the row before.
    Month {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// Where the cell starts.
        column: usize,
        /// What is wrong with it.
        problem: MonthProblem,
    },
    /// An amount (`arr`, `bookings`, `pipeline`) that is not a number from 0 to
    /// [`MAX_MONEY`].
    NotAnAmount {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// Where the cell starts.
        column: usize,
        /// The cell.
        text: String,
    },
    /// A headcount that is not a whole number from 0 to [`MAX_PEOPLE`].
    NotAHeadcount {
        /// The file.
        file: String,
        /// The row's line.
        line: u64,
        /// Where the cell starts.
        column: usize,
        /// The cell.
        text: String,
    },
    /// Headcounts that, carried over the horizon, are more person-months than a trial
    /// may simulate.
    TooManyPeople {
        /// The file.
        file: String,
        /// The people on staff, each role's most.
        people: u64,
        /// The horizon.
        months: usize,
    },
}

impl Error {
    /// The error's words.
    pub fn message(&self) -> Message {
        /// The main line, placed in the file as `file:line:column: what`.
        fn at(file: &str, line: u64, column: usize, what: &str) -> Message {
            Message::new(format!("{file}:{line}:{column}: {what}"))
        }
        let month = "a month YYYY-MM";
        match self {
            Error::Read { file, reason } => Message::new(format!("cannot read the actuals file {file}: {reason}")),
            Error::NotUtf8 { file } => {
                Message::new(format!("{file}: the actuals file is not UTF-8 text")).expected("a CSV file")
            }
            Error::Header { file, reason } => {
                at(file, 1, 1, &format!("cannot read the header: {reason}")).expected("a CSV header")
            }
            Error::Empty { file, known } => {
                at(file, 1, 1, "the actuals file is empty").expected(format!("a header such as {}", known.join(",")))
            }
            Error::UnknownColumn { file, column, name, known } => {
                at(file, 1, *column, &format!("unknown column `{name}`"))
                    .expected(format!("one of: {}", known.join(", ")))
                    .maybe_help(did_you_mean(name, known.iter().map(String::as_str)))
            }
            Error::ColumnTwice { file, column, name } => {
                at(file, 1, *column, &format!("column `{name}` appears twice")).expected("each column once")
            }
            Error::NoMonthColumn { file } => {
                at(file, 1, 1, "the header has no `month` column").expected("a column `month` (YYYY-MM)")
            }
            Error::Row { file, line, reason } => {
                at(file, *line, 1, &format!("cannot read the row: {reason}")).expected("a CSV row")
            }
            Error::Cells { file, line, cells, columns } => at(file, *line, 1, &format!("the row has {cells} cells"))
                .expected(format!("{columns} cells, one per header column")),
            Error::EmptyMonth { file, line, column } => at(file, *line, *column, "the month is empty").expected(month),
            Error::NotAMonth { file, line, column, text } => {
                at(file, *line, *column, &format!("`{text}` is not a month")).expected(month)
            }
            Error::Month { file, line, column, problem } => {
                let m = problem.message();
                Message { text: format!("{file}:{line}:{column}: {}", m.text), ..m }
            }
            Error::NotAnAmount { file, line, column, text } => {
                let currency = text.chars().any(|c| "$€£,".contains(c));
                at(file, *line, *column, &format!("`{text}` is not an amount"))
                    .expected(format!("a number from 0 to {MAX_MONEY:e}"))
                    .maybe_help(
                        currency.then(|| "write the amount as a plain number, without currency or separators".into()),
                    )
            }
            Error::NotAHeadcount { file, line, column, text } => {
                at(file, *line, *column, &format!("`{text}` is not a headcount"))
                    .expected(format!("a whole number of people from 0 to {MAX_PEOPLE}"))
            }
            Error::TooManyPeople { file, people, months } => {
                let m = too_many_people_message(*people, *months);
                Message { text: format!("{file}:1:1: {}", m.text), ..m }
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

/// Reads `--actuals FILE.csv`: a header `month` and any of `arr`, `bookings`,
/// `pipeline` and `headcount.<role>` (the names of `monthly.csv`), a row per month from the start; an
/// empty cell is a value not known. Errors name the file, line and column.
pub fn read_csv(path: &Path, scenario: &Scenario) -> Result<Vec<Actual>, Error> {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Err(Error::Read { file, reason: e.to_string() }),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(Error::NotUtf8 { file });
    };
    parse_csv(text, &file, scenario)
}

/// One column of an actuals CSV.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Month,
    Arr,
    Bookings,
    Pipeline,
    Headcount(usize),
}

/// Parses the text of an actuals CSV (see [`read_csv`]); `name` is the file in messages.
pub fn parse_csv(text: &str, name: &str, scenario: &Scenario) -> Result<Vec<Actual>, Error> {
    let file = || name.to_string();
    let known: Vec<String> = ["month".to_string(), "arr".into(), "bookings".into(), "pipeline".into()]
        .into_iter()
        .chain(scenario.roles.iter().map(|r| format!("headcount.{}", r.id)))
        .collect();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(Error::Header { file: file(), reason: e.to_string() }),
        None => return Err(Error::Empty { file: file(), known }),
    };
    let mut columns = Vec::new();
    let mut col = 1;
    for cell in &header {
        let key = cell.trim().trim_start_matches('\u{feff}');
        let column = match key {
            "month" => Column::Month,
            "arr" => Column::Arr,
            "bookings" => Column::Bookings,
            "pipeline" => Column::Pipeline,
            _ => match key.strip_prefix("headcount.").and_then(|id| scenario.roles.iter().position(|r| r.id == id)) {
                Some(r) => Column::Headcount(r),
                None => return Err(Error::UnknownColumn { file: file(), column: col, name: key.into(), known }),
            },
        };
        if columns.contains(&column) {
            return Err(Error::ColumnTwice { file: file(), column: col, name: key.into() });
        }
        columns.push(column);
        col += cell.len() + 1;
    }
    if !columns.contains(&Column::Month) {
        return Err(Error::NoMonthColumn { file: file() });
    }
    let mut out: Vec<Actual> = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(out.len() as u64 + 2, csv::Position::line);
                return Err(Error::Row { file: file(), line, reason: e.to_string() });
            }
        };
        let line = record.position().map_or(out.len() as u64 + 2, csv::Position::line);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            return Err(Error::Cells { file: file(), line, cells: record.len(), columns: columns.len() });
        }
        let k = out.len();
        let mut actual = Actual { headcount: vec![None; scenario.roles.len()], ..Actual::default() };
        let mut col = 1;
        for (cell, column) in record.iter().zip(&columns) {
            let text = cell.trim();
            let here = col;
            col += cell.len() + 1;
            if text.is_empty() {
                if *column == Column::Month {
                    return Err(Error::EmptyMonth { file: file(), line, column: here });
                }
                continue;
            }
            match *column {
                Column::Month => {
                    let Some(month) = YearMonth::parse(text) else {
                        return Err(Error::NotAMonth { file: file(), line, column: here, text: text.into() });
                    };
                    if let Err(problem) = check_month(month, k, scenario.start, scenario.months) {
                        return Err(Error::Month { file: file(), line, column: here, problem });
                    }
                }
                Column::Arr | Column::Bookings | Column::Pipeline => {
                    let Some(v) = text.parse::<f64>().ok().filter(|v| (0.0..=MAX_MONEY).contains(v)) else {
                        return Err(Error::NotAnAmount { file: file(), line, column: here, text: text.into() });
                    };
                    match column {
                        Column::Arr => actual.arr = Some(v),
                        Column::Bookings => actual.bookings = Some(v),
                        _ => actual.pipeline = Some(v),
                    }
                }
                Column::Headcount(r) => match text.parse::<u64>().ok().filter(|n| *n <= MAX_PEOPLE) {
                    Some(n) => actual.headcount[r] = Some(n as u32),
                    None => {
                        return Err(Error::NotAHeadcount { file: file(), line, column: here, text: text.into() });
                    }
                },
            }
        }
        out.push(actual);
    }
    if let Some(people) = too_many_people(&out, scenario.months) {
        return Err(Error::TooManyPeople { file: file(), people, months: scenario.months });
    }
    Ok(out)
}
