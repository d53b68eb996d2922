//! `gather --fiscal-year-start` and `backtest --fiscal-year-start`: the quarter timing,
//! the close noise and the cycles by month of the quarter are measured on the fiscal
//! quarters the scenario is then simulated on; a month that is not 1 to 12 exits 2.

use std::path::Path;

use crate::cli::sopsim;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A TOML number, written as an integer or a float.
fn number(v: &toml::Value) -> f64 {
    v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap()
}

/// The mean of a cycle as a gathered scenario writes it: a whole number of months, or a
/// discrete distribution of them.
fn mean_cycle(v: &toml::Value) -> f64 {
    match v.as_table() {
        None => number(v),
        Some(t) => {
            let values: Vec<f64> = t["values"].as_array().unwrap().iter().map(number).collect();
            let weights: Vec<f64> = t["weights"].as_array().unwrap().iter().map(number).collect();
            values.iter().zip(&weights).map(|(v, w)| v * w).sum::<f64>() / weights.iter().sum::<f64>()
        }
    }
}

/// The index of the largest of `values`.
fn largest(values: &[f64]) -> usize {
    (0..values.len()).max_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap()
}

/// The index of the smallest of `values`.
fn smallest(values: &[f64]) -> usize {
    (0..values.len()).min_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap()
}

/// An export of a company whose fiscal year starts in February (quarters Feb-Apr,
/// May-Jul, Aug-Oct, Nov-Jan), 2021-01 to 2023-12: each month 26 opportunities are
/// created, of which 12 are won in the last month of their fiscal quarter (April, July,
/// October, January; at age 2, 1 or 0 by the month of the quarter they were created in),
/// 6 are won a month later and 8 lost a month later. Each fiscal quarter thus wins 6, 6
/// and 42 deals in its three months, every quarter alike; with `wobble` the pushed
/// deals vary from 12 to 18 by a 7-month cycle, so that no two quarters are alike.
fn fiscal_export(wobble: bool) -> String {
    let mut text = String::from("Id,Owner,Stage,Created Date,Close Date,Amount\n");
    let ym = |month: i32| (month.div_euclid(12), month.rem_euclid(12) + 1);
    let mut id = 0;
    for created in 2021 * 12..2024 * 12 {
        let (y, m) = ym(created);
        // February is month 1: the last month of its quarter is 2 - its phase ahead.
        let quarter_end = created + 2 - (created - 1).rem_euclid(3);
        let pushed = if wobble { 12 + created.rem_euclid(7) } else { 12 };
        for k in 0..pushed + 14 {
            id += 1;
            let (close, stage) = if k < pushed {
                (quarter_end, "Closed Won")
            } else if k < pushed + 6 {
                (created + 1, "Closed Won")
            } else {
                (created + 1, "Closed Lost")
            };
            let (cy, cm) = ym(close);
            text.push_str(&format!("{id},Rep {},{stage},{y}-{m:02}-05,{cy}-{cm:02}-15,1000\n", k % 4));
        }
    }
    text
}

