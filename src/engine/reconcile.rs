//! Reconcile: match demand to capacity, close deals, book ARR, pay, let people go, hire.
//!
//! Each segment works `min(demand, capacity)` opportunities; the rest is lost and
//! counted. The worked opportunities are shared among the segment's closers in
//! proportion to their capacity (largest remainders first). Every worked opportunity
//! draws, in this order, whether it will be won (probability = the trial's win rate, so
//! the month's wins are Binomial), its size and its cycle in whole months; it closes
//! `cycle` months later and is credited to the rep who worked it, if still on staff.
//! Where a segment's deals may stall (`stall_rate`) they never close, lost deals may
//! have their own cycle, and won closes may follow the fiscal quarter and the months'
//! shared shocks (`work_resolving`).
//! ARR follows `ARR[t] = ARR[t-1] x (1 - churn x u + expansion) + bookings[t]`, with `u`
//! the support uplift (1 without support roles). Then pay, exits, requisitions, stages
//! and the forecast for next month.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::scenario::{RoleKind, Scenario};

use super::metrics::{self, Layout, id, role};
use super::rng::{Process, Stream, trial_stream};
use super::{Credit, Trial, comp, demand, hiring, ratio, supply};

/// Puts the opportunities open at the start (`[[pipeline]]`) on their segments' closing
/// ledgers before the first month. Each draws, in this order, from its entry's own
/// stream: whether it will be won (the trial's win rate of its segment), its size, and
/// its cycle in whole months conditioned on being longer than its age, `C >= age + 1`
/// (it is still open), so that it closes in month `t = C - age - 1`. A deal older than
/// any cycle its segment's distribution allows is stale: no deal was ever won that late,
/// so it closes lost in the first month. Where deals may stall or lose over their own
/// cycle (or won closes are timed), the outcome is drawn instead in proportion to each
/// outcome's chance still ahead at the deal's age (won, lost or stalled), and the cycle
/// from that outcome's table. Deals open at the start credit no rep's quota.
pub fn open_pipeline(s: &mut Trial<'_>) {
    let scenario = s.scenario;
    let months = scenario.months;
    // The months' shared shocks on closing, once a trial, and the trial's own quarter
    // factors.
    let noise = scenario.company.close_noise;
    s.scratch.close_rates.clear();
    if scenario.company.shifts_closes() {
        let quarter = quarter_shifts(scenario, s.key);
        let phase = quarter_phase(scenario);
        s.scratch.close_rates.extend((0..months).map(|m| {
            let shock = if noise > 0.0 { noise * month_shock(s.key, m) } else { 0.0 };
            shock + quarter[(phase + m) % 3]
        }));
    }
    for entry in &scenario.pipeline {
        let spec = &scenario.segments[entry.segment];
        let cohort = -1 - i64::from(entry.age_months);
        let win_rate = cohort_win_rate(s.key, spec, cohort, s.p.win_rate[entry.segment]);
        let stall_rate = s.p.stall_rate[entry.segment];
        let seg = &mut s.segments[entry.segment];
        let mut rng = trial_stream(s.key, Process::Pipeline, entry.stream, 0);
        let still_open = entry.age_months.saturating_add(1);
        let mut ledger = Ledger {
            closing: &mut seg.closing[..months],
            beyond_value: &mut seg.beyond_value,
            beyond_count: &mut seg.beyond_count,
            open_at_start: true,
        };
        if spec.resolves_in_one_cycle() && !scenario.company.times_closes() {
            for _ in 0..entry.count {
                let is_won = rng.random::<f64>() < win_rate;
                let size = spec.deal_size.sample(&mut rng);
                let (cycle, is_won) = match spec.cycle.sample_at_least(&mut rng, still_open) {
                    Some(c) => (c, is_won),
                    None => (still_open, false),
                };
                book(&mut ledger, (cycle - still_open) as usize, size, cycle, is_won);
            }
            continue;
        }
        // Conditioned on being open at its age: won, lost or stalled in proportion to
        // each outcome's chance of still being ahead (3.5, 4.14).
        let lose_rate = (1.0 - win_rate - stall_rate).max(0.0);
        let stall_rate = 1.0 - win_rate - lose_rate;
        // Worked `still_open` months before the run's first month: the phase of the
        // quarter its cycle counts from.
        let phase = (quarter_phase(scenario) + 2 * (still_open as usize % 3)) % 3;
        let won_ahead = win_rate * spec.cycle_of(true, phase).probability_at_least(still_open);
        let lost_ahead = lose_rate * spec.cycle_of(false, phase).probability_at_least(still_open);
        let total = won_ahead + lost_ahead + stall_rate;
        let mut timing =
            Slip::new(&s.scratch.close_rates, || trial_stream(s.key, Process::PipelineTiming, entry.stream, 0));
        for _ in 0..entry.count {
            let u = rng.random::<f64>() * total;
            let size = spec.deal_size.sample(&mut rng);
            if !(total > 0.0) {
                // Older than any cycle, and no stall: stale, closed lost in the first month.
                let _ = spec.cycle.sample_at_least(&mut rng, still_open);
                book(&mut ledger, 0, size, still_open, false);
                continue;
            }
            let is_won = u < won_ahead;
            let stalled = u >= won_ahead + lost_ahead;
            let drawn = spec.cycle_of(is_won, phase).sample_at_least(&mut rng, still_open);
            match drawn {
                Some(cycle) if !stalled => {
                    let due = (cycle - still_open) as usize;
                    let close = if is_won { timing.close(due, 0, months) } else { due };
                    book(&mut ledger, close, size, (close + still_open as usize) as u32, is_won);
                }
                _ => stall(&mut ledger, size),
            }
        }
    }
}

