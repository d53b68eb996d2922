//! Hiring: requisitions under each role's policy, and the sales-ops hires of ARR stages.
//!
//! `backfill` opens a requisition per departure. `capacity` also looks ahead
//! `L = round(mean time to hire) + ramp months` (as `ramp_months` counts them: the curve
//! and the first month at full productivity) and opens requisitions for the gap
//! between the heads the role will need in `t + L` and the heads it will have:
//! - closers need `max(D / (u x o) - others, territory heads - others)`, with `D` the
//!   segment's projected demand (measured demand of the last 3 months, deseasonalised,
//!   times the season of `t + L` and the expected growth to it), `u` the target
//!   utilisation, `o` opportunities per ramped rep, `others` what the segment's other
//!   closer roles will supply, and territory heads `sum ceil(accounts / accounts_per_rep)`;
//! - support needs its projected service-weighted ARR (growing at the measured rate of
//!   the last 3 months) over `arr_per_head`;
//! - managers need the managed roles' staff plus open requisitions over the span.
//!
//! What the role will have in `t + L` is its staff's ramp at `t + L` plus the
//! requisitions due by then at their ramp; departures are met by their backfills, so
//! attrition is not discounted twice. Requisitions are opened
//! for `ceil(need - have)`, at most `max_hires_per_month` a month and within the
//! headcount budget; each draws its time to hire.

use crate::scenario::{Policy, Role, RoleKind, Scenario};

use super::metrics::{Layout, role};
use super::rng::{Process, name_key, trial_stream};
use super::state::{ARRIVALS_PAST_HORIZON, Trial};

/// Months of measured demand the capacity policy projects from.
const DEMAND_WINDOW: usize = 3;

/// Most heads `needed.<role>` reports. A need is a quotient (demand over a draw of
/// opportunities per month, a load over ARR per head) compounded over the look-ahead,
/// so a tiny draw or a steep measured growth can take it past the largest double; no
/// plan staffs a billion people, and the cap keeps means across trials finite.
pub const MAX_NEEDED: f64 = 1e9;

/// Most measured ARR growth a month the support projection compounds (100%, the most
/// `growth_per_month` takes): ARR that grew from a few dollars would otherwise project
/// past the largest double.
const MAX_MEASURED_GROWTH: f64 = 1.0;

/// An ARR stage during a trial.
#[derive(Debug, Clone, Copy)]
pub struct StageState {
    /// Consecutive months with ARR at or above the threshold.
    run: u32,
    /// Month reached (negative: before the start).
    reached: Option<i64>,
    /// Month its hire starts (negative: on staff at the start).
    arrival: Option<i64>,
}

impl StageState {
    /// Stages the starting ARR already meets count as reached, their hire on staff (in
    /// `into`'s buffer).
    pub fn initial(scenario: &Scenario, mut into: Vec<StageState>) -> Vec<StageState> {
        into.clear();
        into.extend(scenario.stages.iter().map(|st| {
            let met = scenario.company.arr >= st.from_arr;
            StageState { run: 0, reached: met.then_some(-1), arrival: met.then_some(-1) }
        }));
        into
    }
}

/// Updates the stages with month `t`'s ARR, records `stage` and `reached.*`, opens the
/// stage hires' requisitions, and returns the month's ops cost.
pub fn stages(s: &mut Trial<'_>, layout: &Layout, arr: f64, t: usize, put: &mut impl FnMut(usize, usize, f64)) -> f64 {
    let mut index = -1.0;
    let mut cost = 0.0;
    for (k, (spec, st)) in s.scenario.stages.iter().zip(s.stages.iter_mut()).enumerate() {
        st.run = if arr >= spec.from_arr { st.run + 1 } else { 0 };
        if st.reached.is_none() && st.run >= spec.months_above.max(1) {
            st.reached = Some(t as i64);
            let mut rng = trial_stream(s.key, Process::Hiring, name_key(&format!("stages.{}", spec.key)), t as u64);
            let delay =
                super::round(spec.time_to_hire_months.sample(&mut rng)).clamp(0.0, ARRIVALS_PAST_HORIZON as f64);
            st.arrival = Some(t as i64 + delay as i64);
        }
        if st.reached.is_some() {
            index = k as f64;
        }
        put(layout.first_stage + k, t, f64::from(u8::from(st.reached.is_some())));
        if st.arrival.is_some_and(|a| a <= t as i64) {
            cost += spec.annual_cost / 12.0;
        }
    }
    put(super::metrics::id::STAGE, t, index);
    cost
}

