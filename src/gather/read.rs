//! Reading an opportunity export: columns recognised or mapped, each row's outcome,
//! dates, amount, owner and segment, and the data's quirks counted as warnings.
//!
//! Quirks are reported, not fatal: one warning line per kind of quirk, with its count
//! and the first lines where it occurs, numbered as an editor numbers the file's lines
//! (the header is line 1 when it comes first). A file that cannot be read at all
//! (empty, no header, a column it needs missing, no readable date in a date column,
//! dates whose order of day and month cannot be told) is an error with the file, line,
//! column and what was expected.
//!
//! A report's title and filters above the header and its footer below the rows (as
//! Salesforce writes them) are not rows; a date the report says it was generated on is
//! kept, as the date of what the export knows. An XLSX export is read through [`xlsx`].

use std::collections::BTreeMap;

use super::Error;
use super::amount::{self, Mark};
use super::columns;
pub use super::columns::ColumnRole;
use super::date::{self, Date, Order, Raw, Undecided};
use super::rows::Rows;
use super::stages::Vocabulary;
use super::xlsx;

/// How an opportunity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
    /// Still open.
    Open,
}

/// One opportunity of the export.
#[derive(Debug, Clone)]
pub struct Opp {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// Index into [`Export::owners`], if it names one.
    pub owner: Option<u32>,
    /// Won, lost or open, as the export says (before any as-of date).
    pub outcome: Outcome,
    /// Created (engaged) date.
    pub created: Option<Date>,
    /// Close date of a closed deal (an open deal's expected close date is not kept: it
    /// is a plan, not an event).
    pub closed: Option<Date>,
    /// Value, if readable and not negative.
    pub amount: Option<f64>,
    /// Index into [`Export::segments`].
    pub segment: u32,
}

/// A read export.
#[derive(Debug, Clone)]
pub struct Export {
    /// The file as named.
    pub file: String,
    /// Data rows read (the header excluded, skipped rows included).
    pub rows: u64,
    /// The opportunities kept.
    pub opps: Vec<Opp>,
    /// Owners, as first spelt.
    pub owners: Vec<String>,
    /// Segments, as first spelt (one, `all`, without a segment column).
    pub segments: Vec<String>,
    /// The header of each role's column.
    pub columns: Vec<(ColumnRole, String)>,
    /// One line per kind of quirk.
    pub warnings: Vec<String>,
    /// The date the report says it was generated on, its line and the text there.
    pub report_date: Option<(Date, u64, String)>,
    /// Open deals with an expected close date (not kept), and the latest of them.
    pub expected_closes: (u64, Option<Date>),
}

/// How to read an export.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--map COLUMN=ROLE`.
    pub maps: Vec<(String, ColumnRole)>,
    /// `--won WORD`: more stage names that mean won.
    pub won: Vec<String>,
    /// `--lost WORD`: more stage names that mean lost.
    pub lost: Vec<String>,
    /// `--open WORD`: more stage names that mean open.
    pub open: Vec<String>,
    /// `--date-format`: the order of day and month (default: found in the data).
    pub date_order: Option<Order>,
    /// `--sheet NAME`: the sheet of an XLSX export (default: the first).
    pub sheet: Option<String>,
}

/// Lower case, letters and digits only: how headers and stages are compared.
pub fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    crate::format::thousands(n)
}

/// The delimiter: of `,`, `;`, tab and `|`, the one that splits most of the first 20
/// lines into the same number of fields (counted outside quotes), the header and rows
/// alike, where a report's title lines above them and a quoted amount's `,` do not.
fn delimiter(bytes: &[u8]) -> u8 {
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).take(20).collect();
    let outside_quotes = |line: &[u8], d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|&&b| {
                quoted ^= b == b'"';
                b == d && !quoted
            })
            .count()
    };
    let score = |d: u8| {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for l in &lines {
            let n = outside_quotes(l, d);
            if n > 0 {
                *counts.entry(n).or_default() += 1;
            }
        }
        // The lines sharing the commonest count, then that count.
        counts.into_iter().map(|(n, lines)| (lines, n)).max().unwrap_or((0, 0))
    };
    [b',', b';', b'\t', b'|'].into_iter().max_by_key(|&d| (score(d), d == b',')).unwrap_or(b',')
}

