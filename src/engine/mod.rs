//! One trial of the organisation, month by month: gather, demand, supply, reconcile.
//!
//! [`run_trial`] plays a validated [`Scenario`] forward for one trial index and writes
//! every metric of every month into a flat buffer (see [`metrics`]). `month()` lists a
//! month's steps in the order they happen; each is a function of its own file, and what
//! a trial carries between them is in `state.rs`. It owns no threads and prints
//! nothing: the runner calls [`run_trial_in`] from many threads, each worker with its
//! own [`Workspace`], and the result depends only on the scenario, the seed and the
//! trial index.

mod actuals;
mod comp;
pub mod forecast;
pub mod metrics;
pub mod params;
pub mod rng;

mod closes;
mod deals;
mod demand;
mod hiring;
mod kpis;
mod reconcile;
mod state;
mod supply;

use crate::scenario::Scenario;

pub use hiring::MAX_NEEDED;

use metrics::{Layout, id};
use state::Trial;

pub use state::Workspace;

/// Runs trial `trial` of `scenario` with `seed`, writing into `out`
/// (`layout.cells()` values, metric-major); `layout` is [`Layout::new`] of `scenario`.
/// Its buffers are new: [`run_trial_in`] reuses those of the trials run before.
pub fn run_trial(scenario: &Scenario, layout: &Layout, seed: u64, trial: u64, out: &mut [f64]) {
    run_trial_in(&mut Workspace::default(), scenario, layout, seed, trial, out);
}

/// [`run_trial`] in the buffers of `workspace`, which keeps them for the next trial run in
/// it (their capacity only: every trial starts from the same state as with new buffers,
/// and the result does not depend on what ran before).
pub fn run_trial_in(
    workspace: &mut Workspace,
    scenario: &Scenario,
    layout: &Layout,
    seed: u64,
    trial: u64,
    out: &mut [f64],
) {
    let months = scenario.months;
    debug_assert_eq!(out.len(), layout.cells());
    debug_assert!(layout.idle.is_none() || is_idle(scenario), "the layout is not this scenario's");
    let mut s = Trial::new(scenario, seed, trial, std::mem::take(workspace));
    let mut arr = scenario.company.arr;
    let happened = scenario.actuals.len().min(months);

    if let Some(fixed) = &layout.idle {
        out.copy_from_slice(fixed);
        for t in 0..months {
            let mut put = |metric: usize, t: usize, v: f64| out[metric * months + t] = v;
            put(id::KPI_PIPELINE_COVERAGE, t, kpis::pipeline_coverage(&s, t));
            arr = reconcile::idle_month(&mut s, layout, arr, t, &mut put);
            put(id::ARR, t, arr);
            s.arr_history.push(arr);
        }
        *workspace = finish(s, layout, out);
        return;
    }
    closes::open_pipeline(&mut s);
    for t in 0..months {
        let mut put = |metric: usize, t: usize, v: f64| out[metric * months + t] = v;
        let before = arr;
        arr = month(&mut s, layout, arr, t, &mut put);
        put(id::ARR, t, arr);
        if let Some(first) = layout.first_open {
            put(first + metrics::open::BOOKINGS, t, open_bookings(&s, t));
        }
        s.arr_history.push(arr);
        if t < happened {
            arr = actuals::record(&mut s, layout, t, before, arr, out, t + 1 == happened);
            if t + 1 == happened {
                *s.arr_history.last_mut().expect("pushed above") = arr;
            }
        }
    }
    if happened > 0 {
        // The plan's values exist for the months that happened only.
        let plan_metrics = layout.names.len() - layout.first_plan;
        for m in layout.first_plan..layout.first_plan + plan_metrics {
            out[m * months + happened..(m + 1) * months].fill(f64::NAN);
        }
    }
    *workspace = finish(s, layout, out);
}