/// Gathers `export` as of 2023-10-31 with the options `extra`: the scenario's text.
fn gathered(export: &Path, extra: &[&str]) -> String {
    let mut args = vec!["gather", export.to_str().unwrap(), "--as-of", "2023-10-31", "--quiet"];
    args.extend_from_slice(extra);
    let o = sopsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

/// Won deals that pile up in the last month of fiscal quarters starting in February
/// are measured as a push in the third month with `--fiscal-year-start 2`, which the
/// scenario states (`fiscal_year_start = 2`); deals created in a quarter's third month
/// close soonest; the won months, divided by their factors, vary no more than Poisson
/// counts (no close noise: divided by the factors of the calendar's months they would
/// swing threefold). Run, the scenario books its quarter-end months in January, April,
/// July and October. Without the option the same export is measured on calendar
/// quarters: the push is in their first month, the scenario says nothing of a fiscal
/// year (which the engine then takes to start in January) and asks for the option.
#[test]
fn gather_measures_the_quarter_on_the_fiscal_year_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("fiscal.csv");
    std::fs::write(&export, fiscal_export(false)).unwrap();

    let text = gathered(&export, &["--fiscal-year-start", "2"]);
    let s: toml::Table = text.parse().unwrap();
    let company = s["company"].as_table().unwrap();
    assert_eq!(company["fiscal_year_start"].as_integer(), Some(2), "{text}");
    let factors: Vec<f64> = company["quarter_timing"].as_array().unwrap().iter().map(number).collect();
    assert_eq!(largest(&factors), 2, "the push is the fiscal quarter's third month: {factors:?}");
    assert!(factors[2] > 2.0 && factors[0] < 0.5 && factors[1] < 0.5, "{factors:?}");
    assert!(company.get("close_noise").is_none(), "the won months are steady once divided by their factors\n{text}");
    let segment = &s["segments"].as_array().unwrap()[0];
    let cycles: Vec<f64> = segment["quarter_cycle_months"].as_array().unwrap().iter().map(mean_cycle).collect();
    assert_eq!(smallest(&cycles), 2, "deals created in a fiscal quarter's last month close soonest: {cycles:?}");
    assert!(text.contains("Feb-Apr, May-Jul, Aug-Oct and Nov-Jan"), "{text}");
    assert!(!text.contains("calendar quarters"), "{text}");

    // The scenario as run: the quarter-end months book most.
    let scenario = dir.path().join("fiscal.toml");
    std::fs::write(&scenario, &text).unwrap();
    let out = dir.path().join("out");
    let o = sopsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        "200",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let monthly = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    let bookings: Vec<(String, f64)> = monthly
        .lines()
        .filter_map(|l| l.strip_prefix("bookings,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    assert_eq!(bookings.len(), 12, "{monthly}");
    let mean = bookings.iter().map(|(_, b)| b).sum::<f64>() / 12.0;
    for (month, b) in &bookings {
        let quarter_end = ["-01", "-04", "-07", "-10"].iter().any(|m| month.ends_with(m));
        assert_eq!(*b > 2.0 * mean, quarter_end, "{month}: {b} against a mean of {mean}\n{bookings:?}");
    }

    // Calendar quarters: January, April, July and October start them.
    let text = gathered(&export, &[]);
    let calendar: toml::Table = text.parse().unwrap();
    let company = calendar["company"].as_table().unwrap();
    assert!(company.get("fiscal_year_start").is_none(), "{text}");
    let factors: Vec<f64> = company["quarter_timing"].as_array().unwrap().iter().map(number).collect();
    assert_eq!(largest(&factors), 0, "on calendar quarters the push is in the first month: {factors:?}");
    assert!(text.contains("calendar quarters (SET: where the fiscal year starts in another month"), "{text}");
    assert!(text.contains("--fiscal-year-start"), "{text}");

    // January given as the fiscal year's first month: the calendar's numbers, stated.
    let january = gathered(&export, &["--fiscal-year-start", "1"]);
    let s: toml::Table = january.parse().unwrap();
    assert_eq!(s["company"]["fiscal_year_start"].as_integer(), Some(1), "{january}");
    assert_eq!(s["company"]["quarter_timing"], company["quarter_timing"]);
    assert_eq!(s["segments"], calendar["segments"]);
}

/// `backtest --fiscal-year-start` fits each cutoff on the fiscal quarters: January is
/// the default's calendar (the same tables), February is not (its quarters group other
/// months, so the factors, and the forecasts, differ on an export whose quarters differ).
#[test]
fn backtest_fits_each_cutoff_on_the_fiscal_year_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("fiscal.csv");
    std::fs::write(&export, fiscal_export(true)).unwrap();
    let run = |name: &str, extra: &[&str]| -> String {
        let out = dir.path().join(name);
        let mut args = vec![
            "backtest",
            export.to_str().unwrap(),
            "--cutoff",
            "2023-06-30",
            "--as-of",
            "2023-12-31",
            "--months",
            "3",
            "--trials",
            "200",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = sopsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(out.join("backtest.csv")).unwrap()
    };
    let calendar = run("calendar", &[]);
    assert_eq!(run("january", &["--fiscal-year-start", "1"]), calendar);
    assert_ne!(run("february", &["--fiscal-year-start", "2"]), calendar);
}

/// A month that is not a month's number exits 2 naming the option and saying what it
/// takes, for both commands; a month's name is answered with its number.
#[test]
fn a_fiscal_year_start_that_is_not_1_to_12_exits_2() {
    for command in ["gather", "backtest"] {
        for (value, says) in [
            ("0", "from 1 (January) to 12 (December), e.g. 2 for a fiscal year from February"),
            ("13", "from 1 (January) to 12 (December), e.g. 2 for a fiscal year from February"),
            ("feb", "did you mean 2?"),
            ("1.5", "from 1 (January) to 12 (December)"),
        ] {
            let mut args = vec![command, "tests/data/maven/sales_pipeline.csv", "--fiscal-year-start", value];
            if command == "backtest" {
                args.push("--rolling");
            }
            let o = sopsim(&args);
            let m = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{command} {value}: {m}");
            assert!(o.stdout.is_empty(), "{command} {value}: nothing written");
            assert!(!m.contains("panicked"), "{m}");
            assert!(m.contains(&format!("'{value}' for '--fiscal-year-start <MONTH>'")), "{command} {value}: {m}");
            assert!(m.contains(says), "{command} {value}: says {says}\n{m}");
        }
    }
}

/// Every monthly cohort of the export wins 18 of its 26 deals, only when they close
/// depends on the month of the quarter (so the cycles are written by month of the
/// quarter), and the as-of date leaves the last cohorts partly open: the cohorts do
/// not vary, and measured against the timing the scenario gives each month of the
/// quarter they show no cohort noise. (Measured against the pooled timing, as before,
/// the months that close early read as winning more than expected and the others less:
/// `cohort_noise = 0.3459`.) On fiscal quarters and on the calendar's alike.
#[test]
fn cohorts_that_win_alike_show_no_cohort_noise_when_the_cycles_follow_the_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("fiscal.csv");
    std::fs::write(&export, fiscal_export(false)).unwrap();
    for extra in [&["--fiscal-year-start", "2"][..], &[]] {
        let text = gathered(&export, extra);
        let s: toml::Table = text.parse().unwrap();
        let segment = &s["segments"].as_array().unwrap()[0];
        assert!(segment.get("quarter_cycle_months").is_some(), "{extra:?}\n{text}");
        assert!(segment.get("cohort_noise").is_none(), "{extra:?}: the cohorts all win 18 of 26\n{text}");
        assert!(text.contains("no more than chance allows: none"), "{extra:?}\n{text}");
    }
}
