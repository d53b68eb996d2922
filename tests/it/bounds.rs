//! Regression tests for the bounds that keep the model's numbers finite: each is named
//! after what it guards, with a line saying what broke.

use sopsim::engine::metrics::Layout;
use sopsim::engine::run_trial;
use sopsim::scenario::load_str;

/// Runs `trials` trials of `text` and returns each trial's cells.
fn run(text: &str, trials: u64) -> (Layout, Vec<Vec<f64>>) {
    let loaded = load_str(text, "case.toml", &[]).unwrap_or_else(|e| panic!("{}", e.render()));
    let s = &loaded.scenario;
    let layout = Layout::new(s);
    let out = (0..trials)
        .map(|i| {
            let mut out = vec![0.0; layout.cells()];
            run_trial(s, &layout, s.seed, i, &mut out);
            out
        })
        .collect();
    (layout, out)
}

/// A metric's months in one trial's cells.
fn series<'a>(layout: &Layout, cells: &'a [f64], name: &str) -> &'a [f64] {
    let k = layout.index(name).unwrap_or_else(|| panic!("no metric {name}"));
    &cells[k * layout.months..(k + 1) * layout.months]
}

/// The tester's report: a deal size of the smallest positive double (4.9e-324) ran with
/// exit 0 and wrote `needed.<role>` = inf. Such an amount is now refused, with the range
/// that works.
#[test]
fn a_denormal_deal_size_is_refused_with_the_range_that_works() {
    let text = "[scenario]\nstart = \"2027-01\"\nmonths = 12\n\n[[segments]]\nname = \"s\"\ndeal_size = 4.9e-324\nwin_rate = 0.2\n";
    let message = match load_str(text, "case.toml", &[]) {
        Ok(_) => panic!("a deal size of 4.9e-324 was accepted"),
        Err(e) => e.render(),
    };
    assert!(message.contains("segments.s.deal_size"), "{message}");
    assert!(message.contains("0, or a number from 0.01 to 1_000_000_000_000"), "{message}");
}

/// `needed.csm` was inf: ARR that grew from a cent to trillions measured a growth of
/// about 10^4 a month, compounded over a 600-month look-ahead. The measured growth is
/// now taken at most 100% a month and a need at most `MAX_NEEDED` heads; the closers'
/// need, over draws of opportunities per month far below the smallest constant taken,
/// is capped the same way.
#[test]
fn needed_is_finite_when_arr_grows_from_a_cent() {
    let text = r#"
[scenario]
start = "2027-01"
months = 60

[company]
arr = 0.01

[[segments]]
name = "s"
deal_size = 1e12
win_rate = 1
cycle_months = 6

[demand]
leads_per_month = 100
lead_to_opportunity = 1

[[roles]]
id = "ae"
kind = "closer"
headcount = 1
opportunities_per_month = { dist = "lognormal", median = 0.001, p90 = 1000 }
time_to_hire_months = 600
policy = "capacity"
headcount_budget = 5

[[roles]]
id = "csm"
kind = "support"
arr_per_head = 1e6
time_to_hire_months = 600
policy = "capacity"
headcount_budget = 5
"#;
    let (layout, trials) = run(text, 20);
    let cap = sopsim::engine::MAX_NEEDED;
    let mut capped = false;
    for cells in &trials {
        for name in ["needed.ae", "capacity_gap.ae", "needed.csm", "capacity_gap.csm"] {
            for (t, v) in series(&layout, cells, name).iter().enumerate() {
                assert!(v.is_finite(), "{name}[{t}] = {v}");
                assert!(v.abs() <= cap, "{name}[{t}] = {v}, beyond {cap}");
            }
        }
        capped |= series(&layout, cells, "needed.csm").contains(&cap);
    }
    assert!(capped, "the support need reaches its cap");
}

/// A 599-month scenario whose capacity policy (no budget) faced a need far beyond any
/// staff, with a 600-month mean time to hire whose draws are mostly a month, grew its
/// closers to 100,000 people and ran 50 trials in more than 20 seconds: a trial's work
/// grows with its person-months of staff. Without a budget the policy now keeps to the
/// staff the horizon allows, `MAX_STAFF_MONTHS / months` people in all.
#[test]
fn the_capacity_policy_without_a_budget_keeps_a_trial_within_max_staff_months() {
    let text = r#"
[scenario]
start = "2027-01"
months = 599
seed = 9223372036854775807

[[segments]]
name = "s"
deal_size = 30000
win_rate = 0.3
cycle_months = 2

[demand]
leads_per_month = 300
lead_to_opportunity = 0.5

[[roles]]
id = "ae"
kind = "closer"
headcount = 4
opportunities_per_month = 0.001
annual_attrition = 0.3
time_to_hire_months = { dist = "gamma", mean = 600, sd = 9223372036854775807 }
policy = "capacity"
"#;
    let bound = sopsim::scenario::MAX_STAFF_MONTHS;
    let (layout, trials) = run(text, 1);
    let staff = series(&layout, &trials[0], "headcount.ae");
    let person_months: f64 = staff.iter().sum();
    let most = staff.iter().copied().fold(0.0, f64::max);
    assert!(person_months <= bound as f64, "{person_months} person-months, beyond {bound}");
    // The bound is what stops it: the role grows to its share of the horizon's staff.
    assert_eq!(most, (bound / 599) as f64, "the most staff on hand");
}

/// The written organisation is bounded the same way: 100,000 people for 600 months is
/// refused before any simulation, with the limit in the message.
#[test]
fn staff_beyond_max_staff_months_is_refused() {
    let text = "[scenario]\nstart = \"2027-01\"\nmonths = 600\n\n[[segments]]\nname = \"s\"\ndeal_size = 1\nwin_rate = 0.2\n\n[[roles]]\nid = \"ae\"\nkind = \"closer\"\nheadcount = 100_000\nopportunities_per_month = 1\n";
    let message = match load_str(text, "case.toml", &[]) {
        Ok(_) => panic!("60,000,000 person-months were accepted"),
        Err(e) => e.render(),
    };
    assert!(message.contains("at most 6_000_000 person-months"), "{message}");
}
