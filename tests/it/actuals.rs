//! `[[actuals]]` and `--actuals FILE.csv`: the re-forecast from the months that
//! happened. Checked against closed forms (compound ARR from the actual state, headcount
//! and ramp from the actual staff, a pipeline scaled to the actual one), against the
//! plan run without actuals (the `plan.*` metrics are its values bit for bit), and on
//! the command line (the two forms agree; bad files are refused with exit code 2).

use std::path::Path;

use crate::cli::sopsim;
use crate::closed_form::{Trials, Z, load, run};
use sopsim::scenario::actuals::{Error, MonthProblem, parse_csv};

/// Relative tolerance of deterministic values that go through a few products.
const EXACT: f64 = 1e-12;

/// A company that sells nothing: ARR compounds at `1 - churn + expansion` a month.
fn no_sales(actuals: &str) -> String {
    format!(
        r#"
[scenario]
start = "2027-01"
months = 12

[company]
arr = 1_000_000
monthly_churn = 0.02
monthly_expansion = 0.01

[target]
arr = 900_000

[[segments]]
name = "mm"
deal_size = 1_000
win_rate = 0.2
cycle_months = 1

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 10
ramp_months = 4
opportunities_per_month = 10

{actuals}
"#
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= EXACT * a.abs().max(b.abs())
}

/// From the actual ARR of month 2, ARR compounds by 0.99 a month: ARR[t] = A x 0.99^(t-2).
#[test]
fn arr_goes_on_from_the_actual_arr() {
    let actuals = "[[actuals]]\nmonth = \"2027-01\"\n[[actuals]]\nmonth = \"2027-02\"\n\
                   [[actuals]]\nmonth = \"2027-03\"\narr = 800_000\n";
    let s = load(&no_sales(actuals));
    let trials = Trials::simulate(&s, 3, 20);
    for i in 0..20 {
        let path = trials.path(i, "arr");
        for (t, &v) in path.iter().enumerate() {
            let want = if t < 2 { 1e6 * 0.99f64.powi(t as i32 + 1) } else { 8e5 * 0.99f64.powi(t as i32 - 2) };
            assert!(close(v, want), "trial {i} month {t}: {v} against {want}");
        }
        let plan = trials.path(i, "plan.arr");
        for (t, &v) in plan.iter().enumerate() {
            if t < 3 {
                assert!(close(v, 1e6 * 0.99f64.powi(t as i32 + 1)), "plan month {t}: {v}");
            } else {
                assert!(v.is_nan(), "plan.arr exists for the months that happened only");
            }
        }
    }
    // 800,000 x 0.99^9 = 731,000 at the end: below the target in every trial.
    let r = run(&s, 200, 3, 2);
    assert_eq!(r.target.as_ref().map(|t| t.p_hit), Some(0.0));
}

/// Bookings alone move ARR by their differences from the plan's, each carried by the
/// months since: actual bookings b0, b1 in months 0 and 1 (the plan books nothing) give
/// ARR[1] = 10^6 x 0.99^2 + b0 x 0.99 + b1, and 0.99 a month after it.
#[test]
fn actual_bookings_alone_carry_into_arr() {
    let actuals = "[[actuals]]\nmonth = \"2027-01\"\nbookings = 50_000\n\
                   [[actuals]]\nmonth = \"2027-02\"\nbookings = 20_000\n";
    let mut text = no_sales(actuals);
    text = text.replace("opportunities_per_month = 10", "opportunities_per_month = 0");
    let s = load(&text);
    let trials = Trials::simulate(&s, 9, 10);
    let at1 = 1e6 * 0.99f64.powi(2) + 50_000.0 * 0.99 + 20_000.0;
    for i in 0..10 {
        let arr = trials.path(i, "arr");
        assert!(close(arr[0], 1e6 * 0.99 + 50_000.0), "month 0: {}", arr[0]);
        assert!(close(arr[1], at1), "month 1: {} against {at1}", arr[1]);
        assert!(close(arr[5], at1 * 0.99f64.powi(4)), "month 5: {}", arr[5]);
        assert_eq!(trials.path(i, "bookings")[..2], [50_000.0, 20_000.0]);
        assert_eq!(trials.path(i, "plan.bookings")[..2], [0.0, 0.0]);
    }
}

/// No attrition, no hires: headcount stays at the actual one. Seven of ten left: the
/// three newest go, so 7 remain, fully ramped. Twelve of ten: two join in month 1, ramping
/// 0.25 a month from it (ramped FTE in month 2 = 10 + 2 x 0.5).
#[test]
fn headcount_goes_on_from_the_actual_staff() {
    let act = |n: u32| {
        format!("[[actuals]]\nmonth = \"2027-01\"\n[[actuals]]\nmonth = \"2027-02\"\nheadcount = {{ ae = {n} }}\n")
    };
    let fewer = Trials::simulate(&load(&no_sales(&act(7))), 1, 5);
    let more = Trials::simulate(&load(&no_sales(&act(12))), 1, 5);
    for i in 0..5 {
        let h = fewer.path(i, "headcount.ae");
        assert_eq!(h[..3], [10.0, 7.0, 7.0], "trial {i}");
        assert!(h.iter().skip(1).all(|&x| x == 7.0));
        assert_eq!(fewer.path(i, "ramped.ae")[2..], [7.0; 10]);
        assert_eq!(fewer.path(i, "plan.headcount.ae")[..2], [10.0, 10.0]);
        let h = more.path(i, "headcount.ae");
        assert_eq!(h[..3], [10.0, 12.0, 12.0]);
        let ramped = more.path(i, "ramped.ae");
        assert_eq!(ramped[2..6], [11.0, 11.5, 12.0, 12.0]);
    }
}

/// 100 opportunities a month, all won, $1,000 each, a constant 2-month cycle: the plan's
/// pipeline at the end of a month is the last two months' deals, $200,000. An actual
/// pipeline of $50,000 scales their value by 1/4: bookings of the next two months are
/// $25,000, then the deals worked after the actuals book $100,000 again.
#[test]
fn the_open_pipeline_is_scaled_to_the_actual_one() {
    let text = r#"
[scenario]
start = "2027-01"
months = 8

[[segments]]
name = "mm"
deal_size = 1_000
win_rate = 1
cycle_months = 2

[demand]
leads_per_month = 1_000_000
lead_to_opportunity = 1

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 10
opportunities_per_month = 10

[[actuals]]
month = "2027-01"
[[actuals]]
month = "2027-02"
[[actuals]]
month = "2027-03"
pipeline = 50_000
"#;
    let s = load(text);
    let trials = Trials::simulate(&s, 2, 5);
    for i in 0..5 {
        assert_eq!(trials.path(i, "plan.pipeline")[2], 200_000.0);
        let b = trials.path(i, "bookings");
        assert_eq!(b[..6], [0.0, 0.0, 100_000.0, 25_000.0, 25_000.0, 100_000.0], "trial {i}");
    }
}

/// Before the last month of actuals nothing of the state changes: the plan's metrics of
/// a run with actuals are the run without them, bit for bit, and the months after share
/// its random streams (the same seed gives the same demand draws).
#[test]
fn the_plan_metrics_are_the_run_without_actuals() {
    let text = std::fs::read_to_string("scenarios/scale-up.toml").expect("example");
    let plain = load(&text);
    let with = load(&format!(
        "{text}\n[[actuals]]\nmonth = \"2027-01\"\narr = 2_500_000\nbookings = 120_000\n\
         [[actuals]]\nmonth = \"2027-02\"\nbookings = 90_000\nheadcount = {{ ae = 3, sdr = 4 }}\n"
    ));
    let (a, b) = (run(&plain, 400, 5, 2), run(&with, 400, 5, 1));
    for (metric, plan) in [("arr", "plan.arr"), ("bookings", "plan.bookings"), ("headcount.ae", "plan.headcount.ae")] {
        for t in 0..2 {
            let (x, y) = (a.get(metric, t).expect("plain"), b.get(plan, t).expect("plan"));
            assert_eq!(
                (x.mean.to_bits(), x.quantiles.map(f64::to_bits)),
                (y.mean.to_bits(), y.quantiles.map(f64::to_bits))
            );
        }
        assert!(b.get(plan, 2).is_none_or(|s| s.count == 0), "{plan} exists after the actuals");
    }
    assert_eq!(b.get("arr", 0).map(|s| (s.p50(), s.at(0.10))), Some((2_500_000.0, 2_500_000.0)));
    // Leads are drawn from their own stream: the actuals do not reshuffle demand.
    for t in 0..24 {
        assert_eq!(a.get("leads", t).map(|s| s.mean), b.get("leads", t).map(|s| s.mean), "leads in month {t}");
    }
}

/// A lower actual ARR lowers P(hit), against Binomial noise: the two runs share trials,
/// so the paired difference is compared with the SE of the mean of the differences.
#[test]
fn a_lower_actual_arr_lowers_p_hit() {
    let text = std::fs::read_to_string("scenarios/scale-up.toml").expect("example");
    let plain = load(&text);
    let behind = load(&format!("{text}\n[[actuals]]\nmonth = \"2027-01\"\narr = 2_000_000\n"));
    let n = 1000;
    let (a, b) = (Trials::simulate(&plain, 8, n), Trials::simulate(&behind, 8, n));
    let hit = |t: &Trials| -> Vec<f64> { t.month("arr", 17).iter().map(|&v| f64::from(u8::from(v >= 8e6))).collect() };
    let d: Vec<f64> = hit(&a).iter().zip(hit(&b)).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!(mean > Z * (var / n as f64).sqrt(), "P(hit) falls by {mean} (SE {})", (var / n as f64).sqrt());
}

#[test]
fn actuals_in_the_file_are_checked() {
    let cases = [
        ("[[actuals]]\nmonth = \"2027-02\"\n", "actuals[0].month", "2027-01"),
        ("[[actuals]]\nmonth = \"2027-01\"\n[[actuals]]\nmonth = \"2027-03\"\n", "month 1 of the actuals", "no gap"),
        ("[[actuals]]\nmonth = \"2027-01\"\nheadcount = { aee = 3 }\n", "no role is named `aee`", "did you mean `ae`?"),
        ("[[actuals]]\nmonth = \"2027-01\"\narr = -5\n", "actuals[0].arr", "out of range"),
        ("[[actuals]]\nmonth = \"2027-01\"\nbookngs = 5\n", "bookngs", "bookings"),
        ("[[actuals]]\narr = 5\n", "month", "month = \"2027-01\""),
    ];
    for (actuals, a, b) in cases {
        let err = match sopsim::scenario::load_str(&no_sales(actuals), "a.toml", &[]) {
            Ok(_) => panic!("accepted:\n{actuals}"),
            Err(e) => e.render(),
        };
        assert!(err.contains(a) && err.contains(b), "{actuals}\n{err}");
    }
    let many: String =
        (0..13).map(|t| format!("[[actuals]]\nmonth = \"{}-{:02}\"\n", 2027 + t / 12, t % 12 + 1)).collect();
    let Err(err) = sopsim::scenario::load_str(&no_sales(&many), "a.toml", &[]) else { panic!("13 months accepted") };
    let err = err.render();
    assert!(err.contains("past the horizon"), "{err}");
}

#[test]
fn a_csv_of_actuals_is_read_or_refused_with_its_line_and_column() {
    let s = load(&no_sales(""));
    let ok =
        parse_csv("month,arr,headcount.ae,bookings\n2027-01,990000,10,\n2027-02,,9,5000\n", "a.csv", &s).expect("read");
    assert_eq!(ok.len(), 2);
    assert_eq!((ok[0].arr, ok[0].bookings, ok[0].headcount[0]), (Some(990_000.0), None, Some(10)));
    assert_eq!((ok[1].arr, ok[1].bookings, ok[1].headcount[0]), (None, Some(5_000.0), Some(9)));
    let cases = [
        ("month,arr,headcount.aee\n", "a.csv:1:11", "did you mean `headcount.ae`?"),
        ("arr\n100\n", "a.csv:1:1", "no `month` column"),
        ("month,arr\n2027-01,\"$1,000\"\n", "a.csv:2:9", "without currency"),
        ("month,arr\n2027-01,1\n2027-03,1\n", "a.csv:3:1", "2027-02"),
        ("month,arr\n2027-01,1,2\n", "a.csv:2:1", "one per header column"),
        ("month,headcount.ae\n2027-01,2.5\n", "a.csv:2:9", "whole number"),
        ("month,arr\nJan 2027,1\n", "a.csv:2:1", "YYYY-MM"),
        ("", "a.csv:1:1", "empty"),
    ];
    for (text, a, b) in cases {
        let err = parse_csv(text, "a.csv", &s).err().unwrap_or_else(|| panic!("accepted {text:?}")).to_string();
        assert!(err.contains(a) && err.contains(b), "{text:?}\n{err}");
    }
    let gap = parse_csv("month,arr\n2027-01,1\n2027-03,1\n", "a.csv", &s);
    assert!(
        matches!(gap, Err(Error::Month { line: 3, column: 1, problem: MonthProblem::OutOfOrder { k: 1, .. }, .. })),
        "{gap:?}"
    );
    let amount = parse_csv("month,arr\n2027-01,\"$1,000\"\n", "a.csv", &s);
    assert!(
        matches!(&amount, Err(Error::NotAnAmount { line: 2, column: 9, text, .. }) if text == "$1,000"),
        "{amount:?}"
    );
    // The README's example file reads whole against the example it belongs to.
    let scale_up = load(&std::fs::read_to_string("scenarios/scale-up.toml").expect("example"));
    let text = std::fs::read_to_string("scenarios/scale-up-actuals.csv").expect("example actuals");
    let example = parse_csv(&text, "scale-up-actuals.csv", &scale_up).expect("read");
    assert_eq!((example.len(), example[4].pipeline), (5, Some(400_000.0)));
}

/// `--actuals FILE.csv` and the same months as `[[actuals]]` give the same bytes; the
/// run writes `plan_vs_actual.csv` and the report's section; bad files exit 2.
#[test]
fn the_command_line_reads_actuals_from_csv_or_the_file() {
    let dir = tempfile::tempdir().expect("temp");
    let base = std::fs::read_to_string("scenarios/scale-up.toml").expect("example");
    let toml = dir.path().join("with.toml");
    std::fs::write(
        &toml,
        format!("{base}\n[[actuals]]\nmonth = \"2027-01\"\narr = 2_450_000\nheadcount = {{ ae = 5 }}\n[[actuals]]\nmonth = \"2027-02\"\nbookings = 80_000\npipeline = 900_000\n"),
    )
    .expect("write");
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, &base).expect("write");
    let csv = dir.path().join("a.csv");
    std::fs::write(&csv, "month,arr,bookings,pipeline,headcount.ae\n2027-01,2450000,,,5\n2027-02,,80000,900000,\n")
        .expect("write");
    let out = |name: &str| dir.path().join(name);
    let run = |file: &Path, out: &Path, extra: &[&str]| {
        let mut args =
            vec!["run", file.to_str().unwrap(), "--trials", "300", "--seed", "4", "-q", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        sopsim(&args)
    };
    assert!(run(&toml, &out("a"), &[]).status.success());
    let o = run(&plain, &out("b"), &["--actuals", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["monthly.csv", "plan_vs_actual.csv"] {
        let (x, y) = (std::fs::read(out("a").join(file)).expect("a"), std::fs::read(out("b").join(file)).expect("b"));
        assert!(x == y, "{file} differs between [[actuals]] and --actuals");
    }
    let table = std::fs::read_to_string(out("a").join("plan_vs_actual.csv")).expect("table");
    assert!(table.starts_with("metric,month,actual,plan_mean,plan_p05"), "{table}");
    assert_eq!(table.lines().count(), 5, "header and four values:\n{table}");
    assert!(table.lines().any(|l| l.starts_with("arr,2027-01,2450000,")), "{table}");
    let html = std::fs::read_to_string(out("a").join("report.html")).expect("html");
    assert!(html.contains("<h2>Plan against actual</h2>") && html.contains("Jan 2027 to Feb 2027 happened"));
    assert!(run(&plain, &out("e"), &[]).status.success());
    let plain_html = std::fs::read_to_string(out("e").join("report.html")).expect("html");
    assert!(!plain_html.contains("Plan against actual"), "no section without actuals");
    assert!(!out("e").join("plan_vs_actual.csv").exists());

    std::fs::write(&csv, "month,arr\n2027-01,$2.4M\n").expect("write");
    let o = run(&plain, &out("c"), &["--actuals", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("a.csv:2:9") && err.contains("not an amount"), "{err}");
    assert!(!out("c").exists(), "nothing is written");
    let o = run(&plain, &out("d"), &["--actuals", dir.path().join("none.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = sopsim(&[
        "run",
        plain.to_str().unwrap(),
        "--partial",
        out("p").to_str().unwrap(),
        "--actuals",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "shards take their actuals from the scenario file");
}
