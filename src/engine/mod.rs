//! One trial of the organisation, month by month: gather, demand, supply, reconcile.
//!
//! [`run_trial`] plays a validated [`Scenario`] forward for one trial index and writes
//! every metric of every month into a flat buffer (see [`metrics`]). It owns no threads
//! and prints nothing: the runner calls it from many threads, and the result depends
//! only on the scenario, the seed and the trial index.

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
mod supply;

use crate::scenario::{Role, Scenario};

pub use hiring::MAX_NEEDED;

use metrics::{Layout, id};
use params::TrialParams;

/// Start month of staff who were on board before the plan (fully ramped, longest tenure).
const LONG_AGO: i64 = -1_000_000;

/// Territory index of a person who covers none.
const NO_TERRITORY: u32 = u32::MAX;

/// Months past the horizon that requisition arrivals are kept for (so that the
/// capacity policy sees hires that arrive after the last month).
const ARRIVALS_PAST_HORIZON: usize = 2 * crate::scenario::MAX_MONTHS as usize;

/// A won deal's credit to the rep who worked it: (role, person id, value).
type Credit = (usize, u32, f64);

/// One person on staff.
#[derive(Debug, Clone, Copy)]
struct Person {
    /// Start month (negative: before the plan).
    start: i64,
    /// Id within the role, never reused; indexes the role's per-person ledgers.
    id: u32,
    /// Territory index, or [`NO_TERRITORY`].
    territory: u32,
    /// Multiplier of the opportunities the person works (their role's `skill`; 1 without).
    productivity: f64,
    /// Multiplier of the win rate of the deals the person works (1 without a `skill`).
    win: f64,
}

/// A person's skill multipliers (productivity, win rate), drawn once per person from the
/// role's `Skill` stream keyed by the person's id, which is never reused: the same
/// person draws the same skill whatever else changes. 1 and 1 without a `skill`.
fn skill_of(role: &crate::scenario::Role, key: u64, id: u32) -> (f64, f64) {
    match &role.skill {
        None => (1.0, 1.0),
        Some(k) => {
            let mut rng = rng::trial_stream(key, rng::Process::Skill, role.stream, u64::from(id));
            let productivity = k.productivity.sample(&mut rng);
            (productivity, k.win_rate.sample(&mut rng))
        }
    }
}

/// One role's people during a trial.
#[derive(Debug, Clone)]
struct RoleState {
    /// The people on staff, oldest first.
    staff: Vec<Person>,
    /// Requisition hires arriving in each month (backfill and capacity), past the horizon too.
    arrivals: Vec<u32>,
    /// One past the last month of `arrivals` that may be non-zero.
    arrivals_end: usize,
    /// Requisitions opened and not yet filled.
    open_reqs: u32,
    /// Next person id.
    next_id: u32,
    /// Compensation ledgers by person id (empty for roles without a plan).
    pay: comp::Ledgers,
    /// The look-ahead of the role's capacity need.
    ahead: hiring::Ahead,
}

/// One segment's deals during a trial.
#[derive(Debug, Clone)]
struct SegmentState {
    /// The opportunities that close in each month.
    closing: Vec<Closing>,
    /// Value of open opportunities that close after the horizon.
    beyond_value: f64,
    /// Open opportunities that close after the horizon.
    beyond_count: u32,
    /// Opportunities demanded this month (inbound, SDR-sourced and from covered accounts).
    demand: u64,
    /// Opportunities demanded in each month so far.
    demand_history: Vec<f64>,
    /// Opportunities the closers of the segment can work this month.
    capacity: u64,
    /// This month's closers of the segment: (role, person id, opportunities they can work,
    /// their win-rate multiplier).
    reps: Vec<(usize, u32, u64, f64)>,
    /// ARR of the segment's customers at the end of the previous month.
    arr: f64,
    /// The closes of the months the KPIs' window covers, summed as it slides (see
    /// [`kpis::measure`]).
    window: Window,
}

