//! Outputs are whole or not at all: an interrupted run or merge, or a failed write,
//! leaves the previous outputs as they were, and nothing is written outside the output
//! folder. sopsim never deletes what it did not write: an `--out` that is a file, a
//! link or a folder of someone else's, and a `--partial` that is a link or another
//! file, are refused with exit code 2 before anything is simulated.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sopsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopsim")).args(args).current_dir(dir).output().expect("the binary starts")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml")).display().to_string()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A run stopped with Ctrl-C (SIGINT) half-way exits 130, says the previous outputs are
/// unchanged, and they are byte for byte what the earlier run wrote.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_the_previous_outputs_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seed-stage");
    let out_arg = out.to_str().unwrap();
    let file = example("seed-stage");
    let first = sopsim_in(dir.path(), &["run", &file, "--out", out_arg, "--quiet", "--trials", "200"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let csv = std::fs::read(out.join("monthly.csv")).unwrap();
    let json = std::fs::read(out.join("summary.json")).unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_sopsim"))
        .args(["run", &file, "--out", out_arg, "--quiet", "--threads", "1", "--trials", "300000"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success(), "the run was still going when interrupted");
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(started.elapsed() < Duration::from_secs(30), "the run stops promptly");
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains(&format!("interrupted; the previous outputs in {out_arg} are unchanged")), "{stderr}");
    assert_eq!(std::fs::read(out.join("monthly.csv")).unwrap(), csv, "monthly.csv is as it was");
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), json, "summary.json is as it was");
    assert_eq!(entries(dir.path()), ["seed-stage"], "no temporary folder is left behind");
}

/// A write that cannot be done (the output's parent is a file) exits 1, says so, and
/// leaves nothing behind.
#[test]
fn a_failed_write_exits_1_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocker"), "a file, not a folder").unwrap();
    let out = dir.path().join("blocker").join("run");
    let o = sopsim_in(dir.path(), &["run", &example("seed-stage"), "--out", out.to_str().unwrap(), "--trials", "50"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot create") && stderr.contains("are unchanged"), "{stderr}");
    assert_eq!(entries(dir.path()), ["blocker"]);
}

/// The scenario's name and its file name cannot steer outputs out of `output/`: the
/// folder is the file's stem made safe, and the `name` key is only displayed.
#[test]
fn odd_names_write_only_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("seed-stage"))
        .unwrap()
        .replace("name = \"Seed stage 2027\"", "name = \"../../escaped/..\\\\x /etc/passwd\"");
    let file = dir.path().join("a b;..%2f$(x).toml");
    std::fs::write(&file, text).unwrap();
    let o =
        sopsim_in(dir.path(), &["run", file.to_str().unwrap(), "--quiet", "--trials", "50", "--format", "csv,json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(entries(dir.path()), ["a b;..%2f$(x).toml", "output"]);
    assert_eq!(entries(&dir.path().join("output")), ["a_b_.._2f__x_"]);
    assert_eq!(entries(&dir.path().join("output/a_b_.._2f__x_")), [".sopsim-output", "monthly.csv", "summary.json"]);
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder of someone else's: `thesis.txt` and `docs/a.txt`.
fn users_folder(root: &Path) -> std::path::PathBuf {
    let dir = root.join("Documents");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("thesis.txt"), "four years of work").unwrap();
    std::fs::write(dir.join("docs/a.txt"), "notes").unwrap();
    dir
}

fn assert_users_folder_intact(dir: &Path) {
    assert_eq!(entries(dir), ["docs", "thesis.txt"], "nothing is added or removed");
    assert_eq!(std::fs::read_to_string(dir.join("thesis.txt")).unwrap(), "four years of work");
    assert_eq!(std::fs::read_to_string(dir.join("docs/a.txt")).unwrap(), "notes");
}

/// Two partial files of one small run, in `dir`.
fn two_parts(dir: &Path, extra: &[&str]) -> [String; 2] {
    let file = example("seed-stage");
    ["1", "2"].map(|k| {
        let part = dir.join(format!("part{k}")).display().to_string();
        let shard = format!("{k}/2");
        let mut args = vec!["run", file.as_str(), "--shard", &shard, "--partial", &part, "--quiet"];
        args.extend_from_slice(extra);
        let o = sopsim_in(dir, &args);
        assert!(o.status.success(), "{}", stderr(&o));
        part
    })
}

/// Regression: `--out` naming a folder sopsim did not write replaced the whole folder,
/// and the user's files were gone, with exit code 0. Every command that writes a folder
/// now refuses it before simulating anything, and leaves it as it was.
#[test]
fn out_naming_a_users_folder_is_refused_by_every_command_and_left_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let dir = users_folder(root.path());
    let out = dir.to_str().unwrap();
    let file = example("seed-stage");
    let parts = two_parts(root.path(), &["--trials", "40"]);
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", &file, "--trials", "40"],
        vec!["plan", &file, "--trials", "100"],
        vec!["sweep", &file, "--vary", "demand.growth_per_month=0,0.01", "--trials", "40"],
        vec!["compare", &file, &file, "--trials", "40"],
        vec!["sensitivity", &file, "--trials", "40"],
        vec!["merge", &parts[0], &parts[1]],
    ];
    for command in commands {
        let mut args = command.clone();
        args.extend(["--out", out, "--quiet"]);
        let o = sopsim_in(root.path(), &args);
        let message = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{}: {message}", command[0]);
        assert!(
            message.contains("holds files sopsim did not write (docs/, thesis.txt)")
                && message.contains("--force")
                && message.contains("nothing was written"),
            "{}: says why and what to do\n{message}",
            command[0]
        );
        assert_users_folder_intact(&dir);
    }
    assert_eq!(entries(root.path()), ["Documents", "part1", "part2"], "nothing is left beside it");
}

