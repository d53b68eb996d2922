//! Reading an opportunity export: columns recognised or mapped, each row's outcome,
//! dates, amount, owner and segment, and the data's quirks counted as warnings.
//!
//! Quirks are reported, not fatal: one warning line per kind of quirk, with its count
//! and the first rows where it occurs. A file that cannot be read at all (empty, no
//! header, a column it needs missing, no readable date in a date column) is an error
//! with the file, line, column and what was expected.

use std::collections::{BTreeMap, HashMap};

use super::date::{self, Date};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The opportunity's id.
    Id,
    /// Who worked it.
    Owner,
    /// Its stage: won, lost or open.
    Stage,
    /// When it was created (or engaged).
    Created,
    /// When it closed, won or lost.
    Close,
    /// Its value.
    Amount,
    /// Its segment (only with `--segment-by` or `--map COLUMN=segment`).
    Segment,
}

impl Role {
    /// The name used by `--map`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::Owner => "owner",
            Role::Stage => "stage",
            Role::Created => "created",
            Role::Close => "close",
            Role::Amount => "amount",
            Role::Segment => "segment",
        }
    }

    const ALL: [Role; 7] =
        [Role::Id, Role::Owner, Role::Stage, Role::Created, Role::Close, Role::Amount, Role::Segment];

    /// The role named `name` in `--map`.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name.trim().to_ascii_lowercase())
    }

    /// Headers recognised for this role, normalised (lower case, letters and digits
    /// only): this data set's, Salesforce's and HubSpot's.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Role::Id => &["opportunityid", "id", "recordid", "dealid"],
            Role::Owner => &["salesagent", "owner", "opportunityowner", "dealowner", "ownername", "salesrep", "rep"],
            Role::Stage => &["dealstage", "stage", "stagename", "opportunitystage"],
            Role::Created => &["engagedate", "createddate", "createdate", "created", "createdon", "datecreated"],
            Role::Close => &["closedate", "closeddate", "dateclosed", "closedon", "closingdate"],
            Role::Amount => &["closevalue", "amount", "dealamount", "opportunityamount", "value"],
            Role::Segment => &[],
        }
    }

    fn required(self) -> bool {
        !matches!(self, Role::Id | Role::Segment)
    }
}

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
    /// Close date.
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
    pub columns: Vec<(Role, String)>,
    /// One line per kind of quirk.
    pub warnings: Vec<String>,
}

/// How to read an export.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `--map COLUMN=ROLE`.
    pub maps: Vec<(String, Role)>,
    /// `--won WORD`: more stage names that mean won.
    pub won: Vec<String>,
    /// `--lost WORD`: more stage names that mean lost.
    pub lost: Vec<String>,
}

/// Why an export cannot be read: the whole message, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

const WON: &[&str] = &["won", "closedwon", "closewon"];
const LOST: &[&str] = &["lost", "closedlost", "closelost"];
/// Open stages of this data set, Salesforce's and HubSpot's defaults.
const OPEN: &[&str] = &[
    "prospecting",
    "engaging",
    "qualification",
    "needsanalysis",
    "valueproposition",
    "iddecisionmakers",
    "perceptionanalysis",
    "proposalpricequote",
    "negotiationreview",
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "open",
    "new",
    "discovery",
    "demo",
    "proposal",
    "negotiation",
];

