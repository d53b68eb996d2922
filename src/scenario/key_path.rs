//! Key paths: `segments.mid-market.win_rate`, `roles.ae.hires.2027-03`, the one way
//! every command names a scenario key (`--set`, `--vary`, `planned.toml`, the keys of
//! `inputs_diff.csv`).
//!
//! A path walks tables by key and arrays of tables by the `name` or `id` of an element
//! (or its 0-based index). [`KeyPath::parse`] reads one; an override `key.path=value`
//! is split once by [`Override::parse`], and each representation of a scenario walks
//! the parts its own way: the spanned tree when a scenario loads (`tree`), the
//! comment-keeping document when `plan` writes `planned.toml` (`whatif::edit`).
//! [`flatten`] writes a scenario's text as `key.path = value` lines, the keys of
//! `compare`'s `inputs_diff.csv` and of the workshop page's saved variants.

use std::fmt;

/// A dotted path of keys, each part trimmed and none empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath {
    parts: Vec<String>,
}

impl KeyPath {
    /// Reads `text` (`a.b.c`, spaces around the parts ignored); `None` when the path is
    /// empty or has an empty part.
    pub fn parse(text: &str) -> Option<KeyPath> {
        let text = text.trim();
        let parts: Vec<String> = text.split('.').map(|p| p.trim().to_string()).collect();
        if text.is_empty() || parts.iter().any(String::is_empty) {
            return None;
        }
        Some(KeyPath { parts })
    }

    /// The parts, from the top-level table down.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The last part: the key itself.
    pub fn leaf(&self) -> &str {
        self.parts.last().map_or("", String::as_str)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.parts.join("."))
    }
}

/// An override `key.path=value`, split once: the text before the first `=` and the
/// value after it, both with their byte offsets in the argument (for diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override<'a> {
    /// The key path as written, trimmed.
    pub path: &'a str,
    /// Where the `=` is.
    pub eq: usize,
    /// The value as written, trimmed.
    pub raw: &'a str,
    /// Where the trimmed value starts.
    pub value_offset: usize,
}

impl<'a> Override<'a> {
    /// Splits `arg` at its first `=`; `None` without one.
    pub fn parse(arg: &'a str) -> Option<Override<'a>> {
        let eq = arg.find('=')?;
        let raw = &arg[eq + 1..];
        let value_offset = eq + 1 + (raw.len() - raw.trim_start().len());
        Some(Override { path: arg[..eq].trim(), eq, raw: raw.trim(), value_offset })
    }

    /// The key path, if it is one.
    pub fn key_path(&self) -> Option<KeyPath> {
        KeyPath::parse(self.path)
    }
}

/// `key.path = value` lines of a TOML value: sections and tables are walked; an array of
/// tables that each have a `name` or `id` is walked by it (`roles.ae.ramp_months`); a
/// table of plain values below a section (a distribution, `hires`, `segment_mix`) and
/// any other array are one value, written as inline TOML.
pub fn flatten(prefix: &str, value: &toml::Value, depth: usize, out: &mut Vec<(String, String)>) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match value {
        toml::Value::Table(t) if depth < 2 || t.values().any(|v| v.is_table() || is_named_tables(v)) => {
            for (k, v) in t {
                flatten(&join(k), v, depth + 1, out);
            }
        }
        toml::Value::Array(items) if is_named_tables(value) => {
            for item in items {
                if let Some(t) = item.as_table() {
                    let id = t.get("name").or_else(|| t.get("id")).and_then(toml::Value::as_str).unwrap_or_default();
                    let element = join(id);
                    for (k, v) in t {
                        flatten(&format!("{element}.{k}"), v, depth + 2, out);
                    }
                }
            }
        }
        other => out.push((prefix.to_string(), inline(other))),
    }
}

/// Whether `v` is a non-empty array of tables that each have a distinct string `name` or `id`.
fn is_named_tables(v: &toml::Value) -> bool {
    let Some(items) = v.as_array() else { return false };
    let ids: Vec<Option<&str>> = items
        .iter()
        .map(|i| i.as_table().and_then(|t| t.get("name").or_else(|| t.get("id"))).and_then(toml::Value::as_str))
        .collect();
    !ids.is_empty() && ids.iter().all(Option::is_some) && ids.iter().enumerate().all(|(i, id)| !ids[..i].contains(id))
}

/// A value as one line of TOML.
fn inline(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(t) => {
            let parts: Vec<String> = t.iter().map(|(k, v)| format!("{} = {}", key(k), inline(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        toml::Value::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// A key as TOML writes it: bare when it can be, else quoted.
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_trimmed_and_refuse_empty_parts() {
        let p = KeyPath::parse(" roles . ae.hires.2027-03 ").unwrap();
        assert_eq!(p.parts(), ["roles", "ae", "hires", "2027-03"]);
        assert_eq!(p.to_string(), "roles.ae.hires.2027-03");
        assert_eq!(p.leaf(), "2027-03");
        for bad in ["", " ", "a..b", ".a", "a."] {
            assert_eq!(KeyPath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn overrides_split_at_the_first_equals_sign() {
        let o = Override::parse("target.by = 2027-06=x").unwrap();
        assert_eq!((o.path, o.raw, o.eq, o.value_offset), ("target.by", "2027-06=x", 10, 12));
        assert_eq!(o.key_path().unwrap().parts(), ["target", "by"]);
        assert_eq!(Override::parse("nonsense"), None);
    }

    #[test]
    fn flattened_keys_walk_named_elements_and_keep_distributions_whole() {
        let t: toml::Table =
            "[[roles]]\nid = \"ae\"\nramp_months = 4\n[demand]\nleads_per_month = { low = 1, high = 2 }\n"
                .parse()
                .unwrap();
        let mut out = Vec::new();
        flatten("", &toml::Value::Table(t), 0, &mut out);
        let keys: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert!(keys.contains(&("roles.ae.ramp_months", "4")), "{keys:?}");
        assert!(keys.contains(&("demand.leads_per_month", "{ low = 1, high = 2 }")), "{keys:?}");
        assert!(keys.iter().all(|(k, _)| KeyPath::parse(k).is_some()), "{keys:?}");
    }
}
