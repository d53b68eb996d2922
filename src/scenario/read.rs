//! Typed reading of the spanned tree, collecting every problem instead of stopping at
//! the first.
//!
//! A [`Tbl`] is a view of one TOML table at a key path. Each getter records the key as
//! known; [`Reader::finish`] then reports every key that nobody asked for, with the
//! closest known key as a suggestion. So the schema is the code that reads it, and a
//! misspelt key can never be silently ignored.

use crate::dist::Support;
use crate::month::YearMonth;
use crate::numbers::{percent_help, quoted_rate_help};

use super::MAX_ID_CHARS;
use super::diag::{Diagnostic, Span};
use super::tree::{Entry, Node, Value, element_id};

/// Collects diagnostics while a scenario is read.
#[derive(Debug, Default)]
pub struct Reader {
    /// Everything found so far, errors and warnings.
    pub diags: Vec<Diagnostic>,
}

/// A table being read at a key path.
#[derive(Debug)]
pub struct Tbl<'a> {
    pub(super) entries: &'a [Entry],
    /// Where the table is.
    pub span: Span,
    /// Its key path, e.g. `roles.ae`.
    pub path: String,
    pub(super) known: Vec<&'static str>,
}

impl<'a> Tbl<'a> {
    /// A view of `node`, which must be a table (else `None`, with an error recorded).
    pub fn of(r: &mut Reader, node: &'a Node, path: impl Into<String>) -> Option<Tbl<'a>> {
        let path = path.into();
        match &node.value {
            Value::Table(entries) => Some(Tbl { entries, span: node.span, path, known: Vec::new() }),
            other => {
                r.diags.push(
                    Diagnostic::error(Some(node.span), path, format!("expected a table, found {}", other.type_name()))
                        .expected("a table"),
                );
                None
            }
        }
    }

    /// The key path of a key of this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// The entry for `key`, recording the key as known.
    pub fn entry(&mut self, key: &'static str) -> Option<&'a Entry> {
        self.known.push(key);
        self.entries.iter().find(|e| e.key == key)
    }

    /// Whether the table has `key` (without recording it).
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// All entries, for tables whose keys are data (months, segment names).
    pub fn entries(&self) -> &'a [Entry] {
        self.entries
    }

    /// Reads nothing more from this table: every key is data, not schema.
    pub fn accept_all(mut self) {
        self.known.clear();
        self.entries = &[];
    }
}

impl Reader {
    /// Records an error.
    pub fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Records a warning.
    pub fn warn(&mut self, span: Option<Span>, path: impl Into<String>, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(span, path, message));
    }

