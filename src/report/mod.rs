//! Outputs: exporters that turn results into bytes, and the one writer that owns files.
//!
//! Each exporter (`monthly.csv`, `summary.json`, the charts, `report.html`,
//! `report.xlsx`, the terminal summary) only produces bytes or text from the
//! aggregated results and the scenario; [`outputs`] gathers the files a run asked for.
//! [`write_outputs`] writes them into a fresh folder beside the target and renames it
//! into place, so a run's outputs appear whole or not at all and a failed write leaves
//! the previous ones untouched.

pub mod charts;
pub mod csv;
pub mod html;
pub mod inputs;
pub mod json;
pub mod text;
pub mod xlsx;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::runner::RunResults;
use crate::scenario::{
    Scenario,
    diag::{Diagnostic, Sources},
};

/// Which files a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `monthly.csv`.
    pub csv: bool,
    /// `summary.json`.
    pub json: bool,
    /// Each chart as `<chart>.svg`.
    pub svg: bool,
    /// Each chart as `<chart>.png`.
    pub png: bool,
    /// `report.html`.
    pub html: bool,
    /// `report.xlsx`.
    pub xlsx: bool,
}

impl Formats {
    /// Every output.
    pub const ALL: Formats = Formats { csv: true, json: true, svg: true, png: true, html: true, xlsx: true };
    /// No output (to build a selection from).
    pub const NONE: Formats = Formats { csv: false, json: false, svg: false, png: false, html: false, xlsx: false };
}

/// A finished run as the exporters read it.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// The validated scenario (labels, start, target).
    pub scenario: &'a Scenario,
    /// The aggregated results.
    pub results: &'a RunResults,
    /// The scenario path as given on the command line.
    pub file: &'a str,
    /// The scenario's text and the `--set` overrides, as read.
    pub sources: &'a Sources,
    /// Validation warnings.
    pub warnings: &'a [Diagnostic],
    /// The rank correlations the trials realised (computed once per run).
    pub realised: &'a crate::engine::params::Realised,
}

/// The files of a run in the formats asked for, in a fixed order: `monthly.csv`,
/// `summary.json`, `report.html`, `report.xlsx`, then each chart's SVG and PNG. The
/// charts are drawn in parallel on `threads` threads (0: one per core).
pub fn outputs(run: &Run, formats: Formats, threads: usize) -> Result<Vec<OutputFile>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
    let file = |name: &str, bytes: Vec<u8>| OutputFile { name: name.to_string(), bytes };
    let charts =
        if formats.svg || formats.png || formats.html { charts::build(run.scenario, run.results) } else { Vec::new() };
    let (drawn, tables) = pool.install(|| {
        rayon::join(
            || charts::render(&charts, formats.svg || formats.html, formats.png),
            || -> Result<Vec<OutputFile>, String> {
                let mut files = Vec::new();
                if formats.csv {
                    files.push(file("monthly.csv", csv::monthly(run.scenario, run.results)?));
                }
                if formats.json {
                    files.push(file(
                        "summary.json",
                        json::summary(run.scenario, run.file, run.results, run.warnings, run.realised)?,
                    ));
                }
                if formats.xlsx {
                    files.push(file("report.xlsx", xlsx::workbook(run)?));
                }
                Ok(files)
            },
        )
    });
    let (drawn, mut files) = (drawn?, tables?);
    if formats.html {
        let inline: Vec<(&charts::Chart, &str)> =
            charts.iter().zip(&drawn).filter_map(|(c, d)| Some((c, d.svg.as_deref()?))).collect();
        let at = usize::from(formats.csv) + usize::from(formats.json);
        files.insert(at, file("report.html", html::report(run, &inline)));
    }
    for (chart, d) in charts.iter().zip(drawn) {
        if formats.svg
            && let Some(svg) = d.svg
        {
            files.push(file(&format!("{}.svg", chart.name), svg.into_bytes()));
        }
        if let Some(png) = d.png {
            files.push(file(&format!("{}.png", chart.name), png));
        }
    }
    Ok(files)
}

