//! The corpus of bad scenarios: each file in `tests/bad/` is refused with exit code 2,
//! without a panic and without creating an output folder, and its message (file, line,
//! column, key path, what is allowed) matches the snapshot `tests/bad/<name>.stderr`.
//! `SOPSIM_BLESS=1 cargo test --test it bad` rewrites the snapshots; review the diff.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::cli::sopsim;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `validate` and `run --out` on `file`; checks the contract of a refused input and
/// returns the message.
fn refused(file: &str) -> String {
    let v = sopsim(&["validate", file]);
    let message = stderr(&v);
    assert_eq!(v.status.code(), Some(2), "{file}: validate exits 2\n{message}");
    assert!(v.stdout.is_empty(), "{file}: nothing on stdout");
    assert!(!message.contains("panicked"), "{file}: no panic\n{message}");
    assert!(message.contains("nothing was simulated"), "{file}: says nothing was simulated\n{message}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = sopsim(&["run", file, "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(r.status.code(), Some(2), "{file}: run exits 2\n{}", stderr(&r));
    assert_eq!(stderr(&r), message, "{file}: run gives the message of validate");
    assert!(!out.exists(), "{file}: no output folder is created");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{file}: nothing is written beside it");
    message
}

/// Every error names `file:line:column` and, unless the TOML itself does not parse, the
/// key path.
fn assert_located(file: &str, message: &str) {
    let errors: Vec<&str> = message.split("\n\n").filter(|b| b.starts_with("error:")).collect();
    assert!(!errors.is_empty(), "{file}: at least one error\n{message}");
    for e in errors {
        let at = e.lines().find_map(|l| l.trim_start().strip_prefix("--> ")).unwrap_or("");
        let mut parts = at.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.parse::<usize>().ok());
        let line = parts.next().and_then(|l| l.parse::<usize>().ok());
        assert!(col.is_some() && line.is_some(), "{file}: error without line:column\n{e}");
        assert!(
            e.contains("   = key: ") || e.starts_with("error: invalid TOML") || e.contains("not UTF-8"),
            "{file}: error without a key path\n{e}"
        );
    }
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_scenario_is_refused_with_its_recorded_message() {
    let files = corpus();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let bless = std::env::var_os("SOPSIM_BLESS").is_some();
    let mut mismatched = Vec::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = format!("tests/bad/{name}.toml");
        let message = refused(&file);
        assert_located(&file, &message);
        let snapshot = path.with_extension("stderr");
        if bless {
            std::fs::write(&snapshot, &message).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(expected) if expected == message => {}
            Ok(expected) => mismatched.push(format!("{file}:\n--- expected\n{expected}--- found\n{message}")),
            Err(_) => mismatched.push(format!("{file}: no snapshot {}; run with SOPSIM_BLESS=1", snapshot.display())),
        }
    }
    assert!(mismatched.is_empty(), "messages differ from their snapshots:\n{}", mismatched.join("\n"));
}

/// Inputs too large or too odd to commit are made here: binary garbage, text that is not
/// UTF-8, a 10 MB file and a 10 MB line.
#[test]
fn generated_bad_inputs_are_refused_without_a_flood_of_text() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[scenario]\nstart = \"2027-01\"\nmonths = 12\n\n[[segments]]\nname = \"smb\"\ndeal_size = 10_000\n";

    let mut garbage = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        garbage.push((x >> 16) as u8);
    }
    garbage[0] = 0xff;

    let mut latin1 = base.as_bytes().to_vec();
    latin1.extend_from_slice(b"win_rate = 0.2 # caf\xe9\n");

    let mut big = String::from(base);
    big.push_str("win_rate = 0.2\n");
    while big.len() < 10 << 20 {
        big.push_str("# a comment that pads the file to ten megabytes ..............................\n");
    }
    big.push_str("win_rat = 0.2\n");

    let mut long_line = String::from(base);
    long_line.push_str("win_rate = { low = 0.1, high = 0.3, ");
    long_line.push_str(&" ".repeat(10 << 20));
    long_line.push_str("hihg = 0.4 }\n");

    let cases: [(&str, Vec<u8>); 4] = [
        ("garbage.toml", garbage),
        ("latin1.toml", latin1),
        ("ten-megabytes.toml", big.into_bytes()),
        ("long-line.toml", long_line.into_bytes()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let file = path.to_str().unwrap();
        let message = refused(file);
        assert_located(file, &message);
        assert!(message.len() < 10_000, "{name}: a short message, found {} bytes", message.len());
    }
}