    /// Whether an error has been recorded.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == super::diag::Severity::Error)
    }

    /// Reports the keys of `t` that were never asked for.
    pub fn finish(&mut self, t: Tbl<'_>) {
        for e in t.entries {
            if t.known.contains(&e.key.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(Some(e.key_span), t.key_path(&e.key), format!("unknown key `{}`", e.key))
                .expected(format!("one of: {}", t.known.join(", ")));
            d = d.suggest(&e.key, t.known.iter().copied());
            self.diags.push(d);
        }
    }

    pub(super) fn type_error(&mut self, node: &Node, path: String, expected: &str) {
        self.diags.push(type_mismatch(node, path, expected));
    }

    /// A required key that is missing.
    pub fn missing(&mut self, t: &Tbl<'_>, key: &str, expected: &str) {
        self.diags.push(
            Diagnostic::error(
                Some(t.span),
                t.key_path(key),
                format!("missing key `{key}` in `{}`", display_path(&t.path)),
            )
            .expected(expected.to_string())
            .help(format!("add `{key} = ...` to this table")),
        );
    }

    /// A sub-table.
    pub fn table<'a>(&mut self, t: &mut Tbl<'a>, key: &'static str) -> Option<Tbl<'a>> {
        let e = t.entry(key)?;
        Tbl::of(self, &e.node, t.key_path(key))
    }

    /// A string.
    pub fn string(&mut self, t: &mut Tbl<'_>, key: &'static str) -> Option<(String, Span)> {
        let e = t.entry(key)?;
        match &e.node.value {
            Value::Str(s) => Some((s.clone(), e.node.span)),
            _ => {
                self.type_error(&e.node, t.key_path(key), "a string in double quotes");
                None
            }
        }
    }

    /// A string of at most `max` characters: a name or an id, which is shown in charts,
    /// tables and the terminal. A longer one is an error, but is still returned, so that
    /// what refers to it is not reported as well.
    pub fn name(&mut self, t: &mut Tbl<'_>, key: &'static str, max: usize) -> Option<(String, Span)> {
        let (s, span) = self.string(t, key)?;
        let chars = s.chars().count();
        if chars > max {
            self.diags.push(
                Diagnostic::error(
                    Some(span),
                    t.key_path(key),
                    format!("`{key}` is {} characters long", group_digits(chars as u64)),
                )
                .expected(format!("at most {max} characters"))
                .help("shorten it: names label the charts, tables and terminal summaries"),
            );
        }
        Some((s, span))
    }

    /// A display name (`label`): a string of at most `max` characters with something
    /// besides spaces in it, and where it is written; `None` when absent or refused.
    pub fn label(&mut self, t: &mut Tbl<'_>, key: &'static str, max: usize) -> Option<(String, Span)> {
        let (s, span) = self.name(t, key, max)?;
        if s.trim().is_empty() {
            self.diags.push(
                Diagnostic::error(Some(span), t.key_path(key), format!("`{key}` is empty"))
                    .expected("a name to show in tables and charts, e.g. label = \"Mid-Market AE\"")
                    .help(format!("write a name, or leave `{key}` out to show the id")),
            );
            return None;
        }
        (s.chars().count() <= max).then_some((s, span))
    }

    /// Refuses a `label` already given to another element of the array (`what`: `role`,
    /// `segment`), so that no two rows of a table or bars of a chart read the same.
    pub fn unique_label(&mut self, t: &Tbl<'_>, label: &(String, Span), seen: &mut Vec<String>, what: &str) {
        if seen.contains(&label.0) {
            self.diags.push(
                Diagnostic::error(
                    Some(label.1),
                    t.key_path("label"),
                    format!("label `{}` is given to another {what} too", label.0),
                )
                .help(format!("give each {what} its own label: they name the rows of tables and the bars of charts")),
            );
        }
        seen.push(label.0.clone());
    }

    /// A boolean.
    pub fn boolean(&mut self, t: &mut Tbl<'_>, key: &'static str) -> Option<bool> {
        let e = t.entry(key)?;
        match &e.node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.type_error(&e.node, t.key_path(key), "true or false");
                None
            }
        }
    }

    /// A finite number in `[lo, hi]`.
    pub fn number(&mut self, t: &mut Tbl<'_>, key: &'static str, lo: f64, hi: f64) -> Option<f64> {
        let e = t.entry(key)?;
        self.number_node(&e.node, t.key_path(key), lo, hi)
    }

    /// A node holding a finite number in `[lo, hi]`.
    pub fn number_node(&mut self, node: &Node, path: String, lo: f64, hi: f64) -> Option<f64> {
        bounded(node, path, lo, hi).map_err(|d| self.error(*d)).ok()
    }

    /// A rate: a finite number from 0 to 1. A percentage written in its place (`14`,
    /// `"14%"`) is refused with the fraction it likely means.
    pub fn rate(&mut self, t: &mut Tbl<'_>, key: &'static str) -> Option<f64> {
        self.rate_fixed(t, key, None)
    }

    /// A rate under `key`; `fix` is the help for a percentage in its place, when the
    /// value it belongs to is better rewritten whole (`{ low = 14, high = 24 }`).
    pub(super) fn rate_fixed(&mut self, t: &mut Tbl<'_>, key: &'static str, fix: Option<&str>) -> Option<f64> {
        let e = t.entry(key)?;
        self.rate_node(&e.node, t.key_path(key), fix)
    }

    /// A node holding a rate, with `fix` as in [`Reader::rate_fixed`].
    fn rate_node(&mut self, node: &Node, path: String, fix: Option<&str>) -> Option<f64> {
        bounded(node, path, 0.0, 1.0).map_err(|d| self.error(as_fraction(*d, node, fix))).ok()
    }

    /// A number in `[lo, hi]` under `key`, whose values have `support`: read as a rate
    /// when it is one.
    pub(super) fn value(
        &mut self,
        t: &mut Tbl<'_>,
        key: &'static str,
        lo: f64,
        hi: f64,
        support: Support,
    ) -> Option<f64> {
        let e = t.entry(key)?;
        self.value_node(&e.node, t.key_path(key), lo, hi, support)
    }

    /// A node holding a number in `[lo, hi]` of a key with `support`, as [`Reader::value`].
    pub(super) fn value_node(&mut self, node: &Node, path: String, lo: f64, hi: f64, support: Support) -> Option<f64> {
        if support == Support::Unit && (lo, hi) == (0.0, 1.0) {
            self.rate_node(node, path, None)
        } else {
            self.number_node(node, path, lo, hi)
        }
    }

    /// Refuses a value of `key` that is positive but below `min`, written as a number, as
    /// a distribution's location parameter (`low`, `high`, `mean`, `median`, `min`,
    /// `mode`, `max`) or as one of an empirical or discrete distribution's `values`: the model divides by such keys, and a smaller positive value takes
    /// its ratios past the largest double. `zero_ok` says whether 0 (none) is allowed; a
    /// value outside `[0, max]` has its own error already.
    pub fn not_tiny(&mut self, t: &Tbl<'_>, key: &str, min: f64, max: f64, zero_ok: bool) {
        let Some(e) = t.entries.iter().find(|e| e.key == key) else { return };
        let tiny = |node: &Node| match node.value {
            Value::Int(i) => i > 0 && (i as f64) < min,
            Value::Float(f) => f > 0.0 && f < min,
            _ => false,
        };
        // Each value found, with whether 0 would be allowed in its place.
        let mut found: Vec<(&Node, String, bool)> = Vec::new();
        match &e.node.value {
            Value::Table(params) => {
                for p in params {
                    let k = p.key.as_str();
                    if ["low", "high", "mean", "median", "min", "mode", "max"].contains(&k) && tiny(&p.node) {
                        // Interval ends, means and medians must be positive already.
                        let zero = zero_ok && ["min", "mode", "max"].contains(&k);
                        found.push((&p.node, format!("{}.{k}", t.key_path(key)), zero));
                    }
                    // An empirical distribution's values, each like a constant.
                    if let ("values", Value::Array(items)) = (k, &p.node.value) {
                        for (i, item) in items.iter().enumerate().filter(|(_, item)| tiny(item)) {
                            found.push((item, format!("{}.values[{i}]", t.key_path(key)), zero_ok));
                        }
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if tiny(item) {
                        found.push((item, format!("{}[{i}]", t.key_path(key)), zero_ok));
                    }
                }
            }
            _ if tiny(&e.node) => found.push((&e.node, t.key_path(key), zero_ok)),
            _ => {}
        }
        for (node, path, zero_ok) in found {
            let range = range_words(min, max);
            self.diags.push(
                Diagnostic::error(
                    Some(node.span),
                    path,
                    format!("value {} is too small for the model", short(&node.value)),
                )
                .expected(if zero_ok { format!("0, or {range}") } else { range })
                .help(format!("the model divides by `{key}`; below {} its ratios overflow", group_digits_f(min))),
            );
        }
    }

    /// A whole number in `[0, max]` (an integer, or a float with no fraction).
    pub fn count(&mut self, t: &mut Tbl<'_>, key: &'static str, max: u64) -> Option<u64> {
        let e = t.entry(key)?;
        self.count_node(&e.node, t.key_path(key), max)
    }

    /// A node holding a whole number in `[0, max]`.
    pub fn count_node(&mut self, node: &Node, path: String, max: u64) -> Option<u64> {
        self.count_node_from(node, path, 0, max)
    }

    /// A whole number in `[min, max]` under `key`.
    pub fn count_from(&mut self, t: &mut Tbl<'_>, key: &'static str, min: u64, max: u64) -> Option<u64> {
        let e = t.entry(key)?;
        self.count_node_from(&e.node, t.key_path(key), min, max)
    }

    /// A node holding a whole number in `[min, max]`.
    pub fn count_node_from(&mut self, node: &Node, path: String, min: u64, max: u64) -> Option<u64> {
        let expected = format!("a whole number from {min} to {}", group_digits(max));
        let exact = match node.value {
            Value::Int(i) => u64::try_from(i).ok().filter(|v| (min..=max).contains(v)),
            _ => None,
        };
        if exact.is_some() {
            return exact;
        }
        let v = match node.value {
            Value::Int(i) => i as f64,
            Value::Float(f) if f.fract() == 0.0 => f,
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        Some(node.span),
                        path,
                        format!("expected a whole number, found {}", node.value.display()),
                    )
                    .expected(expected),
                );
                return None;
            }
        };
        if !(min as f64..=max as f64).contains(&v) {
            self.diags.push(
                Diagnostic::error(Some(node.span), path, format!("value {} is out of range", node.value.display()))
                    .expected(expected),
            );
            return None;
        }
        Some(v as u64)
    }

    /// A month written `"YYYY-MM"`.
    pub fn month(&mut self, t: &mut Tbl<'_>, key: &'static str) -> Option<YearMonth> {
        let e = t.entry(key)?;
        self.month_text(&e.node, t.key_path(key))
    }

    /// A node holding a `"YYYY-MM"` month.
    pub fn month_text(&mut self, node: &Node, path: String) -> Option<YearMonth> {
        let text = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Datetime(d) => d.clone(),
            _ => {
                self.type_error(node, path, "a month written \"YYYY-MM\"");
                return None;
            }
        };
        self.parse_month(&text, node.span, path)
    }

    /// Parses `"YYYY-MM"`, recording an error at `span` if it is not one.
    pub fn parse_month(&mut self, text: &str, span: Span, path: String) -> Option<YearMonth> {
        let m = YearMonth::parse(text);
        if m.is_none() {
            self.diags.push(
                Diagnostic::error(Some(span), path, format!("`{text}` is not a month"))
                    .expected("a month written \"YYYY-MM\", e.g. \"2027-01\", with a year from 1900 to 2999")
                    .help("months are quoted strings: start = \"2027-01\""),
            );
        }
        m
    }

    /// An array of tables (`[[segments]]`), each element with its key path: by its
    /// `name`/`id` when it has one of at most [`MAX_ID_CHARS`] characters, else by index.
    pub fn array_of_tables<'a>(&mut self, t: &mut Tbl<'a>, key: &'static str) -> Vec<Tbl<'a>> {
        let Some(e) = t.entry(key) else { return Vec::new() };
        let Value::Array(items) = &e.node.value else {
            self.type_error(&e.node, t.key_path(key), &format!("an array of tables, written [[{key}]]"));
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let path = match element_id(item) {
                    Some(id) if id.chars().count() <= MAX_ID_CHARS => format!("{}.{id}", t.key_path(key)),
                    _ => format!("{}[{i}]", t.key_path(key)),
                };
                Tbl::of(self, item, path)
            })
            .collect()
    }

    /// An array of numbers in `[lo, hi]`.
    pub fn numbers(&mut self, t: &mut Tbl<'_>, key: &'static str, lo: f64, hi: f64) -> Option<(Vec<f64>, Span)> {
        self.values(t, key, lo, hi, Support::Real)
    }

    /// An array of numbers in `[lo, hi]` of a key with `support` (rates read as rates).
    pub(super) fn values(
        &mut self,
        t: &mut Tbl<'_>,
        key: &'static str,
        lo: f64,
        hi: f64,
        support: Support,
    ) -> Option<(Vec<f64>, Span)> {
        let e = t.entry(key)?;
        let Value::Array(items) = &e.node.value else {
            self.type_error(&e.node, t.key_path(key), "an array of numbers, e.g. [0.25, 0.5, 0.75]");
            return None;
        };
        let path = t.key_path(key);
        let values: Vec<Option<f64>> = items
            .iter()
            .enumerate()
            .map(|(i, n)| self.value_node(n, format!("{path}[{i}]"), lo, hi, support))
            .collect();
        values.into_iter().collect::<Option<Vec<f64>>>().map(|v| (v, e.node.span))
    }
}

