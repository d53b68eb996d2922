//! Diagnostics: what is wrong with an input, where, and what would fix it.
//!
//! Every problem found in a scenario (or in a `--set` override) becomes a
//! [`Diagnostic`] carrying the source it came from, a byte span, the key path, what was
//! found, what is allowed and an optional suggestion. [`Sources`] turns spans into
//! `file:line:column` and renders the offending line. Nothing here decides validity.
//! What is rendered shows the user's text with its control and bidirectional characters
//! as escapes (`\u{1b}`), so that a diagnostic cannot steer the terminal it is read on.

use std::fmt::Write as _;

use crate::format::{visible, visible_lines};

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

    /// Adds "did you mean" for the candidate closest to `word`, if one is close.
    pub fn suggest<'a>(mut self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        if let Some(h) = did_you_mean(word, candidates) {
            self.help = Some(h);
        }
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
    /// Each field is one line, so its line feeds are shown as escapes too; in the quoted
    /// source line tabs are kept, and the caret stays under the value however wide the
    /// escapes before it are.
    pub fn render(&self, d: &Diagnostic) -> String {
        let mut out = String::new();
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", field(&d.message));
        match d.span {
            Some(span) => {
                let (text, name) = self.text(span.source);
                let (line, col) = self.line_col(span.source, span.start);
                let _ = writeln!(out, "  --> {}:{line}:{col}", visible(&name));
                if !d.path.is_empty() {
                    let _ = writeln!(out, "   = key: {}", field(&d.path));
                }
                if let Some(src_line) = text.lines().nth(line - 1) {
                    // Widths on screen: the characters of the escaped text.
                    let shown_width = |s: &str| visible_lines(s).chars().count();
                    let head = |n: usize| src_line.chars().take(n).collect::<String>();
                    let shown = head(160);
                    let width = line.to_string().len();
                    let start = floor_char_boundary(text, span.start.min(text.len()));
                    let end = floor_char_boundary(text, span.end.min(text.len()));
                    let on_line = text[start..end].split('\n').next().unwrap_or("");
                    // A caret past the shown part of a long line points at its end.
                    let pad = shown_width(&head((col - 1).min(160)));
                    let carets = shown_width(on_line).clamp(1, shown_width(&shown).saturating_sub(pad).max(1));
                    let _ = writeln!(out, "{:width$} |", "");
                    let _ = writeln!(out, "{line} | {}", visible_lines(&shown));
                    let _ = writeln!(out, "{:width$} | {}{}", "", " ".repeat(pad), "^".repeat(carets));
                }
            }
            None => {
                let _ = writeln!(out, "  --> {}", visible(&self.file_name));
                if !d.path.is_empty() {
                    let _ = writeln!(out, "   = key: {}", field(&d.path));
                }
            }
        }
        if let Some(expected) = &d.expected {
            let _ = writeln!(out, "   = expected: {}", field(expected));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "   = help: {}", field(help));
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

/// Longest field of a rendered diagnostic, in characters: a message quoting a
/// 100,000-character key is cut, and says by how much.
const MAX_FIELD_CHARS: usize = 1_000;

/// One field of a diagnostic as shown: [`visible`], and cut at [`MAX_FIELD_CHARS`].
fn field(s: &str) -> String {
    let shown = visible(s);
    let chars = shown.chars().count();
    if chars <= MAX_FIELD_CHARS {
        return shown.into_owned();
    }
    let head: String = shown.chars().take(MAX_FIELD_CHARS).collect();
    format!("{head}… ({} more characters)", chars - MAX_FIELD_CHARS)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The one "did you mean" help of every refusal of a name: the [`closest`] candidate
/// to `word`, if one is close.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
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

    #[test]
    fn hidden_characters_are_shown_and_the_caret_stays_under_the_value() {
        let text = "id = \"\u{202e}x\" # \u{1b}[2J\nkind = 1\n";
        let sources = Sources { file_name: "a\u{1b}.toml".into(), file_text: text.into(), overrides: vec![] };
        let at = text.find('\u{202e}').unwrap();
        let d =
            Diagnostic::error(Some(Span::file(at..at + "\u{202e}x".len())), "roles.\u{202e}x.id", "bad `\u{202e}x`\n")
                .expected("one of: a\u{7}")
                .help("try \u{2066}b");
        let shown = sources.render(&d);
        assert_eq!(
            shown,
            "error: bad `\\u{202e}x`\\u{a}\n  --> a\\u{1b}.toml:1:7\n   = key: roles.\\u{202e}x.id\n  |\n\
             1 | id = \"\\u{202e}x\" # \\u{1b}[2J\n  |       ^^^^^^^^^\n   = expected: one of: a\\u{7}\n\
             \x20  = help: try \\u{2066}b\n"
        );
    }

    #[test]
    fn a_field_quoting_a_huge_key_is_cut() {
        let sources = Sources { file_name: "a.toml".into(), ..Sources::default() };
        let key = "k".repeat(120_000);
        let shown = sources.render(&Diagnostic::error(None, key.clone(), format!("unknown key `{key}`")));
        assert!(shown.len() < 3_000, "{} bytes", shown.len());
        assert!(shown.contains(&format!("   = key: {}… (119000 more characters)\n", "k".repeat(1_000))), "{shown}");
        assert!(shown.contains("… (119014 more characters)"), "the message is cut too");
    }
}
