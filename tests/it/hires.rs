//! Hires in people (issue 33, item 6): a quarter's hires are read as whole people, the
//! median trial's and the range of the middle 80%, from each trial's own total for the
//! quarter. A P10 of a quarter's total is not the sum of its months' P10s, so the totals
//! are per-trial scalars, aggregated like any cell: exactly, on any thread count.
//!
//! Two scenarios whose quarterly hires have a closed form: a fixed plan (every trial
//! hires the same, so P10 = P50 = P90 = the plan, exactly), and backfills of attrition
//! arriving three months after each departure (a quarter's hires are then the departures
//! of the quarter before among the staff at the start: Binomial). The report's hiring
//! table, the terminal summary and `summary.json` show them. The report used to write
//! each quarter's mean hires (`6.8`), which the tests below refuse.

use sopsim::engine::metrics::period_total;
use sopsim::format::people;
use sopsim::report::{self, html, text};
use sopsim::runner::{self, RunConfig, RunResults};
use sopsim::scenario::{self, Loaded};
use sopsim::stats::{self, Quantiles, Stats};
use statrs::distribution::DiscreteCDF;

use crate::closed_form::{Trials, as_counts, binomial, check_cdf, check_mean, check_quantiles};

/// One closer role with `role_keys`, no demand, a year from January.
fn scenario_text(role_keys: &str) -> String {
    format!(
        r#"
[scenario]
name = "Hires"
start = "2027-01"
months = 12

[[segments]]
name = "core"
deal_size = 10_000
win_rate = 0.2

[[roles]]
id = "ae"
kind = "closer"
opportunities_per_month = 20
{role_keys}
"#
    )
}

fn load(text: &str) -> Loaded {
    scenario::load_str(text, "hires.toml", &[]).unwrap_or_else(|e| panic!("refused:\n{}", e.render()))
}

fn run(loaded: &Loaded, trials: u64, seed: u64, quantiles: Quantiles) -> RunResults {
    let config = RunConfig { trials, seed, threads: 2, progress: false };
    runner::run_with(&loaded.scenario, &config, quantiles).expect("the run starts")
}

fn report_run<'a>(loaded: &'a Loaded, results: &'a RunResults) -> report::Run<'a> {
    report::Run {
        scenario: &loaded.scenario,
        results,
        file: "hires.toml",
        sources: &loaded.sources,
        warnings: &loaded.warnings,
        realised: &sopsim::engine::params::NO_CORRELATIONS,
    }
}

/// The row of role `id` in the report's hiring table.
fn hiring_row(page: &str, id: &str) -> String {
    let table = &page[page.find("<h2>Hiring needs</h2>").expect("a hiring section")..];
    let start = table.find(&format!("<tr><td>{id}<br>")).unwrap_or_else(|| panic!("no row for {id}"));
    let row = &table[start..];
    row[..row.find("</tr>").expect("the row ends") + 5].to_string()
}

/// Quarter `p`'s hires of role `ae`.
fn quarter(results: &RunResults, p: usize) -> &Stats {
    results.period_total("hires.ae", p).unwrap_or_else(|| panic!("no hires for quarter {p}"))
}

