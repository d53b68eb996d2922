//! `sopsim sensitivity`: the tornado ranks first the input built to dominate ARR (whichever
//! it is), swings have the sign the model implies and match its closed form, a scenario
//! with nothing uncertain is refused, and every file is written.
//!
//! Tolerances are `Z` Monte Carlo standard errors: of a swing, the standard error of its
//! paired differences (written by the command); of a rank correlation, `1 / sqrt(n - 3)`
//! (Fisher's approximation, an upper bound for `|rho| <= 1` after the `1 - rho^2`
//! factor). Seeds are fixed and were chosen before the first run.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use super::cli::sopsim;
use super::closed_form::{Z, load};

/// A small organisation: one segment, one closer role with far more capacity than
/// demand, no cycle, twelve months from January 2027; `{leads}`, `{win}` and `{churn}`
/// are the three uncertain inputs.
fn scenario(leads: &str, win: &str, churn: &str) -> String {
    format!(
        r#"[scenario]
name = "Sensitivity test"
start = "2027-01"
months = 12

[company]
arr = 1_000_000
monthly_churn = {churn}

[[segments]]
name = "core"
deal_size = 20_000
win_rate = {win}

[demand]
leads_per_month = {leads}
lead_to_opportunity = 0.1

[[roles]]
id = "ae"
kind = "closer"
headcount = 20
opportunities_per_month = 50
"#
    )
}

/// Runs `sopsim sensitivity` on `text` into a temporary folder; returns the output and
/// the folder.
fn run(text: &str, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["sensitivity", file.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = sopsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (o, dir)
}

/// `sensitivity.csv` as rows of named fields, in file order.
fn ranking(dir: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("out/sensitivity.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect()).collect()
}

fn num(row: &HashMap<String, String>, field: &str) -> f64 {
    row[field].parse().unwrap_or_else(|_| panic!("{field} = {:?}", row[field]))
}

fn find<'a>(rows: &'a [HashMap<String, String>], input: &str) -> &'a HashMap<String, String> {
    rows.iter().find(|r| r["input"] == input).unwrap_or_else(|| panic!("no row for {input}"))
}

/// Asserts that `top` is ranked first, by a swing and a rank correlation larger than any
/// other's by more than their Monte Carlo error.
fn assert_dominates(rows: &[HashMap<String, String>], top: &str, n: f64) {
    assert_eq!(rows[0]["input"], top, "first row");
    let rho_se = 1.0 / (n - 3.0).sqrt();
    let first = &rows[0];
    for other in &rows[1..] {
        let (a, b) = (num(first, "rank_correlation").abs(), num(other, "rank_correlation").abs());
        assert!(a - b > Z * 2.0 * rho_se, "|rho| of {top} {a} vs {} {b}", other["input"]);
        let (s, t) = (num(first, "swing").abs(), num(other, "swing").abs());
        let se = num(first, "swing_se") + num(other, "swing_se");
        assert!(s - t > Z * se, "swing of {top} {s} vs {} {t} (se {se})", other["input"]);
    }
}

/// Wide lead volume dominates ARR; then, with lead volume narrow and the win rate wide,
/// the win rate does: the ranking follows the inputs, not the order of the file. Churn
/// lowers ARR and lead volume raises it, beyond `Z` standard errors.
#[test]
fn the_tornado_ranks_first_the_input_that_dominates() {
    const N: f64 = 1_500.0;
    let narrow_churn = "{ low = 0.009, high = 0.011 }";
    let leads = scenario("{ low = 50, high = 1000 }", "{ low = 0.19, high = 0.21 }", narrow_churn);
    let (o, dir) = run(&leads, &["--trials", "1500", "--swing-trials", "1000", "--seed", "11"]);
    let rows = ranking(dir.path());
    assert_eq!(rows.len(), 3);
    assert_dominates(&rows, "demand.leads_per_month", N);
    let lead = find(&rows, "demand.leads_per_month");
    assert!(num(lead, "swing") > Z * num(lead, "swing_se"), "more leads, more ARR");
    assert!(num(lead, "rank_correlation") > 0.0);
    let churn = find(&rows, "company.monthly_churn");
    assert!(num(churn, "swing") < -Z * num(churn, "swing_se"), "more churn, less ARR");
    assert!(num(churn, "low_value") < num(churn, "high_value"));
    // No target: no P(hit).
    assert_eq!(lead["p_hit_at_low"], "");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("demand.leads_per_month") && stdout.contains("rank corr."), "{stdout}");
    assert!(stdout.contains("wrote 6 files"), "{stdout}");

    let win = scenario("{ low = 480, high = 520 }", "{ low = 0.05, high = 0.6 }", narrow_churn);
    let (_, dir) = run(&win, &["--trials", "1500", "--swing-trials", "1000", "--seed", "12", "--quiet"]);
    let rows = ranking(dir.path());
    assert_dominates(&rows, "segments.core.win_rate", N);
    let churn = find(&rows, "company.monthly_churn");
    assert!(num(churn, "swing") < -Z * num(churn, "swing_se"));
}

