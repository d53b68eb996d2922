//! Diagnostics: what is wrong with an input, where, and what would fix it.
//!
//! Every problem found in a scenario (or in a `--set` override) becomes a
//! [`Diagnostic`] carrying the source it came from, a byte span, the key path, what was
//! found, what is allowed and an optional suggestion. [`Sources`] turns spans into
//! `file:line:column` and renders the offending line. Nothing here decides validity.

use std::fmt::Write as _;

/// Which text a span points into: the scenario file or one `--set` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceId {
    /// The scenario file.
    File,
    /// The n-th `--set` override (0-based).
    Override(usize),
}

/// A byte range in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The text the range points into.
    pub source: SourceId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span in the scenario file.
    pub fn file(range: std::ops::Range<usize>) -> Span {
        Span { source: SourceId::File, start: range.start, end: range.end }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The input is refused.
    Error,
    /// The input is accepted, but the reader should know.
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where, if the problem has a place.
    pub span: Option<Span>,
    /// The key path, e.g. `segments.mid-market.win_rate`.
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What is allowed there.
    pub expected: Option<String>,
    /// A likely fix, e.g. the closest valid key.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` for key `path`.
    pub fn error(span: Option<Span>, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            path: path.into(),
            message: message.into(),
            expected: None,
            help: None,
        }
    }

    /// A warning at `span` for key `path`.
    pub fn warning(span: Option<Span>, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(span, path, message) }
    }

    /// Adds what is allowed.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Adds a suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The texts diagnostics point into, with their display names.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Display name of the scenario file.
    pub file_name: String,
    /// Its text.
    pub file_text: String,
    /// The `--set` arguments, verbatim.
    pub overrides: Vec<String>,
}

impl Sources {
    fn text(&self, id: SourceId) -> (&str, String) {
        match id {
            SourceId::File => (&self.file_text, self.file_name.clone()),
            SourceId::Override(i) => (self.overrides.get(i).map_or("", String::as_str), format!("--set #{}", i + 1)),
        }
    }

    /// `(line, column)`, both 1-based, of a byte offset; the column counts characters.
    pub fn line_col(&self, source: SourceId, offset: usize) -> (usize, usize) {
        let (text, _) = self.text(source);
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// Renders a diagnostic the way compilers do: message, location, the line, a caret.
    pub fn render(&self, d: &Diagnostic) -> String {
        let mut out = String::new();
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", d.message);
        match d.span {
            Some(span) => {
                let (text, name) = self.text(span.source);
                let (line, col) = self.line_col(span.source, span.start);
                let _ = writeln!(out, "  --> {name}:{line}:{col}");
                if !d.path.is_empty() {
                    let _ = writeln!(out, "   = key: {}", d.path);
                }
                if let Some(src_line) = text.lines().nth(line - 1) {
                    let shown: String = src_line.chars().take(160).collect();
                    let width = line.to_string().len();
                    let start = floor_char_boundary(text, span.start.min(text.len()));
                    let end = floor_char_boundary(text, span.end.min(text.len()));
                    let on_line = text[start..end].split('\n').next().unwrap_or("");
                    let carets = on_line.chars().count().clamp(1, 160usize.saturating_sub(col - 1).max(1));
                    // A caret past the shown part of a long line points at its end.
                    let pad = (col - 1).min(shown.chars().count());
                    let _ = writeln!(out, "{:width$} |", "");
                    let _ = writeln!(out, "{line} | {shown}");
                    let _ = writeln!(out, "{:width$} | {}{}", "", " ".repeat(pad), "^".repeat(carets));
                }
            }
            None => {
                let _ = writeln!(out, "  --> {}", self.file_name);
                if !d.path.is_empty() {
                    let _ = writeln!(out, "   = key: {}", d.path);
                }
            }
        }
        if let Some(expected) = &d.expected {
            let _ = writeln!(out, "   = expected: {expected}");
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "   = help: {help}");
        }
        out
    }

    /// Renders all diagnostics, errors and warnings, in source order.
    pub fn render_all(&self, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        for d in diags {
            out.push_str(&self.render(d));
            out.push('\n');
        }
        out
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key() {
        let keys = ["name", "deal_size", "win_rate", "cycle_months"];
        assert_eq!(closest("win_rat", keys), Some("win_rate"));
        assert_eq!(closest("dealsize", keys), Some("deal_size"));
        assert_eq!(closest("Cycle_Months", keys), Some("cycle_months"));
        assert_eq!(closest("zzzzzzzzz", keys), None);
    }

    #[test]
    fn line_and_column_count_characters() {
        let sources =
            Sources { file_name: "a.toml".into(), file_text: "a = 1\nnämé = 2\n".into(), overrides: vec![] };
        assert_eq!(sources.line_col(SourceId::File, 0), (1, 1));
        assert_eq!(sources.line_col(SourceId::File, 6), (2, 1));
        let after = "a = 1\nnämé".len();
        assert_eq!(sources.line_col(SourceId::File, after), (2, 5));
    }
}
