//! The command line as users and scripts meet it: example scenarios run and write the
//! contracted files, runs are reproducible across thread counts, bad input exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLES: [&str; 3] = ["seed-stage", "scale-up", "enterprise"];

/// Runs the binary from the crate's folder.
pub(crate) fn sopsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary starts")
}

fn scenario(name: &str) -> String {
    format!("scenarios/{name}.toml")
}

fn run_to(file: &str, out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["run", file, "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    sopsim(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every example scenario runs and writes monthly.csv (exact header, every contracted
/// metric, finite numbers, quantiles in order) and a summary.json with P(hit).
#[test]
fn every_example_scenario_runs_and_writes_its_outputs() {
    for name in EXAMPLES {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(name);
        let o = run_to(&scenario(name), &out, &["--trials", "300"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));

        let csv = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("metric,month,mean,p05,p10,p25,p50,p75,p90,p95"));
        let mut metrics = std::collections::BTreeSet::new();
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 10, "{line}");
            metrics.insert(fields[0].to_string());
            assert!(fields[1].len() == 7 && fields[1].as_bytes()[4] == b'-', "month {line}");
            if fields[2].is_empty() {
                let may_be_undefined =
                    ["win_rate", "forecast", "forecast_error", "cost_of_sales", "quota_attainment_rate"]
                        .contains(&fields[0])
                        || ["kpi.", "needed.sdr", "capacity_gap.sdr"].iter().any(|p| fields[0].starts_with(p));
                assert!(may_be_undefined, "only a ratio with no denominator may be missing: {line}");
                continue;
            }
            let values: Vec<f64> = fields[2..].iter().map(|f| f.parse::<f64>().unwrap()).collect();
            assert!(values.iter().all(|v| v.is_finite()), "{line}");
            assert!(values[1..].windows(2).all(|w| w[0] <= w[1]), "quantiles out of order: {line}");
            let m = fields[0];
            let (lo, hi) = if m.starts_with("coverage.")
                || m.starts_with("reached.")
                || ["quota_attainment_rate", "support.coverage", "win_rate", "kpi.win_rate", "kpi.selling_time"]
                    .contains(&m)
            {
                (0.0, 1.0)
            } else if m.starts_with("capacity_gap.") {
                (f64::NEG_INFINITY, f64::INFINITY)
            } else if m == "stage" {
                (-1.0, 10.0)
            } else {
                (0.0, f64::INFINITY)
            };
            assert!(values.iter().all(|v| (lo..=hi).contains(v)), "{name}: {m} outside [{lo}, {hi}]: {line}");
        }
        for required in [
            "arr",
            "bookings",
            "churned_arr",
            "expansion_arr",
            "pipeline",
            "weighted_pipeline",
            "opportunities.demand",
            "opportunities.worked",
            "opportunities.lost",
            "win_rate",
        ] {
            assert!(metrics.contains(required), "{name}: no metric {required}");
        }
        for required in ["comp_cost", "quota_attainment_rate", "forecast_error", "stage", "cost_of_sales"] {
            assert!(metrics.contains(required), "{name}: no metric {required}");
        }
        for per_role in ["headcount.", "ramped.", "hires.", "departures.", "open_reqs.", "coverage.", "reached."] {
            assert!(metrics.iter().any(|m| m.starts_with(per_role)), "{name}: no metric {per_role}*");
        }

        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        let p = summary["target"]["p_hit"].as_f64().unwrap();
        let se = summary["target"]["p_hit_standard_error"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!((se - (p * (1.0 - p) / 300.0).sqrt()).abs() < 1e-12);
        assert_eq!(summary["run"]["trials"], 300);
        assert!(summary["hiring"].as_array().is_some_and(|h| !h.is_empty()));
    }
}

/// The same seed gives byte-identical monthly.csv on one thread and on two.
#[test]
fn same_seed_same_bytes_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        let o = run_to(&scenario("enterprise"), out, &["--trials", "500", "--seed", "99", "--threads", threads]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let a = std::fs::read(one.join("monthly.csv")).unwrap();
    let b = std::fs::read(two.join("monthly.csv")).unwrap();
    assert!(a == b, "monthly.csv differs between 1 and 2 threads");
    let other = dir.path().join("other");
    let o = run_to(&scenario("enterprise"), &other, &["--trials", "500", "--seed", "100"]);
    assert!(o.status.success());
    assert!(std::fs::read(other.join("monthly.csv")).unwrap() != a, "another seed gives other numbers");
}

fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const MISSPELT: &str = r#"[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "mid-market"
deal_size = 30_000
win_rat = 0.2
"#;

/// A misspelt key: exit code 2, the file, line and column, the key path, the closest
/// valid key, and no output folder.
#[test]
fn a_misspelt_key_is_refused_with_its_line_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "typo.toml", MISSPELT);
    let out = dir.path().join("out");
    let o = run_to(file.to_str().unwrap(), &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown key `win_rat`"), "{err}");
    assert!(err.contains("typo.toml:8:1"), "{err}");
    assert!(err.contains("segments.mid-market.win_rat"), "{err}");
    assert!(err.contains("did you mean `win_rate`?"), "{err}");
    assert!(!out.exists(), "nothing is written for a bad scenario");

    let o = sopsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `win_rate`?"));
}

