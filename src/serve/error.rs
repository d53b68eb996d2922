//! Why the workshop server cannot start, or refuses a request. `Display` is the message
//! without `error:` (see [`crate::message`]); the page is sent it with `error:`, as the
//! command line prints it, and the application decides the exit code.

use std::fmt;

use super::state::{MAX_OVERRIDES, MAX_PERSON_MONTH_TRIALS, MAX_TRIAL_MONTHS, MAX_TRIALS};
use crate::format::{thousands as digits, visible};
use crate::message::Message;
use crate::scenario::{self, LoadError};

/// Why the server cannot start, or refuses a request.
#[derive(Debug)]
pub enum Error {
    /// The scenario file does not load: its diagnostics, which are rendered with their
    /// own `error:` lines ([`LoadError::render`]).
    Scenario(Box<LoadError>),
    /// The worker threads cannot start.
    Threads(String),
    /// More trials than the page runs.
    TooManyTrials {
        /// The scenario file as named.
        file: String,
        /// Its trials.
        trials: u64,
    },
    /// More trials times months than the page runs.
    TooManyTrialMonths {
        /// The trials.
        trials: u64,
        /// The months.
        months: usize,
    },
    /// More trials times months times people than the page runs.
    TooMuchWork {
        /// The trials.
        trials: u64,
        /// The months.
        months: usize,
        /// The people planned: on staff and hired, all roles.
        people: u64,
    },
    /// A request with more overrides than the page sends.
    TooManyOverrides(usize),
    /// A request body that is not the JSON expected.
    NotJson(String),
    /// A session id over 100 bytes.
    SessionTooLong,
}

impl Error {
    /// What failed, and what to do.
    pub fn message(&self) -> Message {
        match self {
            Error::Scenario(e) => Message::new(e.render()),
            Error::Threads(reason) => Message::new(reason.as_str()),
            Error::TooManyTrials { file, trials } => Message::new(format!(
                "scenario.trials = {} is more than the workshop page runs ({} at most)",
                digits(*trials),
                digits(MAX_TRIALS)
            ))
            .help(format!(
                "set scenario.trials lower here; `sopsim run {}` runs up to {} trials",
                visible(file),
                digits(scenario::MAX_TRIALS)
            )),
            Error::TooManyTrialMonths { trials, months } => Message::new(format!(
                "{} trials of {months} months is more than the workshop page runs ({} trial-months at most)",
                digits(*trials),
                digits(MAX_TRIAL_MONTHS)
            ))
            .help(format!(
                "set scenario.trials lower, e.g. scenario.trials={}",
                MAX_TRIAL_MONTHS / (*months as u64).max(1)
            )),
            Error::TooMuchWork { trials, months, people } => Message::new(format!(
                "{} trials of {months} months with {} people planned (on staff and hired, all roles) is more work \
                 than the workshop page runs ({} person-months of trials at most)",
                digits(*trials),
                digits(*people),
                digits(MAX_PERSON_MONTH_TRIALS)
            ))
            .help("set scenario.trials lower, or run it with `sopsim run`, which has no such bound"),
            Error::TooManyOverrides(n) => {
                Message::new(format!("{n} overrides; the page sends at most {MAX_OVERRIDES}"))
            }
            Error::NotJson(reason) => Message::new(format!("the request is not the JSON expected: {reason}")),
            Error::SessionTooLong => Message::new("the session id is longer than 100 bytes"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Error {
        Error::Scenario(Box::new(e))
    }
}