/// Puts a deal that never closes in its segment's pipeline, beyond any horizon.
fn stall(ledger: &mut Ledger<'_>, size: f64) {
    *ledger.beyond_value += size;
    *ledger.beyond_count += 1;
}

/// The phase of the run's first month in the fiscal quarter (0: its first month).
fn quarter_phase(scenario: &Scenario) -> usize {
    (scenario.start.month0() + 12 - scenario.company.fiscal_year_start as usize) % 3
}

/// When won deals close under `company.close_noise` (3.5, "Timing of won closes"):
/// month `m` pulls in the won deals due the month after with the share
/// `r_m = close_noise x z_m` (`z_m` the month's shared standard normal), or, where
/// `r_m < 0`, pushes its own to the month after with the share `-r_m`. One uniform a
/// won deal.
struct Slip<'a> {
    /// Each month's `r_m` (empty without close noise).
    rates: &'a [f64],
    /// The stream of the deals' uniforms; `None` without close noise.
    rng: Option<Stream>,
}

impl<'a> Slip<'a> {
    /// The timing of the months' shares `rates`, drawing from `rng` (seeded only when
    /// there are shares).
    fn new(rates: &'a [f64], rng: impl FnOnce() -> Stream) -> Slip<'a> {
        Slip { rates, rng: (!rates.is_empty()).then(rng) }
    }

    /// The month a won deal worked in month `worked` and due in month `due` closes in
    /// (`months` or later: beyond the horizon): pulled into `due - 1` (never before the
    /// month it is worked), kept, or pushed to `due + 1`.
    #[inline]
    fn close(&mut self, due: usize, worked: usize, months: usize) -> usize {
        if self.rng.is_none() || due > months {
            return due;
        }
        let before = if due > worked { self.rates[due - 1].clamp(0.0, 1.0) } else { 0.0 };
        let push = if due < months { (-self.rates[due]).clamp(0.0, 1.0) } else { 0.0 };
        let Some(rng) = self.rng.as_mut() else { return due };
        let u = rng.random::<f64>();
        if u < before {
            due - 1
        } else if (u - before) < push * (1.0 - before) {
            due + 1
        } else {
            due
        }
    }
}

/// Month `m`'s shared standard normal of a trial, from the month's own stream, so that
/// every segment and the open pipeline see the same.
pub fn month_shock(key: u64, m: usize) -> f64 {
    let mut rng = trial_stream(key, Process::CloseShock, 0, m as u64);
    StandardNormal.sample(&mut rng)
}

/// The shares that move a trial's won closes from the quarter factors `f` to factors
/// drawn around them (3.5): `f_p + e_p` in phase `p`, with `e_0`, `e_1` normal of sd
/// `sd_p` from the trial's own stream and `e_2 = -e_0 - e_1` (the factors keep their
/// mean). Across the end of a phase-0 month move `e_0` of a month's flow, across the end
/// of a phase-1 month `e_0 + e_1`, and nothing across a quarter's end; a share `r` pulls
/// from the next month's deals due (`f_(p+1)` of the flow) or, below 0, pushes the
/// month's own (`f_p`), so `r_p` is the amount over that factor. Zeros without
/// `quarter_timing_sd`.
fn quarter_shifts(scenario: &Scenario, key: u64) -> [f64; 3] {
    let Some(q) = scenario.company.quarter_timing.as_ref().filter(|q| q.is_uncertain()) else {
        return [0.0; 3];
    };
    let mut rng = trial_stream(key, Process::CloseShock, 1, 0);
    let mut e = [0.0; 2];
    for (p, e) in e.iter_mut().enumerate() {
        let z: f64 = StandardNormal.sample(&mut rng);
        *e = z * q.sd[p];
    }
    let f = q.factors;
    let share = |moved: f64, p: usize| (moved / if moved >= 0.0 { f[p + 1] } else { f[p] }).clamp(-0.9, 0.9);
    [share(e[0], 0), share(e[0] + e[1], 1), 0.0]
}

/// The win rate `win_rate` of segment `spec`'s cohort `cohort` (the month its
/// opportunities were worked: `t` for month `t` of the run, `-1 - age` for those open at
/// the start at `age`) times the cohort's shared multiplier under `cohort_noise` (3.5):
/// lognormal of mean 1 and relative sd `cohort_noise`, `exp(s z - s^2 / 2)` with
/// `s^2 = ln(1 + cohort_noise^2)` and `z` the cohort's standard normal; at most 1.
/// Unchanged without the key.
pub fn cohort_win_rate(key: u64, spec: &crate::scenario::Segment, cohort: i64, win_rate: f64) -> f64 {
    let noise = spec.cohort_noise;
    if noise <= 0.0 {
        return win_rate;
    }
    let mut rng = trial_stream(key, Process::CohortShock, spec.stream, cohort.wrapping_add(1 << 32) as u64);
    let z: f64 = StandardNormal.sample(&mut rng);
    let s2 = noise.mul_add(noise, 1.0).ln();
    (win_rate * (s2.sqrt() * z - 0.5 * s2).exp()).min(1.0)
}

/// A segment's closing ledger: deals by close month, and those beyond the horizon.
struct Ledger<'s> {
    closing: &'s mut [super::Closing],
    beyond_value: &'s mut f64,
    beyond_count: &'s mut u32,
    /// Whether its deals were open at the start (`[[pipeline]]`): their won value is
    /// also booked as the open pipeline's.
    open_at_start: bool,
}

