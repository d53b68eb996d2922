//! Key paths: `segments.mid-market.win_rate`, `roles.ae.hires.2027-03`, the one way
//! every command names a scenario key (`--set`, `--vary`, `planned.toml`, the keys of
//! `inputs_diff.csv`).
//!
//! A path walks tables by key and arrays of tables by the `name` or `id` of an element
//! (or its 0-based index). [`KeyPath::parse`] reads one; an override `key.path=value`
//! is split once by [`Override::parse`], and each representation of a scenario walks
//! the parts its own way: the spanned tree when a scenario loads (`tree`), the
//! comment-keeping document when `plan` writes `planned.toml` (`whatif::edit`).

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
}
