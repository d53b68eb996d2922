//! Value stability of whole runs: the three examples and every command that writes
//! files, at a fixed seed and a few trials, hashed file by file against the table
//! checked in at `tests/pinned/outputs.txt` (`case/file hash`, FNV-1a 64 of the bytes).
//!
//! What a machine changes is left out: the timings of `summary.json`
//! (`elapsed_seconds`), and the thread count is fixed with `--threads 2`. The cases
//! on the Maven CRM export (`gather`, `backtest`) read the copy in `tests/data/maven`.
//!
//! A change that moves results on purpose (the engine's draws, a chart's layout)
//! re-pins the table with
//!
//! ```text
//! SOPSIM_BLESS=1 cargo test --test it pinned
//! ```
//!
//! and the diff of `tests/pinned/outputs.txt` shows which files moved. A change that
//! should not move results (a refactor) must leave the table as it is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::cli::sopsim;

/// The table, from the crate's folder.
const TABLE: &str = "tests/pinned/outputs.txt";

/// The command to re-pin the table.
const BLESS: &str = "SOPSIM_BLESS=1 cargo test --test it pinned";

/// The Maven CRM export, in the repository, from the crate's folder.
const MAVEN: &str = "tests/data/maven/sales_pipeline.csv";

/// FNV-1a, 64 bits: stable across platforms and releases, and written here so that it
/// cannot change under the table.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The bytes that are pinned: `summary.json` without its timings.
fn pinned_bytes(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if name != "summary.json" {
        return bytes;
    }
    let text = String::from_utf8_lossy(&bytes);
    let kept: Vec<&str> = text.split_inclusive('\n').filter(|l| !l.contains("\"elapsed_seconds\"")).collect();
    kept.concat().into_bytes()
}

/// The cases: a name and the command line (the output folder or file is added).
fn cases() -> Vec<(String, Vec<String>)> {
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    let mut out = Vec::new();
    for name in ["seed-stage", "scale-up", "enterprise"] {
        out.push((format!("run-{name}"), words(&format!("run scenarios/{name}.toml --trials 200 --seed 7"))));
    }
    out.push((
        "run-actuals".into(),
        words("run scenarios/scale-up.toml --actuals scenarios/scale-up-actuals.csv --trials 100 --seed 7 --format csv,json"),
    ));
    out.push(("plan".into(), words("plan scenarios/scale-up.toml --trials 200 --search-trials 100 --seed 7")));
    let mut sweep = words("sweep scenarios/scale-up.toml --trials 100 --seed 7");
    sweep.extend(["--vary".into(), "segments.mid-market.win_rate=0.15..0.25 step 0.05".into()]);
    sweep.extend(["--vary".into(), "demand.growth_per_month=0.01,0.03".into()]);
    out.push(("sweep".into(), sweep));
    out.push((
        "compare".into(),
        words("compare scenarios/scale-up.toml scenarios/enterprise.toml --trials 100 --seed 7"),
    ));
    out.push((
        "sensitivity".into(),
        words("sensitivity scenarios/scale-up.toml --trials 200 --swing-trials 50 --seed 7"),
    ));
    // Relative to the crate's folder, where the binary runs: the path is written into
    // the gathered scenario and the back-test's charts, so it must not name the checkout.
    let export = MAVEN;
    out.push(("gather".into(), words(&format!("gather {export} --as-of 2017-06-30 --months 6"))));
    out.push((
        "backtest".into(),
        words(&format!("backtest {export} --cutoff 2017-06-30 --months 3 --trials 100 --seed 3")),
    ));
    out
}

/// Runs every case into `dir` and hashes what it wrote: `case/file` to its hash.
fn outputs(dir: &Path) -> BTreeMap<String, u64> {
    let mut hashes = BTreeMap::new();
    for (name, mut args) in cases() {
        let out = dir.join(&name);
        let gather = args[0] == "gather";
        let target = if gather { out.with_extension("toml") } else { out.clone() };
        args.extend(["--out".into(), target.display().to_string(), "--quiet".into()]);
        if !gather && args[0] != "backtest" {
            args.extend(["--threads".into(), "2".into()]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sopsim(&argv);
        assert!(o.status.success(), "sopsim {}: {}", args.join(" "), String::from_utf8_lossy(&o.stderr));
        let files: Vec<PathBuf> = if gather {
            vec![target]
        } else {
            let mut f: Vec<PathBuf> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
            f.sort();
            f
        };
        for path in files {
            let leaf = path.file_name().unwrap().to_string_lossy().into_owned();
            let key = format!("{name}/{leaf}");
            let bytes = pinned_bytes(&leaf, std::fs::read(&path).unwrap());
            hashes.insert(key, fnv1a64(&bytes));
        }
    }
    hashes
}

/// The table as text: a comment, then `case/file hash` a line, sorted.
fn render(hashes: &BTreeMap<String, u64>) -> String {
    let mut out = format!(
        "# FNV-1a 64 of every output file of tests/it/pinned.rs (summary.json without its timings).\n\
         # Regenerate after a deliberate change of results: {BLESS}\n"
    );
    for (key, hash) in hashes {
        out.push_str(&format!("{key} {hash:016x}\n"));
    }
    out
}

/// Reads the table: `case/file` to its hash.
fn parse(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (key, hash) = l.rsplit_once(' ')?;
            Some((key.to_string(), u64::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

#[test]
fn pinned_outputs_stay_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = outputs(dir.path());
    let table = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    if std::env::var_os("SOPSIM_BLESS").is_some() {
        std::fs::create_dir_all(table.parent().unwrap()).unwrap();
        std::fs::write(&table, render(&hashes)).unwrap();
        eprintln!("wrote {TABLE}: {} files", hashes.len());
        return;
    }
    let text = std::fs::read_to_string(&table).unwrap_or_else(|e| panic!("cannot read {TABLE}: {e}; run {BLESS}"));
    let pinned = parse(&text);
    let mut changes = Vec::new();
    for (key, hash) in &hashes {
        match pinned.get(key) {
            Some(p) if p == hash => {}
            Some(_) => changes.push(format!("  changed: {key}")),
            None => changes.push(format!("  new:     {key}")),
        }
    }
    for key in pinned.keys().filter(|k| !hashes.contains_key(*k)) {
        changes.push(format!("  gone:    {key}"));
    }
    assert!(
        changes.is_empty(),
        "{} of the pinned outputs moved:\n{}\nIf the change is meant, re-pin them with\n  {BLESS}\nand commit {TABLE}.",
        changes.len(),
        changes.join("\n")
    );
}

#[test]
fn fnv1a64_matches_its_reference_values() {
    // The published test vectors of FNV-1a 64.
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}