/// Puts a deal on its segment's closing ledger in month `close`, or beyond the horizon;
/// returns whether it closes within the horizon.
fn book(ledger: &mut Ledger<'_>, close: usize, size: f64, cycle: u32, is_won: bool) -> bool {
    if close >= ledger.closing.len() {
        *ledger.beyond_value += size;
        *ledger.beyond_count += 1;
        return false;
    }
    let slot = &mut ledger.closing[close];
    slot.count += 1;
    slot.value += size;
    slot.cycles += f64::from(cycle);
    if is_won {
        slot.won += 1;
        slot.won_value += size;
        if ledger.open_at_start {
            slot.open_won_value += size;
        }
    }
    true
}

/// A closer working opportunities this month: where their won deals are credited (if they
/// carry a quota), who they are, and their win rate.
struct Rep<'c> {
    credits: Option<&'c mut [Vec<Credit>]>,
    role: usize,
    person: u32,
    win_rate: f64,
}

/// Works `n` opportunities of `rep` in month `t`: each draws whether it is won, then
/// its size and cycle (`draw`), goes on the ledger, and if won within the horizon is
/// credited to the rep.
#[inline(always)]
fn work(
    rng: &mut Stream,
    n: u64,
    t: usize,
    rep: Rep<'_>,
    ledger: &mut Ledger<'_>,
    draw: impl Fn(&mut Stream) -> (f64, u32),
) {
    let Rep { mut credits, role, person, win_rate } = rep;
    for _ in 0..n {
        let is_won = rng.random::<f64>() < win_rate;
        let (size, cycle) = draw(rng);
        let close = t + cycle as usize;
        if book(ledger, close, size, cycle, is_won) && is_won {
            credit(credits.as_deref_mut(), close, role, person, size);
        }
    }
}