/// Line numbers as an editor shows them, from a record's byte offset: the CSV reader's
/// own count is off after a CRLF line end or a blank line. The offsets come in order.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines { bytes, at: 0, line: 1 }
    }

    /// The line on which the record at byte `offset` starts.
    fn of(&mut self, offset: u64) -> u64 {
        let b = self.bytes;
        // The offset may point at the end of the line before (the LF of a CRLF, a blank
        // line): the record starts after them.
        let mut start = (offset as usize).min(b.len());
        while start < b.len() && matches!(b[start], b'\n' | b'\r') {
            start += 1;
        }
        if start < self.at {
            (self.at, self.line) = (0, 1);
        }
        let breaks = b[self.at..start]
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(self.at + i + 1) != Some(&b'\n')))
            .count();
        self.line += breaks as u64;
        self.at = start;
        self.line
    }
}

/// The date a report says it was generated on, in a line of its title or footer
/// (`Generated By: Jane Doe 12/3/2026 10:15 AM`, `Report generated on 2026-12-03`).
fn report_date(text: &str) -> Option<Raw> {
    let lower = text.to_lowercase();
    if !["generated", "exported", "run on", "report date", "as of"].iter().any(|w| lower.contains(w)) {
        return None;
    }
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(date::raw)
        .find(|r| matches!(r, Raw::Known(_) | Raw::YearLast(..)))
}

/// Reads the export `bytes` of file `file`: CSV, or XLSX (by its first bytes).
pub fn read(file: &str, bytes: &[u8], options: &ReadOptions) -> Result<Export, Error> {
    let converted;
    let bytes = if xlsx::is_xlsx(bytes) {
        converted = xlsx::to_csv(file, bytes, options.sheet.as_deref())?;
        &converted[..]
    } else {
        if let Some(sheet) = &options.sheet {
            return Err(Error::SheetOfCsv { file: file.to_string(), sheet: sheet.clone() });
        }
        bytes
    };
    read_csv(file, bytes, options)
}

/// The first line of each date column that is not blank: its line, column and text.
pub(super) type FirstCell = [Option<(u64, usize, String)>; 2];