/// Lower case, letters and digits only: how headers and stages are compared.
pub fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A name compared across spellings: trimmed, lower case, inner spaces collapsed.
fn name_key(s: &str) -> String {
    s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Names (owners, segments) as first spelt, one index per name compared by
/// [`name_key`]; each spelling is looked up once.
#[derive(Debug, Default)]
struct Names {
    list: Vec<String>,
    by_key: HashMap<String, u32>,
    /// Each spelling seen: its index, and the warning when it differs from the first.
    by_spelling: HashMap<Vec<u8>, (u32, Option<String>), Fast>,
}

impl Names {
    /// The index of `raw`, and the warning to give for this row if it is spelt otherwise
    /// than the name's first spelling.
    fn index(&mut self, raw: &[u8], what: &str, taken: &str) -> (u32, Option<&str>) {
        if !self.by_spelling.contains_key(raw) {
            let name = String::from_utf8_lossy(raw).into_owned();
            let next = self.list.len() as u32;
            let k = *self.by_key.entry(name_key(&name)).or_insert(next);
            let otherwise = if k == next {
                self.list.push(name);
                None
            } else {
                Some(format!("{what} `{}` otherwise: {taken}", self.list[k as usize]))
            };
            self.by_spelling.insert(raw.to_vec(), (k, otherwise));
        }
        let (k, otherwise) = &self.by_spelling[raw];
        (*k, otherwise.as_deref())
    }
}

/// A fast hash for the many short keys of an export (ids, spellings): FxHash's
/// multiply-rotate in 8-byte words, then MurmurHash3's final mix. Not resistant to
/// chosen keys, which an export read once on the user's own machine does not need.
#[derive(Debug, Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits depending on the low bits of the words only
        // (the first characters of an id, often equal): mix the high bits down.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }
}

type Fast = std::hash::BuildHasherDefault<FastHasher>;

/// Quirks of one kind: a count and the first lines.
#[derive(Debug, Default)]
struct Quirk {
    count: u64,
    lines: Vec<u64>,
}

#[derive(Debug, Default)]
struct Quirks(BTreeMap<String, Quirk>);

impl Quirks {
    fn add(&mut self, what: &str, line: u64) {
        if !self.0.contains_key(what) {
            self.0.insert(what.to_string(), Quirk::default());
        }
        let Some(q) = self.0.get_mut(what) else { return };
        q.count += 1;
        if q.lines.len() < 5 {
            q.lines.push(line);
        }
    }

    fn lines(self, file: &str) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(what, q)| {
                let rows: Vec<String> = q.lines.iter().map(u64::to_string).collect();
                let more = if q.count > q.lines.len() as u64 { ", ..." } else { "" };
                let lines = if q.count == 1 { "line" } else { "lines" };
                format!("warning: {file}: {} {what} ({lines} {}{more})", group(q.count), rows.join(", "))
            })
            .collect()
    }
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    crate::report::charts::spec::count(n as f64)
}

/// The delimiter of a header line: the most frequent of `,`, `;`, tab and `|`.
fn delimiter(header: &[u8]) -> u8 {
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t', b'|'].into_iter().max_by_key(|&d| (count(d), d == b',')).unwrap_or(b',')
}

/// An amount as exports write it: `1054`, `1,054.50`, `$1,054`, `USD 1054`, `1054 €`.
/// Returns the number and whether anything (a symbol, a code, a separator) was dropped.
fn amount(text: &str) -> Option<(f64, bool)> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some((v, false));
    }
    let stripped: String = t
        .trim_start_matches(|c: char| c.is_ascii_uppercase())
        .trim_end_matches(|c: char| c.is_ascii_uppercase())
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ',' | ' ' | '\u{a0}'))
        .collect();
    let v: f64 = stripped.parse().ok()?;
    v.is_finite().then_some((v, stripped.len() != t.len()))
}