/// Opportunities closed, deals won and the sum of the cycles of the closed ones, over
/// some months: whole numbers, so that adding a month and taking one away is exact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Window {
    closed: u32,
    won: u32,
    cycles: f64,
}

/// The opportunities of a segment that close in one month.
#[derive(Debug, Clone, Copy, Default)]
struct Closing {
    /// Value of the open opportunities that close this month.
    value: f64,
    /// Value of the won deals that close (are booked) this month.
    won_value: f64,
    /// The part of `won_value` from deals open at the start (`[[pipeline]]`).
    open_won_value: f64,
    /// Sum of the cycles (months) of the opportunities that close this month.
    cycles: f64,
    /// Opportunities that close this month.
    count: u32,
    /// Won deals that close this month.
    won: u32,
}

/// Everything a trial carries from month to month.
struct Trial<'a> {
    scenario: &'a Scenario,
    p: TrialParams,
    /// The draws `p` was made from, kept for their buffer.
    inputs: Vec<f64>,
    /// The key its random streams share: [`rng::trial_key`] of the seed and trial index.
    key: u64,
    roles: Vec<RoleState>,
    segments: Vec<SegmentState>,
    /// Closers assigned to each territory.
    territory_reps: Vec<u32>,
    /// Won deals credited to reps at their close: by close month, (role, person id, value).
    credits: Vec<Vec<Credit>>,
    kpis: kpis::Kpis,
    stages: Vec<hiring::StageState>,
    forecast: forecast::Tracker,
    /// ARR at the end of each month so far.
    arr_history: Vec<f64>,
    /// Support coverage this month (1 without support roles).
    support_coverage: f64,
    /// Pay of the sales roles (closers, SDRs, managers) so far.
    sales_comp_total: f64,
    /// Quota attainments at plan-year ends, by histogram bin.
    attainment: [f64; metrics::ATTAINMENT_BINS],
    /// With `[[actuals]]`: how far the real ARR is from the plan's, from the months'
    /// actual bookings so far (0 without).
    actual_gap: f64,
    /// Buffers reused from month to month.
    scratch: Scratch,
}

/// Buffers the monthly steps reuse instead of allocating.
#[derive(Debug, Default)]
struct Scratch {
    caps: Vec<u64>,
    shares: Vec<u64>,
    remainders: Vec<(u128, usize)>,
    bookings: Vec<f64>,
    leavers: Vec<u32>,
    by_segment: Vec<u64>,
    /// Each month's share `r_m` of won deals moved by `company.close_noise` (empty
    /// without it), drawn once a trial.
    close_rates: Vec<f64>,
}

thread_local! {
    /// The buffers of the last trial run on this thread, for the next one to reuse (their
    /// capacity only: every trial starts from the same state as with new buffers).
    static SPARE: std::cell::Cell<Option<Buffers>> = const { std::cell::Cell::new(None) };
}

/// The growable buffers of a trial, kept from one trial to the next.
#[derive(Debug, Default)]
struct Buffers {
    params: TrialParams,
    inputs: Vec<f64>,
    roles: Vec<RoleState>,
    segments: Vec<SegmentState>,
    territory_reps: Vec<u32>,
    credits: Vec<Vec<Credit>>,
    kpi_win_rate: Vec<f64>,
    stages: Vec<hiring::StageState>,
    arr_history: Vec<f64>,
    scratch: Scratch,
}

