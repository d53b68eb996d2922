//! One trial of the organisation, month by month: gather, demand, supply, reconcile.
//!
//! [`run_trial`] plays a validated [`Scenario`] forward for one trial index and writes
//! every metric of every month into a flat buffer (see [`metrics`]). It owns no threads
//! and prints nothing: the runner calls it from many threads, and the result depends
//! only on the scenario, the seed and the trial index.

pub mod metrics;
mod params;
pub mod rng;

mod demand;
mod reconcile;
mod supply;

use crate::scenario::Scenario;

use metrics::{Layout, id};
use params::TrialParams;

/// Start month of staff who were on board before the plan (fully ramped, longest tenure).
const LONG_AGO: i64 = -1_000_000;

/// One role's people during a trial.
#[derive(Debug, Clone)]
struct RoleState {
    /// Start months of the people on staff, oldest first.
    staff: Vec<i64>,
    /// Backfill hires arriving in each month.
    backfill_arrivals: Vec<u32>,
    /// Requisitions opened and not yet filled.
    open_reqs: u32,
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
    /// Value of open opportunities that close after the horizon.
    beyond_value: f64,
    /// Opportunities demanded this month (inbound plus SDR-sourced).
    demand: u64,
    /// Opportunities the closers of the segment can work this month.
    capacity: u64,
}

/// What gather measured of the months before.
#[derive(Debug, Clone)]
struct Kpis {
    /// Win rate each segment has measured over its last 12 months of closes
    /// (the segment's expected win rate until a deal has closed).
    win_rate: Vec<f64>,
}

/// How many months of closes the measured win rate looks back over.
const WIN_RATE_WINDOW: usize = 12;

/// Runs trial `trial` of `scenario` with `seed`, writing into `out`
/// (`layout.cells()` values, metric-major).
pub fn run_trial(scenario: &Scenario, layout: &Layout, seed: u64, trial: u64, out: &mut [f64]) {
    let months = scenario.months;
    debug_assert_eq!(out.len(), layout.cells());
    let p = TrialParams::draw(scenario, seed, trial);

    let mut roles: Vec<RoleState> = scenario.roles.iter().map(|r| RoleState::new(r, months)).collect();
    let mut segments: Vec<SegmentState> = scenario.segments.iter().map(|_| SegmentState::new(months)).collect();
    let mut arr = scenario.company.arr;
    let mut kpis = Kpis { win_rate: scenario.segments.iter().map(|s| s.win_rate.mean()).collect() };
    let mut put = |metric: usize, t: usize, v: f64| out[metric * months + t] = v;

    for t in 0..months {
        supply::start_month(scenario, &mut roles, t, &mut put);
        gather(&segments, &mut kpis, t);
        demand::generate(scenario, &p, &roles, &mut segments, seed, trial, t, &mut put);
        let departures = supply::plan(scenario, &p, &mut roles, &mut segments, seed, trial, t, &mut put);
        arr = reconcile::month(
            scenario,
            &p,
            &kpis,
            &mut roles,
            &mut segments,
            &departures,
            arr,
            seed,
            trial,
            t,
            &mut put,
        );
        put(id::ARR, t, arr);
    }
    write_scalars(scenario, layout, out);
}

/// Per-trial scalars: horizon totals of some monthly metrics, and whether the target was hit.
fn write_scalars(scenario: &Scenario, layout: &Layout, out: &mut [f64]) {
    let months = layout.months;
    let monthly = layout.monthly_cells();
    for (s, name) in layout.scalars.iter().enumerate() {
        let value = if name == metrics::TARGET_HIT {
            match &scenario.target {
                Some(target) => f64::from(u8::from(out[id::ARR * months + target.month] >= target.arr)),
                None => f64::NAN,
            }
        } else {
            match layout.index(name) {
                Some(m) => out[m * months..(m + 1) * months].iter().sum(),
                None => f64::NAN,
            }
        };
        out[monthly + s] = value;
    }
}

/// Gather: the KPIs of the months before `t` that later steps decide from.
fn gather(segments: &[SegmentState], kpis: &mut Kpis, t: usize) {
    let from = t.saturating_sub(WIN_RATE_WINDOW);
    for (s, seg) in segments.iter().enumerate() {
        let closed: u32 = seg.closing[from..t].iter().sum();
        let won: u32 = seg.closing_won[from..t].iter().sum();
        if closed > 0 {
            kpis.win_rate[s] = f64::from(won) / f64::from(closed);
        }
    }
}

impl RoleState {
    /// Each person's productivity in month `t`: the role's ramp at their tenure.
    fn productivity<'a>(&'a self, role: &'a crate::scenario::Role, t: usize) -> impl Iterator<Item = f64> + 'a {
        self.staff.iter().map(move |start| role.ramp_at(t as i64 - start))
    }

    fn new(role: &crate::scenario::Role, months: usize) -> RoleState {
        let mut staff = vec![LONG_AGO; role.headcount as usize];
        for &(offset, n) in role.hires.iter().filter(|(o, _)| *o < 0) {
            staff.extend(std::iter::repeat_n(offset, n as usize));
        }
        staff.sort_unstable();
        RoleState { staff, backfill_arrivals: vec![0; months], open_reqs: 0 }
    }
}

impl SegmentState {
    fn new(months: usize) -> SegmentState {
        SegmentState {
            closing_value: vec![0.0; months],
            closing_won_value: vec![0.0; months],
            closing: vec![0; months],
            closing_won: vec![0; months],
            beyond_value: 0.0,
            demand: 0,
            capacity: 0,
        }
    }
}