/// `--force` writes sopsim's files into such a folder and leaves every other file; the
/// next run with `--force` replaces only what sopsim wrote the time before.
#[test]
fn force_writes_into_a_users_folder_and_keeps_the_users_files() {
    let root = tempfile::tempdir().unwrap();
    let dir = users_folder(root.path());
    let out = dir.to_str().unwrap();
    let file = example("seed-stage");
    let o = sopsim_in(
        root.path(),
        &["run", &file, "--trials", "40", "--format", "csv,json", "--out", out, "-q", "--force"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(entries(&dir), [".sopsim-output", "docs", "monthly.csv", "summary.json", "thesis.txt"]);
    let o = sopsim_in(root.path(), &["run", &file, "--trials", "40", "--format", "csv", "--out", out, "-q", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(entries(&dir), [".sopsim-output", "docs", "monthly.csv", "thesis.txt"], "its own summary.json went");
    assert_eq!(std::fs::read_to_string(dir.join("thesis.txt")).unwrap(), "four years of work");
    assert_eq!(std::fs::read_to_string(dir.join("docs/a.txt")).unwrap(), "notes");
    let o = sopsim_in(root.path(), &["run", &file, "--trials", "40", "--format", "csv", "--out", out, "-q"]);
    assert_eq!(o.status.code(), Some(2), "without --force it is still refused: {}", stderr(&o));
}

/// A folder sopsim wrote is replaced whole; once a user adds a file to it, it is theirs
/// too, and refused. A folder of an earlier version, without the manifest, that holds
/// only the names sopsim writes is replaced as before.
#[test]
fn only_folders_that_hold_nothing_but_sopsims_files_are_replaced() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("run");
    let out_arg = out.to_str().unwrap();
    let file = example("seed-stage");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", &file, "--trials", "40", "--out", out_arg, "-q"];
        args.extend_from_slice(extra);
        sopsim_in(root.path(), &args)
    };
    assert!(run(&[]).status.success());
    assert!(run(&["--format", "csv"]).status.success(), "a folder sopsim wrote is replaced");
    assert_eq!(entries(&out), [".sopsim-output", "monthly.csv"]);
    std::fs::write(out.join("notes.md"), "mine").unwrap();
    let o = run(&["--format", "csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("(notes.md)"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(out.join("notes.md")).unwrap(), "mine");

    std::fs::remove_dir_all(&out).unwrap();
    std::fs::create_dir(&out).unwrap();
    for name in ["monthly.csv", "summary.json", "report.html", "arr_fan.svg", "arr_fan.png"] {
        std::fs::write(out.join(name), "written by an earlier sopsim").unwrap();
    }
    assert!(run(&["--format", "csv"]).status.success(), "{}", stderr(&run(&["--format", "csv"])));
    assert_eq!(entries(&out), [".sopsim-output", "monthly.csv"]);
}

/// Regression: `--out` naming an existing file replaced the file by a folder, and left
/// a stray `.old` copy beside it, with exit code 0.
#[test]
fn out_naming_a_file_or_a_link_is_refused_and_left_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("thesis.txt");
    std::fs::write(&file, "four years of work").unwrap();
    let scenario = example("seed-stage");
    for command in
        [vec!["run", &scenario, "--trials", "40"], vec!["sweep", &scenario, "--vary", "demand.growth_per_month=0,0.01"]]
    {
        for force in [false, true] {
            let mut args = command.clone();
            args.extend(["--out", file.to_str().unwrap(), "-q"]);
            if force {
                args.push("--force");
            }
            let o = sopsim_in(root.path(), &args);
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            assert!(stderr(&o).contains("is an existing file, not a folder"), "{}", stderr(&o));
            assert_eq!(std::fs::read_to_string(&file).unwrap(), "four years of work");
            assert_eq!(entries(root.path()), ["thesis.txt"], "no stray copy or folder beside it");
        }
    }
    #[cfg(unix)]
    {
        let target = users_folder(root.path());
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let o =
            sopsim_in(root.path(), &["run", &scenario, "--trials", "40", "--out", link.to_str().unwrap(), "--force"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a symbolic link"), "{}", stderr(&o));
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays");
        assert_users_folder_intact(&target);
    }
}

/// Regression: `--partial PART` where PART was a link to another file wrote the part
/// over the link. A link is now refused, and so is an existing file that is not a
/// partial file (unless `--force`); an earlier part is replaced.
#[cfg(unix)]
#[test]
fn partial_naming_a_link_or_another_file_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let victim = root.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let link = root.path().join("part.link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let scenario = example("seed-stage");
    let partial = |path: &Path, force: bool| {
        let mut args = vec!["run", &scenario, "--trials", "40", "--partial", path.to_str().unwrap(), "-q"];
        if force {
            args.push("--force");
        }
        sopsim_in(root.path(), &args)
    };
    for force in [false, true] {
        let o = partial(&link, force);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("is a symbolic link") && stderr(&o).contains("nothing was simulated"));
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }
    let o = partial(&victim, false);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a sopsim partial file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    let part = root.path().join("run.part");
    assert!(partial(&part, false).status.success());
    assert!(partial(&part, false).status.success(), "a part is replaced by the next");
    assert!(partial(&victim, true).status.success(), "--force replaces another file");
    assert_eq!(entries(root.path()), ["part.link", "run.part", "victim.txt"], "no temporary file is left");
}

/// Regression: `merge` without `--out`, stopped by Ctrl-C or SIGTERM, died of the
/// signal. Like `run`, it now exits 130 and says the earlier outputs are as they were.
/// The part is a named pipe that nobody writes, so the merge waits on it until the
/// signal comes.
#[cfg(unix)]
#[test]
fn an_interrupted_merge_exits_130_and_leaves_the_previous_outputs_intact() {
    let root = tempfile::tempdir().unwrap();
    let fifo = root.path().join("part1");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo makes the pipe");
    let earlier = ["run", &example("seed-stage"), "--trials", "40", "--format", "csv", "--out", "out", "-q"];
    assert!(sopsim_in(root.path(), &earlier).status.success());
    let csv = std::fs::read(root.path().join("out/monthly.csv")).unwrap();
    let cases: [(&str, &[&str], &str); 3] = [
        ("-INT", &[], "interrupted; nothing was written"),
        ("-TERM", &[], "interrupted; nothing was written"),
        ("-TERM", &["--out", "out"], "interrupted; the previous outputs in out are unchanged"),
    ];
    for (signal, extra, said) in cases {
        let child = Command::new(env!("CARGO_BIN_EXE_sopsim"))
            .args(["merge", "part1", "--quiet"])
            .args(extra)
            .current_dir(root.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let kill = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(kill.success(), "the merge was still waiting when interrupted");
        let o = child.wait_with_output().unwrap();
        let message = stderr(&o);
        assert_eq!(o.status.code(), Some(130), "{signal}: exits 130, not killed by the signal\n{message}");
        assert_eq!(message.trim_end(), said);
        assert_eq!(entries(root.path()), ["out", "part1"], "nothing is written");
        assert_eq!(std::fs::read(root.path().join("out/monthly.csv")).unwrap(), csv, "the earlier outputs are intact");
    }
}

/// `summary.json`'s `horizon.metrics` holds every stock metric of the run (a level at
/// the month's end, by the metric table's kind) with a value in the last month, and
/// nothing else: the enterprise example, whose stocks include the stage and each role's
/// needs and capacity gap.
#[test]
fn the_horizon_holds_every_stock_metric_and_only_those() {
    use sopsim::engine::metrics::{Kind, metric_of};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = sopsim_in(
        dir.path(),
        &[
            "run",
            &example("enterprise"),
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--trials",
            "200",
            "--format",
            "csv,json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let last = summary["horizon"]["month"].as_str().unwrap().to_string();
    let horizon = summary["horizon"]["metrics"].as_object().unwrap();
    let mut reader = csv::Reader::from_path(out.join("monthly.csv")).unwrap();
    let mut stocks = Vec::new();
    for row in reader.records().map(Result::unwrap) {
        let stock = metric_of(&row[0]).is_some_and(|m| m.kind == Kind::Stock) && !row[0].starts_with("plan.");
        if stock && row[1] == *last && !row[2].is_empty() {
            stocks.push(row[0].to_string());
        }
    }
    for must in ["arr", "pipeline", "stage", "headcount.ent-ae", "needed.ent-ae", "capacity_gap.ent-ae"] {
        assert!(stocks.iter().any(|s| s == must), "{must} is a stock of the run");
    }
    let mut keys: Vec<String> = horizon.keys().cloned().collect();
    keys.sort();
    stocks.sort();
    assert_eq!(keys, stocks);
}
