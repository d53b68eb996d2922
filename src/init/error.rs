//! Why a template cannot be moved to the start asked. `Display` is the message without
//! `error:` (see [`crate::message`]); the command says which `--start` it was.

use std::fmt;

use crate::month::YearMonth;

/// Why a template cannot be moved to a start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The plan would end past the last month a scenario may have.
    PastCalendar {
        /// The plan's last month.
        last: YearMonth,
    },
    /// A month the template names would move off the calendar.
    OffCalendar {
        /// The month as written.
        label: String,
        /// Where it would move.
        to: YearMonth,
    },
    /// The template is not as this module expects (a fault of sopsim): what is wrong.
    Template(Template),
}

/// What is wrong with a template (none of which a template as shipped has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// [`TEMPLATE_START`](super::TEMPLATE_START) does not read as a month.
    Start,
    /// The text does not read as TOML.
    NotToml(String),
    /// `hires` or `departures` is not an inline table.
    NotInline(&'static str),
    /// A month is not a value.
    NotAValue,
    /// A month is not written `YYYY-MM`.
    NotAMonth(String),
    /// A month does not make a key.
    NotAKey,
    /// A key was gone when it was moved.
    KeyVanished,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::PastCalendar { last } => {
                write!(f, "the plan would end in {last}, past the last month a scenario may have (2999-12)")
            }
            Error::OffCalendar { label, to } => {
                write!(f, "{label} would move to {to}, off the calendar a scenario may have (1900 to 2999)")
            }
            Error::Template(t) => t.fmt(f),
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Template::Start => f.write_str("the templates' start month does not read"),
            Template::NotToml(reason) => write!(f, "the template does not read as TOML: {reason}"),
            Template::NotInline(key) => write!(f, "`{key}` is not an inline table"),
            Template::NotAValue => f.write_str("a month is not a value"),
            Template::NotAMonth(label) => write!(f, "`{label}` is not a month written YYYY-MM"),
            Template::NotAKey => f.write_str("a month does not make a key"),
            Template::KeyVanished => f.write_str("a key vanished"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Template> for Error {
    fn from(t: Template) -> Error {
        Error::Template(t)
    }
}
