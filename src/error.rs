//! Why a command failed, and so its exit code.
//!
//! One enum for every command: bad input exits with code 2 (a scenario that does not
//! load, a flag that does not parse, an output path that would replace what sopsim did
//! not write), a failure while running or writing with code 1 (see the README's exit codes). Its
//! `Display` writes the whole message, `error:` included, once (through
//! [`message::error`]); `main` prints it and exits with [`Error::code`]. Messages hold no
//! `error:` of their own, but for [`Error::Scenario`], whose diagnostics are rendered
//! with their locations as the scenario reader renders every problem it found.
//!
//! The library layers have errors of their own ([`gather::Error`], ...), which say what
//! failed and where and know nothing of exit codes: the `From` impls below decide, for
//! each, whether it is bad input or a failure.

use std::fmt;

use crate::gather;
use crate::message;
use crate::report;
use crate::runner::RunError;
use crate::scenario::LoadError;
use crate::scenario::actuals;
use crate::serve;
use crate::shard;
use crate::whatif;

/// Why a command failed.
#[derive(Debug)]
pub enum Error {
    /// The scenario, or an override, does not load (exit code 2).
    Scenario(Box<LoadError>),
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
            Error::Scenario(_) | Error::Input(_) => 2,
            Error::Run(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    /// The message as printed, ending with a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Scenario(e) => f.write_str(&e.render()),
            Error::Input(m) | Error::Run(m) => f.write_str(&message::error(m)),
        }
    }
}

impl std::error::Error for Error {}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Error {
        Error::Scenario(Box::new(e))
    }
}

/// An actuals file (`--actuals FILE.csv`) that cannot be read or is refused is bad input.
impl From<actuals::Error> for Error {
    fn from(e: actuals::Error) -> Error {
        Error::Input(e.to_string())
    }
}

/// A run that cannot start or finish is a failure.
impl From<RunError> for Error {
    fn from(e: RunError) -> Error {
        Error::Run(e.to_string())
    }
}

/// A place that is not sopsim's to write (a folder of files it did not write, a link)
/// is bad input; outputs that cannot be made or written are a failure.
impl From<report::Error> for Error {
    fn from(e: report::Error) -> Error {
        match e {
            report::Error::Refused(_) | report::Error::FileIsLink { .. } => Error::Input(e.to_string()),
            report::Error::Folder { .. }
            | report::Error::File { .. }
            | report::Error::Threads { .. }
            | report::Error::Csv { .. }
            | report::Error::Json(_)
            | report::Error::Xlsx(_)
            | report::Error::XlsxYear(_)
            | report::Error::TooManyMonths
            | report::Error::TooManyRows
            | report::Error::Draw(_)
            | report::Error::Font
            | report::Error::Svg(_)
            | report::Error::Image
            | report::Error::Png(_)
            | report::Error::Planned(_)
            | report::Error::Interrupt(_) => Error::Run(e.to_string()),
        }
    }
}

/// A folder sopsim refuses to write, found before anything is simulated: bad input.
impl From<report::folder::Refusal> for Error {
    fn from(r: report::folder::Refusal) -> Error {
        Error::from(report::Error::Refused(r))
    }
}

/// An export that cannot be gathered or back-tested is bad input: every case, the
/// scenario gathered at a cutoff that does not load and the back-test's threads that do
/// not start included (exit code 2, as before these had variants of their own).
impl From<gather::Error> for Error {
    fn from(e: gather::Error) -> Error {
        Error::Input(e.to_string())
    }
}

/// A shard's run that cannot start is a failure; the rest (a shard, a partial file or
/// parts refused) is bad input.
impl From<shard::Error> for Error {
    fn from(e: shard::Error) -> Error {
        match e {
            shard::Error::Run(_) => Error::Run(e.to_string()),
            shard::Error::NotAShard { .. }
            | shard::Error::TooManyShards { .. }
            | shard::Error::PartIsLink { .. }
            | shard::Error::PartIsFolder { .. }
            | shard::Error::PartNotOurs { .. }
            | shard::Error::Damaged { .. }
            | shard::Error::NothingToMerge
            | shard::Error::Versions { .. }
            | shard::Error::Scenarios { .. }
            | shard::Error::DifferentRuns { .. }
            | shard::Error::ShardTwice { .. }
            | shard::Error::ShardsMissing { .. }
            | shard::Error::Merge(_) => Error::Input(e.to_string()),
        }
    }
}

