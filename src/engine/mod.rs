//! One trial of the organisation, month by month: gather, demand, supply, reconcile.
//!
//! [`run_trial`] plays a validated [`Scenario`] forward for one trial index and writes
//! every metric of every month into a flat buffer (see [`metrics`]). It owns no threads
//! and prints nothing: the runner calls it from many threads, and the result depends
//! only on the scenario, the seed and the trial index.

mod comp;
pub mod forecast;
pub mod metrics;
pub mod params;
pub mod rng;

mod demand;
mod gather;
mod hiring;
mod reconcile;
mod supply;

use crate::scenario::{Role, Scenario};

use metrics::{Layout, id};
use params::TrialParams;

/// Start month of staff who were on board before the plan (fully ramped, longest tenure).
const LONG_AGO: i64 = -1_000_000;

/// Territory index of a person who covers none.
const NO_TERRITORY: u32 = u32::MAX;

/// Months past the horizon that requisition arrivals are kept for (so that the
/// capacity policy sees hires that arrive after the last month).
const ARRIVALS_PAST_HORIZON: usize = 2 * crate::scenario::MAX_MONTHS as usize;

/// One person on staff.
#[derive(Debug, Clone, Copy)]
struct Person {
    /// Start month (negative: before the plan).
    start: i64,
    /// Id within the role, never reused; indexes the role's per-person ledgers.
    id: u32,
    /// Territory index, or [`NO_TERRITORY`].
    territory: u32,
}

/// One role's people during a trial.
#[derive(Debug, Clone)]
struct RoleState {
    /// The people on staff, oldest first.
    staff: Vec<Person>,
    /// Requisition hires arriving in each month (backfill and capacity), past the horizon too.
    arrivals: Vec<u32>,
    /// Requisitions opened and not yet filled.
    open_reqs: u32,
    /// Next person id.
    next_id: u32,
    /// Compensation ledgers by person id (empty for roles without a plan).
    pay: comp::Ledgers,
}

/// One segment's deals during a trial.
#[derive(Debug, Clone)]
struct SegmentState {
    /// Value of open opportunities that close in each month.
    closing_value: Vec<f64>,
    /// Value of won deals that close (are booked) in each month.
    closing_won_value: Vec<f64>,
    /// Opportunities that close in each month.
    closing: Vec<u32>,
    /// Won deals that close in each month.
    closing_won: Vec<u32>,
    /// Sum of the cycles (months) of the opportunities that close in each month.
    closing_cycles: Vec<f64>,
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
    /// This month's closers of the segment: (role, person id, opportunities they can work).
    reps: Vec<(usize, u32, u64)>,
    /// ARR of the segment's customers at the end of the previous month.
    arr: f64,
}

/// Everything a trial carries from month to month.
struct Trial<'a> {
    scenario: &'a Scenario,
    p: TrialParams,
    seed: u64,
    trial: u64,
    roles: Vec<RoleState>,
    segments: Vec<SegmentState>,
    /// Closers assigned to each territory.
    territory_reps: Vec<u32>,
    /// Won deals credited to reps at their close: by close month, (role, person id, value).
    credits: Vec<Vec<(usize, u32, f64)>>,
    kpis: gather::Kpis,
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
}

/// Runs trial `trial` of `scenario` with `seed`, writing into `out`
/// (`layout.cells()` values, metric-major).
pub fn run_trial(scenario: &Scenario, layout: &Layout, seed: u64, trial: u64, out: &mut [f64]) {
    let months = scenario.months;
    debug_assert_eq!(out.len(), layout.cells());
    let mut s = Trial::new(scenario, seed, trial);
    let mut arr = scenario.company.arr;
    let mut put = |metric: usize, t: usize, v: f64| out[metric * months + t] = v;

    for t in 0..months {
        supply::start_month(&mut s, t, &mut put);
        gather::measure(&mut s, t, &mut put);
        demand::generate(&mut s, t, &mut put);
        supply::plan(&mut s, t, &mut put);
        arr = reconcile::month(&mut s, layout, arr, t, &mut put);
        put(id::ARR, t, arr);
        s.arr_history.push(arr);
    }
    write_scalars(&s, layout, out);
}

