//! The scenario as a tree of spanned TOML values, and the `--set` overrides applied to it.
//!
//! Parsing keeps the byte span of every key and value so that validation can point at
//! the exact place of a problem. Overrides replace or add values in the tree before
//! validation, so an override is checked by the same rules, and reported with the same
//! precision, as the file itself. This module does not know the scenario's schema.

use toml::de::{DeTable, DeValue};

use super::diag::{Diagnostic, SourceId, Span};
use super::key_path::Override;

/// A value with its place in the source.
#[derive(Debug, Clone)]
pub struct Node {
    /// Where the value was written.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// A TOML value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (may be infinite or NaN as written; validation refuses those).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time, kept as written.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table, in the order of the file.
    Table(Vec<Entry>),
}

/// One `key = value` of a table.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// The value.
    pub node: Node,
}

impl Value {
    /// The TOML type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// The value as written, shortened for messages.
    pub fn display(&self) -> String {
        let text = match self {
            Value::Str(s) => format!("\"{s}\""),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
            Value::Array(items) => format!("an array of {} items", items.len()),
            Value::Table(_) => "a table".to_string(),
        };
        if text.chars().count() > 60 {
            let cut: String = text.chars().take(57).collect();
            format!("{cut}...")
        } else {
            text
        }
    }
}

/// Parses TOML text into a tree; syntax errors become diagnostics.
pub fn parse(text: &str, source: SourceId) -> Result<Node, Vec<Diagnostic>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let diags = errors
            .iter()
            .map(|e| {
                let span = e.span().map(|r| Span { source, start: r.start, end: r.end });
                Diagnostic::error(span, "", format!("invalid TOML: {}", e.message().trim()))
                    .help("check quotes, brackets and `=` on this line; strings need double quotes")
            })
            .collect();
        return Err(diags);
    }
    let span = doc.span();
    let mut diags = Vec::new();
    let entries = convert_table(doc.get_ref(), source, 0, &mut diags);
    if diags.is_empty() {
        Ok(Node { span: Span { source, start: span.start, end: span.end }, value: Value::Table(entries) })
    } else {
        Err(diags)
    }
}

fn convert_table(table: &DeTable<'_>, source: SourceId, offset: usize, diags: &mut Vec<Diagnostic>) -> Vec<Entry> {
    table
        .iter()
        .map(|(key, value)| {
            let ks = key.span();
            Entry {
                key: key.get_ref().to_string(),
                key_span: Span { source, start: ks.start + offset, end: ks.end + offset },
                node: convert(value.get_ref(), value.span(), source, offset, diags),
            }
        })
        .collect()
}

fn convert(
    value: &DeValue<'_>,
    range: std::ops::Range<usize>,
    source: SourceId,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Node {
    let span = Span { source, start: range.start + offset, end: range.end + offset };
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Value::Int(v),
            Err(_) => {
                diags.push(
                    Diagnostic::error(Some(span), "", format!("integer {i} does not fit in 64 bits"))
                        .expected("an integer between -9223372036854775808 and 9223372036854775807"),
                );
                Value::Int(0)
            }
        },
        DeValue::Float(f) => {
            let text = f.as_str();
            let parsed = match text.trim_start_matches(['+', '-']) {
                "inf" => f64::INFINITY * if text.starts_with('-') { -1.0 } else { 1.0 },
                "nan" => f64::NAN,
                _ => text.parse().unwrap_or(f64::NAN),
            };
            Value::Float(parsed)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => {
            Value::Array(items.iter().map(|item| convert(item.get_ref(), item.span(), source, offset, diags)).collect())
        }
        DeValue::Table(t) => Value::Table(convert_table(t, source, offset, diags)),
    };
    Node { span, value }
}