/// With lead volume the only uncertain input that matters (churn, win rate constant),
/// the expected ARR is linear in it:
/// `E[ARR_T | L] = arr0 r^(T+1) + L q w D sum_{t=0..T} r^(T-t)` with `r = 1 - c`, so the
/// swing is `(L90 - L10) q w D sum r^k`, and each end's mean ARR is that formula.
#[test]
fn the_swing_of_lead_volume_matches_its_closed_form() {
    let text = scenario("{ low = 200, high = 600 }", "0.2", "0.01");
    let text = format!("{text}\n[forecast]\nbias = {{ low = -0.1, high = 0.2 }}\n");
    let (_, dir) = run(&text, &["--trials", "2000", "--seed", "5", "--quiet"]);
    let rows = ranking(dir.path());
    assert_eq!(rows.len(), 2, "lead volume and forecast bias");
    let lead = &rows[0];
    assert_eq!(lead["input"], "demand.leads_per_month");
    let s = load(&text);
    let (l10, l90) = (s.demand.leads_per_month.quantile(0.1), s.demand.leads_per_month.quantile(0.9));
    assert!((num(lead, "low_value") - l10).abs() <= 1e-9 * l10);
    assert!((num(lead, "high_value") - l90).abs() <= 1e-9 * l90);
    let r: f64 = 1.0 - 0.01;
    let sum: f64 = (0..12).map(|k| r.powi(k)).sum();
    let per_lead = 0.1 * 0.2 * 20_000.0 * sum;
    let want = (l90 - l10) * per_lead;
    let (got, se) = (num(lead, "swing"), num(lead, "swing_se"));
    assert!((got - want).abs() < Z * se, "swing {got} vs {want} (se {se})");
    // The forecast's bias does not feed ARR: on common random numbers its swing is nil.
    let bias = &rows[1];
    assert_eq!(bias["input"], "forecast.bias");
    assert_eq!(num(bias, "swing"), 0.0);
    assert_eq!(num(bias, "swing_se"), 0.0);
    // Its rank correlation is noise: within Z standard errors of 0.
    assert!(num(bias, "rank_correlation").abs() < Z / (2000.0f64 - 3.0).sqrt());
}

/// A scenario whose once-per-trial keys are all constants has nothing to rank: exit 2
/// with a message that says so, and nothing written.
#[test]
fn a_scenario_without_uncertain_inputs_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("constant.toml");
    std::fs::write(&file, scenario("300", "0.2", "0.01")).unwrap();
    let out = dir.path().join("out");
    let o = sopsim(&["sensitivity", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("constant.toml") && err.contains("nothing to rank"), "{err}");
    assert!(!out.exists());
    // `--set` makes one uncertain, as on `run`.
    let o = sopsim(&[
        "sensitivity",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "200",
        "--quiet",
        "--set",
        "company.monthly_churn={ low = 0.005, high = 0.02 }",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("company.monthly_churn,")), "{text}");
}

/// Every file is written: the two CSVs with their headers (one column per quarter end),
/// and both charts as SVG (well-formed XML) and PNG; the same on one thread.
#[test]
fn every_file_is_written() {
    let text = scenario("{ low = 200, high = 600 }", "{ low = 0.15, high = 0.25 }", "{ low = 0.005, high = 0.015 }");
    let text = format!("{text}\n[target]\narr = 2_000_000\nby = \"2027-11\"\n");
    let (_, dir) = run(&text, &["--trials", "400", "--seed", "3", "--quiet"]);
    let out = dir.path().join("out");
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some(
            "input,rank_correlation,low_value,high_value,outcome_at_low,outcome_at_high,swing,p_hit_at_low,\
             p_hit_at_high,p50_at_low,p50_at_high,swing_se"
        )
    );
    let rows = ranking(dir.path());
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for end in ["p_hit_at_low", "p_hit_at_high"] {
            assert!((0.0..=1.0).contains(&num(row, end)), "with a target, P(hit) at each end");
        }
    }
    let quarters = std::fs::read_to_string(out.join("sensitivity_quarters.csv")).unwrap();
    let mut lines = quarters.lines();
    // The target month, November, ends no quarter: it comes last, by its month.
    assert_eq!(lines.next(), Some("input,2027-Q1,2027-Q2,2027-Q3,2027-11"));
    let order: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    let ranked: Vec<&str> = rows.iter().map(|r| r["input"].as_str()).collect();
    assert_eq!(order, ranked, "the quarters follow the tornado's order");
    for chart in ["tornado", "sensitivity_quarters"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{chart}.svg");
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{chart}.svg: {e}"));
        let png = std::fs::read(out.join(format!("{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{chart}.png");
    }
    let tornado = std::fs::read_to_string(out.join("tornado.svg")).unwrap();
    assert!(tornado.contains("between its P10 and P90"), "the title states the finding");
    // The same seed gives the same bytes on one thread.
    let (_, one) = run(&text, &["--trials", "400", "--seed", "3", "--quiet", "--threads", "1"]);
    for file in ["sensitivity.csv", "sensitivity_quarters.csv", "tornado.svg"] {
        let a = std::fs::read(out.join(file)).unwrap();
        assert!(a == std::fs::read(one.path().join("out").join(file)).unwrap(), "{file} differs on one thread");
    }
}