/// Closed form (exact): with no attrition and no backfill, every trial hires the plan:
/// 2 in February and 1 in March (Q1: 3), 4 in May (Q2: 4), none in Q3, 3 in December
/// (Q4: 3). Each quarter's mean and all seven quantiles are those numbers exactly, with
/// every value kept and with the sketch (whole numbers below 512 are read exactly). The
/// report's row reads `3`, `4`, `0`, `3`, total `10`, headcount `10`, where it used to
/// read the means `3.0`, `4.0`, `0.0`, `3.0`.
#[test]
fn quarter_hires_of_a_fixed_plan_are_the_plan() {
    let loaded = load(&scenario_text(r#"hires = { "2027-02" = 2, "2027-03" = 1, "2027-05" = 4, "2027-12" = 3 }"#));
    let plan = [3.0, 4.0, 0.0, 3.0];
    for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
        let results = run(&loaded, 300, 1, quantiles);
        let labels: Vec<&str> = results.layout.periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027"]);
        for (p, want) in plan.iter().enumerate() {
            let st = quarter(&results, p);
            assert_eq!(st.count, 300);
            assert_eq!(st.mean, *want, "{quantiles:?} quarter {p}: mean");
            assert_eq!(st.quantiles, [*want; 7], "{quantiles:?} quarter {p}: every quantile is the plan");
        }
    }

    let results = run(&loaded, 300, 1, Quantiles::Exact);
    let page = String::from_utf8(html::report(&report_run(&loaded, &results), &[])).unwrap();
    assert_eq!(
        hiring_row(&page, "ae"),
        "<tr><td>ae<br><small>planned starts</small></td><td>3</td><td>4</td><td>0</td><td>3</td><td>10</td>\
         <td>10</td></tr>"
    );
    assert!(page.contains("capacity policy"), "the caption names every source of hires");
    assert!(!page.contains("<td>3.0</td>"), "no means in the hiring table");

    let summary = text::summary(
        &loaded.scenario,
        &results,
        &sopsim::engine::params::NO_CORRELATIONS,
        &text::Written { dir: "out", files: &[], seconds: 0.0 },
    );
    let line = summary.lines().skip_while(|l| !l.contains("hires by quarter")).nth(2).expect("a row of hires");
    assert_eq!(line.split_whitespace().collect::<Vec<_>>(), ["ae", "3", "4", "0", "3"], "{summary}");

    let json: serde_json::Value = serde_json::from_slice(
        &report::json::summary(&loaded.scenario, "hires.toml", &results, &[], &sopsim::engine::params::NO_CORRELATIONS)
            .unwrap(),
    )
    .unwrap();
    let by_period = &json["hiring"][0]["hires_by_period"];
    assert_eq!(by_period[1]["period"], "Q2 2027");
    assert_eq!((by_period[1]["from"].as_str(), by_period[1]["to"].as_str()), (Some("2027-04"), Some("2027-06")));
    assert_eq!(by_period[1]["hires"]["p10"], 4.0);
    assert_eq!(by_period[1]["hires"]["p90"], 4.0);
    assert!(json["horizon"]["totals"].get(period_total("hires.ae", &results.layout.periods[0])).is_none());
}

/// Closed form: 200 on staff, annual attrition 0.3 (each person leaves in a month with
/// probability `h = 1 - 0.7^(1/12)`), each departure backfilled exactly three months
/// later. No hire starts in Q1; Q2's hires (April to June) are the departures of January
/// to March, all among the 200 on staff at the start, each of whom leaves within three
/// months with probability `q = 1 - (1 - h)^3`, independently: Binomial(200, q), mean
/// 17.1, sd 3.9.
///
/// Checks: per trial, each quarter's scalar is the sum of the trial's months (exact); Q1
/// is 0 in every trial; Q2's mean within `Z` SE of `200 q`, its seven quantiles inside
/// the closed-form bracket of `check_quantiles`, and its empirical CDF within
/// `check_cdf`'s band; the aggregate of the per-trial sums (every value kept) equals the
/// runner's, bit for bit, and the sketch's quantiles equal the exact ones. The sum of the
/// three months' P10s (about 9) is below the quarter's P10 (about 12): reading quarters
/// from monthly quantiles would understate the low end. The report's Q2 cell reads the
/// runner's P50 over its P10–P90.
///
/// N = 10,000: the mean's 4-SE tolerance is 0.16 hires; a quantile must equal the
/// Binomial's where its CDF is more than 2% from the level (three of the seven levels),
/// and lie between its neighbours elsewhere.
#[test]
fn quarter_hires_replacing_attrition_are_binomial() {
    const N: usize = 10_000;
    const SEED: u64 = 33_006;
    let loaded =
        load(&scenario_text("headcount = 200\nannual_attrition = 0.3\nbackfill = true\ntime_to_hire_months = 3"));
    let s = &loaded.scenario;
    let h = 1.0 - 0.7f64.powf(1.0 / 12.0);
    let q = 1.0 - (1.0 - h).powi(3);
    let dist = binomial(200, q);

    let raw = Trials::simulate(s, SEED, N);
    let cells = raw.layout.cells();
    let scalar = |i: usize, p: usize| {
        let name = period_total("hires.ae", &raw.layout.periods[p]);
        raw.values[i * cells + raw.layout.scalar_cell(&name).expect("a quarter's total")]
    };
    let mut q2 = Vec::with_capacity(N);
    for i in 0..N {
        let hires = raw.path(i, "hires.ae");
        for (p, period) in raw.layout.periods.iter().enumerate() {
            let sum: f64 = hires[period.months.clone()].iter().sum();
            assert_eq!(scalar(i, p), sum, "trial {i}, {}: the scalar is the sum of the months", period.label);
        }
        assert_eq!(scalar(i, 0), 0.0, "trial {i}: no backfill starts in Q1");
        q2.push(scalar(i, 1));
    }

    let results = run(&loaded, N as u64, SEED, Quantiles::Exact);
    let st = quarter(&results, 1);
    check_mean("Q2 hires", st.mean, N, 200.0 * q, 200.0 * q * (1.0 - q));
    // Which levels are pinned exactly depends on the closed form and N only.
    let exact = check_quantiles("Q2 hires", st, N, 1.0, &|k| dist.cdf(k));
    assert_eq!(exact, 3, "three of the seven levels are pinned to the Binomial's quantile exactly");
    check_cdf("Q2 hires", &as_counts("Q2 hires", &q2, 1.0), 200, &|k| dist.cdf(k));

    // The runner aggregates the per-trial sums as it aggregates any cell.
    let serial = stats::describe(&mut q2.clone()).expect("values");
    assert_eq!(serial.mean.to_bits(), st.mean.to_bits());
    assert_eq!(serial.quantiles.map(f64::to_bits), st.quantiles.map(f64::to_bits));
    let sketched = run(&loaded, N as u64, SEED, Quantiles::Sketch);
    assert_eq!(quarter(&sketched, 1).quantiles, st.quantiles, "whole counts are read exactly from the sketch");

    let monthly_p10: f64 = (3..6).map(|t| results.get("hires.ae", t).expect("hires").at(0.10)).sum();
    assert!(
        monthly_p10 + 2.0 < st.at(0.10),
        "the months' P10s add up to {monthly_p10}, below the quarter's P10 {}",
        st.at(0.10)
    );
    let page = String::from_utf8(html::report(&report_run(&loaded, &results), &[])).unwrap();
    let row = hiring_row(&page, "ae");
    let want = match sopsim::format::people_parts(st.at(0.10), st.p50(), st.at(0.90)) {
        (mid, Some(range)) => format!("<td>{mid}<br><small>{range}</small></td>"),
        (mid, None) => format!("<td>{mid}</td>"),
    };
    assert!(row.contains(&format!("<td>0</td>{want}")), "Q1 then Q2 in {row}");
    assert!(!row.contains("planned starts") && row.contains("backfills"), "{row}");
    assert!(!people(st.at(0.10), st.p50(), st.at(0.90)).contains('.'), "whole people");
}

/// Two closer roles on fixed plans, the first with one planned departure: `ae` hires 2 in
/// February, 1 in March, 4 in May and 3 in December and loses one person in April;
/// `se` (one on staff) hires 1 in January and 2 in August. Every trial is the same, so
/// the totals over every role are, exactly: hires Q1 4, Q2 4, Q3 2, Q4 3, 13 in all;
/// departures 1 in Q2.
fn two_plans() -> Loaded {
    load(&scenario_text(
        r#"hires = { "2027-02" = 2, "2027-03" = 1, "2027-05" = 4, "2027-12" = 3 }
departures = { "2027-04" = 1 }

[[roles]]
id = "se"
kind = "closer"
opportunities_per_month = 20
headcount = 1
hires = { "2027-01" = 1, "2027-08" = 2 }"#,
    ))
}

/// Closed form (exact): each trial's hires and departures over every role, by quarter
/// and over the horizon, are per-trial scalars (`hires`, `hires.2027-04..2027-06`,
/// `departures`, ...) equal to the plans' sums in every trial: mean and seven quantiles,
/// with every value kept and with the sketch. `summary.json` gives them under
/// `horizon.totals` and `hiring_by_period`, and each role's departures by quarter beside
/// its hires.
#[test]
fn totals_over_every_role_of_fixed_plans_are_the_plans_sums() {
    let loaded = two_plans();
    let hires = [4.0, 4.0, 2.0, 3.0];
    let departures = [0.0, 1.0, 0.0, 0.0];
    for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
        let results = run(&loaded, 300, 1, quantiles);
        let exactly = |st: Option<&Stats>, want: f64, what: &str| {
            let st = st.unwrap_or_else(|| panic!("{quantiles:?}: no {what}"));
            assert_eq!((st.count, st.mean, st.quantiles), (300, want, [want; 7]), "{quantiles:?}: {what}");
        };
        exactly(results.total("hires"), 13.0, "hires over every role");
        exactly(results.total("departures"), 1.0, "departures over every role");
        for p in 0..4 {
            exactly(results.period_total("hires", p), hires[p], &format!("hires in quarter {p}"));
            exactly(results.period_total("departures", p), departures[p], &format!("departures in quarter {p}"));
        }
        exactly(results.period_total("departures.ae", 1), 1.0, "ae's departures in Q2");
        exactly(results.period_total("departures.se", 1), 0.0, "se's departures in Q2");
    }

    let results = run(&loaded, 300, 1, Quantiles::Exact);
    let json: serde_json::Value = serde_json::from_slice(
        &report::json::summary(&loaded.scenario, "hires.toml", &results, &[], &sopsim::engine::params::NO_CORRELATIONS)
            .unwrap(),
    )
    .unwrap();
    let totals = &json["horizon"]["totals"];
    assert_eq!((totals["hires"]["p10"].as_f64(), totals["hires"]["p90"].as_f64()), (Some(13.0), Some(13.0)));
    assert_eq!(totals["departures"]["p50"].as_f64(), Some(1.0));
    let q2 = &json["hiring"][0]["hires_by_period"][1];
    assert_eq!((q2["period"].as_str(), q2["departures"]["p50"].as_f64()), (Some("Q2 2027"), Some(1.0)));
    // Over every role, quarter by quarter: the plans' sums, in every trial.
    let all = json["hiring_by_period"].as_array().expect("every role's hires by quarter");
    assert_eq!(all.len(), 4);
    for (p, q) in all.iter().enumerate() {
        let at = |what: &str, level: &str| q[what][level].as_f64();
        assert_eq!((at("hires", "p10"), at("hires", "p90")), (Some(hires[p]), Some(hires[p])), "{q}");
        assert_eq!(
            (at("departures", "p10"), at("departures", "p90")),
            (Some(departures[p]), Some(departures[p])),
            "{q}"
        );
        assert_eq!(q["from"].as_str(), Some(["2027-01", "2027-04", "2027-07", "2027-10"][p]), "{q}");
    }
}

