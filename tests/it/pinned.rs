//! Value stability of whole runs, two ways.
//!
//! - The hash table: the three examples and every command that writes files, at a
//!   fixed seed and a few trials, hashed file by file against the table checked in at
//!   `tests/pinned/outputs.txt` (`case/file hash`, FNV-1a 64 of the bytes). It covers
//!   every file, charts and workbooks included, but only says *that* a file moved.
//! - Snapshots that show *how*: for the three examples, run as in the table, the
//!   terminal summary `run` prints, `summary.json` and the first 40 lines of
//!   `monthly.csv`, kept as text in `tests/it/snapshots/` (the `insta` crate) and
//!   shown as a line diff when they differ.
//!
//! What a machine changes is left out: the timings of `summary.json`
//! (`elapsed_seconds`, dropped from the hash and written `"[elapsed]"` in the
//! snapshot) and of the terminal summary (`[seconds]`), the output folder the terminal
//! summary names (`[out]`), and the thread count is fixed with `--threads 2`. The cases
//! on the Maven CRM export (`gather`, `backtest`) read the copy in `tests/data/maven`.
//!
//! A change that moves results on purpose (the engine's draws, a chart's layout)
//! re-pins both with
//!
//! ```text
//! SOPSIM_BLESS=1 cargo test --release --test it pinned
//! INSTA_UPDATE=always cargo test --release --test it pinned
//! ```
//!
//! and the diffs of `tests/pinned/outputs.txt` and `tests/it/snapshots/` show which
//! files moved and how; review them before committing. Without `INSTA_UPDATE=always`
//! a snapshot that differs, or is missing, fails the test (outside CI, insta also
//! writes the new value beside it as a `.snap.new`, which `cargo insta review` can
//! accept if that tool is installed; never commit a `.snap.new`). A change that should
//! not move results (a refactor) must leave the table and the snapshots as they are.

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

/// The examples kept as snapshots, run as in the table (`run-NAME`).
const EXAMPLES: [&str; 3] = ["seed-stage", "scale-up", "enterprise"];

/// How many lines of `monthly.csv` a snapshot keeps, its header included.
const MONTHLY_LINES: usize = 40;

/// `summary.json` with its timing written `"[elapsed]"`.
fn summary_redacted(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.split_once("\"elapsed_seconds\":") {
            Some((indent, rest)) => {
                let comma = if rest.trim_end().ends_with(',') { "," } else { "" };
                format!("{indent}\"elapsed_seconds\": \"[elapsed]\"{comma}\n")
            }
            None => line.to_string(),
        })
        .collect()
}

/// The terminal summary with the output folder written `[out]` and the seconds of its
/// last line (`in 0.06 s (simulation 0.01 s on 2 threads)`) written `[seconds]`.
fn terminal_redacted(text: &str, out: &Path) -> String {
    let text = text.replace(&out.display().to_string(), "[out]");
    text.split_inclusive('\n')
        .map(|line| {
            if !line.starts_with("  wrote ") {
                return line.to_string();
            }
            let words: Vec<&str> = line.split(' ').collect();
            let mut kept = Vec::with_capacity(words.len());
            for (i, word) in words.iter().enumerate() {
                let seconds = words.get(i + 1) == Some(&"s") && word.parse::<f64>().is_ok();
                kept.push(if seconds { "[seconds]" } else { word });
            }
            kept.join(" ")
        })
        .collect()
}

#[test]
fn example_runs_read_as_their_snapshots() {
    for name in EXAMPLES {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(name);
        let command = format!("run scenarios/{name}.toml --trials 200 --seed 7 --threads 2");
        let mut args: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        args.extend(["--out".into(), out.display().to_string()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = sopsim(&argv);
        assert!(o.status.success(), "sopsim {command}: {}", String::from_utf8_lossy(&o.stderr));
        let terminal = terminal_redacted(&String::from_utf8(o.stdout).unwrap(), &out);
        let summary = summary_redacted(&std::fs::read_to_string(out.join("summary.json")).unwrap());
        let monthly = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
        let monthly: String = monthly.split_inclusive('\n').take(MONTHLY_LINES).collect();
        insta::with_settings!({ description => format!("sopsim {command} --out [out]"), omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}-terminal"), terminal);
            insta::assert_snapshot!(format!("{name}-summary.json"), summary);
            insta::assert_snapshot!(format!("{name}-monthly.csv-head"), monthly);
        });
    }
}

#[test]
fn redaction_leaves_out_only_what_a_machine_changes() {
    let summary = "  \"run\": {\n    \"elapsed_seconds\": 0.0075267,\n    \"seed\": 7\n  },\n  \"x\": {\n    \"elapsed_seconds\": 1e-5\n  }\n";
    assert_eq!(
        summary_redacted(summary),
        "  \"run\": {\n    \"elapsed_seconds\": \"[elapsed]\",\n    \"seed\": 7\n  },\n  \"x\": {\n    \"elapsed_seconds\": \"[elapsed]\"\n  }\n"
    );
    let out = Path::new("/tmp/x/seed-stage");
    let terminal = "  ae  2 (1–3)\n\n  wrote monthly.csv and 18 chart files to /tmp/x/seed-stage in 0.06 s (simulation 0.01 s on 2 threads)\n";
    assert_eq!(
        terminal_redacted(terminal, out),
        "  ae  2 (1–3)\n\n  wrote monthly.csv and 18 chart files to [out] in [seconds] s (simulation [seconds] s on 2 threads)\n"
    );
}

#[test]
fn fnv1a64_matches_its_reference_values() {
    // The published test vectors of FNV-1a 64.
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}
