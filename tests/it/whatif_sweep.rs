//! `sopsim sweep` and `sopsim compare`: points and scenarios on common random numbers,
//! their files, paired differences, and bad input refused with exit code 2.
//!
//! Random quantities are compared with a tolerance of `Z = 4` Monte Carlo standard
//! errors, each estimated from the run's own spread and trial count (never tuned to the
//! seed); what common random numbers make exact (a scenario against itself) is compared
//! exactly.

use std::collections::BTreeMap;
use std::path::Path;

use super::cli::sopsim;
use super::closed_form::{Z, load};

/// A small organisation whose capacity (10 closers x 15 opportunities) exceeds its
/// demand at every lead volume swept below (at most 400 x 0.2 = 80 opportunities), so
/// that bookings follow lead volume.
const SMALL: &str = r#"[scenario]
name = "Small"
start = "2027-01"
months = 12
trials = 5000
seed = 11

[company]
arr = 500_000
monthly_churn = { low = 0.005, high = 0.02 }
monthly_expansion = 0.002

[target]
arr = 1_500_000
confidence = 0.8

[[segments]]
name = "smb"
deal_size = { dist = "lognormal", median = 10_000, p90 = 25_000 }
win_rate = { low = 0.15, high = 0.30 }
cycle_months = 1

[demand]
leads_per_month = { low = 100, high = 200 }
lead_to_opportunity = 0.2

[[roles]]
id = "ae"
kind = "closer"
headcount = 10
ramp_months = 3
annual_attrition = 0.2
time_to_hire_months = 2
opportunities_per_month = 15
backfill = true
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A CSV file as rows of column name to text.
fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows =
        r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?}", row[col]))
}

/// Standard errors of the median and of the mean from a run's P10 and P90, reading the
/// spread as a normal one's (sd = (P90 - P10) / 2.563; the median's SE is 1.2533 times
/// the mean's).
fn se_p50_and_mean(row: &BTreeMap<String, String>, trials: f64) -> (f64, f64) {
    let sd = (num(row, "arr_p90") - num(row, "arr_p10")) / 2.5631;
    let se_mean = sd / trials.sqrt();
    (1.2533 * se_mean, se_mean)
}

/// More leads on the same draws: the median and mean ARR do not fall from one lead
/// volume to the next (within Z combined standard errors, taken as if the points were
/// independent, which only widens the allowance), and rise well beyond it from the
/// lowest volume to the highest. Six checks.
#[test]
fn a_sweep_over_lead_volume_gives_arr_that_does_not_fall() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("sweep");
    let trials = 500.0;
    let o = sopsim(&[
        "sweep",
        &file,
        "--vary",
        "demand.leads_per_month=50,100,200,400",
        "--trials",
        "500",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(
        header,
        [
            "demand.leads_per_month",
            "p_hit",
            "p_hit_se",
            "arr_p10",
            "arr_p50",
            "arr_p90",
            "arr_mean",
            "hires_mean",
            "comp_cost_mean"
        ]
    );
    let values: Vec<&str> = rows.iter().map(|r| r["demand.leads_per_month"].as_str()).collect();
    assert_eq!(values, ["50", "100", "200", "400"]);
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let ((pa, ma), (pb, mb)) = (se_p50_and_mean(a, trials), se_p50_and_mean(b, trials));
        let (p50a, p50b) = (num(a, "arr_p50"), num(b, "arr_p50"));
        assert!(p50b >= p50a - Z * pa.hypot(pb), "P50 ARR falls from {p50a} to {p50b}");
        let (mean_a, mean_b) = (num(a, "arr_mean"), num(b, "arr_mean"));
        assert!(mean_b >= mean_a - Z * ma.hypot(mb), "mean ARR falls from {mean_a} to {mean_b}");
    }
    let (first, last) = (&rows[0], &rows[3]);
    let ((pf, _), (pl, _)) = (se_p50_and_mean(first, trials), se_p50_and_mean(last, trials));
    assert!(num(last, "arr_p50") - num(first, "arr_p50") > Z * pf.hypot(pl), "no rise: {rows:?}");
    // P(hit) is reported with its binomial standard error.
    for r in &rows {
        let p = num(r, "p_hit");
        assert!((num(r, "p_hit_se") - (p * (1.0 - p) / (trials - 1.0)).sqrt()).abs() < 1e-12);
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("sweep of demand.leads_per_month over 4 points"), "{stdout}");
    assert!(stdout.contains(&out.display().to_string()), "{stdout}");
    // Hires in whole people, the P50 with the P10–P90 range (it printed the mean, `2.1`).
    assert!(stdout.contains("hires (P10–P90)"), "{stdout}");
    for value in ["50", "100", "200", "400"] {
        let line = stdout.lines().find(|l| l.trim_start().starts_with(&format!("{value} "))).expect("a point's line");
        assert!(line.split("  ").any(is_people), "no hires in people: {line}");
    }
}