/// Closed form: two roles, 200 and 100 on staff, annual attrition 0.3 and no backfill.
/// Each of the 300 people leaves within the first three months with probability
/// `q = 1 - 0.7^(3/12)`, independently, so Q1's departures over every role are
/// Binomial(300, q): mean 25.6, sd 4.8.
///
/// Checks: per trial, the all-roles scalars are the sums of both roles' months (exact),
/// for Q1 and the horizon; the runner's statistics of Q1's total equal those of the
/// per-trial sums, bit for bit; their mean is within `Z` SE of `300 q` and their seven
/// quantiles inside `check_quantiles`' closed-form bracket. The roles' P10s add up to
/// about 17, below the total's P10 of about 19: a total over roles read from the roles'
/// quantiles would understate its low end.
///
/// N = 10,000: the mean's 4-SE tolerance is 0.19 people.
#[test]
fn departures_over_every_role_are_binomial() {
    const N: usize = 10_000;
    const SEED: u64 = 33_061;
    let loaded = load(&scenario_text(
        "headcount = 200\nannual_attrition = 0.3\n\n[[roles]]\nid = \"se\"\nkind = \"closer\"\n\
         opportunities_per_month = 20\nheadcount = 100\nannual_attrition = 0.3",
    ));
    let q = 1.0 - 0.7f64.powf(3.0 / 12.0);
    let dist = binomial(300, q);

    let raw = Trials::simulate(&loaded.scenario, SEED, N);
    let cells = raw.layout.cells();
    let scalar = |i: usize, name: &str| raw.values[i * cells + raw.layout.scalar_cell(name).expect("a total")];
    let q1 = period_total("departures", &raw.layout.periods[0]);
    let mut sums = Vec::with_capacity(N);
    for i in 0..N {
        let (ae, se) = (raw.path(i, "departures.ae"), raw.path(i, "departures.se"));
        let sum: f64 = ae[..3].iter().chain(&se[..3]).sum();
        assert_eq!(scalar(i, &q1), sum, "trial {i}: Q1's total is the sum of both roles' months");
        assert_eq!(scalar(i, "departures"), ae.iter().chain(&se).sum::<f64>(), "trial {i}: the horizon's");
        assert_eq!(scalar(i, "hires"), 0.0, "trial {i}: no one is hired");
        sums.push(sum);
    }

    let results = run(&loaded, N as u64, SEED, Quantiles::Exact);
    let st = results.period_total("departures", 0).expect("Q1's departures");
    let serial = stats::describe(&mut sums.clone()).expect("values");
    assert_eq!(serial.mean.to_bits(), st.mean.to_bits());
    assert_eq!(serial.quantiles.map(f64::to_bits), st.quantiles.map(f64::to_bits));
    check_mean("Q1 departures", st.mean, N, 300.0 * q, 300.0 * q * (1.0 - q));
    check_quantiles("Q1 departures", st, N, 1.0, &|k| dist.cdf(k));

    let roles_p10: f64 =
        ["departures.ae", "departures.se"].iter().map(|m| results.period_total(m, 0).expect("a role").at(0.10)).sum();
    assert!(roles_p10 + 1.0 < st.at(0.10), "the roles' P10s add up to {roles_p10}, the total's is {}", st.at(0.10));
}