/// A what-if that cannot run (a `--vary` refused, nothing to rank) is bad input; a
/// scenario that cannot be written back with its changes is a failure.
impl From<whatif::Error> for Error {
    fn from(e: whatif::Error) -> Error {
        match e {
            whatif::Error::NothingToRank { .. } | whatif::Error::Vary { .. } => Error::Input(e.to_string()),
            whatif::Error::NotToml { .. }
            | whatif::Error::NotAnOverride { .. }
            | whatif::Error::NotAKeyPath { .. }
            | whatif::Error::CannotSet { .. } => Error::Run(e.to_string()),
        }
    }
}

/// A scenario the server refuses is bad input; worker threads that cannot start are a
/// failure.
impl From<serve::Error> for Error {
    fn from(e: serve::Error) -> Error {
        match e {
            serve::Error::Scenario(e) => Error::Scenario(e),
            serve::Error::Threads(_) => Error::Run(e.to_string()),
            serve::Error::TooManyTrials { .. }
            | serve::Error::TooManyTrialMonths { .. }
            | serve::Error::TooMuchWork { .. }
            | serve::Error::TooManyOverrides(_)
            | serve::Error::NotJson(_)
            | serve::Error::SessionTooLong => Error::Input(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Quantiles;
    use crate::stats::aggregate::MergeError;

    #[test]
    fn error_is_written_once_and_codes_follow_the_kind() {
        let e = Error::Input("--cutoff x: expected a date\n   = help: write YYYY-MM-DD\n".into());
        assert_eq!(e.to_string(), "error: --cutoff x: expected a date\n   = help: write YYYY-MM-DD\n");
        assert_eq!(e.code(), 2);
        let e = Error::Run("cannot write a: full".into());
        assert_eq!(e.to_string(), "error: cannot write a: full\n");
        assert_eq!(e.code(), 1);
    }

    #[test]
    fn layer_errors_map_to_the_exit_code_of_their_kind() {
        let e = Error::from(gather::Error::NoRows { file: "a.csv".into(), line: 2 });
        assert_eq!(e.code(), 2);
        assert_eq!(
            e.to_string(),
            "error: a.csv has a header but no rows\n  --> a.csv:2:1\n   = expected: one row per opportunity\n"
        );
        assert_eq!(Error::from(shard::Error::NothingToMerge).code(), 2);
        let threads = RunError::Threads { count: 2, reason: "no threads".into() };
        let e = Error::from(shard::Error::Run(threads));
        assert_eq!((e.code(), e.to_string()), (1, "error: cannot start 2 worker threads: no threads\n".to_string()));
        let merge = MergeError { into: (3, Quantiles::Exact), from: (4, Quantiles::Sketch) };
        let e = Error::from(shard::Error::Merge(merge));
        let merge_message = "error: cannot merge an aggregate of 4 cells (sketch quantiles) into one of 3 cells \
                             (exact quantiles)\n";
        assert_eq!((e.code(), e.to_string()), (2, merge_message.to_string()));
        assert_eq!(Error::from(whatif::Error::NothingToRank { file: "a.toml".into() }).code(), 2);
        assert_eq!(Error::from(whatif::Error::NotAnOverride { text: "x".into() }).code(), 1);
        assert_eq!(Error::from(serve::Error::SessionTooLong).code(), 2);
        assert_eq!(Error::from(serve::Error::Threads("no threads".into())).code(), 1);
        let refused = report::folder::Refusal { folder: "out".into(), why: report::folder::Why::File };
        let e = Error::from(report::Error::Refused(refused));
        assert_eq!(e.code(), 2);
        assert_eq!(
            e.to_string(),
            "error: the output folder out is an existing file, not a folder; sopsim writes a folder of outputs and \
             never replaces a file\n   = help: choose another folder with --out; nothing was written\n"
        );
        assert_eq!(Error::from(report::Error::FileIsLink { path: "a.part".into() }).code(), 2);
        let e = Error::from(report::Error::Csv { file: Some("a.csv".into()), reason: "full".into() });
        assert_eq!((e.code(), e.to_string()), (1, "error: cannot write a.csv: full\n".to_string()));
        assert_eq!(Error::from(report::Error::TooManyRows).code(), 1);
        let e = Error::from(actuals::Error::NoMonthColumn { file: "a.csv".into() });
        assert_eq!(
            (e.code(), e.to_string()),
            (
                2,
                "error: a.csv:1:1: the header has no `month` column\n   = expected: a column `month` (YYYY-MM)\n"
                    .into()
            )
        );
        let e = Error::from(RunError::Stopped);
        assert_eq!((e.code(), e.to_string()), (1, "error: the run was stopped\n".to_string()));
    }
}