/// Whether `cell` reads as whole people with a range: `7 (6–8)`.
fn is_people(cell: &str) -> bool {
    let cell = cell.trim();
    let whole = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match cell.split_once(" (") {
        Some((mid, range)) => {
            whole(mid)
                && range.strip_suffix(')').and_then(|r| r.split_once('–')).is_some_and(|(a, b)| whole(a) && whole(b))
        }
        None => false,
    }
}

/// A scenario compared with itself: every paired difference is exactly 0 with SE 0, in
/// the CSV and on the terminal, and no input differs.
#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("cmp");
    let o = sopsim(&["compare", &file, &file, "--trials", "400", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = read_csv(&out.join("compare.csv"));
    assert_eq!(
        header,
        [
            "file",
            "name",
            "p_hit",
            "p_hit_se",
            "diff_p_hit",
            "diff_p_hit_se",
            "arr_p10",
            "arr_p50",
            "arr_p90",
            "diff_arr_mean",
            "diff_arr_se",
            "hires_mean",
            "comp_cost_mean",
            "diff_comp_cost_mean",
            "diff_comp_cost_se"
        ]
    );
    assert_eq!(rows.len(), 2);
    for col in
        ["diff_p_hit", "diff_p_hit_se", "diff_arr_mean", "diff_arr_se", "diff_comp_cost_mean", "diff_comp_cost_se"]
    {
        assert_eq!(rows[0][col], "", "the first scenario is the reference");
        assert_eq!(num(&rows[1], col), 0.0, "{col}");
    }
    for col in ["p_hit", "arr_p10", "arr_p50", "arr_p90", "hires_mean", "comp_cost_mean"] {
        assert_eq!(rows[0][col], rows[1][col], "{col}");
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    // A difference of two P(hit)s is in points, not a percentage of a percentage.
    assert!(stdout.contains("0.0 ± 0.0 points"), "{stdout}");
    assert!(!stdout.contains("0.0% ± 0.0%"), "{stdout}");
    assert!(stdout.contains("$0 ± $0"), "{stdout}");
    assert!(stdout.contains("the files set the same keys to the same values"), "{stdout}");
    let hires = stdout.lines().find(|l| l.trim_start().starts_with("hires, P50 (P10–P90)")).expect("a hires row");
    let cells: Vec<&str> = hires.split("  ").map(str::trim).filter(|c| !c.is_empty()).skip(1).collect();
    assert!(cells.len() == 2 && cells.iter().all(|c| is_people(c)) && cells[0] == cells[1], "{hires}");
    let diff = std::fs::read_to_string(out.join("inputs_diff.csv")).unwrap();
    assert_eq!(diff.lines().count(), 1, "only the header: {diff}");
    for name in ["compare_fan", "compare_p_hit"] {
        for ext in ["svg", "png"] {
            assert!(out.join(format!("{name}.{ext}")).is_file(), "{name}.{ext}");
        }
    }
}

/// Two scenarios differing in one key: `inputs_diff.csv` lists exactly that key, and the
/// paired standard errors of the differences are below the unpaired ones, because the
/// two runs share their draws (common random numbers).
#[test]
fn compare_lists_the_one_key_that_differs_and_pairs_the_trials() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", SMALL);
    let b = write(dir.path(), "b.toml", &SMALL.replace("monthly_expansion = 0.002", "monthly_expansion = 0.004"));
    let out = dir.path().join("cmp");
    let o = sopsim(&["compare", &a, &b, "--trials", "1000", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let (header, diffs) = read_csv(&out.join("inputs_diff.csv"));
    assert_eq!(header, ["key".to_string(), a.clone(), b.clone()]);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0]["key"], "company.monthly_expansion");
    assert_eq!((diffs[0][&a].as_str(), diffs[0][&b].as_str()), ("0.002", "0.004"));

    let (_, rows) = read_csv(&out.join("compare.csv"));
    let unpaired = num(&rows[0], "p_hit_se").hypot(num(&rows[1], "p_hit_se"));
    let paired = num(&rows[1], "diff_p_hit_se");
    assert!(paired < unpaired, "paired SE {paired} not below the unpaired {unpaired}");
    assert!(num(&rows[1], "diff_p_hit") >= 0.0, "more expansion never loses a hit on the same draws");

    // The same trials through the library: the paired SE of the ARR difference against
    // the unpaired one of two independent means.
    let (sa, sb) = (load(SMALL), load(&SMALL.replace("monthly_expansion = 0.002", "monthly_expansion = 0.004")));
    let pool = sopsim::runner::thread_pool(2).unwrap();
    let (oa, ob) =
        (sopsim::whatif::outcomes(&pool, &sa, 11, 0..1000), sopsim::whatif::outcomes(&pool, &sb, 11, 0..1000));
    let (d, paired) = sopsim::whatif::paired(&oa.arr, &ob.arr);
    let unpaired = sopsim::whatif::mean_se(&oa.arr).1.hypot(sopsim::whatif::mean_se(&ob.arr).1);
    assert!(paired < unpaired, "paired {paired} not below the unpaired {unpaired}");
    assert!(d > 0.0);
    assert_eq!(num(&rows[1], "diff_arr_mean"), d, "the CLI pairs the same trials");
    // Comp cost is paired too: the same trials' difference of means.
    let (c, _) = sopsim::whatif::paired(&oa.comp_cost, &ob.comp_cost);
    assert_eq!(num(&rows[1], "diff_comp_cost_mean"), c, "the CLI pairs the comp cost");
    let of_means = num(&rows[1], "comp_cost_mean") - num(&rows[0], "comp_cost_mean");
    assert!((c - of_means).abs() <= 1e-9 * of_means.abs().max(1.0), "{c} against the means' difference {of_means}");
}

/// Scenarios over different horizons are refused (exit 2) before any simulation.
#[test]
fn compare_refuses_scenarios_of_different_horizons() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", SMALL);
    let b = write(dir.path(), "b.toml", &SMALL.replace("months = 12", "months = 18"));
    let out = dir.path().join("cmp");
    let o = sopsim(&["compare", &a, &b, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("same horizon"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = sopsim(&["compare", &a]);
    assert_eq!(o.status.code(), Some(2), "one file is not a comparison");
}

/// A misspelt key, a bad range or three keys: exit code 2, a message naming the
/// problem, and nothing written.
#[test]
fn bad_sweeps_are_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("sweep");
    let out_s = out.to_str().unwrap();
    let run = |vary: &[&str]| {
        let mut args = vec!["sweep", file.as_str(), "--out", out_s, "--trials", "50"];
        for v in vary {
            args.extend(["--vary", v]);
        }
        sopsim(&args)
    };
    let o = run(&["demand.leadz_per_month=100,200"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("demand.leadz_per_month"), "{err}");
    assert!(err.contains("did you mean `leads_per_month`?"), "{err}");
    // A value the schema refuses, at the second point only: still nothing simulated.
    let o = run(&["demand.lead_to_opportunity=0.2,1.5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("demand.lead_to_opportunity"), "{}", stderr(&o));
    for (vary, says) in [
        ("demand.leads_per_month=100..300 step 0", "positive"),
        ("demand.leads_per_month=100..300 step -50", "positive"),
        ("demand.leads_per_month=300..100 step 50", "empty"),
        ("demand.leads_per_month=1..1000", "at most 200"),
        ("demand.leads_per_month=100..x", "not a number"),
        ("demand.leads_per_month=100,,200", "empty"),
    ] {
        let o = run(&[vary]);
        assert_eq!(o.status.code(), Some(2), "{vary}");
        assert!(stderr(&o).contains(says), "{vary}: {}", stderr(&o));
    }
    let o = run(&["demand.leads_per_month=100,200", "company.arr=1,2", "roles.ae.headcount=1,2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("one or two keys"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing is written for a bad sweep");
}

/// Every file named in the docs: sweep.csv and both charts for one key (a range), the
/// heatmap for two; --set applies to every point; text values work too.
#[test]
fn sweeps_write_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let one = dir.path().join("one");
    let o = sopsim(&[
        "sweep",
        &file,
        "--vary",
        "demand.leads_per_month=100..300 step 100",
        "--trials",
        "100",
        "--set",
        "roles.ae.headcount=8",
        "--out",
        one.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> =
        std::fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [".sopsim-output", "sweep.csv", "sweep_arr.png", "sweep_arr.svg", "sweep_p_hit.png", "sweep_p_hit.svg"]
    );
    let svg = std::fs::read_to_string(one.join("sweep_p_hit.svg")).unwrap();
    // The title states the finding, the key in words; the axis names its unit.
    assert!(svg.contains("with lead volume from 100 to 300"), "the title states the finding");
    assert!(svg.contains("Lead volume (leads/month)"), "the axis names the key and its unit");

    let two = dir.path().join("two");
    let o = sopsim(&[
        "sweep",
        &file,
        "--vary",
        "demand.leads_per_month=100,200",
        "--vary",
        "roles.ae.headcount=6..8",
        "--trials",
        "100",
        "--out",
        two.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = read_csv(&two.join("sweep.csv"));
    assert_eq!(&header[..2], ["demand.leads_per_month", "roles.ae.headcount"]);
    assert_eq!(rows.len(), 6);
    assert!(two.join("sweep_heatmap.svg").is_file() && two.join("sweep_heatmap.png").is_file());

    let text = dir.path().join("text");
    let o = sopsim(&[
        "sweep",
        &file,
        "--vary",
        "roles.ae.policy=backfill,capacity",
        "--trials",
        "100",
        "--out",
        text.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&text.join("sweep.csv"));
    assert_eq!(rows.iter().map(|r| r["roles.ae.policy"].as_str()).collect::<Vec<_>>(), ["backfill", "capacity"]);
    assert!(text.join("sweep_p_hit.png").is_file() && text.join("sweep_arr.svg").is_file());
}

/// A sweep over whole values (people on staff) ticks its axis at whole numbers only; one
/// over rates keeps fractional ticks.
#[test]
fn a_sweep_over_people_ticks_whole_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let ticks = |vary: &str, out: &str| -> Vec<String> {
        let out = dir.path().join(out);
        let o = sopsim(&["sweep", &file, "--vary", vary, "--trials", "100", "--out", out.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let svg = std::fs::read_to_string(out.join("sweep_arr.svg")).unwrap().replace('\n', " ");
        // The x axis's tick labels: middle-anchored texts below the plot that are numbers.
        svg.split("<text")
            .filter(|t| t.contains("text-anchor=\"middle\"") && !t.contains("rotate"))
            .filter_map(|t| t.split('>').nth(1).map(|s| s.split('<').next().unwrap_or("").trim().to_string()))
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '%'))
            .collect()
    };
    let people = ticks("roles.ae.headcount=2,3,4,5", "people");
    assert!(!people.is_empty() && people.iter().all(|t| !t.contains('.')), "{people:?}");
    let rates = ticks("segments.smb.win_rate=0.15,0.2,0.25", "rates");
    assert!(rates.len() >= 3, "{rates:?}");
}
