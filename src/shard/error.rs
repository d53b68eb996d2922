//! Why a shard cannot run, a partial file cannot be read or written, or parts do not
//! merge. `Display` is the message without `error:` (see [`crate::message`]); the
//! application decides the exit code (a run that cannot start is a failure, the rest is
//! bad input).

use std::fmt;
use std::path::PathBuf;

use super::{FORMAT_VERSION, Shard};
use crate::format::visible_path;
use crate::message::Message;
use crate::runner::RunError;
use crate::stats::aggregate::MergeError;

/// Why a shard cannot run, or its parts cannot merge.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// `--shard` is not `K/N` with `1 <= K <= N`.
    NotAShard {
        /// The text given.
        text: String,
    },
    /// More shards than trials.
    TooManyShards {
        /// The shard asked for.
        shard: Shard,
        /// The run's trials.
        trials: u64,
    },
    /// The shard's run could not start or finish.
    Run(RunError),
    /// `--partial` names a symbolic link.
    PartIsLink {
        /// The path given.
        path: PathBuf,
    },
    /// `--partial` names a folder.
    PartIsFolder {
        /// The path given.
        path: PathBuf,
    },
    /// `--partial` names a file that is not a partial file (and there is no `--force`).
    PartNotOurs {
        /// The path given.
        path: PathBuf,
    },
    /// A part does not read as a partial file.
    Damaged {
        /// The part as named.
        file: String,
        /// What is wrong with it.
        damage: Damage,
    },
    /// No part was given.
    NothingToMerge,
    /// Parts written by different versions of sopsim.
    Versions {
        /// The part that differs, and its version.
        part: (String, String),
        /// The first part, and its version.
        first: (String, String),
    },
    /// Parts of different scenarios (text or overrides).
    Scenarios {
        /// The part that differs, and its scenario hash.
        part: (String, String),
        /// The first part, and its scenario hash.
        first: (String, String),
    },
    /// Parts of different runs: another seed, trial count, shard count, layout or
    /// quantile mode.
    DifferentRuns {
        /// What differs (`seed`, `trials`, ...).
        what: &'static str,
        /// The part that differs, and its value.
        part: (String, String),
        /// The first part, and its value.
        first: (String, String),
    },
    /// A shard given twice.
    ShardTwice {
        /// The shard.
        shard: Shard,
        /// The part seen first, then the other.
        parts: (String, String),
    },
    /// Shards missing.
    ShardsMissing {
        /// The first ten missing.
        shown: Vec<Shard>,
        /// How many are missing.
        missing: u64,
    },
    /// The parts' aggregates do not merge.
    Merge(MergeError),
}

