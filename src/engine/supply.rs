//! Supply: who is on staff, how far ramped, what they can carry, and who leaves.
//!
//! Hires start on the first day of their month (planned ones from `hires`, requisitions
//! when they are filled); a new closer takes the least-covered territory of its segment.
//! A person's productivity is the role's ramp curve at their tenure. A closer works
//! `ramp x opportunities_per_month` opportunities, the fractional part with that
//! probability. Support staff serve `ramp x arr_per_head` of service-weighted ARR. At the
//! end of the month planned exits take the longest-tenured first, then each remaining
//! person leaves with the monthly attrition probability (times the plan's multiplier for
//! a rep below its attainment threshold); leavers are counted in the month they leave and
//! leave their territory uncovered until a new hire takes it.

use rand::RngExt;

use crate::scenario::RoleKind;

use super::comp;
use super::metrics::{Layout, id, role};
use super::rng::{Process, trial_stream};
use super::state::{Closer, Person, Trial, skill_of};

/// Starts of month `t`: plan years restart, planned hires and filled requisitions join.
pub fn start_month(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    let scenario = s.scenario;
    for (r, spec) in scenario.roles.iter().enumerate() {
        let plan = spec.comp_plan.map(|c| &scenario.comp_plans[c]);
        if let Some(plan) = plan
            && t > 0
            && comp::starts_year(plan, scenario, t)
        {
            let state = &mut s.roles[r];
            for person in &state.staff {
                state.pay.join(plan, spec, scenario, person, t);
            }
        }
        let planned: u32 = spec.hires.iter().filter(|(o, _)| *o == t as i64).map(|(_, n)| *n).sum();
        let state = &mut s.roles[r];
        let filled = state.arrivals[t];
        state.open_reqs -= filled;
        let arriving = planned + filled;
        for _ in 0..arriving {
            let (productivity, win) = skill_of(spec, s.key, state.next_id);
            let person = Person { start: Some(t as i64), id: state.next_id, territory: None, productivity, win };
            state.next_id += 1;
            state.staff.push(person);
            if let Some(plan) = plan {
                state.pay.join(plan, spec, scenario, &person, t);
            }
        }
        let first_new = s.roles[r].staff.len() - arriving as usize;
        for i in first_new..s.roles[r].staff.len() {
            assign_territory(s, r, i);
        }
        put(Layout::role_metric(r, role::HIRES), t, f64::from(arriving));
    }
}

/// Gives person `i` of role `r` the least-covered territory of its segment (ties: the
/// first in file order), if the role is a closer and its segment has territories.
pub fn assign_territory(s: &mut Trial<'_>, r: usize, i: usize) {
    let spec = &s.scenario.roles[r];
    let (RoleKind::Closer, Some(segment)) = (spec.kind, spec.segment) else { return };
    let best = s
        .scenario
        .territories
        .iter()
        .enumerate()
        .filter(|(_, terr)| terr.segment == segment)
        .map(|(k, terr)| (k, f64::from(s.territory_reps[k]) * terr.accounts_per_rep / terr.accounts as f64))
        .fold(None, |best: Option<(usize, f64)>, (k, c)| match best {
            Some((_, bc)) if bc <= c => best,
            _ => Some((k, c)),
        });
    if let Some((k, _)) = best {
        s.territory_reps[k] += 1;
        s.roles[r].staff[i].territory = Some(k as u32);
    }
}

/// Supply of month `t`: records headcount and ramped FTE, sets each segment's capacity
/// and its closers' shares of it, and support coverage.
pub fn plan(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    let (scenario, key) = (s.scenario, s.key);
    for seg in s.segments.iter_mut() {
        seg.capacity = 0;
        seg.reps.clear();
    }
    let (mut sdrs, mut ramped_closers, mut support_capacity, mut has_support) = (0.0, 0.0, 0.0, false);
    for (r, (spec, state)) in scenario.roles.iter().zip(&s.roles).enumerate() {
        let ramped: f64 = state.fte_at(spec, t as i64);
        put(Layout::role_metric(r, role::HEADCOUNT), t, state.staff.len() as f64);
        put(Layout::role_metric(r, role::RAMPED), t, ramped);
        match spec.kind {
            RoleKind::Sdr => sdrs += state.staff.len() as f64,
            RoleKind::Support => {
                has_support = true;
                support_capacity += ramped * spec.arr_per_head;
            }
            _ => {}
        }
        if let (RoleKind::Closer, Some(k)) = (spec.kind, spec.segment) {
            ramped_closers += ramped;
            // Seeded at the first fractional capacity: whole capacities draw nothing.
            let mut rng = None;
            let per_rep = s.p.opportunities_per_month[r];
            let seg = &mut s.segments[k];
            for person in &state.staff {
                // Not negative (a ramp times a non-negative draw): its whole part is a cast,
                // without the maths library's `floor`.
                let c = spec.ramp_at(person.tenure(t as i64)) * per_rep * person.productivity;
                let whole = c as u64;
                let frac = c - whole as f64;
                let extra = frac > 0.0 && {
                    let rng = rng.get_or_insert_with(|| trial_stream(key, Process::Capacity, spec.stream, t as u64));
                    rng.random::<f64>() < frac
                };
                let cap = whole + u64::from(extra);
                seg.capacity += cap;
                seg.reps.push(Closer { role: r, person: person.id, capacity: cap, win: person.win });
            }
        }
    }
    s.kpis.last_sdrs = sdrs;
    s.kpis.last_ramped_closers = ramped_closers;
    s.support_coverage = if has_support {
        let load: f64 =
            scenario.segments.iter().zip(&s.segments).map(|(spec, seg)| seg.arr * spec.service_weight).sum();
        if load > 0.0 { (support_capacity / load).min(1.0) } else { 1.0 }
    } else {
        1.0
    };
    put(id::SUPPORT_COVERAGE, t, if has_support { s.support_coverage } else { f64::NAN });
}

/// End of month `t`: planned exits, then attrition. Writes leavers by role into `leavers`.
pub fn exits(s: &mut Trial<'_>, t: usize, leavers: &mut Vec<u32>) {
    let (scenario, key) = (s.scenario, s.key);
    leavers.clear();
    let territory_reps = &mut s.territory_reps;
    let mut free = |person: &Person| {
        if let Some(k) = person.territory {
            territory_reps[k as usize] -= 1;
        }
    };
    for (r, spec) in scenario.roles.iter().enumerate() {
        let state = &mut s.roles[r];
        let planned: u32 = spec.departures.iter().filter(|(m, _)| *m == t).map(|(_, n)| *n).sum();
        let planned = (planned as usize).min(state.staff.len());
        state.staff.drain(..planned).for_each(|p| free(&p));
        let before = state.staff.len();
        let h = s.p.monthly_attrition[r];
        let low = spec.comp_plan.and_then(|c| scenario.comp_plans[c].low_attainment_attrition);
        if h > 0.0 {
            let mut rng = trial_stream(key, Process::Attrition, spec.stream, t as u64);
            let pay = &state.pay;
            state.staff.retain(|person| {
                let hazard = match low {
                    Some((below, m))
                        if spec.ramp_at(person.tenure(t as i64)) >= 1.0 && pay.attainment(person.id) < below =>
                    {
                        (h * m).min(1.0)
                    }
                    _ => h,
                };
                let stays = rng.random::<f64>() >= hazard;
                if !stays {
                    free(person);
                }
                stays
            });
        }
        leavers.push((planned + before - state.staff.len()) as u32);
    }
}
