//! Reconcile, the month's last steps: the work and closes ([`deals`]) recorded, pay,
//! ARR, exits and requisitions, stages and the forecast ([`super::month`] lists them in
//! order).
//!
//! ARR follows `ARR[t] = ARR[t-1] x (1 - churn x u + expansion) + bookings[t]`, with `u`
//! the support uplift (1 without support roles).

use rand_distr::{Distribution, StandardNormal};

use crate::scenario::{RoleKind, Scenario};

use super::metrics::{self, Layout, id, role};
use super::rng::{Process, trial_stream};
use super::state::Trial;
use super::{comp, deals, demand, hiring, ratio, supply};

/// Month `t`'s work and closes ([`deals::work_month`]), recorded; the figures the KPIs
/// of next month measure from kept. Returns them.
pub fn work(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) -> deals::Month {
    let w = deals::work_month(s, t);
    put(id::OPP_CAPACITY, t, w.capacity as f64);
    put(id::OPP_WORKED, t, w.worked as f64);
    put(id::OPP_LOST, t, w.lost as f64);
    put(id::BOOKINGS, t, w.bookings);
    put(id::WON, t, f64::from(w.won));
    put(id::CLOSED, t, f64::from(w.closed));
    put(id::WIN_RATE, t, if w.closed > 0 { f64::from(w.won) / f64::from(w.closed) } else { f64::NAN });
    put(id::PIPELINE, t, w.pipeline);
    put(id::WEIGHTED, t, w.weighted);
    s.kpis.last_pipeline = w.pipeline;
    s.kpis.last_open = f64::from(w.open);
    s.kpis.last_worked = w.worked as f64;
    s.kpis.last_capacity = w.capacity as f64;
    w
}

/// Month `t`'s pay: the won deals closing now credited to their reps, then every role
/// with a comp plan paid (3.7); the cost of sales against the month's `bookings`.
pub fn pay(s: &mut Trial<'_>, bookings: f64, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    for credit in &s.credits[t] {
        s.roles[credit.role].pay.credit(credit.person, credit.value);
    }
    let (comp_cost, sales_comp) = pay_roles(s, t, put);
    put(id::COMP_COST, t, comp_cost);
    put(id::COST_OF_SALES, t, ratio(sales_comp, bookings));
    s.sales_comp_total += sales_comp;
}

