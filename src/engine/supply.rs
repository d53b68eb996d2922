//! Supply: who is on staff, how far ramped, what they can carry, and who leaves.
//!
//! Hires start on the first day of their month (planned ones from `hires`, backfills
//! when their requisition is filled). A person's productivity is the role's ramp curve
//! at their tenure. A closer works `ramp x opportunities_per_month` opportunities, the
//! fractional part with that probability. At the end of the month planned exits take
//! the longest-tenured first, then each remaining person leaves with the monthly
//! attrition probability; leavers are counted in the month they leave.

use rand::RngExt;

use crate::scenario::{RoleKind, Scenario};

use super::metrics::{Layout, role};
use super::params::TrialParams;
use super::rng::{Process, name_key, stream};
use super::{RoleState, SegmentState};

/// Starts of month `t`: planned hires and filled requisitions join the staff.
pub fn start_month(scenario: &Scenario, roles: &mut [RoleState], t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    for (r, (spec, state)) in scenario.roles.iter().zip(roles.iter_mut()).enumerate() {
        let planned: u32 = spec.hires.iter().filter(|(o, _)| *o == t as i64).map(|(_, n)| *n).sum();
        let filled = state.backfill_arrivals[t];
        state.open_reqs -= filled;
        let arriving = planned + filled;
        state.staff.extend(std::iter::repeat_n(t as i64, arriving as usize));
        put(Layout::role_metric(r, role::HIRES), t, f64::from(arriving));
    }
}

/// Supply of month `t`: records headcount and ramped FTE, sets each segment's
/// capacity, then takes this month's leavers off the staff. Returns leavers by role.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    scenario: &Scenario,
    p: &TrialParams,
    roles: &mut [RoleState],
    segments: &mut [SegmentState],
    seed: u64,
    trial: u64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> Vec<u32> {
    segments.iter_mut().for_each(|s| s.capacity = 0);
    let mut leavers = Vec::with_capacity(roles.len());
    for (r, (spec, state)) in scenario.roles.iter().zip(roles.iter_mut()).enumerate() {
        let key = name_key(&spec.id);
        put(Layout::role_metric(r, role::HEADCOUNT), t, state.staff.len() as f64);
        put(Layout::role_metric(r, role::RAMPED), t, state.productivity(spec, t).sum());

        if let (RoleKind::Closer, Some(s)) = (spec.kind, spec.segment) {
            let mut rng = stream(seed, trial, Process::Capacity, key, t as u64);
            let per_rep = p.opportunities_per_month[r];
            let capacity: u64 = state
                .productivity(spec, t)
                .map(|x| {
                    let c = x * per_rep;
                    let whole = c.floor();
                    let frac = c - whole;
                    whole as u64 + u64::from(frac > 0.0 && rng.random::<f64>() < frac)
                })
                .sum();
            segments[s].capacity += capacity;
        }

        let planned: u32 = spec.departures.iter().filter(|(m, _)| *m == t).map(|(_, n)| *n).sum();
        let planned = (planned as usize).min(state.staff.len());
        state.staff.drain(..planned);
        let h = p.monthly_attrition[r];
        let before = state.staff.len();
        if h > 0.0 {
            let mut rng = stream(seed, trial, Process::Attrition, key, t as u64);
            state.staff.retain(|_| rng.random::<f64>() >= h);
        }
        leavers.push((planned + before - state.staff.len()) as u32);
    }
    leavers
}