/// Opens the requisitions of month `t` (backfills for `leavers`, then the capacity
/// policy) and records `needed.<role>` and `capacity_gap.<role>`.
pub fn requisitions(s: &mut Trial<'_>, leavers: &[u32], t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    let scenario = s.scenario;
    for (r, spec) in scenario.roles.iter().enumerate() {
        // The month's stream is made only when a requisition opens.
        let mut rng = None;
        let mut open = |s: &mut Trial<'_>, n: u32| {
            for _ in 0..n {
                let rng = rng.get_or_insert_with(|| trial_stream(s.key, Process::Hiring, spec.stream, t as u64));
                let delay = super::round(spec.time_to_hire_months.sample(rng)).clamp(1.0, ARRIVALS_PAST_HORIZON as f64);
                let state = &mut s.roles[r];
                state.open_reqs += 1;
                let month = t + delay as usize;
                state.arrivals[month] += 1;
                state.arrivals_end = state.arrivals_end.max(month + 1);
            }
        };
        if spec.policy != Policy::Plan {
            open(s, leavers[r]);
        }
        let Some((needed, have)) = need(s, r, t) else {
            put(Layout::role_metric(r, role::NEEDED), t, f64::NAN);
            put(Layout::role_metric(r, role::GAP), t, f64::NAN);
            continue;
        };
        let needed = needed.min(MAX_NEEDED);
        put(Layout::role_metric(r, role::NEEDED), t, needed);
        put(Layout::role_metric(r, role::GAP), t, needed - have);
        if spec.policy == Policy::Capacity {
            let gap = (needed - have - 1e-9).ceil().max(0.0) as u64;
            let state = &s.roles[r];
            // Without a budget, a role keeps to its share of the staff the horizon allows.
            let budget = u64::from(spec.headcount_budget.unwrap_or(spec.default_budget));
            let room = budget.saturating_sub(state.staff.len() as u64 + u64::from(state.open_reqs));
            let n = gap.min(u64::from(spec.max_hires_per_month)).min(room) as u32;
            open(s, n);
        }
    }
}

/// The look-ahead of a role: months from opening a requisition to a fully ramped hire.
pub fn lookahead(spec: &Role) -> usize {
    super::round(spec.time_to_hire_months.mean()).clamp(0.0, ARRIVALS_PAST_HORIZON as f64) as usize + spec.ramp_months()
}

/// What role `r` will have in `t + L` in ramped FTE and in heads: its staff and the
/// requisitions due by then, at their ramp in `t + L`. Attrition is not discounted:
/// every departure opens its own backfill under this policy.
fn projected(s: &Trial<'_>, r: usize, t: usize) -> (f64, f64) {
    let spec = &s.scenario.roles[r];
    let state = &s.roles[r];
    let l = state.ahead.months;
    let at = (t + l) as i64;
    let mut fte = state.fte_at(spec, at);
    let mut heads = state.staff.len() as f64;
    // The months `t + 1 ..= t + l` of `arrivals`; none from `arrivals_end` on is non-zero.
    let months = (t + 1)..(t + 1 + l).min(state.arrivals.len());
    for m in months.start..months.end.min(state.arrivals_end) {
        let n = state.arrivals[m];
        fte += f64::from(n) * spec.ramp_at(at - m as i64);
        heads += f64::from(n);
    }
    if !months.is_empty() {
        // What adding the months without arrivals (0 each) does: a sum of -0 becomes +0.
        fte += 0.0;
    }
    (fte, heads)
}

