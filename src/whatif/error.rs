//! Why a what-if analysis cannot run, a `--vary` is refused, or a scenario cannot be
//! written back with its changes. `Display` is the message without `error:` (see
//! [`crate::message`]); the application decides the exit code.

use std::fmt;
use std::path::PathBuf;

use super::vary::MAX_VALUES;
use crate::format::visible_path;
use crate::message::Message;

/// Why a what-if analysis, or writing a variant, failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// `sensitivity`: every key drawn once per trial is a constant.
    NothingToRank {
        /// The scenario file.
        file: PathBuf,
    },
    /// A `--vary` that does not read.
    Vary {
        /// The argument as given.
        arg: String,
        /// What is wrong with it.
        values: BadValues,
    },
    /// The scenario text does not read as TOML.
    NotToml {
        /// The TOML reader's words.
        reason: String,
    },
    /// An override that is not `key.path=value`.
    NotAnOverride {
        /// The override.
        text: String,
    },
    /// An override whose key is not a key path.
    NotAKeyPath {
        /// The key as written.
        path: String,
    },
    /// A key that cannot be set in the text.
    CannotSet {
        /// The key as written.
        path: String,
        /// Why.
        why: Unset,
    },
}

impl Error {
    /// What failed, and what to do.
    pub fn message(&self) -> Message {
        match self {
            Error::NothingToRank { file } => Message::new(format!(
                "{}: nothing to rank: every key drawn once per trial is a constant",
                visible_path(file)
            ))
            .help(
                "give one a range, e.g. demand.leads_per_month = { low = 300, high = 500 }, or --set it, e.g. \
                 --set 'company.monthly_churn={ low = 0.006, high = 0.012 }'",
            ),
            Error::Vary { arg, values } => Message::new(format!("--vary {arg}: {values}")),
            Error::NotToml { reason } => Message::new(format!("cannot re-read the scenario as TOML: {reason}")),
            Error::NotAnOverride { text } => Message::new(format!("`{text}` is not key.path=value")),
            Error::NotAKeyPath { path } => Message::new(format!("`{path}` is not a key path")),
            Error::CannotSet { path, why } => Message::new(format!("cannot set {path}: {why}")),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

/// Why the values of a `--vary` do not read.
#[derive(Debug, Clone, PartialEq)]
pub enum BadValues {
    /// No `=` between the key and the values.
    NoValues,
    /// The key path is empty or has an empty part.
    KeyPath,
    /// More values than [`MAX_VALUES`].
    TooMany(usize),
    /// A range's start, end or step that is not a number.
    NotANumber {
        /// `start`, `end` or `step`.
        what: &'static str,
        /// As written.
        text: String,
    },
    /// A range of decimals without a step.
    NoStep,
    /// A step of zero or less.
    StepNotPositive(String),
    /// A range whose end is below its start.
    EmptyRange {
        /// Its start, as written.
        from: String,
        /// Its end, as written.
        to: String,
    },
    /// A range of more than [`MAX_VALUES`] values.
    RangeTooLong(f64),
    /// An empty value in a list.
    EmptyValue,
}

impl fmt::Display for BadValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValues::NoValues => f.write_str("needs the form KEY=V1,V2,... or KEY=FROM..TO step S"),
            BadValues::KeyPath => {
                f.write_str("the key path is empty or has an empty part (e.g. demand.leads_per_month)")
            }
            BadValues::TooMany(n) => write!(f, "{n} values; at most {MAX_VALUES} per key"),
            BadValues::NotANumber { what, text } => {
                write!(f, "the range's {what} `{text}` is not a number (write FROM..TO step S)")
            }
            BadValues::NoStep => f.write_str("a range of decimals needs a step: FROM..TO step S"),
            BadValues::StepNotPositive(step) => write!(f, "the step must be positive, not {step}"),
            BadValues::EmptyRange { from, to } => {
                write!(f, "the range {from}..{to} is empty: its end is below its start")
            }
            BadValues::RangeTooLong(count) => {
                write!(f, "the range has {count} values; at most {MAX_VALUES} per key (take a larger step)")
            }
            BadValues::EmptyValue => f.write_str("a value in the list is empty (write V1,V2,...)"),
        }
    }
}

/// Why a key cannot be set in a scenario's text (its overrides loaded, so a bug).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unset {
    /// The key path has no part.
    EmptyPath,
    /// It stops at an array without naming an element.
    NoElementNamed,
    /// It names an element the array does not have.
    NoElement(String),
    /// It goes through a key that is not a table.
    NotATable(String),
}

impl fmt::Display for Unset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unset::EmptyPath => f.write_str("an empty key path"),
            Unset::NoElementNamed => f.write_str("no element named"),
            Unset::NoElement(id) => write!(f, "no element `{id}`"),
            Unset::NotATable(key) => write!(f, "`{key}` is not a table"),
        }
    }
}
