//! Which folders sopsim may replace: only those it wrote itself.
//!
//! Every folder sopsim writes holds a manifest, [`MANIFEST`], that lists the files it
//! wrote there. A later write replaces the folder whole only when it holds nothing else;
//! a folder with files sopsim did not write (a user's `~/Documents`, notes added to a run
//! folder), an existing file and a symbolic link are refused before anything is
//! simulated, with what to do instead. `--force` writes sopsim's files into a folder of
//! the first kind and leaves every other file in it as it is. This module decides; the
//! writer in [`super`] carries it out. It never deletes anything itself.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::format::visible_path;
use crate::message::Message;

/// The manifest's file name inside every output folder sopsim writes.
pub const MANIFEST: &str = ".sopsim-output";

/// The manifest's first line; the files written follow, one name a line.
const MANIFEST_HEAD: &str =
    "sopsim output folder: the files below were written by sopsim, which replaces them on its next write here";

/// The names earlier versions wrote into their folders, before the manifest: a folder
/// without a manifest that holds only files of these names is one of theirs, and is
/// replaced as theirs were. This list describes the past, so it never grows.
const EARLIER_NAMES: &[&str] = &[
    "monthly.csv",
    "summary.json",
    "report.html",
    "report.xlsx",
    "plan.csv",
    "search.csv",
    "planned.toml",
    "sweep.csv",
    "compare.csv",
    "inputs_diff.csv",
    "sensitivity.csv",
    "sensitivity_quarters.csv",
];

/// The charts of earlier versions, each written as `.svg` and `.png`.
const EARLIER_CHARTS: &[&str] = &[
    "arr_fan",
    "bookings",
    "headcount",
    "hires",
    "coverage",
    "arr_spread",
    "attainment",
    "capacity",
    "stages",
    "plan_p_hit",
    "sweep_p_hit",
    "sweep_arr",
    "sweep_heatmap",
    "compare_fan",
    "compare_p_hit",
    "tornado",
    "sensitivity_quarters",
];

/// What a write into a folder will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing is there: the folder is created.
    Create,
    /// A folder of sopsim's own (or an empty one): replaced whole.
    Replace,
    /// `--force` on a folder with files sopsim did not write: sopsim's files are put in
    /// one by one, those of its earlier write that it no longer writes are removed, and
    /// the others are left as they are.
    Into {
        /// The files sopsim wrote there before, from the manifest.
        ours: Vec<String>,
    },
}

/// Why sopsim will not write the output folder it was asked to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The folder as given.
    pub folder: PathBuf,
    /// What is there.
    pub why: Why,
}

/// What is at an output folder's path that sopsim will not replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The path names no folder of its own (`.`, `/`).
    NoName,
    /// A symbolic link, and where it points if that reads.
    Link {
        /// The link's target.
        to: Option<PathBuf>,
    },
    /// An existing file.
    File,
    /// A folder holding what sopsim did not write: these names, a folder's with `/`.
    Foreign(Vec<String>),
}