/// The people a sales leader reads over every role, from the fixed plans of
/// [`two_plans`]: the hires chart's title gives each trial's total (13, where it used to
/// give a sum of means, "13 expected in all"), the report's hiring table ends with an
/// All roles row (4, 4, 2, 3, 13) and is followed by the departures by role and quarter
/// (ae: 1 in Q2), and the terminal summary gives both, with the quarters' All roles row.
#[test]
fn every_role_reads_in_people_in_the_chart_the_report_and_the_summary() {
    let loaded = two_plans();
    let results = run(&loaded, 300, 1, Quantiles::Exact);

    let charts = sopsim::report::charts::build::build(&loaded.scenario, &results);
    let chart = charts.iter().find(|c| c.name == "hires").expect("a hires chart");
    assert_eq!(chart.title, "Hires by role, Jan 2027–Dec 2027: 13 in all");

    let page = String::from_utf8(html::report(&report_run(&loaded, &results), &[])).unwrap();
    let hiring = &page[page.find("<h2>Hiring needs</h2>").expect("a hiring section")..];
    assert!(
        hiring
            .contains("<tr><td><b>All roles</b></td><td>4</td><td>4</td><td>2</td><td>3</td><td>13</td><td></td></tr>"),
        "{hiring}"
    );
    let leaving = &hiring[hiring.find("People leaving by role and period").expect("a departures table")..];
    assert!(leaving.contains("<tr><td>ae</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td></tr>"), "{leaving}");
    assert!(leaving.contains("<tr><td><b>All roles</b></td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td></tr>"));

    let summary = text::summary(
        &loaded.scenario,
        &results,
        &sopsim::engine::params::NO_CORRELATIONS,
        &text::Written { dir: "out", files: &[], seconds: 0.0 },
    );
    let words = |start: &str| -> Vec<String> {
        let line = summary.lines().find(|l| l.trim_start().starts_with(start)).unwrap_or_else(|| panic!("{summary}"));
        line.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(words("hires, all roles"), ["hires,", "all", "roles", "13", "13", "13"]);
    assert_eq!(words("departures, all roles"), ["departures,", "all", "roles", "1", "1", "1"]);
    assert_eq!(words("All roles"), ["All", "roles", "4", "4", "2", "3"]);
}