impl<'a> Trial<'a> {
    fn new(scenario: &'a Scenario, seed: u64, trial: u64) -> Trial<'a> {
        let months = scenario.months;
        let p = TrialParams::draw(scenario, seed, trial);
        let mix = &scenario.demand.segment_mix;
        let segments = scenario
            .segments
            .iter()
            .enumerate()
            .map(|(s, _)| SegmentState::new(months, scenario.company.arr * mix.get(s).copied().unwrap_or(0.0)))
            .collect();
        let mut t = Trial {
            scenario,
            seed,
            trial,
            roles: scenario.roles.iter().map(|r| RoleState::new(r, months)).collect(),
            segments,
            territory_reps: vec![0; scenario.territories.len()],
            credits: vec![Vec::new(); months],
            kpis: gather::Kpis::new(scenario),
            stages: hiring::StageState::initial(scenario),
            forecast: forecast::Tracker::default(),
            arr_history: Vec::with_capacity(months),
            support_coverage: 1.0,
            sales_comp_total: 0.0,
            attainment: [0.0; metrics::ATTAINMENT_BINS],
            scratch: Scratch::default(),
            p,
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
/// the attainment histogram, and whether the target was hit.
fn write_scalars(s: &Trial<'_>, layout: &Layout, out: &mut [f64]) {
    let months = layout.months;
    let monthly = layout.monthly_cells();
    let sum = |m: usize| -> f64 { out[m * months..(m + 1) * months].iter().sum() };
    let (comp, ops, bookings) = (sum(id::COMP_COST), sum(id::OPS_COST), sum(id::BOOKINGS));
    let accuracy = s.forecast.accuracy();
    let mut values = Vec::with_capacity(layout.scalars.len());
    for (k, name) in layout.scalars.iter().enumerate() {
        values.push(match name.as_str() {
            metrics::TARGET_HIT => match &s.scenario.target {
                Some(target) => f64::from(u8::from(out[id::ARR * months + target.month] >= target.arr)),
                None => f64::NAN,
            },
            "comp_cost" => comp,
            "ops_cost" => ops,
            "cost_of_sales" => ratio(s.sales_comp_total, bookings),
            "forecast.mape" => accuracy.mape,
            "forecast.wape" => accuracy.wape,
            "forecast.bias" => accuracy.bias,
            _ if k >= layout.first_attainment && k < layout.first_attainment + metrics::ATTAINMENT_BINS => {
                s.attainment[k - layout.first_attainment]
            }
            _ => layout.index(name).map_or(f64::NAN, sum),
        });
    }
    out[monthly..].copy_from_slice(&values);
}

/// `a / b`, or NaN when `b` is not positive.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

impl RoleState {
    /// Each person's productivity in month `t`: the role's ramp at their tenure.
    fn productivity<'a>(&'a self, role: &'a Role, t: usize) -> impl Iterator<Item = f64> + 'a {
        self.staff.iter().map(move |p| role.ramp_at(t as i64 - p.start))
    }

    fn new(role: &Role, months: usize) -> RoleState {
        let mut starts = vec![LONG_AGO; role.headcount as usize];
        for &(offset, n) in role.hires.iter().filter(|(o, _)| *o < 0) {
            starts.extend(std::iter::repeat_n(offset, n as usize));
        }
        starts.sort_unstable();
        let staff: Vec<Person> = starts
            .into_iter()
            .enumerate()
            .map(|(i, start)| Person { start, id: i as u32, territory: NO_TERRITORY })
            .collect();
        RoleState {
            next_id: staff.len() as u32,
            staff,
            arrivals: vec![0; months + ARRIVALS_PAST_HORIZON + 1],
            open_reqs: 0,
            pay: comp::Ledgers::default(),
        }
    }
}

impl SegmentState {
    fn new(months: usize, arr: f64) -> SegmentState {
        SegmentState {
            closing_value: vec![0.0; months],
            closing_won_value: vec![0.0; months],
            closing: vec![0; months],
            closing_won: vec![0; months],
            closing_cycles: vec![0.0; months],
            beyond_value: 0.0,
            beyond_count: 0,
            demand: 0,
            demand_history: Vec::with_capacity(months),
            capacity: 0,
            reps: Vec::new(),
            arr,
        }
    }
}