/// Month `t` of a trial, each step in the order it happens (docs/MODEL.md 3), from the
/// ARR at the end of last month; returns the ARR at the end of this one.
fn month(
    s: &mut Trial<'_>,
    layout: &Layout,
    arr_before: f64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> f64 {
    // The month starts: plan years restart, planned hires and filled requisitions join.
    supply::start_month(s, t, put);
    // Gather: the KPIs of the months before, as measured.
    kpis::measure(s, t, put);
    // Demand: leads, SDR meetings and the territories' accounts bring opportunities.
    demand::generate(s, t, put);
    // Supply: headcount, ramped FTE, each segment's capacity, support coverage.
    supply::plan(s, t, put);
    // Reconcile: the opportunities worked and where each closes, then what closes now
    // is paid for, booked into ARR, and the staff's exits and requisitions follow.
    let work = reconcile::work(s, t, put);
    reconcile::pay(s, work.bookings, t, put);
    let arr = reconcile::arr(s, arr_before, work.bookings, t, put);
    reconcile::people(s, layout, t, put);
    // The stages the ARR reaches, and the forecast of next month.
    reconcile::stages_and_forecast(s, layout, arr, work.bookings, work.next_weighted, t, put);
    arr
}

/// The value of the won deals open at the start (`[[pipeline]]`) that close in month
/// `t`: their part of the month's bookings, summed over the segments in the order
/// [`deals::work_month`] sums the bookings, so that it equals them bit for bit when
/// every deal won was open at the start.
fn open_bookings(s: &Trial<'_>, t: usize) -> f64 {
    s.segments.iter().fold(0.0, |sum, seg| sum + seg.closing[t].open_won_value)
}

/// Whether a trial of `scenario` is idle: it has no roles, territories, open pipeline or
/// actuals, and no leads (`demand.leads_per_month` is 0), so that it never demands,
/// works, books or pays anything. Then only ARR, churned and expansion ARR, the stages
/// and their ops cost, the forecast and `kpi.pipeline_coverage` differ from trial to
/// trial; every other cell is the same in all trials, whatever the seed, and
/// [`run_trial`] copies it from the layout ([`Layout::idle`]) instead of computing it.
pub fn is_idle(scenario: &Scenario) -> bool {
    scenario.roles.is_empty()
        && scenario.territories.is_empty()
        && scenario.pipeline.is_empty()
        && scenario.actuals.is_empty()
        && scenario.demand.leads_per_month.as_constant() == Some(0.0)
}

/// The cells of an idle scenario's trial that are the same in every trial: trial 0 of
/// seed 0, computed month by month as any other scenario's.
pub(crate) fn idle_cells(scenario: &Scenario, layout: &Layout) -> Vec<f64> {
    debug_assert!(layout.idle.is_none());
    let mut out = vec![0.0; layout.cells()];
    run_trial(scenario, layout, 0, 0, &mut out);
    out
}

/// The end of a trial: its scalars, and its buffers to keep for the next trial.
fn finish(s: Trial<'_>, layout: &Layout, out: &mut [f64]) -> Workspace {
    write_scalars(&s, layout, out);
    s.into_workspace()
}

/// Per-trial scalars: horizon totals of some monthly metrics, cost, forecast accuracy,
/// the attainment histogram, whether the target was hit, and period totals.
fn write_scalars(s: &Trial<'_>, layout: &Layout, out: &mut [f64]) {
    use metrics::ScalarSource;
    let months = layout.months;
    let (monthly, scalars) = out.split_at_mut(layout.monthly_cells());
    let sum = |m: usize| -> f64 { monthly[m * months..(m + 1) * months].iter().sum() };
    let accuracy = s.forecast.accuracy();
    for (value, source) in scalars.iter_mut().zip(&layout.sources) {
        *value = match *source {
            ScalarSource::TargetHit => match &s.scenario.target {
                Some(target) => f64::from(u8::from(monthly[id::ARR * months + target.month] >= target.arr)),
                None => f64::NAN,
            },
            ScalarSource::Total(m) => sum(m),
            ScalarSource::CostOfSales => ratio(s.sales_comp_total, sum(id::BOOKINGS)),
            ScalarSource::ForecastMape => accuracy.mape,
            ScalarSource::ForecastWape => accuracy.wape,
            ScalarSource::ForecastBias => accuracy.bias,
            ScalarSource::Attainment(k) => s.attainment[k],
            ScalarSource::PeriodTotal { metric, from, to } => {
                monthly[metric * months + from..metric * months + to].iter().sum()
            }
            ScalarSource::Roles { metric, roles, from, to } => (0..roles)
                .map(|r| {
                    let m = Layout::role_metric(r, metric);
                    monthly[m * months + from..m * months + to].iter().sum::<f64>()
                })
                .sum(),
            ScalarSource::Missing => f64::NAN,
        };
    }
}

/// `x.round()` (half away from zero), without the maths library's call: below 2^52 in
/// magnitude a double's fraction `x - trunc(x)` is exact, so comparing it with 1/2 decides
/// the rounding exactly; larger magnitudes, infinities and NaN are returned as they are
/// (they are whole or not numbers), as `f64::round` does.
#[inline]
fn round(x: f64) -> f64 {
    const WHOLE: f64 = (1u64 << 52) as f64;
    if !(x.abs() < WHOLE) {
        return x;
    }
    let whole = x as i64;
    let fraction = x - whole as f64;
    let rounded = whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5);
    // The sign of a zero follows `x`, as with `f64::round(-0.3) == -0.0`.
    (rounded as f64).copysign(x)
}