impl Error {
    /// What failed, where, and what to do.
    pub fn message(&self) -> Message {
        let part = |path: &PathBuf, why: &str, help: &str| {
            Message::new(format!("--partial {} {why}", visible_path(path)))
                .help(format!("{help}; nothing was simulated"))
        };
        match self {
            Error::NotAShard { text } => {
                Message::new(format!("`{text}` is not a shard; expected K/N with 1 <= K <= N, e.g. 2/4"))
            }
            Error::TooManyShards { shard, trials } => Message::new(format!(
                "--shard {shard} cuts {trials} trials into {} shards; use at most {trials} shards (one trial each)",
                shard.count
            )),
            Error::Run(e) => Message::new(e.to_string()),
            Error::Merge(e) => Message::new(e.to_string()),
            Error::PartIsLink { path } => part(
                path,
                "is a symbolic link; sopsim writes the part as a new file and never writes through a link",
                "give the path of the file itself",
            ),
            Error::PartIsFolder { path } => {
                part(path, "is a folder", "give the path of a file for the part, e.g. --partial parts/1.part")
            }
            Error::PartNotOurs { path } => part(
                path,
                "exists and is not a sopsim partial file; sopsim replaces only its own parts",
                "choose another path, or add --force to replace it",
            ),
            Error::Damaged { file, damage } => Message::new(format!("{file}: {damage}")),
            Error::NothingToMerge => Message::new("nothing to merge: give the partial files of every shard"),
            Error::Versions { part: (name, version), first: (first_name, first_version) } => Message::new(format!(
                "{name} was written by sopsim {version} and {first_name} by sopsim {first_version}; parts of \
                 different versions do not merge"
            )),
            Error::Scenarios { part: (name, hash), first: (first_name, first_hash) } => Message::new(format!(
                "{name} and {first_name} are parts of different scenarios (scenario hash {hash} vs {first_hash}: the \
                 scenario text or its --set overrides differ); merge only the parts of one run"
            )),
            Error::DifferentRuns { what, part: (name, value), first: (first_name, first_value) } => {
                Message::new(format!(
                    "{name} and {first_name} are parts of different runs: {what} {value} vs {first_value}; merge only \
                     the parts of one run"
                ))
            }
            Error::ShardTwice { shard, parts: (first, second) } => {
                Message::new(format!("shard {shard} is given twice ({first} and {second}); give each shard once"))
            }
            Error::ShardsMissing { shown, missing } => {
                let shown: Vec<String> = shown.iter().map(Shard::to_string).collect();
                let more = if *missing > 10 { format!(" and {} more", missing - 10) } else { String::new() };
                Message::new(format!(
                    "shards missing: {}{more}; a merge needs every shard of the run",
                    shown.join(", ")
                ))
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

/// What is wrong with bytes that do not read as a partial file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// They do not start with the magic bytes.
    NotAPart,
    /// Another format version.
    Version(u32),
    /// The checksum does not match.
    Checksum,
    /// They end too soon.
    Truncated,
    /// The JSON header does not read.
    Header(String),
    /// The header's layout has too many cells.
    Layout,
    /// The header names an unknown quantile mode.
    Quantiles(String),
    /// More trials than a run may have.
    TooManyTrials(u64),
    /// A shard that does not fit its trials.
    BadShard {
        /// The shard.
        shard: Shard,
        /// The run's trials.
        trials: u64,
    },
    /// Trials that are not the shard's.
    Trials {
        /// The shard.
        shard: Shard,
        /// Its first trial and the end of its trials, as written.
        range: (u64, u64),
    },
    /// A block of values of another size than the layout's.
    Block,
    /// Values for another number of trials.
    Values,
    /// A sketch that does not read.
    Sketch,
    /// A sketch of another count.
    SketchCount,
    /// Bytes after the aggregate.
    Trailing,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::NotAPart => f.write_str("not a sopsim partial file (it does not start as one)"),
            Damage::Version(version) => write!(
                f,
                "a partial file of format version {version}; this sopsim ({}) reads version {FORMAT_VERSION}: run \
                 and merge with the same version",
                env!("CARGO_PKG_VERSION")
            ),
            Damage::Checksum => f.write_str("the partial file is damaged or truncated (its checksum does not match)"),
            Damage::Truncated => f.write_str("the partial file is truncated"),
            Damage::Header(reason) => write!(f, "its header is not valid: {reason}"),
            Damage::Layout => f.write_str("its layout is not valid"),
            Damage::Quantiles(name) => write!(f, "unknown quantile mode `{name}`"),
            Damage::TooManyTrials(trials) => {
                write!(f, "its run of {trials} trials is above the {} a run may have", crate::scenario::MAX_TRIALS)
            }
            Damage::BadShard { shard, trials } => write!(f, "its shard {shard} of {trials} trials is not valid"),
            Damage::Trials { shard, range: (first, end) } => {
                write!(f, "its trials {first}..{end} are not those of shard {shard}")
            }
            Damage::Block => f.write_str("a block of values in it does not match its layout"),
            Damage::Values => f.write_str("its values do not match its trials"),
            Damage::Sketch => f.write_str("a sketch in it is not valid"),
            Damage::SketchCount => f.write_str("a sketch in it does not match its count"),
            Damage::Trailing => f.write_str("it has bytes after its aggregate"),
        }
    }
}

impl std::error::Error for Damage {}