/// Reads the export `bytes` of file `file`.
pub fn read(file: &str, bytes: &[u8], options: &ReadOptions) -> Result<Export, ReadError> {
    let fail = |line: u64, column: usize, what: String, expected: String, help: Option<String>| {
        let help = help.map(|h| format!("   = help: {h}\n")).unwrap_or_default();
        ReadError(format!("error: {what}\n  --> {file}:{line}:{column}\n   = expected: {expected}\n{help}"))
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(
            1,
            1,
            format!("{file} is empty"),
            "a CSV export with a header row naming its columns, then one row per opportunity".into(),
            None,
        ));
    }
    let delim = delimiter(first_line);
    let mut reader = csv::ReaderBuilder::new().delimiter(delim).has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(fail(1, 1, format!("{file} has no header row"), "a header row".into(), None)),
        Err(e) => return Err(fail(1, 1, format!("{file} cannot be read as CSV: {e}"), "a CSV export".into(), None)),
    }
    let header: Vec<String> = record.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    let mut quirks = Quirks::default();
    if delim != b',' {
        let name = match delim {
            b';' => "semicolons",
            b'\t' => "tabs",
            _ => "'|'",
        };
        quirks.add(&format!("header separates its columns with {name}, not commas: read so"), 1);
    }

    // Which column holds each role: --map first, then the recognised headers.
    let mut columns: Vec<(Role, usize)> = Vec::new();
    for (name, role) in &options.maps {
        let Some(k) = header.iter().position(|h| h == name.trim() || normalise(h) == normalise(name)) else {
            let hint = crate::scenario::diag::did_you_mean(name, header.iter().map(String::as_str));
            return Err(fail(
                1,
                1,
                format!("--map names the column `{name}`, which the header does not have"),
                format!("one of the header's columns: {}", header.join(", ")),
                hint,
            ));
        };
        columns.retain(|(r, _)| r != role);
        columns.push((*role, k));
    }
    for role in Role::ALL {
        if columns.iter().any(|(r, _)| *r == role) {
            continue;
        }
        let taken: Vec<usize> = columns.iter().map(|(_, k)| *k).collect();
        if let Some(k) = header
            .iter()
            .enumerate()
            .position(|(k, h)| !taken.contains(&k) && role.headers().contains(&normalise(h).as_str()))
        {
            columns.push((role, k));
        }
    }
    let missing: Vec<Role> =
        Role::ALL.into_iter().filter(|r| r.required() && !columns.iter().any(|(c, _)| c == r)).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|r| r.name()).collect();
        let known: Vec<String> = missing.iter().map(|r| format!("{}: {}", r.name(), r.headers().join(" / "))).collect();
        return Err(fail(
            1,
            1,
            format!("the header has no column for: {}", names.join(", ")),
            format!(
                "a column for each of id (optional), owner, stage, created, close, amount; recognised headers (compared in lower case, letters and digits only): {}",
                known.join("; ")
            ),
            Some(format!(
                "the header reads: {}; name a column's role with --map, e.g. --map \"{}={}\"",
                header.join(", "),
                header.first().map_or("Column", String::as_str),
                names[0]
            )),
        ));
    }
    let col = |role: Role| columns.iter().find(|(r, _)| *r == role).map(|(_, k)| *k);

    let won: Vec<String> = WON.iter().map(|s| s.to_string()).chain(options.won.iter().map(|w| normalise(w))).collect();
    let lost: Vec<String> =
        LOST.iter().map(|s| s.to_string()).chain(options.lost.iter().map(|w| normalise(w))).collect();
    let mut owners = Names::default();
    let mut segments = Names::default();
    if col(Role::Segment).is_none() {
        segments.list.push("all".into());
    }
    let mut stages: HashMap<Vec<u8>, (Outcome, Option<String>), Fast> = HashMap::default();
    let mut ids: HashMap<Vec<u8>, u64, Fast> = HashMap::default();
    let mut opps = Vec::new();
    let mut rows = 0u64;
    // The first unreadable cell of each date column, for an error if none is readable.
    let mut bad_date: [Option<(u64, usize, String)>; 2] = [None, None];
    let mut read_dates = [0u64; 2];
    let width = header.len();
    let wrong_width = format!("rows with another number of fields than the header's {width}: left out");
    let unreadable_date = [Role::Created, Role::Close]
        .map(|r| format!("rows with an unreadable {} date: the date is left out", r.name()));
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(rows + 2, |p| p.line());
                return Err(fail(line, 1, format!("{file} cannot be read as CSV: {e}"), "a CSV export".into(), None));
            }
        }
        rows += 1;
        let line = record.position().map_or(rows + 1, |p| p.line());
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            rows -= 1;
            continue;
        }
        if record.len() != width {
            quirks.add(&wrong_width, line);
            continue;
        }
        let field = |role: Role| col(role).map(|k| record[k].trim_ascii());
        let column_of = |role: Role| {
            let k = col(role).unwrap_or(0);
            (0..k).map(|i| record[i].len() + 1).sum::<usize>() + 1
        };
        if let Some(id) = field(Role::Id)
            && !id.is_empty()
        {
            if let Some(first) = ids.get(id) {
                let message = format!("rows repeat the id of an earlier row (the first at line {first}): left out");
                quirks.add(&message, line);
                continue;
            }
            ids.insert(id.to_vec(), line);
        }
        let stage = field(Role::Stage).unwrap_or_default();
        if !stages.contains_key(stage) {
            let text = String::from_utf8_lossy(stage);
            let key = normalise(&text);
            let classified = if won.contains(&key) {
                (Outcome::Won, None)
            } else if lost.contains(&key) {
                (Outcome::Lost, None)
            } else if OPEN.contains(&key.as_str()) {
                (Outcome::Open, None)
            } else {
                let shown = if text.is_empty() { "(blank)".into() } else { text };
                let message = format!(
                    "rows with the unknown stage `{shown}`: taken as open (say --won or --lost to count it as closed)"
                );
                (Outcome::Open, Some(message))
            };
            stages.insert(stage.to_vec(), classified);
        }
        let (outcome, unknown) = &stages[stage];
        let outcome = *outcome;
        if let Some(message) = unknown {
            quirks.add(message, line);
        }
        let mut dates = [None, None];
        for (i, role) in [Role::Created, Role::Close].into_iter().enumerate() {
            let text = field(role).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            match std::str::from_utf8(text).ok().and_then(date::parse) {
                Some(d) => {
                    dates[i] = Some(d);
                    read_dates[i] += 1;
                }
                None => {
                    quirks.add(&unreadable_date[i], line);
                    if bad_date[i].is_none() {
                        bad_date[i] = Some((line, column_of(role), String::from_utf8_lossy(text).into_owned()));
                    }
                }
            }
        }
        let [created, closed] = dates;
        if outcome != Outcome::Open && closed.is_none() {
            quirks.add("closed opportunities without a close date: left out", line);
            continue;
        }
        if let (Some(c), Some(k)) = (created, closed)
            && k < c
        {
            quirks.add("opportunities that close before they were created: their cycle is left out", line);
        }
        let amount_text = field(Role::Amount).unwrap_or_default();
        let amount = if amount_text.is_empty() {
            match outcome {
                Outcome::Won => quirks.add("won opportunities without an amount: their size is left out", line),
                Outcome::Open => quirks.add("open opportunities without an amount", line),
                Outcome::Lost => {}
            }
            None
        } else {
            match amount(&String::from_utf8_lossy(amount_text)) {
                Some((v, _)) if v < 0.0 => {
                    quirks.add("negative amounts: left out", line);
                    None
                }
                Some((v, dropped)) => {
                    if dropped {
                        quirks.add(
                            "amounts written with a currency sign, code or separators: read as plain numbers",
                            line,
                        );
                    }
                    Some(v)
                }
                None => {
                    quirks.add("unreadable amounts: left out", line);
                    None
                }
            }
        };
        let owner = match field(Role::Owner) {
            Some(name) if !name.is_empty() => {
                let (k, otherwise) = owners.index(name, "rows spell the owner", "taken as one person");
                if let Some(message) = otherwise {
                    quirks.add(message, line);
                }
                Some(k)
            }
            _ => {
                quirks.add("rows without an owner", line);
                None
            }
        };
        let segment = match field(Role::Segment) {
            Some(raw) => {
                let raw: &[u8] = if raw.is_empty() { b"(blank)" } else { raw };
                let (k, otherwise) = segments.index(raw, "rows spell the segment", "taken as one");
                if let Some(message) = otherwise {
                    quirks.add(message, line);
                }
                k
            }
            None => 0,
        };
        opps.push(Opp { line, owner, outcome, created, closed, amount, segment });
    }
    let (owners, segments) = (owners.list, segments.list);
    if rows == 0 {
        return Err(fail(2, 1, format!("{file} has a header but no rows"), "one row per opportunity".into(), None));
    }
    for (i, role) in [Role::Created, Role::Close].into_iter().enumerate() {
        if read_dates[i] == 0
            && let Some((line, column, text)) = &bad_date[i]
        {
            return Err(fail(
                *line,
                *column,
                format!("no {} date can be read: the first reads `{text}`", role.name()),
                format!("dates written {}", date::FORMS),
                Some("convert the column to YYYY-MM-DD, or --map another column to this role".into()),
            ));
        }
    }
    let mut columns: Vec<(Role, String)> = columns.into_iter().map(|(r, k)| (r, header[k].clone())).collect();
    columns.sort();
    Ok(Export { file: file.to_string(), rows, opps, owners, segments, columns, warnings: quirks.lines(file) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Export, ReadError> {
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
    fn salesforce_headers_with_semicolons_and_currency_signs() {
        let text =
            "Opportunity Owner;Stage;Created Date;Close Date;Amount\nAnn;Closed Won;3/9/2017;4/1/2017;$1,200.50\n";
        let e = read_str(text).unwrap();
        assert_eq!(e.opps[0].amount, Some(1200.5));
        assert_eq!(e.opps[0].closed, Date::from_ymd(2017, 4, 1));
        assert_eq!(e.warnings.len(), 2, "{:?}", e.warnings);
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
        assert!(all.contains("unknown stage `Pitching`") && all.contains("(line 4)"), "{all}");
        assert!(all.contains("spell the owner `Ann` otherwise"), "{all}");
        assert!(all.contains("close before they were created") && all.contains("(line 5)"), "{all}");
        assert!(all.contains("won opportunities without an amount") && all.contains("(line 6)"), "{all}");
        assert_eq!(e.owners, ["Ann", "Bob"]);
    }

    #[test]
    fn unreadable_exports_are_errors_with_a_location() {
        let e = read_str("").unwrap_err().0;
        assert!(e.contains("x.csv is empty") && e.contains("x.csv:1:1"), "{e}");
        let e = read_str("a,b,c\n1,2,3\n").unwrap_err().0;
        assert!(e.contains("no column for: owner, stage, created, close, amount") && e.contains("--map"), "{e}");
        let e = read_str(HEAD).unwrap_err().0;
        assert!(e.contains("a header but no rows"), "{e}");
        let e = read_str(&format!("{HEAD}A,Ann,P,X,Won,March 9,2017-03-01,10\n")).unwrap_err().0;
        assert!(e.contains("no created date can be read") && e.contains("x.csv:2:15"), "{e}");
        let options = ReadOptions { maps: vec![("Closing".into(), Role::Close)], ..Default::default() };
        let e = read("x.csv", HEAD.as_bytes(), &options).unwrap_err().0;
        assert!(e.contains("`Closing`, which the header does not have"), "{e}");
    }

    #[test]
    fn amounts_as_exports_write_them() {
        assert_eq!(amount("1054"), Some((1054.0, false)));
        assert_eq!(amount("$1,054.50"), Some((1054.5, true)));
        assert_eq!(amount("USD 99"), Some((99.0, true)));
        assert_eq!(amount("12 €"), Some((12.0, true)));
        assert_eq!(amount("n/a"), None);
        assert_eq!(amount("inf"), None);
    }
}