/// Runs trial `trial` of `scenario` with `seed`, writing into `out`
/// (`layout.cells()` values, metric-major); `layout` is [`Layout::new`] of `scenario`.
pub fn run_trial(scenario: &Scenario, layout: &Layout, seed: u64, trial: u64, out: &mut [f64]) {
    let months = scenario.months;
    debug_assert_eq!(out.len(), layout.cells());
    debug_assert!(layout.idle.is_none() || is_idle(scenario), "the layout is not this scenario's");
    let mut s = Trial::new(scenario, seed, trial, SPARE.take().unwrap_or_default());
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
        return finish(s, layout, out);
    }
    closes::open_pipeline(&mut s);
    for t in 0..months {
        let mut put = |metric: usize, t: usize, v: f64| out[metric * months + t] = v;
        supply::start_month(&mut s, t, &mut put);
        kpis::measure(&mut s, t, &mut put);
        demand::generate(&mut s, t, &mut put);
        supply::plan(&mut s, t, &mut put);
        let before = arr;
        arr = reconcile::month(&mut s, layout, arr, t, &mut put);
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
    finish(s, layout, out);
}

/// The value of the won deals open at the start (`[[pipeline]]`) that close in month
/// `t`: their part of the month's bookings, summed over the segments in the order
/// [`reconcile::month`] sums the bookings, so that it equals them bit for bit when
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

/// The end of a trial: its scalars, and its buffers kept for the thread's next trial.
fn finish(s: Trial<'_>, layout: &Layout, out: &mut [f64]) {
    write_scalars(&s, layout, out);
    SPARE.set(Some(Buffers {
        params: s.p,
        inputs: s.inputs,
        roles: s.roles,
        segments: s.segments,
        territory_reps: s.territory_reps,
        credits: s.credits,
        kpi_win_rate: s.kpis.win_rate,
        stages: s.stages,
        arr_history: s.arr_history,
        scratch: s.scratch,
    }));
}