/// Every example validates, and `validate` writes nothing.
#[test]
fn examples_validate() {
    for name in EXAMPLES {
        let o = sopsim(&["validate", &scenario(name)]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("valid"));
        assert!(stderr(&o).is_empty(), "{name} has warnings: {}", stderr(&o));
    }
}

/// `--set` changes a value for the run and is checked like the file: a bad value or
/// path exits 2 naming the override.
#[test]
fn overrides_change_the_run_and_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let slower = dir.path().join("slower");
    assert!(run_to(&scenario("scale-up"), &base, &["--trials", "400"]).status.success());
    let o = run_to(&scenario("scale-up"), &slower, &["--trials", "400", "--set", "segments.mid-market.win_rate=0.05"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p_hit = |dir: &Path| {
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        s["target"]["p_hit"].as_f64().unwrap()
    };
    assert!(p_hit(&slower) < p_hit(&base), "a lower win rate lowers P(hit)");

    let o = sopsim(&["validate", &scenario("scale-up"), "--set", "roles.ae.ramp_months=six"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("roles.ae.ramp_months") && err.contains("--set #1"), "{err}");

    let o = sopsim(&["validate", &scenario("scale-up"), "--set", "segments.mid-markt.win_rate=0.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `mid-market`?"));
}

/// Usage errors exit 2 as well (clap's convention matches ours).
#[test]
fn usage_errors_exit_2() {
    assert_eq!(sopsim(&["run"]).status.code(), Some(2));
    assert_eq!(sopsim(&["run", "scenarios/scale-up.toml", "--trials", "0"]).status.code(), Some(2));
    assert_eq!(sopsim(&["run", "no/such/file.toml"]).status.code(), Some(2));
}

/// Counts on the command line as sopsim writes them: `1e3`, `1,000`, `1_000` and `1K`
/// are 1,000 trials; `1.5` trials is refused with the reason, before anything runs.
#[test]
fn trials_read_in_the_forms_sopsim_writes() {
    let dir = tempfile::tempdir().unwrap();
    for (k, trials) in ["1e3", "1,000", "1_000", "1K"].into_iter().enumerate() {
        let out = dir.path().join(k.to_string());
        let o = run_to(&scenario("seed-stage"), &out, &["--trials", trials, "--format", "json"]);
        assert!(o.status.success(), "--trials {trials}: {}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(s["run"]["trials"], 1000, "--trials {trials}");
    }
    let out = dir.path().join("fraction");
    let o = run_to(&scenario("seed-stage"), &out, &["--trials", "1.5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`1.5` is not a whole number: a count has no fraction"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = sopsim(&["plan", &scenario("scale-up"), "--target-arr", "5,5M"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the decimal mark is a point (5.5M)"), "{}", stderr(&o));
}

/// `--set` reads an amount or a count that TOML cannot (`5.5M`, `$8M`, `750K`,
/// `10,000`) as the flags do; TOML's own forms keep their meaning, and other text is
/// still a string the key refuses.
#[test]
fn set_reads_amounts_as_the_flags_write_them() {
    let dir = tempfile::tempdir().unwrap();
    for (k, (set, arr, trials)) in [
        ("target.arr=5.5M", 5_500_000.0, 300),
        ("target.arr=$5.5M", 5_500_000.0, 300),
        ("target.arr=5_500_000", 5_500_000.0, 300),
        ("scenario.trials=1K", 8_000_000.0, 1000),
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.path().join(k.to_string());
        let o =
            run_to(&scenario("scale-up"), &out, &["--set", "scenario.trials=300", "--set", set, "--format", "json"]);
        assert!(o.status.success(), "--set {set}: {}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(s["target"]["arr"].as_f64(), Some(arr), "--set {set}");
        assert_eq!(s["run"]["trials"], trials, "--set {set}");
    }
    let o = sopsim(&["validate", &scenario("scale-up"), "--set", "target.arr=lots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--set #1"), "{}", stderr(&o));
}

const CHURN_AS_PERCENT: &str = r#"[scenario]
start = "2027-01"
months = 12

[company]
arr = 1_000_000
monthly_churn = 1

[[segments]]
name = "smb"
deal_size = 10_000
win_rate = 0.2
"#;

/// `monthly_churn = 1`, meant as 1%, is valid: `validate` and `run` say what it means
/// and what was likely meant, with the line, and exit 0; `run --quiet` says nothing.
#[test]
fn a_churn_of_one_is_warned_of_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_scenario(dir.path(), "churn.toml", CHURN_AS_PERCENT);
    let file = file.to_str().unwrap();
    let o = sopsim(&["validate", file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("valid (12 months from 2027-01, 1 segment, 0 roles, 1 warning)")
    );
    let warning = stderr(&o);
    assert!(warning.starts_with("warning: monthly_churn = 1 loses all ARR every month\n"), "{warning}");
    assert!(warning.contains("churn.toml:7:17\n   = key: company.monthly_churn\n"), "{warning}");
    assert!(warning.contains("   = help: did you mean 0.01 (1%)? rates are written as fractions\n"), "{warning}");

    let out = dir.path().join("out");
    let o = sopsim(&["run", file, "--out", out.to_str().unwrap(), "--trials", "200", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), warning, "run warns as validate does");
    let o = run_to(file, &dir.path().join("quiet"), &["--trials", "200", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty(), "--quiet prints no warning: {}", stderr(&o));
}