/// One output file: its name inside the run's folder and its bytes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// File name, without directories.
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A failure while writing outputs; the previous outputs are intact.
#[derive(Debug)]
pub struct WriteError(pub String);

/// Whether [`write_outputs`] has put a run's outputs in place; the lock is held while it
/// writes, so an interrupt waits for a write in progress to finish or to be undone.
static WRITTEN: Mutex<bool> = Mutex::new(false);

/// On Ctrl-C (or SIGTERM), waits for a write in progress to finish or be undone, says
/// what became of the outputs in `dir`, and exits with code 130. No temporary folder is
/// left behind: [`write_outputs`] removes its own before it returns.
pub fn exit_on_interrupt(dir: &Path) -> Result<(), WriteError> {
    let dir = crate::format::visible_path(dir);
    ctrlc::set_handler(move || {
        let written = *WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
        if written {
            eprintln!("interrupted; the new outputs in {dir} were already written whole");
        } else {
            eprintln!("interrupted; the previous outputs in {dir} are unchanged");
        }
        std::process::exit(130);
    })
    .map_err(|e| WriteError(format!("cannot watch for Ctrl-C: {e}")))
}

/// Writes `files` into `dir` atomically: into a temporary sibling folder first, then
/// renamed into place (the previous folder is kept until the new one is in place).
pub fn write_outputs(dir: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    let mut written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
    let result = write_outputs_now(dir, files);
    *written = result.is_ok();
    result
}

fn write_outputs_now(dir: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        WriteError(format!("{what} {}: {e}; the previous outputs in {} are unchanged", path.display(), dir.display()))
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| fail("cannot create", &parent, e))?;
    let leaf = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".to_string());
    let pid = std::process::id();
    let tmp = parent.join(format!(".{leaf}.tmp-{pid}"));
    let old = parent.join(format!(".{leaf}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| {
        fs::create_dir(&tmp).map_err(|e| fail("cannot create", &tmp, e))?;
        // In parallel: most of the time goes to waiting for each file to reach the disk.
        files.par_iter().try_for_each(|f| {
            let path = tmp.join(&f.name);
            let mut file = fs::File::create(&path).map_err(|e| fail("cannot create", &path, e))?;
            file.write_all(&f.bytes).map_err(|e| fail("cannot write", &path, e))?;
            file.sync_all().map_err(|e| fail("cannot write", &path, e))
        })?;
        let had_previous = dir.exists();
        if had_previous {
            fs::rename(dir, &old).map_err(|e| fail("cannot move aside", dir, e))?;
        }
        if let Err(e) = fs::rename(&tmp, dir) {
            if had_previous {
                let _ = fs::rename(&old, dir);
            }
            return Err(fail("cannot move into place", dir, e));
        }
        if had_previous {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// A folder name made safe from a scenario file's stem: letters, digits, `-`, `_` and
/// `.` are kept, anything else becomes `_`, and a name of dots only becomes `scenario`.
pub fn safe_name(stem: &str) -> String {
    let name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    if name.chars().all(|c| c == '.') { "scenario".to_string() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_stay_inside_the_output_folder() {
        assert_eq!(safe_name("scale-up"), "scale-up");
        assert_eq!(safe_name(".."), "scenario");
        assert_eq!(safe_name("a/b c"), "a_b_c");
        assert_eq!(safe_name(""), "scenario");
    }

    #[test]
    fn a_second_write_replaces_the_first_whole() {
        let root = std::env::temp_dir().join(format!("sopsim-write-{}", std::process::id()));
        let dir = root.join("out");
        let one = |name: &str, text: &str| OutputFile { name: name.into(), bytes: text.as_bytes().to_vec() };
        write_outputs(&dir, &[one("a.txt", "1"), one("b.txt", "1")]).unwrap();
        write_outputs(&dir, &[one("a.txt", "2")]).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "2");
        assert!(!dir.join("b.txt").exists(), "files of the previous run do not linger");
        let leftovers = fs::read_dir(&root).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary folder is left behind");
        fs::remove_dir_all(&root).unwrap();
    }
}