/// Applies `--set key.path=value` overrides to the tree, in order.
///
/// A path walks tables by key and arrays of tables by the `name` or `id` of an element
/// (or its 0-based index): `segments.mid-market.win_rate`, `roles.ae.hires.2027-03`.
/// The value is read as TOML (`0.18`, `{ low = 1, high = 2 }`, `"text"`); a value that
/// is not TOML, such as `2027-03` or `mid-market`, is taken as a string.
pub fn apply_overrides(root: &mut Node, overrides: &[String]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, arg) in overrides.iter().enumerate() {
        let source = SourceId::Override(i);
        let whole = Span { source, start: 0, end: arg.len() };
        let Some(o) = Override::parse(arg) else {
            diags.push(
                Diagnostic::error(Some(whole), arg.clone(), "an override needs the form key.path=value")
                    .help("for example --set segments.mid-market.win_rate=0.18"),
            );
            continue;
        };
        let (path, eq, raw, value_offset) = (o.path, o.eq, o.raw, o.value_offset);
        let value_span = Span { source, start: value_offset, end: value_offset + raw.len() };
        let node = match DeValue::parse(raw) {
            Ok(v) => {
                let mut sub = Vec::new();
                let node = convert(v.get_ref(), v.span(), source, value_offset, &mut sub);
                if !sub.is_empty() {
                    diags.extend(sub);
                    continue;
                }
                node
            }
            // Not TOML: an amount or a count as the command line's flags write them
            // (`5.5M`, `$8M`, `750K`, `10,000`) is that number; other text stays a
            // string, for the key's own check to answer.
            Err(_) => match crate::numbers::money(raw) {
                // At most $1e12 (`numbers::money`'s range): a whole one fits an integer.
                Ok(v) if v.fract() == 0.0 => Node { span: value_span, value: Value::Int(v as i64) },
                Ok(v) => Node { span: value_span, value: Value::Float(v) },
                Err(_) => Node { span: value_span, value: Value::Str(raw.to_string()) },
            },
        };
        let Some(key_path) = o.key_path() else {
            diags.push(
                Diagnostic::error(
                    Some(Span { source, start: 0, end: eq }),
                    path,
                    "the key path is empty or has an empty part",
                )
                .help("write the path with dots between keys, e.g. roles.ae.ramp_months=6"),
            );
            continue;
        };
        let key_span = Span { source, start: 0, end: eq };
        let parts: Vec<&str> = key_path.parts().iter().map(String::as_str).collect();
        if let Err(d) = set_path(root, &parts, node, key_span) {
            diags.push(*d);
        }
    }
    diags
}

fn set_path(root: &mut Node, parts: &[&str], new: Node, key_span: Span) -> Result<(), Box<Diagnostic>> {
    let mut node = root;
    let mut walked = String::new();
    for (depth, part) in parts.iter().enumerate() {
        let last = depth + 1 == parts.len();
        let here = if walked.is_empty() { part.to_string() } else { format!("{walked}.{part}") };
        match &mut node.value {
            Value::Table(entries) => {
                let pos = entries.iter().position(|e| e.key == *part);
                match (pos, last) {
                    (Some(p), true) => {
                        entries[p].node = new;
                        entries[p].key_span = key_span;
                        return Ok(());
                    }
                    (None, true) => {
                        entries.push(Entry { key: part.to_string(), key_span, node: new });
                        return Ok(());
                    }
                    (Some(p), false) => node = &mut entries[p].node,
                    (None, false) => {
                        entries.push(Entry {
                            key: part.to_string(),
                            key_span,
                            node: Node { span: key_span, value: Value::Table(Vec::new()) },
                        });
                        let p = entries.len() - 1;
                        node = &mut entries[p].node;
                    }
                }
            }
            Value::Array(items) => {
                let ids: Vec<String> = items.iter().filter_map(element_id).collect();
                let pos = items
                    .iter()
                    .position(|item| element_id(item).as_deref() == Some(*part))
                    .or_else(|| part.parse::<usize>().ok().filter(|i| *i < items.len()));
                let Some(p) = pos else {
                    let mut d =
                        Diagnostic::error(Some(key_span), here, format!("`{walked}` has no element named `{part}`"))
                            .expected(format!("one of: {}", ids.join(", ")));
                    d = d.suggest(part, ids.iter().map(String::as_str));
                    return Err(Box::new(d));
                };
                if last {
                    return Err(Box::new(
                        Diagnostic::error(Some(key_span), here, "an override must name a key inside the element")
                            .help(format!("for example {walked}.{part}.<key>=value")),
                    ));
                }
                node = &mut items[p];
            }
            other => {
                return Err(Box::new(Diagnostic::error(
                    Some(key_span),
                    here,
                    format!("`{walked}` is {}, not a table, so it has no key `{part}`", other.type_name()),
                )));
            }
        }
        walked = if walked.is_empty() { part.to_string() } else { format!("{walked}.{part}") };
    }
    Ok(())
}

