//! Reconcile: match demand to capacity, close deals, book ARR, open requisitions.
//!
//! Each segment works `min(demand, capacity)` opportunities; the rest is lost and
//! counted. Every worked opportunity draws, in this order, whether it will be won
//! (probability = the trial's win rate, so the month's wins are Binomial), its size and
//! its cycle in whole months; it closes `cycle` months later. ARR follows
//! `ARR[t] = ARR[t-1] x (1 - churn + expansion) + bookings[t]`. Each departure of a role
//! with `backfill = true` opens a requisition filled after its time to hire.

use rand::RngExt;

use crate::scenario::Scenario;

use super::metrics::{Layout, id, role};
use super::params::TrialParams;
use super::rng::{Process, name_key, stream};
use super::{Kpis, RoleState, SegmentState};

/// Reconciles month `t` and returns the ARR at its end.
#[allow(clippy::too_many_arguments)]
pub fn month(
    scenario: &Scenario,
    p: &TrialParams,
    kpis: &Kpis,
    roles: &mut [RoleState],
    segments: &mut [SegmentState],
    leavers: &[u32],
    arr_before: f64,
    seed: u64,
    trial: u64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> f64 {
    let months = scenario.months;
    let (mut capacity, mut worked_total, mut lost_total) = (0u64, 0u64, 0u64);
    let (mut bookings, mut won, mut closed) = (0.0, 0u32, 0u32);
    let (mut pipeline, mut weighted) = (0.0, 0.0);
    for (s, (spec, seg)) in scenario.segments.iter().zip(segments.iter_mut()).enumerate() {
        let worked = seg.demand.min(seg.capacity);
        capacity += seg.capacity;
        worked_total += worked;
        lost_total += seg.demand - worked;
        let mut rng = stream(seed, trial, Process::Deals, name_key(&spec.name), t as u64);
        let win_rate = p.win_rate[s];
        for _ in 0..worked {
            let is_won = rng.random::<f64>() < win_rate;
            let size = spec.deal_size.sample(&mut rng);
            let cycle = spec.cycle_months.sample(&mut rng).round();
            let close = t as f64 + cycle;
            if close >= months as f64 {
                seg.beyond_value += size;
                continue;
            }
            let close = close as usize;
            seg.closing[close] += 1;
            seg.closing_value[close] += size;
            if is_won {
                seg.closing_won[close] += 1;
                seg.closing_won_value[close] += size;
            }
        }
        bookings += seg.closing_won_value[t];
        won += seg.closing_won[t];
        closed += seg.closing[t];
        let open: f64 = seg.closing_value[t + 1..].iter().sum::<f64>() + seg.beyond_value;
        pipeline += open;
        weighted += open * kpis.win_rate[s];
    }
    put(id::OPP_CAPACITY, t, capacity as f64);
    put(id::OPP_WORKED, t, worked_total as f64);
    put(id::OPP_LOST, t, lost_total as f64);
    put(id::BOOKINGS, t, bookings);
    put(id::WON, t, f64::from(won));
    put(id::CLOSED, t, f64::from(closed));
    put(id::WIN_RATE, t, if closed > 0 { f64::from(won) / f64::from(closed) } else { f64::NAN });
    put(id::PIPELINE, t, pipeline);
    put(id::WEIGHTED, t, weighted);

    let churned = arr_before * p.churn;
    let expansion = arr_before * p.expansion;
    put(id::CHURNED, t, churned);
    put(id::EXPANSION, t, expansion);

    for (r, (spec, state)) in scenario.roles.iter().zip(roles.iter_mut()).enumerate() {
        let n = leavers[r];
        if spec.backfill && n > 0 {
            let mut rng = stream(seed, trial, Process::Hiring, name_key(&spec.id), t as u64);
            for _ in 0..n {
                let delay = spec.time_to_hire_months.sample(&mut rng).round().max(1.0);
                state.open_reqs += 1;
                let arrival = t as f64 + delay;
                if arrival < months as f64 {
                    state.backfill_arrivals[arrival as usize] += 1;
                }
            }
        }
        put(Layout::role_metric(r, role::DEPARTURES), t, f64::from(n));
        put(Layout::role_metric(r, role::OPEN_REQS), t, f64::from(state.open_reqs));
    }
    arr_before * (1.0 - p.churn + p.expansion) + bookings
}
