//! `sopsim init` as a newcomer meets it: each stage writes a commented scenario that
//! validates and runs with a sensible answer, an existing file or a missing folder is
//! refused with exit code 2, and `--help` opens with the first three commands.

use std::path::Path;
use std::process::Output;

use crate::cli::sopsim;

const STAGES: [&str; 3] = ["seed", "scale-up", "enterprise"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn init(file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["init", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    sopsim(&args)
}

/// Every key of the scenario (a line `key = value` outside the opening comment) has a
/// comment line just above it, in words.
fn keys_without_a_comment(scenario: &str) -> Vec<String> {
    let lines: Vec<&str> = scenario.lines().collect();
    let is_key = |l: &str| {
        l.split_once(" = ")
            .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    (1..lines.len())
        .filter(|&i| is_key(lines[i]))
        .filter(|&i| !(lines[i - 1].starts_with("# ") && lines[i - 1].len() > 12))
        .map(|i| format!("line {}: {}", i + 1, lines[i]))
        .collect()
}

/// Each stage writes a scenario to edit: every key commented, the uncertain ones as
/// 90% ranges, nothing left to fill in; it validates without a warning and a few
/// hundred trials run with exit code 0 and a P(hit) a plan can start from.
#[test]
fn each_stage_writes_a_commented_scenario_that_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    for stage in STAGES {
        let file = dir.path().join(format!("{stage}.toml"));
        let o = init(&file, &["--stage", stage, "--start", "2027-04"]);
        assert!(o.status.success(), "{stage}: {}", text(&o.stderr));
        let stdout = text(&o.stdout);
        let path = file.to_str().unwrap();
        assert!(stdout.starts_with(&format!("wrote {path}: a ")), "{stage}: {stdout}");
        assert!(stdout.contains(&format!("next: sopsim run {path}\n")), "{stage}: {stdout}");

        let scenario = std::fs::read_to_string(&file).unwrap();
        let first = scenario.lines().next().unwrap_or_default();
        assert!(first.starts_with("# A") && first.contains("sales plan"), "{stage}: opens with what it is: {first}");
        assert!(scenario.contains(&format!("`sopsim init --stage {stage}`")), "{stage}: says where it comes from");
        assert!(scenario.contains("start = \"2027-04\""), "{stage}: starts where asked");
        assert_eq!(keys_without_a_comment(&scenario), Vec::<String>::new(), "{stage}: every key has its comment");
        let ranges = scenario.matches("= { low = ").count();
        assert!(ranges >= 8, "{stage}: the uncertain values are written as 90% ranges, found {ranges}");
        for blank in ["SET", "TODO", "???"] {
            assert!(!scenario.contains(blank), "{stage}: nothing is left to fill in ({blank})");
        }

        let o = sopsim(&["validate", path]);
        assert!(o.status.success(), "{stage}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains("valid (") && text(&o.stdout).contains(", 0 warnings)"), "{stage}");

        let out = dir.path().join(format!("{stage}-out"));
        let o =
            sopsim(&["run", path, "--trials", "400", "--format", "json", "--quiet", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{stage}: {}", text(&o.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["run"]["trials"].as_u64(), Some(400), "{stage}");
        let p_hit = summary["target"]["p_hit"].as_f64().unwrap_or_else(|| panic!("{stage}: a target"));
        // A plan to start from: neither out of reach nor a foregone conclusion (about 68%,
        // 83% and 84% on 10,000 trials; a standard error of about 2% on 400).
        assert!((0.5..=0.95).contains(&p_hit), "{stage}: P(hit) {p_hit}");
    }
}

/// The months move with `--start`: the target month and the planned hires keep their
/// place in the plan.
#[test]
fn start_moves_the_target_and_the_hires() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.toml");
    let o = init(&file, &["--stage", "seed", "--start", "2030-10"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let scenario = std::fs::read_to_string(&file).unwrap();
    assert!(scenario.contains("start = \"2030-10\""), "{scenario}");
    assert!(scenario.contains("by = \"2031-09\""), "the target stays in the 12th month: {scenario}");
    assert!(scenario.contains("hires = { \"2030-12\" = 1, \"2031-04\" = 1 }"), "{scenario}");
    assert!(text(&o.stdout).contains("18 months from Oct 2030"), "{}", text(&o.stdout));

    let o = init(&dir.path().join("late.toml"), &["--start", "2999-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("past the last month a scenario may have"), "{}", text(&o.stderr));
    assert!(!dir.path().join("late.toml").exists());
}

/// An existing file is the user's: refused without --force (exit 2, the file as it
/// was, the flag suggested), replaced with it. A missing folder is not created.
#[test]
fn an_existing_file_or_a_missing_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.toml");
    std::fs::write(&file, "# my own plan\n").unwrap();
    let o = init(&file, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let stderr = text(&o.stderr);
    assert!(stderr.starts_with(&format!("error: {} already exists\n", file.display())), "{stderr}");
    assert!(stderr.contains("add --force to replace it; nothing was written"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# my own plan\n");
    assert!(o.stdout.is_empty());

    let o = init(&file, &["--force", "--stage", "enterprise"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(std::fs::read_to_string(&file).unwrap().contains("name = \"Enterprise plan\""));

    let missing = dir.path().join("plans").join("plan.toml");
    let o = init(&missing, &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("does not exist") && stderr.contains("create the folder first"), "{stderr}");
    assert!(!dir.path().join("plans").exists(), "the folder is not created");

    let o = init(dir.path(), &["--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("is a folder"), "{}", text(&o.stderr));
}

/// `sopsim --help` opens with the three commands a newcomer needs first, in the order
/// they are used, and keeps the list of every command after them.
#[test]
fn help_opens_with_init_run_and_serve() {
    let o = sopsim(&["--help"]);
    assert!(o.status.success());
    let help = text(&o.stdout);
    let first: Vec<&str> = help.lines().take(4).collect();
    assert_eq!(first[0], "Start here:", "{help}");
    for (line, command) in first[1..].iter().zip(["init", "run", "serve"]) {
        assert!(line.trim_start().starts_with(&format!("sopsim {command} plan.toml ")), "{line}");
    }
    for command in ["init", "run", "validate", "plan", "sweep", "compare", "gather", "sensitivity", "serve"] {
        assert!(help.contains(&format!("\n  {command} ")), "{command} is listed: {help}");
    }
    assert!(help.contains("Usage: sopsim <COMMAND>"), "{help}");
}
