//! How an error reads, written in one place.
//!
//! Every layer's error (`gather::Error`, `shard::Error`, `whatif::Error`,
//! `serve::Error`, `init::Error`, `report::Error`, `scenario::actuals::Error`, and the
//! flag values clap refuses, `numbers::Error` and `cli::BadValue`) says what failed in a
//! [`Message`]: its main line,
//! where (`  --> file:line:column`), what was expected (`   = expected: ...`) and what
//! to do (`   = help: ...`). Its `Display` is the message without `error:`; [`error`]
//! puts `error:` in front, as the command line and the workshop page print it. The
//! scenario's own diagnostics, which quote the source line, are rendered by
//! [`scenario::diag`](crate::scenario::diag) in the same shape.

use std::fmt;

/// An error's words: a main line and, under it, where, what was expected and a help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What failed (it may run over several lines, e.g. quoting a scenario's diagnostics).
    pub text: String,
    /// Where: `file`, `file:line` or `file:line:column`.
    pub at: Option<String>,
    /// What was expected there.
    pub expected: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Message {
    /// A message of one line.
    pub fn new(text: impl Into<String>) -> Message {
        Message { text: text.into(), at: None, expected: None, help: None }
    }

    /// The message, at `at`.
    pub fn at(mut self, at: impl Into<String>) -> Message {
        self.at = Some(at.into());
        self
    }

    /// The message, saying what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Message {
        self.expected = Some(expected.into());
        self
    }

    /// The message, with a help.
    pub fn help(mut self, help: impl Into<String>) -> Message {
        self.help = Some(help.into());
        self
    }

    /// The message, with a help if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Message {
        self.help = help;
        self
    }
}

impl fmt::Display for Message {
    /// The main line, then one line each for where, what was expected and the help; no
    /// `error:` and no newline at the end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if let Some(at) = &self.at {
            write!(f, "\n  --> {at}")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, "\n   = expected: {expected}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// `message` as printed: `error: ` before it and a newline after it (none is added when
/// it ends with one, as quoted diagnostics do).
pub fn error(message: &dyn fmt::Display) -> String {
    let mut out = format!("error: {message}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_rendered_with_its_location_expectation_and_help() {
        let m = Message::new("x.csv is empty").at("x.csv:1:1").expected("a header row").help("export again");
        assert_eq!(
            error(&m),
            "error: x.csv is empty\n  --> x.csv:1:1\n   = expected: a header row\n   = help: export again\n"
        );
        assert_eq!(error(&Message::new("bad")), "error: bad\n");
        assert_eq!(error(&Message::new("does not load:\nerror: x\n")), "error: does not load:\nerror: x\n");
    }
}