/// The error of a value of the wrong type.
pub(super) fn type_mismatch(node: &Node, path: String, expected: &str) -> Diagnostic {
    Diagnostic::error(Some(node.span), path, format!("expected {expected}, found {}", node.value.type_name()))
        .expected(expected.to_string())
}

/// A node holding a finite number in `[lo, hi]`, or the error that says what is wrong.
fn bounded(node: &Node, path: String, lo: f64, hi: f64) -> Result<f64, Box<Diagnostic>> {
    let Some(v) = number_of(node) else { return Err(Box::new(type_mismatch(node, path, "a number"))) };
    if !v.is_finite() || v < lo || v > hi {
        let why = format!("value {} is out of range", node.value.display());
        return Err(Box::new(Diagnostic::error(Some(node.span), path, why).expected(range_words(lo, hi))));
    }
    Ok(v)
}

/// The number a node holds, if it holds one.
pub(super) fn number_of(node: &Node) -> Option<f64> {
    match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// `d`, the refusal of a rate, with the fraction meant when `node` holds a percentage:
/// `fix` when the value it belongs to is rewritten whole, else the value's own.
pub(super) fn as_fraction(d: Diagnostic, node: &Node, fix: Option<&str>) -> Diagnostic {
    let help = match &node.value {
        Value::Str(s) => quoted_rate_help(s),
        _ => number_of(node).and_then(percent_help).map(|own| fix.map_or(own, str::to_string)),
    };
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// A value as written, a tiny float in scientific notation (`4.9e-324`, not 324 digits).
fn short(v: &Value) -> String {
    match v {
        Value::Float(f) if *f != 0.0 && f.abs() < 1e-4 => format!("{f:e}"),
        _ => v.display(),
    }
}

/// `(low, high)` in words.
fn range_words(lo: f64, hi: f64) -> String {
    match (lo.is_finite(), hi.is_finite() && hi < f64::MAX) {
        (true, true) => format!("a number from {} to {}", group_digits_f(lo), group_digits_f(hi)),
        (true, false) => format!("a number of at least {}", group_digits_f(lo)),
        (false, true) => format!("a number of at most {}", group_digits_f(hi)),
        (false, false) => "a finite number".to_string(),
    }
}

fn group_digits_f(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let s = group_digits(v.abs() as u64);
        if v < 0.0 { format!("-{s}") } else { s }
    } else {
        v.to_string()
    }
}

/// `1234567` as `1_234_567`, the way TOML lets people write it.
pub fn group_digits(v: u64) -> String {
    crate::format::grouped(v, '_')
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "the top level" } else { path }
}
