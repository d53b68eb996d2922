//! A gathered scenario as lines: comments, table headers and `key = value` pairs, in the
//! order they are written. The same lines give the scenario's text ([`Doc::text`]) and
//! the tree the scenario loader reads ([`Doc::tree`]), so the scenario a back-test
//! simulates is the one the text says, without writing the text and reading it back.
//!
//! A number is kept as written (its digits are what the scenario holds), and becomes
//! in the tree what TOML reads it as: an integer without a decimal point, else a float.

use crate::scenario::diag::Span;
use crate::scenario::tree::{Entry, Node, Value as TreeValue};

use super::words::quoted;

/// A value as the scenario writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number as written: a TOML integer or float.
    Num(String),
    /// A string, written quoted.
    Str(String),
    /// An array, on one line; an array of tables, one table a line.
    Array(Vec<Value>),
    /// An inline table, on one line.
    Table(Vec<(Key, Value)>),
}

/// A key of an inline table.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// Written as it is (a schema key).
    Bare(&'static str),
    /// Written quoted (a name from the export).
    Quoted(String),
}

/// One line of the scenario.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    /// `# text`.
    Comment(String),
    /// An empty line.
    Blank,
    /// `[name]`.
    Table(&'static str),
    /// `[[name]]`: a new element of an array of tables.
    Element(&'static str),
    /// `key = value`, with a comment after it if any.
    Key(&'static str, Value, Option<&'static str>),
}

/// A scenario as lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    lines: Vec<Line>,
}

impl Value {
    /// A number with at most `digits` decimals, as [`super::words::num`] writes it.
    pub fn num(v: f64, digits: usize) -> Value {
        Value::Num(super::words::num(v, digits))
    }

    /// An interval `{ low, high }` of numbers as written.
    pub fn interval(low: String, high: String) -> Value {
        Value::Table(vec![(Key::Bare("low"), Value::Num(low)), (Key::Bare("high"), Value::Num(high))])
    }

    /// A distribution `{ dist = name, ... }` with its parameters.
    pub fn dist(name: &str, params: Vec<(&'static str, Value)>) -> Value {
        let mut entries = vec![(Key::Bare("dist"), Value::Str(name.to_string()))];
        entries.extend(params.into_iter().map(|(k, v)| (Key::Bare(k), v)));
        Value::Table(entries)
    }

    /// The value as TOML text.
    fn text(&self) -> String {
        match self {
            Value::Num(n) => n.clone(),
            Value::Str(s) => quoted(s),
            Value::Array(items) if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Table(_))) => {
                let items: Vec<String> = items.iter().map(|v| format!("  {},\n", v.text())).collect();
                format!("[\n{}]", items.concat())
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(Value::text).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Table(entries) => {
                let entries: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{} = {}", k.text(), v.text())).collect();
                format!("{{ {} }}", entries.join(", "))
            }
        }
    }

    /// The value as the loader's tree holds it.
    fn node(&self) -> Node {
        let value = match self {
            Value::Num(n) => match n.parse::<i64>() {
                Ok(i) => TreeValue::Int(i),
                Err(_) => TreeValue::Float(n.parse().unwrap_or(f64::NAN)),
            },
            Value::Str(s) => TreeValue::Str(s.clone()),
            Value::Array(items) => TreeValue::Array(items.iter().map(Value::node).collect()),
            Value::Table(entries) => TreeValue::Table(entries.iter().map(|(k, v)| entry(k.name(), v.node())).collect()),
        };
        Node { span: NOWHERE, value }
    }
}

impl Key {
    /// The key as written.
    fn text(&self) -> String {
        match self {
            Key::Bare(k) => (*k).to_string(),
            Key::Quoted(k) => quoted(k),
        }
    }

    /// The key as read.
    fn name(&self) -> &str {
        match self {
            Key::Bare(k) => k,
            Key::Quoted(k) => k,
        }
    }
}

/// The span of a value that was never written: the tree is built in memory.
const NOWHERE: Span = Span { source: crate::scenario::diag::SourceId::File, start: 0, end: 0 };

/// A table's entry `key = node`.
fn entry(key: &str, node: Node) -> Entry {
    Entry { key: key.to_string(), key_span: NOWHERE, node }
}

impl Doc {
    /// Adds `# text`.
    pub fn comment(&mut self, text: impl Into<String>) {
        self.lines.push(Line::Comment(text.into()));
    }

    /// Adds an empty line.
    pub fn blank(&mut self) {
        self.lines.push(Line::Blank);
    }

    /// Starts the table `[name]`.
    pub fn table(&mut self, name: &'static str) {
        self.lines.push(Line::Table(name));
    }

    /// Starts a new element `[[name]]` of an array of tables.
    pub fn element(&mut self, name: &'static str) {
        self.lines.push(Line::Element(name));
    }

