//! Outputs: exporters that turn results into bytes, and the one writer that owns files.
//!
//! Each exporter (`monthly.csv`, `summary.json`, the charts, `report.html`,
//! `report.xlsx`, the terminal summary) only produces bytes or text from the
//! aggregated results and the scenario; [`outputs`] gathers the files a run asked for.
//! [`write_outputs`] writes them into a fresh folder beside the target and renames it
//! into place, so a run's outputs appear whole or not at all and a failed write leaves
//! the previous ones untouched; it replaces only a folder sopsim wrote ([`folder`]).
//! [`write_file`] writes one file (a shard's part) the same way.

pub mod actuals;
pub mod backtest;
pub mod charts;
pub mod csv;
mod error;
pub mod folder;
pub mod html;
pub mod inputs;
mod interrupt;
pub mod json;
pub mod keys;
pub mod labels;
pub mod text;
pub mod whatif;
pub mod xlsx;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use error::{Error, Unchanged};
use interrupt::state;
pub use interrupt::{Target, exit_on_interrupt};

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

/// The files of a run in the formats asked for, in a fixed order: `monthly.csv` (and
/// `plan_vs_actual.csv` with actuals), `summary.json`, `report.html`, `report.xlsx`, then each chart's SVG and PNG. The
/// charts are drawn in parallel on `threads` threads (0: one per core).
pub fn outputs(run: &Run, formats: Formats, threads: usize) -> Result<Vec<OutputFile>, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Threads { count: threads, reason: e.to_string() })?;
    let file = |name: &str, bytes: Vec<u8>| OutputFile { name: name.to_string(), bytes };
    let charts =
        if formats.svg || formats.png || formats.html { charts::build(run.scenario, run.results) } else { Vec::new() };
    let (drawn, tables) = pool.install(|| {
        rayon::join(
            || charts::render(&charts, formats.svg || formats.html, formats.png),
            || -> Result<Vec<OutputFile>, Error> {
                let mut files = Vec::new();
                if formats.csv {
                    files.push(file("monthly.csv", csv::monthly(run.scenario, run.results)?));
                    if !run.scenario.actuals.is_empty() {
                        files.push(actuals::csv(run.scenario, run.results)?);
                    }
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
        let at = files.iter().position(|f| f.name.ends_with(".xlsx")).unwrap_or(files.len());
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

/// The files of a run in `formats` (see [`outputs`]), as `run`, `merge` and the
/// workshop page write them, and the rank correlations the trials realised.
pub fn run_files(
    loaded: &crate::scenario::Loaded,
    file_label: &str,
    results: &RunResults,
    formats: Formats,
    threads: usize,
) -> Result<(Vec<OutputFile>, crate::engine::params::Realised), Error> {
    let scenario = &loaded.scenario;
    let realised = crate::engine::params::realised_correlations(scenario, results.seed, results.trials);
    let run = Run {
        scenario,
        results,
        file: file_label,
        sources: &loaded.sources,
        warnings: &loaded.warnings,
        realised: &realised,
    };
    let files = outputs(&run, formats, threads)?;
    Ok((files, realised))
}

/// Each chart of `charts` as `.svg` and `.png` files, drawn on `pool`'s threads: the
/// charts of the what-if commands and of `backtest`.
pub fn chart_files(pool: &rayon::ThreadPool, charts: &[charts::Chart]) -> Result<Vec<OutputFile>, Error> {
    let drawn = pool.install(|| charts::render(charts, true, true))?;
    let mut files = Vec::new();
    for (chart, d) in charts.iter().zip(drawn) {
        if let Some(svg) = d.svg {
            files.push(OutputFile { name: format!("{}.svg", chart.name), bytes: svg.into_bytes() });
        }
        if let Some(png) = d.png {
            files.push(OutputFile { name: format!("{}.png", chart.name), bytes: png });
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

/// Writes `files` into the folder `dir`, if sopsim may ([`folder::check`]): a new or
/// replaced folder is written into a temporary sibling first, then renamed into place
/// (the previous folder is kept until the new one is in place), with the manifest
/// [`folder::MANIFEST`] that lists the files. With `force`, a folder that holds files
/// sopsim did not write gets sopsim's files one by one and keeps the others.
pub fn write_outputs(dir: &Path, files: &[OutputFile], force: bool) -> Result<(), Error> {
    let mut state = state();
    state.target = Some(Target::Folder(dir.to_path_buf()));
    let plan = folder::check(dir, force)?;
    let result = match plan {
        folder::Plan::Create | folder::Plan::Replace => write_whole(dir, files),
        folder::Plan::Into { ours } => write_into(dir, files, &ours),
    };
    state.written = result.is_ok();
    result
}

/// The parent folder of `path` (`.` for a bare name) and `path`'s last component.
fn parent_and_leaf(path: &Path, default_leaf: &str) -> (PathBuf, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let leaf = path.file_name().map_or_else(|| default_leaf.to_string(), |s| s.to_string_lossy().into_owned());
    (parent, leaf)
}

fn failure(dir: &Path) -> impl Fn(&'static str, &Path, std::io::Error) -> Error + '_ {
    move |what, path, e| Error::Folder {
        what,
        path: path.to_path_buf(),
        reason: e.to_string(),
        unchanged: Unchanged::Previous(dir.to_path_buf()),
    }
}

/// Writes `files` and their manifest into a fresh temporary sibling of `dir` and
/// returns it; removes it again on failure.
fn write_temporary(dir: &Path, files: &[OutputFile]) -> Result<PathBuf, Error> {
    let fail = failure(dir);
    let (parent, leaf) = parent_and_leaf(dir, "run");
    fs::create_dir_all(&parent).map_err(|e| fail("cannot create", &parent, e))?;
    let tmp = parent.join(format!(".{leaf}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let manifest = OutputFile { name: folder::MANIFEST.to_string(), bytes: folder::manifest(&names).into_bytes() };
    let result = (|| {
        fs::create_dir(&tmp).map_err(|e| fail("cannot create", &tmp, e))?;
        // In parallel: most of the time goes to waiting for each file to reach the disk.
        files.par_iter().chain(rayon::iter::once(&manifest)).try_for_each(|f| {
            let path = tmp.join(&f.name);
            let mut file = fs::File::create_new(&path).map_err(|e| fail("cannot create", &path, e))?;
            file.write_all(&f.bytes).map_err(|e| fail("cannot write", &path, e))?;
            file.sync_all().map_err(|e| fail("cannot write", &path, e))
        })
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// A new folder, or one of sopsim's replaced whole: renamed into place at once.
fn write_whole(dir: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let fail = failure(dir);
    let tmp = write_temporary(dir, files)?;
    let (parent, leaf) = parent_and_leaf(dir, "run");
    let old = parent.join(format!(".{leaf}.old-{}", std::process::id()));
    let result = (|| {
        let had_previous = fs::symlink_metadata(dir).is_ok();
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

/// `--force` into a folder that holds files sopsim did not write: each file is renamed
/// into place on its own, the files of sopsim's earlier write (`ours`) that this one
/// does not write are removed, and nothing else is touched.
fn write_into(dir: &Path, files: &[OutputFile], ours: &[String]) -> Result<(), Error> {
    let fail = |what: &'static str, path: &Path, e: std::io::Error| Error::Folder {
        what,
        path: path.to_path_buf(),
        reason: e.to_string(),
        unchanged: Unchanged::Others(dir.to_path_buf()),
    };
    let tmp = write_temporary(dir, files)?;
    let result = (|| {
        for f in files {
            let to = dir.join(&f.name);
            fs::rename(tmp.join(&f.name), &to).map_err(|e| fail("cannot move into place", &to, e))?;
        }
        for name in ours.iter().filter(|n| !files.iter().any(|f| &f.name == *n)) {
            let path = dir.join(name);
            if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                fs::remove_file(&path).map_err(|e| fail("cannot remove", &path, e))?;
            }
        }
        let manifest = dir.join(folder::MANIFEST);
        fs::rename(tmp.join(folder::MANIFEST), &manifest).map_err(|e| fail("cannot move into place", &manifest, e))
    })();
    let _ = fs::remove_dir_all(&tmp);
    result
}

/// Writes one file atomically: into a new temporary file beside it, then renamed over
/// `path`, so that it is whole or as it was. A symbolic link at `path` is refused, never
/// written through or replaced.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut state = state();
    state.target = Some(Target::File(path.to_path_buf()));
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::FileIsLink { path: path.to_path_buf() });
    }
    let fail = |e: std::io::Error| Error::File { path: path.to_path_buf(), reason: e.to_string() };
    let (dir, leaf) = parent_and_leaf(path, "part");
    let tmp = dir.join(format!(".{leaf}.tmp-{}", std::process::id()));
    let result = (|| {
        fs::create_dir_all(&dir)?;
        let _ = fs::remove_file(&tmp);
        let mut f = fs::File::create_new(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    state.written = result.is_ok();
    result.map_err(fail)
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
        write_outputs(&dir, &[one("a.txt", "1"), one("b.txt", "1")], false).unwrap();
        write_outputs(&dir, &[one("a.txt", "2")], false).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "2");
        assert!(!dir.join("b.txt").exists(), "files of the previous run do not linger");
        assert_eq!(fs::read_to_string(dir.join(folder::MANIFEST)).unwrap(), folder::manifest(&["a.txt"]));
        let leftovers = fs::read_dir(&root).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary folder is left behind");
        fs::remove_dir_all(&root).unwrap();
    }

    fn one(name: &str, text: &str) -> OutputFile {
        OutputFile { name: name.into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn a_folder_with_a_users_files_is_refused_or_written_into_with_force() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        write_outputs(&dir, &[one("a.txt", "1"), one("b.txt", "1")], false).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let e = write_outputs(&dir, &[one("a.txt", "2")], false).unwrap_err();
        assert!(
            matches!(&e, Error::Refused(folder::Refusal { why: folder::Why::Foreign(names), .. }) if names == &["notes.txt"]),
            "{e:?}"
        );
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "1", "nothing changed");

        write_outputs(&dir, &[one("a.txt", "2")], true).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "2");
        assert!(!dir.join("b.txt").exists(), "sopsim's own earlier file is removed");
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine", "the user's file stays");
        assert_eq!(fs::read_to_string(dir.join(folder::MANIFEST)).unwrap(), folder::manifest(&["a.txt"]));
        let mut left: Vec<String> =
            fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["out"], "no temporary folder is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_is_written_whole_and_never_through_a_link() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("part");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let victim = root.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert_eq!(write_file(&link, b"x"), Err(Error::FileIsLink { path: link.clone() }));
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 3, "no temporary file is left behind");
    }
}