impl Node {
    /// The node at a key path, if the tree has one: tables by key, arrays of tables by
    /// the `name` or `id` of an element (or its 0-based index), as overrides address them.
    pub fn at(&self, parts: &[&str]) -> Option<&Node> {
        let Some((part, rest)) = parts.split_first() else { return Some(self) };
        let next = match &self.value {
            Value::Table(entries) => &entries.iter().find(|e| e.key == *part)?.node,
            Value::Array(items) => items
                .iter()
                .find(|item| element_id(item).as_deref() == Some(*part))
                .or_else(|| items.get(part.parse::<usize>().ok()?))?,
            _ => return None,
        };
        next.at(rest)
    }
}

/// The `name` or `id` of a table in an array of tables.
pub fn element_id(node: &Node) -> Option<String> {
    let Value::Table(entries) = &node.value else { return None };
    entries.iter().find(|e| e.key == "name" || e.key == "id").and_then(|e| match &e.node.value {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        let Value::Table(entries) = &node.value else { panic!("not a table") };
        &entries.iter().find(|e| e.key == key).unwrap().node
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = "[company]\narr = 2_400_000\n";
        let root = parse(text, SourceId::File).unwrap();
        let arr = get(get(&root, "company"), "arr");
        assert!(matches!(arr.value, Value::Int(2_400_000)));
        assert_eq!(&text[arr.span.start..arr.span.end], "2_400_000");
    }

    #[test]
    fn overrides_address_array_elements_by_name() {
        let text = "[[segments]]\nname = \"smb\"\nwin_rate = 0.2\n";
        let mut root = parse(text, SourceId::File).unwrap();
        let diags = apply_overrides(
            &mut root,
            &["segments.smb.win_rate=0.18".to_string(), "scenario.start=2027-03".to_string()],
        );
        assert!(diags.is_empty(), "{diags:?}");
        let Value::Array(items) = &get(&root, "segments").value else { panic!() };
        assert!(matches!(get(&items[0], "win_rate").value, Value::Float(f) if f == 0.18));
        assert!(matches!(&get(get(&root, "scenario"), "start").value, Value::Str(s) if s == "2027-03"));
    }

    #[test]
    fn override_of_a_missing_element_suggests_one() {
        let mut root = parse("[[segments]]\nname = \"smb\"\n", SourceId::File).unwrap();
        let diags = apply_overrides(&mut root, &["segments.sbm.win_rate=0.1".to_string()]);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `smb`?"));
    }

    #[test]
    fn a_node_is_found_by_its_key_path() {
        let text = "[company]\narr = 1\n[[segments]]\nname = \"smb\"\nwin_rate = 0.2\n";
        let root = parse(text, SourceId::File).unwrap();
        let at = |path: &[&str]| root.at(path).map(|n| &text[n.span.start..n.span.end]);
        assert_eq!(at(&["segments", "smb", "win_rate"]), Some("0.2"));
        assert_eq!(at(&["segments", "0", "win_rate"]), Some("0.2"));
        assert_eq!(at(&["company", "arr"]), Some("1"));
        assert_eq!(at(&["company", "arr", "x"]), None);
        assert_eq!(at(&["segments", "mid", "win_rate"]), None);
    }

    #[test]
    fn syntax_errors_carry_a_span() {
        let diags = parse("[company]\narr = = 3\n", SourceId::File).unwrap_err();
        assert!(diags[0].span.is_some());
    }
}