impl Refusal {
    /// What is refused, and what to do.
    pub fn message(&self) -> Message {
        let (why, what_to_do) = match &self.why {
            Why::NoName => (
                "names no folder of its own".to_string(),
                "give the path of a folder for the outputs, e.g. --out runs/plan-a",
            ),
            Why::Link { to } => (
                format!(
                    "is a symbolic link{}; sopsim replaces its output folder whole, which would replace the link",
                    to.as_ref().map(|t| format!(" (to {})", t.display())).unwrap_or_default()
                ),
                "give the folder's own path with --out",
            ),
            Why::File => (
                "is an existing file, not a folder; sopsim writes a folder of outputs and never replaces a file"
                    .to_string(),
                "choose another folder with --out",
            ),
            Why::Foreign(foreign) => {
                let shown = match foreign.len() {
                    n if n <= 5 => foreign.join(", "),
                    n => format!("{} and {} more", foreign[..4].join(", "), n - 4),
                };
                (
                    format!(
                        "holds files sopsim did not write ({shown}); sopsim replaces only folders it wrote, and \
                         never deletes what it did not write"
                    ),
                    "choose another folder with --out (or move those files out), or add --force to write sopsim's \
                     files into it, replacing only files of the same names and leaving the others as they are",
                )
            }
        };
        Message::new(format!("the output folder {} {why}", visible_path(&self.folder)))
            .help(format!("{what_to_do}; nothing was written"))
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

/// Decides what writing the output folder `dir` will do, or refuses it: an existing
/// file, a symbolic link, or (without `force`) a folder holding anything sopsim did
/// not write. Errors reading the folder are left to the write, which reports them.
pub fn check(dir: &Path, force: bool) -> Result<Plan, Refusal> {
    let refuse = |why: Why| Err(Refusal { folder: dir.to_path_buf(), why });
    if dir.file_name().is_none() {
        return refuse(Why::NoName);
    }
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(Plan::Create);
    };
    if meta.file_type().is_symlink() {
        return refuse(Why::Link { to: fs::read_link(dir).ok() });
    }
    if !meta.is_dir() {
        return refuse(Why::File);
    }
    let Ok(entries) = entries(dir) else {
        return Ok(Plan::Replace);
    };
    let ours = match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => parse(&text),
        Err(_) => entries.iter().filter(|e| e.file && written_earlier(&e.name)).map(|e| e.name.clone()).collect(),
    };
    let foreign: Vec<String> = entries
        .iter()
        .filter(|e| e.name != MANIFEST && !(e.file && ours.contains(&e.name)))
        .map(|e| if e.file { e.name.clone() } else { format!("{}/", e.name) })
        .collect();
    if foreign.is_empty() {
        return Ok(Plan::Replace);
    }
    if force {
        return Ok(Plan::Into { ours: ours.into_iter().collect() });
    }
    refuse(Why::Foreign(foreign))
}