/// `a / b`, or NaN (missing) when `b` is not positive or so small that the quotient is
/// not a finite number.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { finite_or_missing(a / b) } else { f64::NAN }
}

/// `x`, or NaN (missing) when it is not a finite number: what a ratio whose quotient
/// passes the largest double reports.
fn finite_or_missing(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::NAN }
}

#[cfg(test)]
mod tests {
    use super::{Layout, is_idle, round, run_trial};
    use crate::scenario::{Scenario, load_file, load_str};

    /// Idle scenarios whose moving cells do move: ARR near the second stage's threshold
    /// (some trials reach it, some do not), a target inside the horizon, a noisy and
    /// biased forecast, correlated churn and expansion, two segments, custom stages.
    const IDLE: [&str; 3] = [
        r#"
[scenario]
name = "Near a stage"
start = "2027-03"
months = 24
[company]
arr = 960_000
monthly_churn = { low = 0.001, high = 0.02 }
monthly_expansion = { dist = "pert", min = 0.0, mode = 0.006, max = 0.02 }
churn_multiplier_unsupported = 3
[target]
arr = 1_000_000
by = "2028-01"
[forecast]
bias = { low = -0.2, high = 0.3 }
noise = 0.3
[[segments]]
name = "all"
deal_size = 10_000
win_rate = { low = 0.1, high = 0.3 }
[[correlations]]
between = ["company.monthly_churn", "company.monthly_expansion"]
rank = -0.6
"#,
        r#"
[scenario]
name = "Two segments, own stages"
start = "2027-01"
months = 1
[company]
arr = 5_000_000
monthly_churn = { low = 0.01, high = 0.02 }
[[segments]]
name = "smb"
deal_size = { dist = "lognormal", median = 8_000, p90 = 20_000 }
win_rate = 0.2
[[segments]]
name = "ent"
deal_size = 90_000
win_rate = 0.1
[[stages]]
from_arr = 4_990_000
role = "analyst"
months_above = 1
annual_cost = 90_000
time_to_hire_months = { low = 0.5, high = 3 }
"#,
        r#"
[scenario]
name = "Shrinking"
start = "2027-06"
months = 36
[company]
arr = 12_000_000
monthly_churn = { dist = "beta", mean = 0.01, sd = 0.004 }
monthly_expansion = { dist = "triangular", min = 0.0, mode = 0.002, max = 0.01 }
[target]
arr = 12_000_000
[demand]
leads_per_month = 0
lead_to_opportunity = { low = 0.05, high = 0.1 }
[[segments]]
name = "all"
deal_size = 50_000
win_rate = 0.25
"#,
    ];

    fn idle_scenarios() -> Vec<Scenario> {
        let path = std::path::Path::new("benches/peers/nothing-sold.toml");
        let mut all = vec![load_file(path, &[]).expect("the peer's scenario loads").scenario];
        all.extend(IDLE.iter().map(|text| load_str(text, "idle.toml", &[]).expect("an idle scenario loads").scenario));
        all
    }

