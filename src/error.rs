//! Why a command failed, and so its exit code.
//!
//! One enum for every command: bad input exits with code 2 (a scenario that does not
//! load, a flag that does not parse, an output path that would replace what sopsim did
//! not write), a failure while running or writing with code 1 (see the README's exit codes). Its
//! `Display` writes the whole message, `error:` included, once; `main` prints it and
//! exits with [`Error::code`]. Messages hold no `error:` of their own, but for
//! [`Error::Diagnostics`], which are rendered with their locations as the scenario
//! reader renders every problem it found.

use std::fmt;

use crate::report::WriteError;
use crate::scenario::LoadError;

/// Why a command failed.
#[derive(Debug)]
pub enum Error {
    /// The scenario, or an override, does not load (exit code 2).
    Scenario(Box<LoadError>),
    /// Problems in an input file rendered with their locations, each on its own
    /// `error:` line (exit code 2): an export `gather` reads, an actuals file.
    Diagnostics(String),
    /// Bad input: a flag, a file, an output path refused before anything is written
    /// (exit code 2). The message may have `   = help:` lines after its first.
    Input(String),
    /// A failure while running or writing (exit code 1).
    Run(String),
}

impl Error {
    /// The process exit code: 2 for bad input, 1 for a failure while running or writing.
    pub fn code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Diagnostics(_) | Error::Input(_) => 2,
            Error::Run(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    /// The message as printed, ending with a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, text) = match self {
            Error::Scenario(e) => return f.write_str(&e.render()),
            Error::Diagnostics(text) => ("", text.as_str()),
            Error::Input(m) | Error::Run(m) => ("error: ", m.as_str()),
        };
        f.write_str(prefix)?;
        f.write_str(text)?;
        if text.ends_with('\n') { Ok(()) } else { f.write_str("\n") }
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Error {
        Error::Scenario(Box::new(e))
    }
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Error {
        match e {
            WriteError::Refused(m) => Error::Input(m),
            WriteError::Failed(m) => Error::Run(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_written_once_and_codes_follow_the_kind() {
        let e = Error::Input("--cutoff x: expected a date\n   = help: write YYYY-MM-DD\n".into());
        assert_eq!(e.to_string(), "error: --cutoff x: expected a date\n   = help: write YYYY-MM-DD\n");
        assert_eq!(e.code(), 2);
        let e = Error::Run("cannot write a: full".into());
        assert_eq!(e.to_string(), "error: cannot write a: full\n");
        assert_eq!(e.code(), 1);
        let e = Error::Diagnostics("error: bad\n  --> a.csv:1:2\n".into());
        assert_eq!(e.to_string(), "error: bad\n  --> a.csv:1:2\n");
    }
}