impl<'a> Trial<'a> {
    /// A trial's state before its first month, in `spare`'s buffers.
    fn new(scenario: &'a Scenario, seed: u64, trial: u64, spare: Buffers) -> Trial<'a> {
        let months = scenario.months;
        let mix = &scenario.demand.segment_mix;
        let Buffers {
            params: mut p,
            mut inputs,
            mut roles,
            mut segments,
            mut territory_reps,
            mut credits,
            kpi_win_rate,
            stages,
            mut arr_history,
            scratch,
        } = spare;
        p.redraw(scenario, seed, trial, &mut inputs);
        roles.truncate(scenario.roles.len());
        for (r, spec) in scenario.roles.iter().enumerate() {
            match roles.get_mut(r) {
                Some(state) => state.reset(spec, scenario, months),
                None => roles.push(RoleState::new(spec, scenario, months)),
            }
        }
        let key = rng::trial_key(seed, trial);
        for (spec, state) in scenario.roles.iter().zip(roles.iter_mut()).filter(|(spec, _)| spec.skill.is_some()) {
            for p in &mut state.staff {
                (p.productivity, p.win) = skill_of(spec, key, p.id);
            }
        }
        segments.truncate(scenario.segments.len());
        for k in 0..scenario.segments.len() {
            let arr = scenario.company.arr * mix.get(k).copied().unwrap_or(0.0);
            match segments.get_mut(k) {
                Some(seg) => seg.reset(months, arr),
                None => segments.push(SegmentState::new(months, arr)),
            }
        }
        credits.truncate(months);
        credits.iter_mut().for_each(Vec::clear);
        credits.resize_with(months, Vec::new);
        arr_history.clear();
        arr_history.reserve(months);
        territory_reps.clear();
        territory_reps.resize(scenario.territories.len(), 0);
        let mut t = Trial {
            scenario,
            key,
            roles,
            segments,
            territory_reps,
            credits,
            kpis: kpis::Kpis::new(scenario, kpi_win_rate),
            stages: hiring::StageState::initial(scenario, stages),
            forecast: forecast::Tracker::default(),
            arr_history,
            support_coverage: 1.0,
            sales_comp_total: 0.0,
            attainment: [0.0; metrics::ATTAINMENT_BINS],
            actual_gap: 0.0,
            scratch,
            p,
            inputs,
        };
        for r in 0..t.roles.len() {
            for i in 0..t.roles[r].staff.len() {
                supply::assign_territory(&mut t, r, i);
            }
            let spec = &scenario.roles[r];
            if let Some(plan) = spec.comp_plan.map(|c| &scenario.comp_plans[c]) {
                let state = &mut t.roles[r];
                for person in &state.staff {
                    state.pay.join(plan, spec, scenario, person.id, person.start, 0);
                }
            }
        }
        t
    }
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

impl RoleState {
    /// The staff's ramped FTE in month `at`: the sum of each person's ramp at their
    /// tenure, as adding them one by one from the oldest gives it. The staff are oldest
    /// first, so those ramped fully (a ramp of exactly 1) come first, and their sum is
    /// their count: only the others are looked up.
    fn fte_at(&self, role: &Role, at: i64) -> f64 {
        debug_assert!(self.staff.is_sorted_by_key(|p| p.start));
        let curve = role.ramp.len() as i64;
        let ramped = self.staff.partition_point(|p| at - p.start >= curve);
        // A sum of doubles starts from -0, as `Iterator::sum` does.
        let first = if ramped == 0 { -0.0 } else { ramped as f64 };
        self.staff[ramped..].iter().fold(first, |sum, p| sum + role.ramp_at(at - p.start))
    }

    fn new(role: &Role, scenario: &Scenario, months: usize) -> RoleState {
        let mut state = RoleState {
            staff: Vec::new(),
            arrivals: Vec::new(),
            arrivals_end: 0,
            open_reqs: 0,
            next_id: 0,
            pay: comp::Ledgers::default(),
            ahead: hiring::Ahead::default(),
        };
        state.reset(role, scenario, months);
        state
    }

    /// The role's state before the first month: its headcount and the hires planned
    /// before the start on staff, oldest first; no requisitions; empty ledgers.
    fn reset(&mut self, role: &Role, scenario: &Scenario, months: usize) {
        self.staff.clear();
        let person = |start| Person { start, id: 0, territory: NO_TERRITORY, productivity: 1.0, win: 1.0 };
        self.staff.extend(std::iter::repeat_n(person(LONG_AGO), role.headcount as usize));
        for &(offset, n) in role.hires.iter().filter(|(o, _)| *o < 0) {
            self.staff.extend(std::iter::repeat_n(person(offset), n as usize));
        }
        self.staff.sort_unstable_by_key(|p| p.start);
        for (i, p) in self.staff.iter_mut().enumerate() {
            p.id = i as u32;
        }
        self.next_id = self.staff.len() as u32;
        let len = months + ARRIVALS_PAST_HORIZON + 1;
        if self.arrivals.len() == len {
            // Only the months the last trial filled (a few, against over a thousand).
            self.arrivals[..self.arrivals_end].fill(0);
        } else {
            self.arrivals.clear();
            self.arrivals.resize(len, 0);
        }
        self.arrivals_end = 0;
        self.open_reqs = 0;
        self.pay.clear();
        self.ahead = hiring::Ahead::of(role, scenario);
    }
}

impl SegmentState {
    fn new(months: usize, arr: f64) -> SegmentState {
        let mut seg = SegmentState {
            closing: Vec::new(),
            beyond_value: 0.0,
            beyond_count: 0,
            demand: 0,
            demand_history: Vec::new(),
            capacity: 0,
            reps: Vec::new(),
            arr,
            window: Window::default(),
        };
        seg.reset(months, arr);
        seg
    }

    /// The segment before the first month: nothing open, ARR `arr`.
    fn reset(&mut self, months: usize, arr: f64) {
        self.closing.clear();
        self.closing.resize(months, Closing::default());
        self.beyond_value = 0.0;
        self.beyond_count = 0;
        self.demand = 0;
        self.demand_history.clear();
        self.demand_history.reserve(months);
        self.capacity = 0;
        self.reps.clear();
        self.arr = arr;
        self.window = Window::default();
    }
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
