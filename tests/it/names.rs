//! Names are shown, never obeyed: a scenario whose names hold control characters (NUL,
//! U+0001, ESC) or a bidirectional override (U+202E) runs, and every chart, the page,
//! the workbook and the terminal show those characters as escapes such as `\u{1b}`,
//! while `summary.json` keeps the name exact. A name past its length limit is refused
//! at validation with the limit in the message. What broke: such a name passed
//! `validate`, then failed the run ("cannot read the chart's SVG: non-XML character"),
//! reached the terminal raw, or (120,000 characters) kept the run busy for minutes.

use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx, open_workbook};

/// A character that must never reach a reader raw (line feeds and tabs are allowed in
/// multi-line terminal text).
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

fn assert_shown(text: &str, what: &str) {
    let raw: Vec<String> = text.chars().filter(|c| hidden(*c)).map(|c| c.escape_unicode().to_string()).collect();
    assert!(raw.is_empty(), "{what} holds raw {raw:?}:\n{}", text.escape_debug());
}

/// The seed-stage example with `name = "..."` of the scenario replaced by `name` and the
/// segment's by `segment` (both as TOML string bodies, escapes allowed), written into `dir`.
fn scenario_named(dir: &Path, file: &str, name: &str, segment: &str) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-stage.toml");
    let text = std::fs::read_to_string(example).unwrap();
    assert!(text.contains("name = \"Seed stage 2027\"") && text.contains("name = \"smb\""));
    let text = text
        .replace("name = \"Seed stage 2027\"", &format!("name = \"{name}\""))
        .replace("name = \"smb\"", &format!("name = \"{segment}\""));
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn sopsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopsim")).args(args).output().expect("the binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `file` into `out` (all formats, the summary printed) and checks that it
/// succeeds and that its terminal output shows no hidden character.
fn run_shown(file: &str, out: &Path) -> (String, String) {
    let o = sopsim(&["run", file, "--out", out.to_str().unwrap(), "--trials", "200", "--threads", "2"]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "the run succeeds\n{stderr}");
    assert_shown(&stdout, "stdout of run");
    assert_shown(&stderr, "stderr of run");
    (stdout, stderr)
}

/// Every SVG of a run parses as XML; returns the text of all their text elements.
fn svg_texts(out: &Path) -> String {
    let mut all = String::new();
    let mut svgs = 0;
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            svgs += 1;
            let svg = std::fs::read_to_string(&path).unwrap();
            let doc = roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("{} does not parse as XML: {e}", path.display()));
            for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
                all.push_str(n.text().unwrap_or_default());
                all.push('\n');
            }
            assert_shown(&svg, &path.display().to_string());
        }
    }
    assert!(svgs >= 6, "the run drew its charts ({svgs} SVGs)");
    all
}

/// Every text cell of every sheet of `report.xlsx`, one per line.
fn workbook_texts(out: &Path) -> String {
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("report.xlsx opens");
    let mut all = String::new();
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            if let Data::String(s) = cell.2 {
                all.push_str(s);
                all.push('\n');
            }
        }
    }
    all
}

#[test]
fn a_name_with_control_characters_runs_and_is_shown_with_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_named(dir.path(), "control.toml", "Seed\\u0000 \\u0001 \\u001b[31mred", "s\\u001bmb");
    let shown = "Seed\\u{0} \\u{1} \\u{1b}[31mred";
    let v = sopsim(&["validate", &file]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));

    let out = dir.path().join("out");
    let (stdout, _) = run_shown(&file, &out);
    assert!(stdout.starts_with(&format!("{shown}: 200 trials")), "{stdout}");

    let charts = svg_texts(&out);
    assert!(charts.contains(shown), "the charts show the name with escapes:\n{charts}");
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_shown(&page, "report.html");
    assert!(page.contains(&format!("<h1>{shown}</h1>")) || page.contains(&format!("{shown} · ")), "{page}");
    assert!(page.contains("segments.s\\u{1b}mb.win_rate"), "the inputs table shows the segment's name");
    let book = workbook_texts(&out);
    assert_shown(&book, "report.xlsx");
    assert!(book.lines().any(|l| l == shown), "the workbook shows the name with escapes:\n{book}");

    // The data files keep the name exact.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary.pointer("/run/scenario").and_then(|n| n.as_str()),
        Some("Seed\u{0} \u{1} \u{1b}[31mred"),
        "{summary}"
    );
}

#[test]
fn a_bidi_override_is_never_shown_raw() {
    let dir = tempfile::tempdir().unwrap();
    // In the file's path too: `validate` prints the path.
    let file = scenario_named(dir.path(), "plan\u{202e}lmth.toml", "Plan \\u202Etxt.exe", "smb\\u2066x");
    let v = sopsim(&["validate", &file]);
    let (stdout, stderr) = (text(&v.stdout), text(&v.stderr));
    assert_eq!(v.status.code(), Some(0), "{stderr}");
    assert_shown(&stdout, "stdout of validate");
    assert_shown(&stderr, "stderr of validate");
    assert!(stdout.contains("plan\\u{202e}lmth.toml: valid"), "{stdout}");

    let out = dir.path().join("out");
    let (stdout, _) = run_shown(&file, &out);
    assert!(stdout.starts_with("Plan \\u{202e}txt.exe: "), "{stdout}");
    let charts = svg_texts(&out);
    assert!(charts.contains("Plan \\u{202e}txt.exe"), "{charts}");
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_shown(&page, "report.html");
    assert!(page.contains("Plan \\u{202e}txt.exe") && page.contains("plan\\u{202e}lmth.toml"));
    let book = workbook_texts(&out);
    assert_shown(&book, "report.xlsx");
    assert!(book.contains("Plan \\u{202e}txt.exe"), "{book}");

    // An error quoting the name shows it with escapes too.
    let bad = sopsim(&["validate", &file, "--set", "roles.ae.segment=smb\u{2066}y"]);
    let message = text(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{message}");
    assert_shown(&message, "stderr of a refused override");
    assert!(message.contains("smb\\u{2066}y"), "{message}");
}

#[test]
fn a_name_of_120000_characters_is_refused_with_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_named(dir.path(), "long.toml", &"x".repeat(120_000), "smb");
    let v = sopsim(&["validate", &file]);
    let message = text(&v.stderr);
    assert_eq!(v.status.code(), Some(2), "validate refuses it\n{}", &message[..message.len().min(2_000)]);
    assert!(message.contains("at most 200 characters"), "the limit is named\n{message}");
    assert!(message.contains("   = key: scenario.name"), "{message}");
    assert!(message.contains("long.toml:8:8"), "{message}");
    assert!(message.len() < 10_000, "a short message, found {} bytes", message.len());

    let out = dir.path().join("out");
    let r = sopsim(&["run", &file, "--out", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2), "run refuses it before simulating");
    assert_eq!(text(&r.stderr), message, "with the message of validate");
    assert!(!out.exists());

    // Segment names and role ids have their own, shorter limit.
    let long_segment = scenario_named(dir.path(), "segment.toml", "Plan", &"s".repeat(101));
    let s = sopsim(&["validate", &long_segment]);
    let message = text(&s.stderr);
    assert_eq!(s.status.code(), Some(2), "{message}");
    assert!(message.contains("at most 100 characters"), "{message}");
    assert!(message.contains("   = key: segments[0].name"), "{message}");
}