    /// An idle trial (its fixed cells copied from the layout, the moving ones computed)
    /// equals the same trial computed month by month, cell for cell and bit for bit, for
    /// other seeds than the one the fixed cells came from; and the moving cells moved, so
    /// that the comparison covered them.
    #[test]
    fn an_idle_trial_equals_the_trial_computed_in_full() {
        for scenario in idle_scenarios() {
            assert!(is_idle(&scenario), "{}", scenario.name);
            let layout = Layout::new(&scenario);
            assert!(layout.idle.is_some());
            let full = Layout { idle: None, ..layout.clone() };
            let cells = layout.cells();
            let (mut got, mut want) = (vec![0.0; cells], vec![0.0; cells]);
            let mut first: Option<Vec<f64>> = None;
            let mut moved = vec![false; cells];
            for seed in [3, 1_000_003] {
                for trial in 0..400 {
                    run_trial(&scenario, &layout, seed, trial, &mut got);
                    run_trial(&scenario, &full, seed, trial, &mut want);
                    for c in 0..cells {
                        assert_eq!(
                            got[c].to_bits(),
                            want[c].to_bits(),
                            "{}: cell {c} of trial {trial}, seed {seed}: {} against {}",
                            scenario.name,
                            got[c],
                            want[c]
                        );
                    }
                    let first = first.get_or_insert_with(|| want.clone());
                    moved
                        .iter_mut()
                        .zip(first.iter().zip(&want))
                        .for_each(|(m, (a, b))| *m |= a.to_bits() != b.to_bits());
                }
            }
            let arr = layout.index("arr").expect("arr is a metric") * layout.months;
            assert!(moved[arr + layout.months - 1], "{}: ARR moved", scenario.name);
        }
        // The first case crosses its stage in some trials only, and its coverage is
        // missing in some trials and a number in others.
        let near = load_str(IDLE[0], "idle.toml", &[]).expect("loads").scenario;
        let layout = Layout::new(&near);
        let (reached, coverage) = (
            layout.index("reached.sales-effectiveness-manager").unwrap(),
            layout.index("kpi.pipeline_coverage").unwrap(),
        );
        let mut out = vec![0.0; layout.cells()];
        let (mut some, mut missing) = ([false; 2], [false; 2]);
        for trial in 0..400 {
            run_trial(&near, &layout, 5, trial, &mut out);
            let last = |m: usize| out[m * layout.months + layout.months - 1];
            some[0] |= last(reached) == 1.0;
            missing[0] |= last(reached) == 0.0;
            some[1] |= out[coverage * layout.months + 10].is_finite();
            missing[1] |= out[coverage * layout.months + 10].is_nan();
        }
        assert_eq!((some, missing), ([true; 2], [true; 2]));
    }

    /// Scenarios that sell or staff anything are not idle: the examples, the core peer,
    /// and a scenario with leads but nobody to work them.
    #[test]
    fn a_scenario_with_leads_or_staff_is_not_idle() {
        for name in [
            "scenarios/seed-stage.toml",
            "scenarios/scale-up.toml",
            "scenarios/enterprise.toml",
            "benches/peers/core.toml",
        ] {
            let scenario = load_file(std::path::Path::new(name), &[]).expect("loads").scenario;
            assert!(!is_idle(&scenario), "{name}");
            assert!(Layout::new(&scenario).idle.is_none());
        }
        let leads = IDLE[2].replace("leads_per_month = 0", "leads_per_month = 40");
        let scenario = load_str(&leads, "leads.toml", &[]).expect("loads").scenario;
        assert!(!is_idle(&scenario));
    }

    /// A trial run in a workspace that ran other trials before, of other scenarios with
    /// other numbers of roles, segments, territories and months, equals the same trial
    /// run in new buffers, bit for bit.
    #[test]
    fn a_trial_does_not_depend_on_the_workspace_it_runs_in() {
        let scenarios: Vec<Scenario> =
            ["scenarios/enterprise.toml", "scenarios/seed-stage.toml", "scenarios/scale-up.toml"]
                .iter()
                .map(|name| load_file(std::path::Path::new(name), &[]).expect("loads").scenario)
                .collect();
        let mut workspace = super::Workspace::default();
        for round in 0..2 {
            for scenario in &scenarios {
                let layout = Layout::new(scenario);
                let (mut fresh, mut reused) = (vec![0.0; layout.cells()], vec![0.0; layout.cells()]);
                for trial in [3, 17 + round] {
                    run_trial(scenario, &layout, 5, trial, &mut fresh);
                    super::run_trial_in(&mut workspace, scenario, &layout, 5, trial, &mut reused);
                    let same = fresh.iter().zip(&reused).all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{}: trial {trial} differs after other trials in its workspace", scenario.name);
                }
            }
        }
    }

    #[test]
    fn round_matches_the_maths_library_bit_for_bit() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
            -4503599627370495.5,
            4503599627370496.0,
            1e300,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut x = 1e-3f64;
        while x < 1e17 {
            for y in [x, -x, x.next_up(), x.next_down(), x + 0.5, x - 0.5] {
                xs.push(y);
            }
            x *= 1.37;
        }
        for k in 0..4000 {
            let h = k as f64 / 8.0;
            xs.extend([h, -h, h.next_up(), h.next_down(), -h.next_up(), -h.next_down()]);
        }
        for x in xs {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x}");
        }
    }
}
