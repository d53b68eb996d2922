//! The rows of an export as they are read: each row's outcome, raw dates and amount,
//! owner and segment, kept until the export's date order and decimal mark are known;
//! and the quirks met, one kind a line.

use std::collections::{BTreeMap, HashMap};

use super::amount::{self, Mark};
use super::columns::ColumnRole;
use super::date::{self, Evidence, Raw};
use super::read::{FirstCell, Outcome, group};
use super::stages::Vocabulary;

/// A name compared across spellings: trimmed, lower case, inner spaces collapsed.
fn name_key(s: &str) -> String {
    s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Names (owners, segments) as first spelt, one index per name compared by
/// [`name_key`]; each spelling is looked up once.
#[derive(Debug, Default)]
pub(super) struct Names {
    pub(super) list: Vec<String>,
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
pub(super) struct Quirks(BTreeMap<String, Quirk>);

impl Quirks {
    pub(super) fn add(&mut self, what: &str, line: u64) {
        if !self.0.contains_key(what) {
            self.0.insert(what.to_string(), Quirk::default());
        }
        let Some(q) = self.0.get_mut(what) else { return };
        q.count += 1;
        if q.lines.len() < 5 {
            q.lines.push(line);
        }
    }

    pub(super) fn lines(self, file: &str) -> Vec<String> {
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

/// A row as read, before the export's date order and decimal mark are known.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) line: u64,
    pub(super) owner: Option<u32>,
    pub(super) outcome: Outcome,
    pub(super) created: Raw,
    pub(super) closed: Raw,
    /// The amount read with a decimal point and with a decimal comma.
    pub(super) amount: Option<(f64, f64)>,
    pub(super) segment: u32,
}

/// What amounts say of the export: the cells telling each mark (point, comma), the
/// first that reads two ways, and the currencies written, with their counts.
#[derive(Debug, Default)]
pub(super) struct Amounts {
    pub(super) told: [u64; 2],
    pub(super) either: Option<(u64, String)>,
    pub(super) currencies: Vec<(String, u64)>,
}

/// The state of reading rows.
#[derive(Debug, Default)]
pub(super) struct Rows {
    width: usize,
    /// The columns of each role, in the order of [`ColumnRole::ALL`].
    columns: [Vec<usize>; 7],
    stages: Vocabulary,
    pub(super) rows: u64,
    pub(super) pending: Vec<Pending>,
    pub(super) quirks: Quirks,
    wrong_width: String,
    /// Lines of rows of another width, counted as quirks when a row follows them.
    odd: Vec<u64>,
    pub(super) evidence: Evidence,
    pub(super) first_cell: FirstCell,
    pub(super) owners: Names,
    pub(super) segments: Names,
    ids: HashMap<Vec<u8>, u64, Fast>,
    /// Each stage as written: its outcome, and its place in `unknown` if it is unknown.
    classified: HashMap<Vec<u8>, (Outcome, Option<usize>), Fast>,
    /// Unknown stages as shown, their count and first line.
    pub(super) unknown: Vec<(String, u64, u64)>,
    pub(super) amounts: Amounts,
}

impl Rows {
    /// Rows of `width` fields, in the `columns` found, staged by `stages`.
    pub(super) fn new(width: usize, columns: &[(ColumnRole, usize)], stages: Vocabulary) -> Rows {
        let mut rows = Rows {
            width,
            columns: ColumnRole::ALL.map(|role| columns.iter().filter(|(r, _)| *r == role).map(|(_, k)| *k).collect()),
            stages,
            wrong_width: format!("rows with another number of fields than the header's {width}: left out"),
            ..Rows::default()
        };
        if rows.columns[ColumnRole::Segment as usize].is_empty() {
            rows.segments.list.push("all".into());
        }
        rows
    }

    /// The first cell with a value of `role`'s columns.
    fn field<'r>(&self, record: &'r csv::ByteRecord, role: ColumnRole) -> Option<(&'r [u8], usize)> {
        let cols = &self.columns[role as usize];
        let k = *cols.iter().find(|&&k| !record[k].trim_ascii().is_empty()).or(cols.first())?;
        Some((record[k].trim_ascii(), k))
    }

    /// Reads the row `record` at `line`.
    pub(super) fn row(&mut self, record: &csv::ByteRecord, line: u64) {
        self.rows += 1;
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            self.rows -= 1;
            return;
        }
        if record.len() != self.width {
            self.rows -= 1;
            self.odd.push(line);
            return;
        }
        for odd in std::mem::take(&mut self.odd) {
            self.rows += 1;
            self.quirks.add(&self.wrong_width, odd);
        }
        let column_of = |k: usize| (0..k).map(|i| record[i].len() + 1).sum::<usize>() + 1;
        if let Some((id, _)) = self.field(record, ColumnRole::Id)
            && !id.is_empty()
        {
            if let Some(first) = self.ids.get(id) {
                let message = format!("rows repeat the id of an earlier row (the first at line {first}): left out");
                self.quirks.add(&message, line);
                return;
            }
            self.ids.insert(id.to_vec(), line);
        }
        let stage = self.field(record, ColumnRole::Stage).map_or(&b""[..], |(s, _)| s);
        if !self.classified.contains_key(stage) {
            let text = String::from_utf8_lossy(stage);
            let known = self.stages.outcome(&text);
            // An unknown stage is open, and listed once with its count.
            let unknown = known.is_none().then(|| {
                let shown = if text.is_empty() { "(blank)".into() } else { crate::format::visible(&text).into_owned() };
                self.unknown.iter().position(|(s, _, _)| *s == shown).unwrap_or_else(|| {
                    self.unknown.push((shown, 0, line));
                    self.unknown.len() - 1
                })
            });
            self.classified.insert(stage.to_vec(), (known.unwrap_or(Outcome::Open), unknown));
        }
        let (outcome, unknown) = self.classified[stage];
        if let Some(u) = unknown {
            self.unknown[u].1 += 1;
        }
        let mut raws = [Raw::Blank, Raw::Blank];
        for (i, role) in [ColumnRole::Created, ColumnRole::Close].into_iter().enumerate() {
            let Some((text, k)) = self.field(record, role) else { continue };
            if text.is_empty() {
                continue;
            }
            let raw = std::str::from_utf8(text).map_or(Raw::Unreadable, date::raw);
            self.evidence.add(raw, line, text);
            raws[i] = raw;
            if self.first_cell[i].is_none() {
                self.first_cell[i] = Some((line, column_of(k), String::from_utf8_lossy(text).into_owned()));
            }
        }
        let amount_text = self.field(record, ColumnRole::Amount).map_or(&b""[..], |(a, _)| a);
        let amount = if amount_text.is_empty() {
            match outcome {
                Outcome::Won => self.quirks.add("won opportunities without an amount: their size is left out", line),
                Outcome::Open => self.quirks.add("open opportunities without an amount", line),
                Outcome::Lost => {}
            }
            None
        } else {
            let text = String::from_utf8_lossy(amount_text);
            match amount::parse(&text) {
                Some(a) => {
                    match a.tells {
                        Some(Mark::Point) => self.amounts.told[0] += 1,
                        Some(Mark::Comma) => self.amounts.told[1] += 1,
                        None if a.ambiguous() && self.amounts.either.is_none() => {
                            self.amounts.either = Some((line, crate::format::visible(&text).into_owned()));
                        }
                        None => {}
                    }
                    if let Some(c) = a.currency {
                        let c = currency(c);
                        match self.amounts.currencies.iter_mut().find(|(k, _)| *k == c) {
                            Some(e) => e.1 += 1,
                            None => self.amounts.currencies.push((c, 1)),
                        }
                    }
                    Some((a.point, a.comma))
                }
                None => {
                    self.quirks.add("unreadable amounts: left out", line);
                    None
                }
            }
        };
        let owner = match self.field(record, ColumnRole::Owner) {
            Some((name, _)) if !name.is_empty() => {
                let (k, otherwise) = self.owners.index(name, "rows spell the owner", "taken as one person");
                if let Some(message) = otherwise {
                    self.quirks.add(message, line);
                }
                Some(k)
            }
            _ => {
                self.quirks.add("rows without an owner", line);
                None
            }
        };
        let segment = match self.field(record, ColumnRole::Segment) {
            Some((raw, _)) => {
                let raw: &[u8] = if raw.is_empty() { b"(blank)" } else { raw };
                let (k, otherwise) = self.segments.index(raw, "rows spell the segment", "taken as one");
                if let Some(message) = otherwise {
                    self.quirks.add(message, line);
                }
                k
            }
            None => 0,
        };
        self.pending.push(Pending { line, owner, outcome, created: raws[0], closed: raws[1], amount, segment });
    }
}

/// A currency as one name: `USD` and `US$` are `$`, `EUR` is `€`, `GBP` is `£`.
fn currency(c: &str) -> String {
    match c.to_uppercase().as_str() {
        "USD" | "US$" | "$" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        "JPY" => "¥".into(),
        _ => c.to_string(),
    }
}
