//! Writing a scenario back as TOML with changed keys, comments and layout kept: the
//! `planned.toml` of `sopsim plan`. Key paths read as `--set` reads them: tables by
//! key, arrays of tables by the `name` or `id` of an element (or its 0-based index),
//! each override split and its path read by [`Override`] as the scenario reader does.

use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use super::Error;
use super::error::Unset;
use crate::scenario::Override;

/// `text` with each `key.path=value` of `overrides` set, in order. The overrides have
/// been validated by loading the scenario with them, so a failure here is a bug.
pub fn apply(text: &str, overrides: &[String]) -> Result<String, Error> {
    let mut doc: DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| Error::NotToml { reason: e.to_string() })?;
    for o in overrides {
        let split = Override::parse(o).ok_or_else(|| Error::NotAnOverride { text: o.clone() })?;
        let path = split.key_path().ok_or_else(|| Error::NotAKeyPath { path: split.path.to_string() })?;
        let parts: Vec<&str> = path.parts().iter().map(String::as_str).collect();
        let raw = split.raw;
        let value: Value = raw.parse().unwrap_or_else(|_| Value::from(raw));
        set(doc.as_table_mut(), &parts, value).map_err(|why| Error::CannotSet { path: split.path.to_string(), why })?;
    }
    Ok(doc.to_string())
}

/// A TOML string literal of `s`, quoted and escaped.
pub fn quoted(s: &str) -> String {
    Value::from(s).to_string().trim().to_string()
}

fn set(table: &mut dyn TableLike, parts: &[&str], value: Value) -> Result<(), Unset> {
    let (first, rest) = parts.split_first().ok_or(Unset::EmptyPath)?;
    if rest.is_empty() {
        match table.get_mut(first) {
            Some(item) => {
                // Keep the spacing and comment around the old value.
                let decor = item.as_value().map(|v| v.decor().clone());
                let mut value = value;
                if let Some(decor) = decor {
                    *value.decor_mut() = decor;
                }
                *item = Item::Value(value);
            }
            None => {
                table.insert(first, Item::Value(value));
            }
        }
        return Ok(());
    }
    let item = table.entry(first).or_insert(Item::Table(Table::new()));
    match item {
        Item::Table(t) => set(t, rest, value),
        Item::Value(Value::InlineTable(t)) => set(t, rest, value),
        Item::ArrayOfTables(items) => {
            let (id, deeper) = rest.split_first().ok_or(Unset::NoElementNamed)?;
            let position = items.iter().position(|t| element_is(t, id)).or_else(|| id.parse::<usize>().ok());
            let t = position.and_then(|p| items.get_mut(p)).ok_or_else(|| Unset::NoElement(id.to_string()))?;
            set(t, deeper, value)
        }
        Item::Value(Value::Array(items)) => {
            let (id, deeper) = rest.split_first().ok_or(Unset::NoElementNamed)?;
            let position = items
                .iter()
                .position(|v| v.as_inline_table().is_some_and(|t| element_is(t, id)))
                .or_else(|| id.parse::<usize>().ok());
            match position.and_then(|p| items.get_mut(p)) {
                Some(Value::InlineTable(t)) => set(t, deeper, value),
                _ => Err(Unset::NoElement(id.to_string())),
            }
        }
        _ => Err(Unset::NotATable(first.to_string())),
    }
}

fn element_is(t: &dyn TableLike, id: &str) -> bool {
    ["name", "id"].iter().any(|k| t.get(k).and_then(Item::as_str) == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_keys_and_keeps_comments() {
        let text = "# top\n[target]\narr = 1_000 # the goal\n\n[[roles]]\nid = \"ae\"\nhires = { \"2027-01\" = 1 }\n";
        let out = apply(
            text,
            &["target.arr=2000".into(), "roles.ae.hires={ \"2027-03\" = 2 }".into(), "roles.ae.backfill=true".into()],
        )
        .unwrap();
        assert!(out.starts_with("# top\n"), "{out}");
        assert!(out.contains("arr = 2000 # the goal"), "{out}");
        assert!(out.contains("hires = { \"2027-03\" = 2 }"), "{out}");
        assert!(out.contains("backfill = true"), "{out}");
        let back: toml::Table = out.parse().unwrap();
        assert_eq!(back["target"]["arr"].as_integer(), Some(2000));
    }

    #[test]
    fn creates_missing_tables_and_quotes_text() {
        let out = apply("[scenario]\nmonths = 3\n", &["target.by=2027-06".into()]).unwrap();
        let back: toml::Table = out.parse().unwrap();
        assert_eq!(back["target"]["by"].as_str(), Some("2027-06"));
        let q = quoted("a\"b'c");
        let back: toml::Table = format!("k = {q}").parse().unwrap();
        assert_eq!(back["k"].as_str(), Some("a\"b'c"), "{q}");
    }
}