/// Credits `size` to a quota-carrying rep in month `close`.
#[inline(always)]
fn credit(credits: Option<&mut [Vec<Credit>]>, close: usize, role: usize, person: u32, size: f64) {
    let Some(credits) = credits else { return };
    // A rep's deals closing in the same month share one credit.
    let credits = &mut credits[close];
    match credits.last_mut() {
        Some(last) if last.0 == role && last.1 == person => last.2 += size,
        _ => credits.push((role, person, size)),
    }
}

/// [`work`] for a segment whose deals may stall or lose over their own cycle, or whose
/// closes follow the fiscal quarter: one uniform `u` gives the outcome (won below the
/// rep's win rate, stalled at or above `1 - stall_rate`, lost between), then the size
/// and the cycle of that outcome are drawn (a won deal's reweighted by the quarter it
/// ends in; a stalled deal draws its cycle too, so that the draws after it keep their
/// place), and a won deal may move a month with the close noise (`timing`). `phase` is
/// the month of the quarter of month `t`, counted from the run's first (see
/// [`QuarterTiming::timed`](crate::scenario::QuarterTiming::timed)).
#[allow(clippy::too_many_arguments)]
fn work_resolving(
    rng: &mut Stream,
    n: u64,
    t: usize,
    rep: Rep<'_>,
    ledger: &mut Ledger<'_>,
    spec: &crate::scenario::Segment,
    stall_rate: f64,
    phase: usize,
    timing: &mut Slip<'_>,
) {
    let Rep { mut credits, role, person, win_rate } = rep;
    let months = ledger.closing.len();
    for _ in 0..n {
        let u = rng.random::<f64>();
        let is_won = u < win_rate;
        let size = spec.deal_size.sample(rng);
        let cycle = spec.cycle_of(is_won, phase).sample(rng);
        if !is_won && u >= 1.0 - stall_rate {
            stall(ledger, size);
            continue;
        }
        let close = if is_won { timing.close(t + cycle as usize, t, months) } else { t + cycle as usize };
        if book(ledger, close, size, (close - t) as u32, is_won) && is_won {
            credit(credits.as_deref_mut(), close, role, person, size);
        }
    }
}