/// Role `r`'s need and what it will have, in heads at `t + L`; `None` for roles whose
/// need is not modelled (SDRs, ops).
fn need(s: &Trial<'_>, r: usize, t: usize) -> Option<(f64, f64)> {
    let scenario = s.scenario;
    let spec = &scenario.roles[r];
    let (fte, heads) = projected(s, r, t);
    match spec.kind {
        RoleKind::Closer => {
            let k = spec.segment?;
            let per_rep = s.p.opportunities_per_month[r];
            let mut others_opps = 0.0;
            let mut others_heads = 0.0;
            for (o, other) in scenario.roles.iter().enumerate() {
                if o != r && other.kind == RoleKind::Closer && other.segment == Some(k) {
                    let (f, h) = projected(s, o, t);
                    others_opps += f * s.p.opportunities_per_month[o];
                    others_heads += h;
                }
            }
            let demand = projected_demand(s, k, t, &s.roles[r].ahead);
            let by_demand =
                if per_rep > 0.0 { (demand / spec.target_utilisation - others_opps).max(0.0) / per_rep } else { 0.0 };
            let territory_heads: f64 = scenario
                .territories
                .iter()
                .filter(|terr| terr.segment == k)
                .map(|terr| (terr.accounts as f64 / terr.accounts_per_rep).ceil())
                .sum();
            let by_territory = (territory_heads - others_heads).max(0.0);
            // Demand is met by ramped FTE; a hire at t + L is fully ramped, so one head
            // of the gap is one FTE. Territories are covered by heads.
            let fte_gap = by_demand - fte;
            let head_gap = by_territory - heads;
            Some(if fte_gap >= head_gap { (by_demand, fte) } else { (by_territory, heads) })
        }
        RoleKind::Support => {
            let load: f64 =
                scenario.segments.iter().zip(&s.segments).map(|(spec, seg)| seg.arr * spec.service_weight).sum();
            let n = s.arr_history.len();
            let growth = if n > DEMAND_WINDOW && s.arr_history[n - 1 - DEMAND_WINDOW] > 0.0 {
                (s.arr_history[n - 1] / s.arr_history[n - 1 - DEMAND_WINDOW]).powf(1.0 / DEMAND_WINDOW as f64) - 1.0
            } else {
                0.0
            };
            // Falling ARR (or a negative one's NaN) projects no growth.
            let growth = if growth > 0.0 { growth.min(MAX_MEASURED_GROWTH) } else { 0.0 };
            let load = load * (1.0 + growth).powi(s.roles[r].ahead.months as i32);
            let others: f64 = scenario
                .roles
                .iter()
                .enumerate()
                .filter(|(o, other)| *o != r && other.kind == RoleKind::Support)
                .map(|(o, other)| projected(s, o, t).0 * other.arr_per_head)
                .sum();
            Some(((load - others).max(0.0) / spec.arr_per_head, fte))
        }
        RoleKind::Manager => {
            let managed: f64 =
                spec.manages.iter().map(|&m| s.roles[m].staff.len() as f64 + f64::from(s.roles[m].open_reqs)).sum();
            Some(((managed / spec.span_of_control).ceil(), heads))
        }
        RoleKind::Sdr | RoleKind::Ops => None,
    }
}

/// Segment `k`'s opportunities in month `t + l`, projected from the demand measured in
/// the last [`DEMAND_WINDOW`] months (deseasonalised), the season of `t + l` and the
/// scenario's expected growth.
fn projected_demand(s: &Trial<'_>, k: usize, t: usize, ahead: &Ahead) -> f64 {
    let l = ahead.months;
    let scenario = s.scenario;
    let d = &scenario.demand;
    let season = |m: usize| d.seasonality[scenario.start.offset(m as i64).month0()];
    let history = &s.segments[k].demand_history;
    let from = (t + 1).saturating_sub(DEMAND_WINDOW);
    let (mut level, mut n) = (0.0, 0.0);
    for (m, &v) in history.iter().enumerate().take(t + 1).skip(from) {
        let f = season(m);
        if f > 0.0 {
            level += v / f;
            n += 1.0;
        }
    }
    if n == 0.0 {
        return 0.0;
    }
    // The level sits at the middle of the window; grow it to t + l.
    level / n * season(t + l) * ahead.growth[t - from]
}

/// A role's look-ahead and the expected demand growth over it, the same in every month
/// and trial: worked out once a trial instead of at each month's need.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ahead {
    /// [`lookahead`] of the role.
    pub months: usize,
    /// `g^(L + i/2)` for `i` = 0, 1, 2, with `g = max(0, 1 + mean growth_per_month)`:
    /// the growth from the middle of a window of `i + 1` months of measured demand to
    /// `t + L` (at most [`DEMAND_WINDOW`] months, so `i <= 2`).
    pub growth: [f64; DEMAND_WINDOW],
}

impl Ahead {
    /// A role's; the growth only for a closer (the one kind that projects demand).
    pub fn of(spec: &Role, scenario: &Scenario) -> Ahead {
        let months = lookahead(spec);
        let g = (1.0 + scenario.demand.growth_per_month.mean()).max(0.0);
        let growth = match spec.kind {
            RoleKind::Closer => std::array::from_fn(|i| g.powf(months as f64 + i as f64 / 2.0)),
            _ => [f64::NAN; DEMAND_WINDOW],
        };
        Ahead { months, growth }
    }
}