/// The manifest's text for a folder holding `files`.
pub fn manifest(files: &[&str]) -> String {
    let mut text = format!("{MANIFEST_HEAD}\n");
    for name in files {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// The names a manifest lists (its first line is the heading); only plain file names
/// count, so that no manifest can point outside its folder.
fn parse(text: &str) -> BTreeSet<String> {
    let plain = |l: &&str| !l.is_empty() && *l != "." && *l != ".." && !l.contains(['/', '\\', '\0']);
    text.lines().skip(1).filter(plain).map(str::to_string).collect()
}

/// Whether an earlier version, which wrote no manifest, wrote a file of this name.
fn written_earlier(name: &str) -> bool {
    EARLIER_NAMES.contains(&name)
        || name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| matches!(ext, "svg" | "png") && EARLIER_CHARTS.contains(&stem))
}

/// One entry of a folder: its name and whether it is a regular file (not a folder, a
/// link or anything else).
struct Entry {
    name: String,
    file: bool,
}

fn entries(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let file = e.file_type().is_ok_and(|t| t.is_file());
        out.push(Entry { name: e.file_name().to_string_lossy().into_owned(), file });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let path = dir.path().join(f);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).unwrap();
            }
            fs::write(path, "x").unwrap();
        }
        dir
    }

    #[test]
    fn nothing_there_is_created_and_an_empty_folder_replaced() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check(&dir.path().join("new"), false), Ok(Plan::Create));
        assert_eq!(check(dir.path(), false), Ok(Plan::Replace));
    }

    #[test]
    fn a_folder_sopsim_wrote_is_replaced_and_one_with_more_in_it_refused() {
        let dir = folder(&["monthly.csv", "summary.json"]);
        fs::write(dir.path().join(MANIFEST), manifest(&["monthly.csv", "summary.json"])).unwrap();
        assert_eq!(check(dir.path(), false), Ok(Plan::Replace));
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let Err(refusal) = check(dir.path(), false) else { panic!("a user's file is not replaced") };
        assert_eq!(refusal.why, Why::Foreign(vec!["notes.txt".into()]));
        assert!(refusal.to_string().contains("(notes.txt)") && refusal.to_string().contains("--force"), "{refusal}");
        let ours = vec!["monthly.csv".to_string(), "summary.json".to_string()];
        assert_eq!(check(dir.path(), true), Ok(Plan::Into { ours }));
    }

    #[test]
    fn a_listed_name_that_is_a_folder_is_not_ours() {
        let dir = folder(&["monthly.csv/inside.txt"]);
        fs::write(dir.path().join(MANIFEST), manifest(&["monthly.csv"])).unwrap();
        let Err(refusal) = check(dir.path(), false) else { panic!("a folder is not a file sopsim wrote") };
        assert_eq!(refusal.why, Why::Foreign(vec!["monthly.csv/".into()]));
    }

    #[test]
    fn earlier_outputs_without_a_manifest_are_recognised_by_their_names_only() {
        let dir = folder(&["monthly.csv", "summary.json", "arr_fan.svg", "arr_fan.png", "tornado.svg"]);
        assert_eq!(check(dir.path(), false), Ok(Plan::Replace));
        let dir = folder(&["thesis.txt", "docs/a.txt"]);
        let Err(refusal) = check(dir.path(), false) else { panic!("a user's folder is not replaced") };
        assert_eq!(refusal.why, Why::Foreign(vec!["docs/".into(), "thesis.txt".into()]));
        assert!(refusal.to_string().contains("(docs/, thesis.txt)"), "{refusal}");
        let dir = folder(&["summary.json", "data.csv"]);
        assert!(check(dir.path(), false).is_err(), "one foreign name is enough to refuse");
    }

    #[test]
    fn files_links_and_dot_paths_are_refused_even_with_force() {
        let dir = folder(&["a.txt"]);
        let file = dir.path().join("a.txt");
        let Err(refusal) = check(&file, true) else { panic!("a file is never replaced") };
        assert_eq!(refusal, Refusal { folder: file, why: Why::File });
        assert!(refusal.to_string().contains("is an existing file"), "{refusal}");
        assert!(matches!(check(Path::new("."), true), Err(Refusal { why: Why::NoName, .. })));
        assert!(matches!(check(Path::new("/"), true), Err(Refusal { why: Why::NoName, .. })));
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path(), &link).unwrap();
            let Err(refusal) = check(&link, true) else { panic!("a link is never replaced") };
            assert_eq!(refusal.why, Why::Link { to: Some(dir.path().to_path_buf()) });
            assert!(refusal.to_string().contains("symbolic link"), "{refusal}");
        }
    }

    #[test]
    fn many_foreign_files_are_summarised() {
        let dir = folder(&["a", "b", "c", "d", "e", "f", "g"]);
        let Err(refusal) = check(dir.path(), false) else { panic!() };
        let shown = format!(
            "the output folder {} holds files sopsim did not write (a, b, c, d and 3 more); sopsim replaces only \
             folders it wrote, and never deletes what it did not write",
            visible_path(dir.path())
        );
        assert_eq!(refusal.message().text, shown);
        assert!(refusal.to_string().ends_with("leaving the others as they are; nothing was written"), "{refusal}");
    }

    #[test]
    fn the_manifest_lists_what_it_was_given_and_never_a_path() {
        let text = manifest(&["monthly.csv", "arr_fan.svg"]);
        assert_eq!(parse(&text), BTreeSet::from(["monthly.csv".to_string(), "arr_fan.svg".to_string()]));
        let crafted = manifest(&["../thesis.txt", "/etc/passwd", "a\\b", "..", "ok.csv"]);
        assert_eq!(parse(&crafted), BTreeSet::from(["ok.csv".to_string()]));
    }
}
