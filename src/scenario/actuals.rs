//! `[[actuals]]` (or `--actuals FILE.csv`): the months of the plan that already
//! happened, from `scenario.start` in order, each with what is known of it: ARR at the
//! month's end, the month's bookings, the open pipeline and headcount by role at the
//! month's end.
//!
//! A run with actuals plays the plan's months as before (so the plan's own forecast of
//! them is kept, as the `plan.*` metrics), reports the actual values in those months,
//! and from the end of the last one goes on from the real state (see docs/MODEL.md
//! section 4.15).

use std::path::Path;

use super::diag::{Diagnostic, did_you_mean};
use super::names::reference;
use super::read::group_digits;
use super::read::{Reader, Tbl};
use super::{MAX_MONEY, MAX_PEOPLE, MAX_STAFF_MONTHS, Scenario};
use crate::message::{self, Message};
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
            if let Err(d) = check_month(month, k, start, months) {
                r.error(Diagnostic { span, path: t.key_path("month"), ..*d });
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
        && let Some(d) = too_many_people(&out, months)
    {
        let span = top.entries().iter().find(|e| e.key == "actuals").map(|e| e.key_span);
        r.error(Diagnostic { span, path: "actuals".into(), ..d });
        ok = false;
    }
    ok.then_some(out)
}

/// Refuses actual headcounts that, carried over the horizon, would be more person-months
/// than a trial may simulate: the people the actuals put on staff come on top of the
/// roles' own (bounded by [`MAX_STAFF_MONTHS`] when the roles are read).
fn too_many_people(actuals: &[Actual], months: usize) -> Option<Diagnostic> {
    let roles = actuals.first().map_or(0, |a| a.headcount.len());
    let most: u64 = (0..roles).map(|r| actuals.iter().filter_map(|a| a.headcount[r]).max().map_or(0, u64::from)).sum();
    (most * months as u64 > MAX_STAFF_MONTHS).then(|| {
        Diagnostic::error(
            None,
            "actuals",
            format!(
                "the actual headcounts add up to {} people, {} person-months over {months} months",
                group_digits(most),
                group_digits(most * months as u64)
            ),
        )
        .expected(format!("at most {} person-months", group_digits(MAX_STAFF_MONTHS)))
        .help("check the headcount columns: they count people, not cost")
    })
}

/// Checks that the `k`-th month of actuals is `start + k`, inside the horizon.
fn check_month(month: YearMonth, k: usize, start: YearMonth, months: usize) -> Result<(), Box<Diagnostic>> {
    let expected = start.offset(k as i64);
    if k >= months {
        return Err(Box::new(
            Diagnostic::error(None, "", format!("the actuals run past the horizon ({months} months from {start})"))
                .expected(format!(
                    "at most {months} months of actuals, the last one {}",
                    start.offset(months as i64 - 1)
                ))
                .help("drop the months after the horizon, or raise scenario.months"),
        ));
    }
    if month != expected {
        return Err(Box::new(
            Diagnostic::error(None, "", format!("month {k} of the actuals is {month}"))
                .expected(format!(
                    "{expected}: the actuals are the months from scenario.start ({start}) in order, with no gap"
                ))
                .help("list every month from the start up to the last one that happened, even with no values"),
        ));
    }
    Ok(())
}

/// Reads `--actuals FILE.csv`: a header `month` and any of `arr`, `bookings`,
/// `pipeline` and `headcount.<role>` (the names of `monthly.csv`), a row per month from the start; an
/// empty cell is a value not known. Errors name the file, line and column.
pub fn read_csv(path: &Path, scenario: &Scenario) -> Result<Vec<Actual>, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| message::error(&Message::new(format!("cannot read the actuals file {name}: {e}"))))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        let m = Message::new(format!("{name}: the actuals file is not UTF-8 text")).expected("a CSV file");
        return Err(message::error(&m));
    };
    parse_csv(text, &name, scenario)
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