/// Month `t`'s ARR from last month's `arr_before` and the month's `bookings`, by
/// segment too (their bookings in `s.scratch.bookings`); returns the company's.
pub fn arr(
    s: &mut Trial<'_>,
    arr_before: f64,
    bookings: f64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> f64 {
    let churn = churn_rate(s);
    let expansion = s.p.expansion;
    put(id::CHURNED, t, arr_before * churn);
    put(id::EXPANSION, t, arr_before * expansion);
    for (seg, b) in s.segments.iter_mut().zip(&s.scratch.bookings) {
        seg.arr = seg.arr * (1.0 - churn + expansion) + b;
    }
    arr_before * (1.0 - churn + expansion) + bookings
}

/// The end of month `t` for the staff: exits (planned, then attrition), requisitions
/// (backfill and the capacity policy), and the territories' coverage after them.
pub fn people(s: &mut Trial<'_>, layout: &Layout, t: usize, put: &mut impl FnMut(usize, usize, f64)) {
    // Taken out for the steps that take the whole trial (a move of one vector).
    let mut leavers = std::mem::take(&mut s.scratch.leavers);
    supply::exits(s, t, &mut leavers);
    hiring::requisitions(s, &leavers, t, put);
    for (r, n) in leavers.iter().enumerate() {
        put(Layout::role_metric(r, role::DEPARTURES), t, f64::from(*n));
        put(Layout::role_metric(r, role::OPEN_REQS), t, f64::from(s.roles[r].open_reqs));
    }
    s.scratch.leavers = leavers;
    for (k, terr) in s.scenario.territories.iter().enumerate() {
        put(layout.first_coverage + k, t, demand::coverage(s.territory_reps[k], terr.accounts_per_rep, terr.accounts));
    }
}

/// The end of month `t` with ARR `arr` and `bookings`: the stages and their ops cost,
/// this month's forecast scored against its bookings, and next month's forecast from
/// the weighted pipeline due then.
pub fn stages_and_forecast(
    s: &mut Trial<'_>,
    layout: &Layout,
    arr: f64,
    bookings: f64,
    next_weighted: f64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) {
    let ops_cost = hiring::stages(s, layout, arr, t, put);
    put(id::OPS_COST, t, ops_cost);
    let (forecast, error) = s.forecast.score(bookings);
    put(id::FORECAST, t, forecast);
    put(id::FORECAST_ERROR, t, error);
    if t + 1 < s.scenario.months {
        s.forecast.next = Some(forecast_next(s, next_weighted, t));
    }
}

/// The month's churn rate: the trial's, raised by the share of the support load not
/// covered. At most all of last month's ARR churns, however short of support the month is.
fn churn_rate(s: &Trial<'_>) -> f64 {
    let multiplier = s.scenario.company.churn_multiplier_unsupported;
    (s.p.churn * (1.0 + (multiplier - 1.0) * (1.0 - s.support_coverage))).min(1.0)
}

/// Month `t` of an idle trial (see [`super::is_idle`]): [`super::month`] where nothing is
/// demanded, worked, booked or paid, so that only ARR, its churn and expansion, the
/// stages and the forecast move. Writes those and returns the ARR at the month's end; the
/// other metrics keep the values every idle trial has.
pub fn idle_month(
    s: &mut Trial<'_>,
    layout: &Layout,
    arr_before: f64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> f64 {
    let months = s.scenario.months;
    // What `month` sums over the segments' empty ledgers.
    let (bookings, pipeline) = (0.0, 0.0);
    let next_weighted = if t + 1 < months { s.kpis.win_rate.iter().fold(0.0, |w, r| w + 0.0 * r) } else { 0.0 };
    s.kpis.last_pipeline = pipeline;
    let churn = churn_rate(s);
    let expansion = s.p.expansion;
    put(id::CHURNED, t, arr_before * churn);
    put(id::EXPANSION, t, arr_before * expansion);
    let arr = arr_before * (1.0 - churn + expansion) + bookings;
    stages_and_forecast(s, layout, arr, bookings, next_weighted, t, put);
    arr
}

/// The forecast of next month's bookings made at the end of month `t`.
fn forecast_next(s: &Trial<'_>, weighted: f64, t: usize) -> f64 {
    let sigma = s.p.forecast_noise;
    let noise = if sigma > 0.0 {
        let mut rng = trial_stream(s.key, Process::Forecast, 0, t as u64);
        let z: f64 = StandardNormal.sample(&mut rng);
        (sigma * z - sigma * sigma / 2.0).exp()
    } else {
        1.0
    };
    (weighted * (1.0 + s.p.forecast_bias) * noise).max(0.0)
}

/// Pays every role with a comp plan for month `t`, records the quota attainment rate,
/// and at a plan year's last month adds each quota carrier's attainment to the histogram.
/// Returns the cost of all roles and of the sales roles (closers, SDRs, managers).
fn pay_roles(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) -> (f64, f64) {
    let scenario: &Scenario = s.scenario;
    let (mut cost, mut sales, mut carriers, mut at_quota) = (0.0, 0.0, 0u32, 0u32);
    for (r, spec) in scenario.roles.iter().enumerate() {
        let Some(plan) = spec.comp_plan.map(|c| &scenario.comp_plans[c]) else { continue };
        let state = &mut s.roles[r];
        let month = comp::pay_month(plan, spec, &mut state.pay, &state.staff, t);
        put(Layout::role_metric(r, role::COMP_COST), t, month.cost);
        cost += month.cost;
        if matches!(spec.kind, RoleKind::Closer | RoleKind::Sdr | RoleKind::Manager) {
            sales += month.cost;
        }
        carriers += month.carriers;
        at_quota += month.at_quota;
        if spec.carries_quota(scenario) && comp::months_to_year_end(plan, scenario, t) == 0 {
            for person in state.staff.iter().filter(|p| comp::counts_for_attainment(spec, p, t)) {
                let x = state.pay.attainment(person.id);
                if x.is_finite() {
                    s.attainment[metrics::attainment_bin(x)] += 1.0;
                }
            }
        }
    }
    put(id::QUOTA_ATTAINMENT_RATE, t, if carriers > 0 { f64::from(at_quota) / f64::from(carriers) } else { f64::NAN });
    (cost, sales)
}
