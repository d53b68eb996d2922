//! Readers every section shares: references to other sections by name, with "did you
//! mean" for a near miss; names unique in their array; names that can label a metric.

use super::diag::{Diagnostic, Span};
use super::read::Reader;

/// Resolves a reference by name, with a "did you mean" for a near miss.
pub(super) fn reference(
    r: &mut Reader,
    span: Span,
    path: String,
    what: &str,
    name: &str,
    names: &[&str],
) -> Option<usize> {
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Some(i);
    }
    let expected = if names.is_empty() {
        format!("a {what} defined in the file (there is none)")
    } else {
        format!("one of the {what} names: {}", names.join(", "))
    };
    let mut d = Diagnostic::error(Some(span), path, format!("no {what} is named `{name}`")).expected(expected);
    d = d.suggest(name, names.iter().copied());
    r.error(d);
    None
}

/// Reports a name used twice in one array of tables.
pub(super) fn unique(r: &mut Reader, seen: &mut Vec<String>, name: &str, span: Span, path: String, what: &str) {
    if seen.iter().any(|n| n == name) {
        r.error(
            Diagnostic::error(Some(span), path, format!("{what} `{name}` is defined twice"))
                .help(format!("give each {what} its own name")),
        );
    }
    seen.push(name.to_string());
}

/// Whether `name` can name a metric (`coverage.<name>`).
pub(super) fn plain_word(r: &mut Reader, name: &str, span: Span, path: String) -> bool {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_ ".contains(c));
    if !ok {
        r.error(
            Diagnostic::error(Some(span), path, format!("`{name}` cannot name a metric"))
                .expected("letters, digits, spaces, - and _"),
        );
    }
    ok
}