/// Shares `worked` among reps with capacities `caps` (summing to at least `worked`) in
/// proportion to capacity: floors first, then one more each by largest remainder
/// (ties: the earlier rep).
pub fn share(worked: u64, caps: &[u64], out: &mut Vec<u64>, rem: &mut Vec<(u128, usize)>) {
    out.clear();
    rem.clear();
    let total: u64 = caps.iter().sum();
    if total == 0 || worked == 0 {
        out.resize(caps.len(), 0);
        return;
    }
    let mut given = 0u64;
    for (i, &c) in caps.iter().enumerate() {
        // In 64 bits when the product fits (a 128-bit division is a library call).
        let (base, r) = match worked.checked_mul(c) {
            Some(num) => (num / total, u128::from(num % total)),
            None => {
                let num = u128::from(worked) * u128::from(c);
                ((num / u128::from(total)) as u64, num % u128::from(total))
            }
        };
        out.push(base);
        given += base;
        rem.push((r, i));
    }
    let mut left = worked - given;
    if left > 0 {
        rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in rem.iter() {
            if left == 0 {
                break;
            }
            out[i] += 1;
            left -= 1;
        }
    }
}

/// Reconciles month `t` and returns the ARR at its end.
pub fn month(
    s: &mut Trial<'_>,
    layout: &Layout,
    arr_before: f64,
    t: usize,
    put: &mut impl FnMut(usize, usize, f64),
) -> f64 {
    let scenario = s.scenario;
    let months = scenario.months;
    let key = s.key;
    let (mut capacity, mut worked_total, mut lost_total) = (0u64, 0u64, 0u64);
    let (mut bookings, mut won, mut closed) = (0.0, 0u32, 0u32);
    let (mut pipeline, mut weighted, mut open_count, mut next_weighted) = (0.0, 0.0, 0u32, 0.0);
    s.scratch.bookings.clear();
    for (k, spec) in scenario.segments.iter().enumerate() {
        let seg = &mut s.segments[k];
        let worked = seg.demand.min(seg.capacity);
        capacity += seg.capacity;
        worked_total += worked;
        lost_total += seg.demand - worked;
        s.scratch.caps.clear();
        s.scratch.caps.extend(seg.reps.iter().map(|r| r.2));
        share(worked, &s.scratch.caps, &mut s.scratch.shares, &mut s.scratch.remainders);
        // Seeded only for a month with work: a stream nobody draws from costs its seeding.
        let mut rng = None;
        let win_rate = cohort_win_rate(key, spec, t as i64, s.p.win_rate[k]);
        let mut ledger = Ledger {
            closing: &mut seg.closing[..months],
            beyond_value: &mut seg.beyond_value,
            beyond_count: &mut seg.beyond_count,
            open_at_start: false,
        };
        // The kinds of the size and cycle distributions, decided once for all the deals.
        let fast = spec.deal_size.as_lognormal().zip(spec.cycle.as_table());
        let resolving = !spec.resolves_in_one_cycle() || scenario.company.times_closes();
        let stall_rate = s.p.stall_rate[k];
        let mut timing = None;
        for (&(r, person, _, skill), &n) in seg.reps.iter().zip(&s.scratch.shares) {
            let credited = scenario.roles[r].carries_quota(scenario);
            // The rep's skill scales the segment's win rate (1 without a skill: unchanged).
            let win_rate = if skill == 1.0 { win_rate } else { (win_rate * skill).min(1.0) };
            if n == 0 {
                continue;
            }
            let rng = rng.get_or_insert_with(|| trial_stream(key, Process::Deals, spec.stream, t as u64));
            let rep = Rep { credits: credited.then_some(&mut s.credits[..]), role: r, person, win_rate };
            if resolving {
                let timing = timing.get_or_insert_with(|| {
                    Slip::new(&s.scratch.close_rates, || trial_stream(key, Process::Timing, spec.stream, t as u64))
                });
                // A cycle of k months ends in month t + k of the run.
                let phase = (quarter_phase(scenario) + t) % 3;
                work_resolving(rng, n, t, rep, &mut ledger, spec, stall_rate, phase, timing);
                continue;
            }
            match fast {
                Some((size, cycle)) => work(rng, n, t, rep, &mut ledger, |rng| (size.sample(rng), cycle.sample(rng))),
                None => work(rng, n, t, rep, &mut ledger, |rng| (spec.deal_size.sample(rng), spec.cycle.sample(rng))),
            }
        }
        let now = seg.closing[t];
        bookings += now.won_value;
        s.scratch.bookings.push(now.won_value);
        won += now.won;
        closed += now.count;
        let later = &seg.closing[t + 1..];
        let open: f64 = later.iter().map(|c| c.value).sum::<f64>() + seg.beyond_value;
        open_count += later.iter().map(|c| c.count).sum::<u32>() + seg.beyond_count;
        pipeline += open;
        weighted += open * s.kpis.win_rate[k];
        if let Some(next) = later.first() {
            next_weighted += next.value * s.kpis.win_rate[k];
        }
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
    s.kpis.last_pipeline = pipeline;
    s.kpis.last_open = f64::from(open_count);
    s.kpis.last_worked = worked_total as f64;
    s.kpis.last_capacity = capacity as f64;

    for &(r, person, value) in &s.credits[t] {
        s.roles[r].pay.credit(person, value);
    }
    let (comp_cost, sales_comp) = pay(s, t, put);
    put(id::COMP_COST, t, comp_cost);
    put(id::COST_OF_SALES, t, ratio(sales_comp, bookings));
    s.sales_comp_total += sales_comp;

    let churn = churn_rate(s);
    let expansion = s.p.expansion;
    put(id::CHURNED, t, arr_before * churn);
    put(id::EXPANSION, t, arr_before * expansion);
    for (seg, b) in s.segments.iter_mut().zip(&s.scratch.bookings) {
        seg.arr = seg.arr * (1.0 - churn + expansion) + b;
    }
    let arr = arr_before * (1.0 - churn + expansion) + bookings;

    // Taken out for the steps that take the whole trial (a move of one vector).
    let mut leavers = std::mem::take(&mut s.scratch.leavers);
    supply::exits(s, t, &mut leavers);
    hiring::requisitions(s, &leavers, t, put);
    for (r, n) in leavers.iter().enumerate() {
        put(Layout::role_metric(r, role::DEPARTURES), t, f64::from(*n));
        put(Layout::role_metric(r, role::OPEN_REQS), t, f64::from(s.roles[r].open_reqs));
    }
    s.scratch.leavers = leavers;
    for (k, terr) in scenario.territories.iter().enumerate() {
        put(layout.first_coverage + k, t, demand::coverage(s.territory_reps[k], terr.accounts_per_rep, terr.accounts));
    }
    stages_and_forecast(s, layout, arr, bookings, next_weighted, t, put);
    arr
}

/// The end of month `t` with ARR `arr` and `bookings`: the stages and their ops cost,
/// this month's forecast scored against its bookings, and next month's forecast from
/// the weighted pipeline due then.
fn stages_and_forecast(
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

/// Month `t` of an idle trial (see [`super::is_idle`]): [`month`] where nothing is
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
fn pay(s: &mut Trial<'_>, t: usize, put: &mut impl FnMut(usize, usize, f64)) -> (f64, f64) {
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

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_follow_capacity_and_sum_to_the_work() {
        let (mut out, mut rem) = (Vec::new(), Vec::new());
        share(10, &[12, 12, 6], &mut out, &mut rem);
        assert_eq!(out, vec![4, 4, 2]);
        share(7, &[12, 12, 6], &mut out, &mut rem);
        // 2.8, 2.8, 1.4 -> floors 2, 2, 1, then the two largest remainders.
        assert_eq!(out, vec![3, 3, 1]);
        share(30, &[12, 12, 6], &mut out, &mut rem);
        assert_eq!(out, vec![12, 12, 6]);
        share(0, &[3], &mut out, &mut rem);
        assert_eq!(out, vec![0]);
        share(5, &[], &mut out, &mut rem);
        assert!(out.is_empty());
    }
}
