//! Outputs are whole or not at all: an interrupted run or a failed write leaves the
//! previous outputs as they were, and nothing is written outside the output folder.

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
    assert_eq!(entries(&dir.path().join("output/a_b_.._2f__x_")), ["monthly.csv", "summary.json"]);
}