fn read_csv(file: &str, bytes: &[u8], options: &ReadOptions) -> Result<Export, Error> {
    let file_name = || file.to_string();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty { file: file_name() });
    }
    let delim = delimiter(bytes);
    let mut reader = csv::ReaderBuilder::new().delimiter(delim).has_headers(false).flexible(true).from_reader(bytes);
    let mut lines = Lines::new(bytes);
    let lossy = |r: &csv::ByteRecord| -> Vec<String> {
        r.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect()
    };
    // The header: the first record naming the columns (a report's title and filters may
    // come before it); if none of the first 50 does, the first.
    let mut first: Vec<(u64, csv::ByteRecord)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while first.len() < 50 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let line = lines.of(record.position().map_or(0, csv::Position::byte));
                first.push((line, record.clone()));
                if columns::header_score(&lossy(&record), options) >= 3 {
                    break;
                }
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(1, |p| lines.of(p.byte()));
                return Err(Error::Csv { file: file_name(), line, reason: e.to_string() });
            }
        }
    }
    let Some(at) = first
        .iter()
        .position(|(_, r)| columns::header_score(&lossy(r), options) >= 3)
        .or((!first.is_empty()).then_some(0))
    else {
        return Err(Error::NoHeader { file: file_name() });
    };
    let mut rest = first.split_off(at + 1);
    let (header_line, header_record) = first.pop().unwrap_or((1, csv::ByteRecord::new()));
    let header = lossy(&header_record);
    let mut report: Option<(Raw, u64, String)> = None;
    for (line, r) in &first {
        let text = lossy(r).join(" ");
        if report.is_none()
            && let Some(raw) = report_date(&text)
        {
            report = Some((raw, *line, text));
        }
    }

    let columns = columns::find(file, header_line, &header, options)?;
    let pipeline = columns::pipeline(&header, &columns);

    let mut rows = Rows::new(header.len(), &columns, Vocabulary::new(&options.won, &options.lost, &options.open));
    let mut pipelines: Vec<String> = Vec::new();
    let mut handle = |record: &csv::ByteRecord, line: u64| {
        if let Some(k) = pipeline
            && record.len() == header.len()
            && pipelines.len() <= 20
        {
            let value = String::from_utf8_lossy(record[k].trim_ascii()).into_owned();
            if !value.is_empty() && !pipelines.contains(&value) {
                pipelines.push(value);
            }
        }
        if record.len() != header.len() {
            let text = lossy(record).join(" ");
            if let Some(raw) = report_date(&text) {
                if report.is_none() {
                    report = Some((raw, line, text));
                }
                return;
            }
        }
        rows.row(record, line);
    };
    for (line, r) in rest.drain(..) {
        handle(&r, line);
    }
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => handle(&record, lines.of(record.position().map_or(0, csv::Position::byte))),
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(header_line + 1, |p| lines.of(p.byte()));
                return Err(Error::Csv { file: file_name(), line, reason: e.to_string() });
            }
        }
    }
    let Rows { rows: count, pending, mut quirks, mut evidence, first_cell, owners, segments, unknown, amounts, .. } =
        rows;
    // Rows of another width after the last row (left in `odd`) are a report's footer.
    if count == 0 {
        return Err(Error::NoRows { file: file_name(), line: header_line + 1 });
    }
    if let Some((raw, line, text)) = &report {
        evidence.add(*raw, *line, text.as_bytes());
    }

    // The order of day and month, then every date.
    let order = match options.date_order {
        Some(o) => o,
        None => evidence.order().map_err(|u| undecided(file, u))?,
    };
    let mut notes = Vec::new();
    if options.date_order.is_none() && evidence.year_last > 0 {
        let told = match order {
            Order::Dmy => evidence.day_first.as_ref(),
            _ => evidence.month_first.as_ref(),
        };
        let how = match told {
            Some((line, text)) => format!(", as `{text}` (line {line}) tells; say --date-format otherwise"),
            None if order == Order::Dmy => " (dates written with dots are day first)".into(),
            None => String::new(),
        };
        let form = if order == Order::Dmy { "day first (D/M/YYYY)" } else { "month first (M/D/YYYY)" };
        if told.is_some() || order == Order::Dmy {
            notes.push(format!("note: {file}: dates read {form}{how}"));
        }
    }
    // Where no amount tells the decimal mark: a point with dollars, pounds or yen or
    // with dates month first; else a comma when the columns are separated by
    // semicolons (as spreadsheets write CSV where the comma is the decimal mark), with
    // a warning if some amount reads two ways.
    let point_currency = amounts.currencies.iter().any(|(c, _)| ["$", "£", "¥"].contains(&c.as_str()));
    let sure = point_currency || order == Order::Mdy;
    let hint = if !sure && delim == b';' { Mark::Comma } else { Mark::Point };
    let (mark, told) = amount::mark(amounts.told[0], amounts.told[1], hint);
    if !told
        && !sure
        && let Some((line, text)) = &amounts.either
    {
        let reading = if mark == Mark::Comma { "a decimal comma" } else { "a decimal point" };
        quirks.add(
            &format!(
                "amounts such as `{text}` that read two ways, read with {reading} (no amount in the export \
                 tells which): check them"
            ),
            *line,
        );
    }
    if amounts.currencies.len() > 1 {
        let list: Vec<String> = amounts.currencies.iter().map(|(c, n)| format!("`{c}` {}", group(*n))).collect();
        notes.push(format!(
            "warning: {file}: amounts in more than one currency ({}): read as one; convert them to one currency \
             first",
            list.join(", ")
        ));
    }
    let mut read_dates = [0u64; 2];
    let unreadable_date = [ColumnRole::Created, ColumnRole::Close]
        .map(|r| format!("rows with an unreadable {} date: the date is left out", r.name()));
    let mut expected: (u64, Option<Date>) = (0, None);
    // Each row becomes an opportunity in the rows' own memory.
    let opps: Vec<Opp> = pending
        .into_iter()
        .filter_map(|p| {
            let mut dates = [None, None];
            for (i, raw) in [p.created, p.closed].into_iter().enumerate() {
                match raw.date(order) {
                    Some(d) => {
                        dates[i] = Some(d);
                        read_dates[i] += 1;
                    }
                    None if raw != Raw::Blank => quirks.add(&unreadable_date[i], p.line),
                    None => {}
                }
            }
            let mut created = dates[0];
            // An open deal's close date is the one expected: a plan, not an event.
            let closed = if p.outcome == Outcome::Open {
                if let Some(d) = dates[1] {
                    expected.0 += 1;
                    expected.1 = expected.1.max(Some(d));
                }
                None
            } else {
                dates[1]
            };
            if p.outcome != Outcome::Open && closed.is_none() {
                quirks.add("closed opportunities without a close date: left out", p.line);
                return None;
            }
            if let (Some(c), Some(k)) = (created, closed) {
                if k < c {
                    quirks.add("opportunities that close before they were created: their cycle is left out", p.line);
                } else if k.month_index() - c.month_index() > crate::scenario::MAX_MONTHS as i32 {
                    // No cycle a scenario can hold is that long: one of the dates is wrong.
                    quirks.add(
                        &format!(
                            "opportunities that close more than {} months after they were created: the created date \
                         is left out",
                            crate::scenario::MAX_MONTHS
                        ),
                        p.line,
                    );
                    created = None;
                }
            }
            let amount = match p.amount.map(|(point, comma)| if mark == Mark::Comma { comma } else { point }) {
                Some(v) if v < 0.0 => {
                    quirks.add("negative amounts: left out", p.line);
                    None
                }
                Some(v) if v > crate::scenario::MAX_MONEY => {
                    quirks.add(
                        &format!(
                            "amounts above {}, more than a scenario can hold: left out",
                            crate::format::money(crate::scenario::MAX_MONEY)
                        ),
                        p.line,
                    );
                    None
                }
                other => other,
            };
            Some(Opp { line: p.line, owner: p.owner, outcome: p.outcome, created, closed, amount, segment: p.segment })
        })
        .collect();
    for (i, role) in [ColumnRole::Created, ColumnRole::Close].into_iter().enumerate() {
        if read_dates[i] == 0
            && let Some((line, column, text)) = &first_cell[i]
        {
            return Err(Error::UnreadableDates {
                file: file_name(),
                line: *line,
                column: *column,
                role,
                first: text.clone(),
            });
        }
    }
    let report_date = match report {
        Some((raw, line, text)) => raw.date(order).map(|d| (d, line, text)),
        None => None,
    };
    if pipelines.len() > 1
        && let Some(k) = pipeline
    {
        let shown: Vec<String> = pipelines.iter().take(5).map(|p| format!("`{p}`")).collect();
        let more = if pipelines.len() > 5 { ", ..." } else { "" };
        notes.push(format!(
            "note: {file}: the column `{}` holds {} pipelines ({}{more}): --segment-by \"{}\" fits each as a segment \
             of its own",
            header[k],
            if pipelines.len() > 20 { "more than 20".to_string() } else { pipelines.len().to_string() },
            shown.join(", "),
            header[k]
        ));
    }
    let mut warnings = quirks.lines(file);
    if !unknown.is_empty() {
        let total: u64 = unknown.iter().map(|(_, n, _)| n).sum();
        let list: Vec<String> =
            unknown.iter().map(|(s, n, line)| format!("`{s}` ({}, first at line {line})", group(*n))).collect();
        warnings.push(format!(
            "warning: {file}: {} rows have a stage not known as won, lost or open, taken as open: {}; say \
             --won, --lost or --open WORD for each",
            group(total),
            list.join(", ")
        ));
    }
    warnings.extend(notes);
    let mut named: Vec<(ColumnRole, String)> = columns.into_iter().map(|(r, k)| (r, header[k].clone())).collect();
    named.sort();
    let mut export = Export {
        file: file.to_string(),
        rows: count,
        opps,
        owners: owners.list,
        segments: segments.list,
        columns: named,
        warnings,
        report_date,
        expected_closes: expected,
    };
    let stray = super::asof::leave_out_stray_dates(&mut export);
    export.warnings.extend(stray);
    Ok(export)
}

