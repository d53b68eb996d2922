//! The scenario's inputs as read, for the report and the workbook: every key with its
//! value as written, and whether a `--set` override gave it.
//!
//! The scenario text is parsed again and the overrides applied exactly as validation
//! applied them, so what is shown is what was simulated. Sections are expanded one
//! level (`company.arr`), arrays of tables by the element's `name` or `id`
//! (`segments.mid-market.win_rate`, the path `--set` takes); anything deeper is
//! written inline as TOML (`{ low = 0.17, high = 0.26 }`).

use crate::scenario::diag::{SourceId, Sources};
use crate::scenario::tree::{self, Node, Value};

/// One input: a key path and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Key path, e.g. `segments.mid-market.win_rate`.
    pub key: String,
    /// The value as written, inline TOML for tables and arrays (strings unquoted).
    pub text: String,
    /// The value as a number, when it is one.
    pub number: Option<f64>,
    /// Whether a `--set` override gave the value.
    pub overridden: bool,
}

/// The inputs of a scenario, in file order (keys added by overrides last); empty when
/// the text no longer parses.
pub fn read(sources: &Sources) -> Vec<Input> {
    let Ok(mut root) = tree::parse(&sources.file_text, SourceId::File) else { return Vec::new() };
    let _ = tree::apply_overrides(&mut root, &sources.overrides);
    let mut out = Vec::new();
    let Value::Table(sections) = &root.value else { return out };
    for section in sections {
        match &section.node.value {
            Value::Table(entries) => {
                for e in entries {
                    out.push(leaf(format!("{}.{}", section.key, e.key), &e.node));
                }
            }
            Value::Array(items) if !items.is_empty() && items.iter().all(|i| matches!(i.value, Value::Table(_))) => {
                for (k, item) in items.iter().enumerate() {
                    let id = tree::element_id(item).unwrap_or_else(|| k.to_string());
                    if let Value::Table(entries) = &item.value {
                        for e in entries {
                            out.push(leaf(format!("{}.{id}.{}", section.key, e.key), &e.node));
                        }
                    }
                }
            }
            _ => out.push(leaf(section.key.clone(), &section.node)),
        }
    }
    out
}

fn leaf(key: String, node: &Node) -> Input {
    let number = match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) if f.is_finite() => Some(f),
        _ => None,
    };
    let text = match &node.value {
        Value::Str(s) => s.clone(),
        _ => inline(node),
    };
    Input { key, text, number, overridden: matches!(node.span.source, SourceId::Override(_)) }
}

/// A value as inline TOML.
fn inline(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Value::Table(entries) if entries.is_empty() => "{}".to_string(),
        Value::Table(entries) => {
            let pairs: Vec<String> = entries.iter().map(|e| format!("{} = {}", key(&e.key), inline(&e.node))).collect();
            format!("{{ {} }}", pairs.join(", "))
        }
    }
}

/// A key, quoted unless it is bare (letters, digits, `-`, `_`).
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        k.to_string()
    } else {
        format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_listed_by_key_path_with_overrides_marked() {
        let text = "[scenario]\nname = \"Plan\"\nmonths = 12\n\n[company]\nmonthly_churn = { low = 0.006, high = 0.012 }\n\n\
                    [[segments]]\nname = \"mid-market\"\nwin_rate = 0.2\n\n[demand]\nsegment_mix = { \"mid-market\" = 1, \"a b\" = 0 }\n";
        let sources = Sources {
            file_name: "plan.toml".into(),
            file_text: text.into(),
            overrides: vec!["segments.mid-market.win_rate=0.15".into()],
        };
        let rows: Vec<(String, String, Option<f64>, bool)> =
            read(&sources).into_iter().map(|i| (i.key, i.text, i.number, i.overridden)).collect();
        let row = |k: &str, t: &str, n: Option<f64>, o: bool| (k.to_string(), t.to_string(), n, o);
        assert_eq!(
            rows,
            vec![
                row("scenario.name", "Plan", None, false),
                row("scenario.months", "12", Some(12.0), false),
                row("company.monthly_churn", "{ low = 0.006, high = 0.012 }", None, false),
                row("segments.mid-market.name", "mid-market", None, false),
                row("segments.mid-market.win_rate", "0.15", Some(0.15), true),
                row("demand.segment_mix", "{ mid-market = 1, \"a b\" = 0 }", None, false),
            ]
        );
    }
}
