//! The months of `[[actuals]]`: the plan plays them as it would have, their actual values
//! replace the plan's in the outputs (the plan's are kept as `plan.*`), and at the end of
//! the last one the trial's state becomes the real one: its ARR, headcounts and the
//! value of its open pipeline.
//!
//! Until the last month of actuals nothing of the state changes, so the `plan.*` metrics
//! are exactly those of a run of the scenario without actuals, and the trials' random
//! streams stay as they were (common random numbers: a re-forecast differs from the
//! plan by the actuals only).

use super::metrics::{Layout, id, open, role};
use super::state::{Person, Trial, skill_of};
use super::supply;

/// Records month `t` of the actuals into the trial's cells `out` and returns the ARR the
/// next month starts from: the plan's (`arr`) before the last month of actuals, the real
/// one after it (`last`). `arr_before` is the ARR the month started from.
pub fn record(
    s: &mut Trial<'_>,
    layout: &Layout,
    t: usize,
    arr_before: f64,
    arr: f64,
    out: &mut [f64],
    last: bool,
) -> f64 {
    let scenario = s.scenario;
    let months = layout.months;
    let actual = &scenario.actuals[t];
    let cell = |metric: usize| metric * months + t;
    let plan = layout.first_plan;
    let booked = out[cell(id::BOOKINGS)];
    out[cell(plan)] = arr;
    out[cell(plan + 1)] = booked;
    let open = out[cell(id::PIPELINE)];
    out[cell(plan + 2)] = open;
    if let Some(v) = actual.pipeline {
        out[cell(id::PIPELINE)] = v;
    }
    // The real ARR differs from the plan's by the bookings' differences so far, each
    // carried by the months' churn and expansion since, unless the month gives its ARR.
    let carried = if arr_before > 0.0 { (arr - booked) / arr_before } else { 1.0 };
    s.actual_gap = s.actual_gap * carried + actual.bookings.map_or(0.0, |b| b - booked);
    let real = actual.arr.unwrap_or_else(|| (arr + s.actual_gap).max(0.0));
    out[cell(id::ARR)] = real;
    out[cell(id::BOOKINGS)] = actual.bookings.unwrap_or(booked);
    if let (Some(first), Some(_)) = (layout.first_open, actual.bookings) {
        // The actual bookings are not split between the open pipeline and new deals.
        out[cell(first + open::BOOKINGS)] = f64::NAN;
    }
    for r in 0..scenario.roles.len() {
        let headcount = Layout::role_metric(r, role::HEADCOUNT);
        out[cell(plan + 3 + r)] = out[cell(headcount)];
        if let Some(n) = actual.headcount[r] {
            out[cell(headcount)] = f64::from(n);
        }
    }
    if !last {
        return arr;
    }
    // The last month that happened: from here the trial goes on from the real state.
    let shares: Vec<f64> = if arr > 0.0 {
        s.segments.iter().map(|seg| seg.arr / arr).collect()
    } else {
        scenario.demand.segment_mix.clone()
    };
    for (seg, share) in s.segments.iter_mut().zip(shares) {
        seg.arr = real * share;
    }
    for r in 0..scenario.roles.len() {
        if let Some(n) = actual.headcount[r] {
            set_headcount(s, r, n as usize, t);
        }
    }
    if let Some(v) = actual.pipeline
        && open > 0.0
    {
        scale_pipeline(s, t, v / open);
    }
    real
}

/// Scales the value of every opportunity open at the end of month `t` by `f`: the plan's
/// deals in flight (and the quota credit of the won ones), their number and timing
/// kept, worth what the real pipeline is.
fn scale_pipeline(s: &mut Trial<'_>, t: usize, f: f64) {
    for seg in &mut s.segments {
        for c in &mut seg.closing[t + 1..] {
            c.value *= f;
            c.won_value *= f;
            c.open_won_value *= f;
        }
        seg.beyond_value *= f;
    }
    for credits in &mut s.credits[t + 1..] {
        credits.iter_mut().for_each(|c| c.value *= f);
    }
}

/// Makes role `r`'s staff `n` at the end of month `t`: people the plan has too many of
/// leave newest first (they are the plan's hires that did not happen); people it lacks
/// join as hires of month `t`, ramping from it.
fn set_headcount(s: &mut Trial<'_>, r: usize, n: usize, t: usize) {
    let scenario = s.scenario;
    let spec = &scenario.roles[r];
    let had = s.roles[r].staff.len();
    for _ in n..had {
        if let Some(k) = s.roles[r].staff.pop().and_then(|person| person.territory) {
            s.territory_reps[k as usize] -= 1;
        }
    }
    let plan = spec.comp_plan.map(|c| &scenario.comp_plans[c]);
    for _ in had..n {
        let state = &mut s.roles[r];
        let (productivity, win) = skill_of(spec, s.key, state.next_id);
        let person = Person { start: Some(t as i64), id: state.next_id, territory: None, productivity, win };
        state.next_id += 1;
        state.staff.push(person);
        if let Some(plan) = plan {
            state.pay.join(plan, spec, scenario, &person, t);
        }
        let i = s.roles[r].staff.len() - 1;
        supply::assign_territory(s, r, i);
    }
}
