//! Why outputs cannot be made or written. `Display` is the message without `error:`
//! (see [`crate::message`]); the application decides the exit code (a place that is
//! not sopsim's to write is bad input, the rest a failure while writing).

use std::fmt;
use std::path::PathBuf;

use super::folder::Refusal;
use crate::message::Message;

/// Why a run's outputs were not made or not written; the previous outputs are intact
/// either way.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The output folder is not sopsim's to replace (see [`super::folder`]).
    Refused(Refusal),
    /// The file to write is a symbolic link, which sopsim never writes through.
    FileIsLink {
        /// The path given.
        path: PathBuf,
    },
    /// A step of writing an output folder failed (a full disk, a read-only folder).
    Folder {
        /// The step: `cannot create`, `cannot write`, `cannot move aside`, ...
        what: &'static str,
        /// The file or folder it failed on.
        path: PathBuf,
        /// The system's words.
        reason: String,
        /// What is left as it was.
        unchanged: Unchanged,
    },
    /// Writing one file failed.
    File {
        /// The path given.
        path: PathBuf,
        /// The system's words.
        reason: String,
    },
    /// The worker threads that draw the charts cannot start.
    Threads {
        /// The threads asked for (0: one per core).
        count: usize,
        /// The system's words.
        reason: String,
    },
    /// A CSV file cannot be written into memory.
    Csv {
        /// The file, when the message names it.
        file: Option<String>,
        /// The CSV writer's words.
        reason: String,
    },
    /// `summary.json` cannot be written into memory.
    Json(String),
    /// `report.xlsx` cannot be built.
    Xlsx(String),
    /// A month whose year a workbook cannot hold.
    XlsxYear(i32),
    /// More months than a worksheet has columns.
    TooManyMonths,
    /// More rows than a worksheet has.
    TooManyRows,
    /// A chart cannot be drawn.
    Draw(String),
    /// The font compiled into the program does not read.
    Font,
    /// A chart's SVG does not read back for its PNG.
    Svg(String),
    /// A chart's image cannot be allocated.
    Image,
    /// A chart cannot be encoded as PNG.
    Png(String),
    /// `planned.toml` cannot be written: the scenario with the plan's hires does not
    /// read back.
    Planned(crate::whatif::Error),
    /// Ctrl-C cannot be watched for.
    Interrupt(String),
}

/// What a failed write into an output folder left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchanged {
    /// The previous outputs in this folder.
    Previous(PathBuf),
    /// The files sopsim did not write in this folder (`--force`).
    Others(PathBuf),
}

impl Error {
    /// What failed, and what to do.
    pub fn message(&self) -> Message {
        match self {
            Error::Refused(refusal) => refusal.message(),
            Error::FileIsLink { path } => Message::new(format!(
                "{} is a symbolic link; sopsim writes a new file there and never writes through a link",
                path.display()
            ))
            .help("give the path of the file itself; nothing was written"),
            Error::Folder { what, path, reason, unchanged } => {
                let unchanged = match unchanged {
                    Unchanged::Previous(dir) => format!("the previous outputs in {} are unchanged", dir.display()),
                    Unchanged::Others(dir) => {
                        format!("the files sopsim did not write in {} are unchanged", dir.display())
                    }
                };
                Message::new(format!("{what} {}: {reason}; {unchanged}", path.display()))
            }
            Error::File { path, reason } => Message::new(format!("cannot write {}: {reason}", path.display())),
            Error::Threads { count, reason } => Message::new(format!("cannot start {count} worker threads: {reason}")),
            Error::Csv { file: Some(file), reason } => Message::new(format!("cannot write {file}: {reason}")),
            Error::Csv { file: None, reason } | Error::Json(reason) => Message::new(reason.as_str()),
            Error::Xlsx(reason) => Message::new(format!("cannot build report.xlsx: {reason}")),
            Error::XlsxYear(year) => Message::new(format!("cannot write the year {year} in report.xlsx")),
            Error::TooManyMonths => Message::new("too many months for a worksheet"),
            Error::TooManyRows => Message::new("too many rows for a worksheet"),
            Error::Draw(reason) => Message::new(format!("cannot draw the chart: {reason}")),
            Error::Font => Message::new("the font compiled into the program cannot be read"),
            Error::Svg(reason) => Message::new(format!("cannot read the chart's SVG: {reason}")),
            Error::Image => Message::new("cannot allocate the chart's image"),
            Error::Png(reason) => Message::new(format!("cannot encode the chart as PNG: {reason}")),
            Error::Planned(e) => Message::new(format!("cannot write planned.toml: {e}")),
            Error::Interrupt(reason) => Message::new(format!("cannot watch for Ctrl-C: {reason}")),
        }
    }
}

impl Error {
    /// A chart's drawing error, as plotters gives it.
    pub(crate) fn draw(e: impl fmt::Display) -> Error {
        Error::Draw(e.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused(r)
    }
}