/// Parses the text of an actuals CSV (see [`read_csv`]); `name` is used in messages.
pub fn parse_csv(text: &str, name: &str, scenario: &Scenario) -> Result<Vec<Actual>, String> {
    let fail = |line: usize, col: usize, what: String, expected: String, help: Option<String>| {
        Err(message::error(&Message::new(format!("{name}:{line}:{col}: {what}")).expected(expected).maybe_help(help)))
    };
    let known: Vec<String> = ["month".to_string(), "arr".into(), "bookings".into(), "pipeline".into()]
        .into_iter()
        .chain(scenario.roles.iter().map(|r| format!("headcount.{}", r.id)))
        .collect();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return fail(1, 1, format!("cannot read the header: {e}"), "a CSV header".into(), None),
        None => {
            return fail(
                1,
                1,
                "the actuals file is empty".into(),
                format!("a header such as {}", known.join(",")),
                None,
            );
        }
    };
    let mut columns = Vec::new();
    let mut col = 1;
    for cell in header.iter() {
        let key = cell.trim().trim_start_matches('\u{feff}');
        let column = match key {
            "month" => Column::Month,
            "arr" => Column::Arr,
            "bookings" => Column::Bookings,
            "pipeline" => Column::Pipeline,
            _ => match key.strip_prefix("headcount.").and_then(|id| scenario.roles.iter().position(|r| r.id == id)) {
                Some(r) => Column::Headcount(r),
                None => {
                    let help = did_you_mean(key, known.iter().map(String::as_str));
                    return fail(
                        1,
                        col,
                        format!("unknown column `{key}`"),
                        format!("one of: {}", known.join(", ")),
                        help,
                    );
                }
            },
        };
        if columns.contains(&column) {
            return fail(1, col, format!("column `{key}` appears twice"), "each column once".into(), None);
        }
        columns.push(column);
        col += cell.len() + 1;
    }
    if !columns.contains(&Column::Month) {
        return fail(1, 1, "the header has no `month` column".into(), "a column `month` (YYYY-MM)".into(), None);
    }
    let mut out: Vec<Actual> = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(out.len() + 2, |p| p.line() as usize);
                return fail(line, 1, format!("cannot read the row: {e}"), "a CSV row".into(), None);
            }
        };
        let line = record.position().map_or(out.len() + 2, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            return fail(
                line,
                1,
                format!("the row has {} cells", record.len()),
                format!("{} cells, one per header column", columns.len()),
                None,
            );
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
                    return fail(line, here, "the month is empty".into(), "a month YYYY-MM".into(), None);
                }
                continue;
            }
            match *column {
                Column::Month => {
                    let Some(month) = YearMonth::parse(text) else {
                        return fail(line, here, format!("`{text}` is not a month"), "a month YYYY-MM".into(), None);
                    };
                    if let Err(d) = check_month(month, k, scenario.start, scenario.months) {
                        return fail(line, here, d.message, d.expected.unwrap_or_default(), d.help);
                    }
                }
                Column::Arr | Column::Bookings | Column::Pipeline => {
                    let Some(v) = text.parse::<f64>().ok().filter(|v| (0.0..=MAX_MONEY).contains(v)) else {
                        let help = text
                            .chars()
                            .any(|c| "$€£,".contains(c))
                            .then(|| "write the amount as a plain number, without currency or separators".into());
                        return fail(
                            line,
                            here,
                            format!("`{text}` is not an amount"),
                            format!("a number from 0 to {MAX_MONEY:e}"),
                            help,
                        );
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
                        return fail(
                            line,
                            here,
                            format!("`{text}` is not a headcount"),
                            format!("a whole number of people from 0 to {MAX_PEOPLE}"),
                            None,
                        );
                    }
                },
            }
        }
        out.push(actual);
    }
    if let Some(d) = too_many_people(&out, scenario.months) {
        return fail(1, 1, d.message, d.expected.unwrap_or_default(), d.help);
    }
    Ok(out)
}