/// The error for dates whose order cannot be told.
fn undecided(file: &str, why: Undecided) -> Error {
    let file = file.to_string();
    match why {
        Undecided::Either(line, text) => Error::AmbiguousDates { file, line, text },
        Undecided::Both(day_first, month_first) => Error::MixedDates { file, day_first, month_first },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Export, Error> {
        read("x.csv", text.as_bytes(), &ReadOptions::default())
    }

    const HEAD: &str = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n";

    #[test]
    fn this_data_sets_headers_are_recognised_and_rows_read() {
        let e = read_str(&format!(
            "{HEAD}A,Ann,GTX,Acme,Won,2017-01-05,2017-03-01,1054\nB,Bob,GTX,,Engaging,2017-02-01,,\n"
        ))
        .unwrap();
        assert_eq!(e.rows, 2);
        assert_eq!(e.owners, ["Ann", "Bob"]);
        assert_eq!(e.opps[0].outcome, Outcome::Won);
        assert_eq!(e.opps[0].amount, Some(1054.0));
        assert_eq!(e.opps[0].created, Date::from_ymd(2017, 1, 5));
        assert_eq!(e.opps[1].outcome, Outcome::Open);
        assert_eq!(e.opps[1].line, 3);
        assert_eq!(e.warnings, ["warning: x.csv: 1 open opportunities without an amount (line 3)"]);
    }

    #[test]
    fn salesforce_headers_with_semicolons_and_currency_signs_are_read_silently() {
        let text = "Opportunity Owner;Stage;Created Date;Close Date;Amount\n\
                    Ann;Closed Won;3/19/2017;4/1/2017;$1,200.50\nBob;Prospecting;3/9/2017;6/30/2017;$12,500.00\n";
        let e = read_str(text).unwrap();
        assert_eq!(e.opps[0].amount, Some(1200.5));
        assert_eq!(e.opps[0].closed, Date::from_ymd(2017, 4, 1));
        assert_eq!(e.opps[1].amount, Some(12500.0));
        assert_eq!(e.opps[1].closed, None, "an open deal's close date is the one expected, not a close");
        assert_eq!(
            e.warnings,
            [
                "note: x.csv: dates read month first (M/D/YYYY), as `3/19/2017` (line 2) tells; say --date-format otherwise"
            ]
        );
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_the_lines_alike() {
        assert_eq!(delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(delimiter(b"a;b;c\n1;\"2,5\";3,5\n4;5;6\n"), b';');
        assert_eq!(delimiter(b"\"Report; filtered by a; b\"\na,b\n\"$1,000.00\",2\n3,4\n"), b',');
        assert_eq!(delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(delimiter(b"one column\n"), b',');
    }

    #[test]
    fn quirks_are_warnings_with_their_lines() {
        let text = format!(
            "{HEAD}A,Ann,P,X,Won,2017-01-05,2017-03-01,10\nA,Ann,P,X,Won,2017-01-05,2017-03-01,10\n\
             C,ann ,P,X,Pitching,2017-01-05,,\nD,Bob,P,X,Lost,2017-03-05,2017-01-01,\nE,Bob,P,X,Won,2017-01-05,2017-02-01,\n"
        );
        let e = read_str(&text).unwrap();
        let all = e.warnings.join("\n");
        assert!(all.contains("repeat the id of an earlier row (the first at line 2): left out (line 3)"), "{all}");
        assert!(
            all.contains(
                "1 rows have a stage not known as won, lost or open, taken as open: `Pitching` (1, first at line 4)"
            ),
            "{all}"
        );
        assert!(all.contains("spell the owner `Ann` otherwise"), "{all}");
        assert!(all.contains("close before they were created") && all.contains("(line 5)"), "{all}");
        assert!(all.contains("won opportunities without an amount") && all.contains("(line 6)"), "{all}");
        assert_eq!(e.owners, ["Ann", "Bob"]);
    }

    #[test]
    fn lines_are_the_files_own_after_crlf_blank_lines_and_quoted_line_breaks() {
        let text = "Id,Owner,Stage,Created Date,Close Date,Amount\r\n\
                    1,Ann,Won,2017-01-05,2017-03-01,10\r\n\
                    \r\n\
                    2,\"Bob\r\nSmith\",Won,2017-01-05,2017-03-01,\r\n\
                    4,Cy,Won,2017-01-05\r\n\
                    3,Cy,Won,2017-01-05,2017-03-01,\r\n\
                    5,Cy,Won\r\n";
        let e = read_str(text).unwrap();
        let lines: Vec<u64> = e.opps.iter().map(|o| o.line).collect();
        assert_eq!(lines, [2, 4, 7]);
        let all = e.warnings.join("\n");
        assert!(all.contains("2 won opportunities without an amount: their size is left out (lines 4, 7)"), "{all}");
        // A short row between rows is a quirk; one after the last row is a report's footer.
        assert!(all.contains("1 rows with another number of fields than the header's 6: left out (line 6)"), "{all}");
    }

    #[test]
    fn a_reports_title_and_footer_are_not_rows_and_its_date_is_kept() {
        let text = "\"Opportunity Pipeline\"\n\"Filtered By: none\"\n\n\
                    \"Opportunity Owner\",\"Stage\",\"Created Date\",\"Close Date\",\"Amount\"\n\
                    \"Ann\",\"Closed Won\",\"3/19/2017\",\"4/1/2017\",\"$1,200.50\"\n\
                    \"Bob\",\"Negotiation/Review\",\"3/9/2017\",\"6/30/2017\",\"$900.00\"\n\
                    \n\"Opportunity Pipeline\"\n\"Copyright (c) 2000-2017 salesforce.com, inc. All rights reserved.\"\n\
                    \"Generated By:  Jane Doe  4/12/2017 10:15 AM\"\n\"Acme Corp\"\n";
        let e = read_str(text).unwrap();
        assert_eq!(e.opps.len(), 2);
        assert_eq!(e.opps[0].line, 5);
        assert_eq!(e.rows, 2);
        let (date, line, _) = e.report_date.clone().unwrap();
        assert_eq!((date, line), (Date::from_ymd(2017, 4, 12).unwrap(), 10));
        assert!(e.warnings.iter().all(|w| !w.contains("number of fields")), "{:?}", e.warnings);
    }

    #[test]
    fn pipedrive_dynamics_and_zoho_columns() {
        let pipedrive = "Deal - ID,Deal - Title,Deal - Value,Deal - Status,Deal - Stage,Deal - Owner,Deal - Deal created,\
                         Deal - Won time,Deal - Lost time,Deal - Expected close date\n\
                         1,A,1000,won,Proposal Made,Ann,2024-01-03 10:00:00,2024-02-01 09:00:00,,2024-01-20\n\
                         2,B,500,lost,Qualified,Bob,2024-01-04 10:00:00,,2024-03-05 09:00:00,2024-02-20\n\
                         3,C,700,open,Qualified,Bob,2024-01-05 10:00:00,,,2024-08-20\n";
        let e = read_str(pipedrive).unwrap();
        let closes: Vec<Option<Date>> = e.opps.iter().map(|o| o.closed).collect();
        assert_eq!(closes, [Date::from_ymd(2024, 2, 1), Date::from_ymd(2024, 3, 5), None]);
        let outcomes: Vec<Outcome> = e.opps.iter().map(|o| o.outcome).collect();
        assert_eq!(outcomes, [Outcome::Won, Outcome::Lost, Outcome::Open]);
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        let dynamics = "(Do Not Modify) Opportunity,Topic,Owner,Status Reason,Created On,Est. Close Date,\
                        Actual Close Date,Actual Revenue,Est. Revenue\n\
                        g1,A,Ann,Won,1/3/2024 10:00 AM,1/30/2024,2/1/2024,\"$1,000.00\",\"$900.00\"\n\
                        g2,B,Bob,Out-Sold,1/4/2024 10:00 AM,2/28/2024,,,\"$500.00\"\n\
                        g3,C,Bob,In Progress,1/15/2024 10:00 AM,8/20/2024,,,\"$700.00\"\n";
        let e = read_str(dynamics).unwrap();
        let closes: Vec<Option<Date>> = e.opps.iter().map(|o| o.closed).collect();
        assert_eq!(closes, [Date::from_ymd(2024, 2, 1), Date::from_ymd(2024, 2, 28), None]);
        let amounts: Vec<Option<f64>> = e.opps.iter().map(|o| o.amount).collect();
        assert_eq!(amounts, [Some(1000.0), Some(500.0), Some(700.0)]);
        let zoho = "Record Id,Deal Owner,Deal Name,Amount,Closing Date,Stage,Created Time\n\
                    z1,Ann,A,1000,2024-02-01,Closed Won,2024-01-03 10:00:00\n\
                    z2,Bob,B,500,2024-03-01,Closed-Lost to Competition,2024-01-04 10:00:00\n\
                    z3,Bob,C,500,2024-09-01,Identify Decision Makers,2024-01-04 10:00:00\n";
        let e = read_str(zoho).unwrap();
        assert_eq!(e.opps.iter().map(|o| o.outcome).collect::<Vec<_>>(), [Outcome::Won, Outcome::Lost, Outcome::Open]);
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    }

    #[test]
    fn day_first_dates_and_decimal_commas_are_read_and_an_undecided_order_refused() {
        let eu = "Opportunity Owner;Stage;Created Date;Close Date;Amount\n\
                  Ann;Closed Won;19.03.2017;01.04.2017;14.300,00 €\nBob;Closed Lost;09.03.2017;02.04.2017;900,50 €\n";
        let e = read_str(eu).unwrap();
        assert_eq!(e.opps[0].created, Date::from_ymd(2017, 3, 19));
        assert_eq!(e.opps[1].closed, Date::from_ymd(2017, 4, 2));
        assert_eq!(e.opps[0].amount, Some(14300.0));
        assert_eq!(e.opps[1].amount, Some(900.5));
        let uk = "Opportunity Owner,Stage,Created Date,Close Date,Amount\n\
                  Ann,Closed Won,03/04/2017,13/04/2017,\"£1,500\"\n";
        let e = read_str(uk).unwrap();
        assert_eq!(e.opps[0].created, Date::from_ymd(2017, 4, 3));
        assert_eq!(e.opps[0].amount, Some(1500.0));
        let either = "Opportunity Owner,Stage,Created Date,Close Date,Amount\nAnn,Closed Won,03/04/2017,05/04/2017,1\n";
        let e = read_str(either).unwrap_err();
        assert!(matches!(&e, Error::AmbiguousDates { line: 2, text, .. } if text == "03/04/2017"), "{e:?}");
        assert!(e.to_string().contains("--date-format DMY"), "{e}");
        let options = ReadOptions { date_order: Some(Order::Dmy), ..ReadOptions::default() };
        let e = read("x.csv", either.as_bytes(), &options).unwrap();
        assert_eq!(e.opps[0].created, Date::from_ymd(2017, 4, 3));
    }

    #[test]
    fn unreadable_exports_are_errors_with_a_location() {
        let e = read_str("").unwrap_err();
        assert!(matches!(&e, Error::Empty { file } if file == "x.csv"), "{e:?}");
        assert_eq!(
            e.to_string(),
            "x.csv is empty\n  --> x.csv:1:1\n   = expected: a CSV export with a header row naming its columns, \
             then one row per opportunity"
        );
        let e = read_str("a,b,c\n1,2,3\n").unwrap_err();
        let all = [ColumnRole::Owner, ColumnRole::Stage, ColumnRole::Created, ColumnRole::Close, ColumnRole::Amount];
        assert!(matches!(&e, Error::MissingColumns { line: 1, missing, .. } if missing[..] == all), "{e:?}");
        assert!(e.to_string().contains("--map \"a=owner\""), "{e}");
        let e = read_str(HEAD).unwrap_err();
        assert!(matches!(e, Error::NoRows { line: 2, .. }), "{e:?}");
        let e = read_str(&format!("{HEAD}A,Ann,P,X,Won,March 9,2017-03-01,10\n")).unwrap_err();
        assert!(
            matches!(&e, Error::UnreadableDates { line: 2, column: 15, role: ColumnRole::Created, first, .. } if first == "March 9"),
            "{e:?}"
        );
        let options = ReadOptions { maps: vec![("Closing".into(), ColumnRole::Close)], ..Default::default() };
        let e = read("x.csv", HEAD.as_bytes(), &options).unwrap_err();
        assert!(matches!(&e, Error::UnknownMapColumn { column, .. } if column == "Closing"), "{e:?}");
        assert!(e.to_string().contains("`Closing`, which the header does not have"), "{e}");
    }
}
