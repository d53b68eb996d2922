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