    /// Adds `key = value` to the table begun last.
    pub fn key(&mut self, key: &'static str, value: Value) {
        self.lines.push(Line::Key(key, value, None));
    }

    /// Adds `key = value   # note`.
    pub fn key_noted(&mut self, key: &'static str, value: Value, note: &'static str) {
        self.lines.push(Line::Key(key, value, Some(note)));
    }

    /// The scenario's text, a line each.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match line {
                Line::Comment(text) => out.push_str(&format!("# {text}")),
                Line::Blank => {}
                Line::Table(name) => out.push_str(&format!("[{name}]")),
                Line::Element(name) => out.push_str(&format!("[[{name}]]")),
                Line::Key(key, value, None) => out.push_str(&format!("{key} = {}", value.text())),
                Line::Key(key, value, Some(note)) => out.push_str(&format!("{key} = {}   # {note}", value.text())),
            }
            out.push('\n');
        }
        out
    }

    /// The scenario as the tree of values its text parses to (comments left out).
    pub fn tree(&self) -> Node {
        let mut top: Vec<Entry> = Vec::new();
        for line in &self.lines {
            match line {
                Line::Comment(_) | Line::Blank => {}
                Line::Table(name) => top.push(entry(name, Node { span: NOWHERE, value: TreeValue::Table(Vec::new()) })),
                Line::Element(name) => {
                    let table = Node { span: NOWHERE, value: TreeValue::Table(Vec::new()) };
                    match top.iter_mut().find(|e| e.key == *name).map(|e| &mut e.node.value) {
                        Some(TreeValue::Array(items)) => items.push(table),
                        _ => top.push(entry(name, Node { span: NOWHERE, value: TreeValue::Array(vec![table]) })),
                    }
                }
                Line::Key(key, value, _) => {
                    if let Some(TreeValue::Table(entries)) = current(&mut top) {
                        entries.push(entry(key, value.node()));
                    }
                }
            }
        }
        Node { span: NOWHERE, value: TreeValue::Table(top) }
    }
}

/// The table that keys go to: the last one begun, or the last element of an array.
fn current(top: &mut [Entry]) -> Option<&mut TreeValue> {
    let last = &mut top.last_mut()?.node.value;
    match last {
        TreeValue::Array(items) => items.last_mut().map(|n| &mut n.value),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with every kind of line and value.
    fn example() -> Doc {
        let mut d = Doc::default();
        d.comment("a comment");
        d.table("scenario");
        d.key("name", Value::Str("a \"b\"\n".into()));
        d.key_noted("months", Value::num(12.0, 0), "a note");
        d.blank();
        for (name, arr) in [("x", "0"), ("y", "0.0")] {
            d.element("segments");
            d.key("name", Value::Str(name.into()));
            d.key("win_rate", Value::interval("0.1".into(), "0.25".into()));
            d.key("arr", Value::Num(arr.into()));
        }
        d.table("demand");
        d.key("segment_mix", Value::Table(vec![(Key::Quoted("x y".into()), Value::num(0.5, 4))]));
        d.key("seasonality", Value::Array(vec![Value::num(1.0, 3), Value::num(-0.25, 3)]));
        d.key("deal_size", Value::dist("gamma", vec![("mean", Value::num(2.5, 3))]));
        d
    }

    /// The lines as TOML: comments, tables, keys with their notes, inline tables and
    /// arrays on one line, strings quoted, numbers as written.
    #[test]
    fn the_lines_are_written_as_toml() {
        assert_eq!(
            example().text(),
            "# a comment\n[scenario]\nname = \"a \\\"b\\\"\\n\"\nmonths = 12   # a note\n\n\
             [[segments]]\nname = \"x\"\nwin_rate = { low = 0.1, high = 0.25 }\narr = 0\n\
             [[segments]]\nname = \"y\"\nwin_rate = { low = 0.1, high = 0.25 }\narr = 0.0\n\
             [demand]\nsegment_mix = { \"x y\" = 0.5 }\nseasonality = [1, -0.25]\n\
             deal_size = { dist = \"gamma\", mean = 2.5 }\n"
        );
    }

    /// The tree of a document is the tree its text parses to: the same tables, keys,
    /// types and numbers.
    #[test]
    fn the_tree_is_what_the_text_parses_to() {
        let d = example();
        let text = d.text();
        let parsed = crate::scenario::tree::parse(&text, crate::scenario::diag::SourceId::File).unwrap();
        assert_eq!(shape(&d.tree()), shape(&parsed), "{text}");
    }

    /// A tree without its spans, as text.
    fn shape(n: &Node) -> String {
        match &n.value {
            TreeValue::Table(entries) => {
                let e: Vec<String> = entries.iter().map(|e| format!("{:?}: {}", e.key, shape(&e.node))).collect();
                format!("{{{}}}", e.join(", "))
            }
            TreeValue::Array(items) => format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(", ")),
            other => format!("{other:?}"),
        }
    }
}
