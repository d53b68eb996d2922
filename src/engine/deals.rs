//! Work: the opportunities a segment's closers work in a month, and where each one
//! closes.
//!
//! Each segment works `min(demand, capacity)` opportunities; the rest is lost and
//! counted. The worked opportunities are shared among the segment's closers in
//! proportion to their capacity (largest remainders first), unless no closer of the
//! segment carries a quota or a skill of their own: then who works an opportunity
//! changes nothing, and the segment's work is one batch. Every worked opportunity
//! draws, in this order, whether it will be won (probability = the trial's win rate, so
//! the month's wins are Binomial), its size and its cycle in whole months; it closes
//! `cycle` months later and is credited to the rep who worked it, if still on staff.
//! Where a segment's deals may stall (`stall_rate`) they never close, lost deals may
//! have their own cycle, and won closes may follow the fiscal quarter and the months'
//! shared shocks ([`work_resolving`]).

use rand::RngExt;

use super::closes::{Slip, cohort_win_rate, quarter_phase};
use super::rng::{Process, Stream, trial_stream};
use super::state::{Closing, Credit, Trial};

/// Puts a deal that never closes in its segment's pipeline, beyond any horizon.
pub fn stall(ledger: &mut Ledger<'_>, size: f64) {
    *ledger.beyond_value += size;
    *ledger.beyond_count += 1;
}

/// A segment's closing ledger: deals by close month, and those beyond the horizon.
pub struct Ledger<'s> {
    pub closing: &'s mut [Closing],
    pub beyond_value: &'s mut f64,
    pub beyond_count: &'s mut u32,
    /// Whether its deals were open at the start (`[[pipeline]]`): their won value is
    /// also booked as the open pipeline's.
    pub open_at_start: bool,
}

/// Puts a deal on its segment's closing ledger in month `close`, or beyond the horizon;
/// returns whether it closes within the horizon.
pub fn book(ledger: &mut Ledger<'_>, close: usize, size: f64, cycle: u32, is_won: bool) -> bool {
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

/// Opportunities worked together this month: their win rate, and the quota their won
/// deals are credited to (a quota-carrying closer's; none for a segment's pooled work).
struct Rep<'c> {
    win_rate: f64,
    quota: Option<Quota<'c>>,
}

/// Where a quota-carrying closer's won deals are credited: the ledger of credits by close
/// month, and who the closer is.
struct Quota<'c> {
    credits: &'c mut [Vec<Credit>],
    role: usize,
    person: u32,
}

impl Quota<'_> {
    /// Credits `size` to the closer in month `close`; a closer's deals closing in the same
    /// month share one credit.
    #[inline(always)]
    fn credit(&mut self, close: usize, size: f64) {
        let credits = &mut self.credits[close];
        match credits.last_mut() {
            Some(last) if last.role == self.role && last.person == self.person => last.value += size,
            _ => credits.push(Credit { role: self.role, person: self.person, value: size }),
        }
    }
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
    let Rep { win_rate, mut quota } = rep;
    for _ in 0..n {
        let is_won = rng.random::<f64>() < win_rate;
        let (size, cycle) = draw(rng);
        let close = t + cycle as usize;
        if book(ledger, close, size, cycle, is_won)
            && is_won
            && let Some(quota) = quota.as_mut()
        {
            quota.credit(close, size);
        }
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
    let Rep { win_rate, mut quota } = rep;
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
        if book(ledger, close, size, (close - t) as u32, is_won)
            && is_won
            && let Some(quota) = quota.as_mut()
        {
            quota.credit(close, size);
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

/// What month `t`'s work and closes came to, over all segments.
pub struct Month {
    /// Opportunities the closers could work.
    pub capacity: u64,
    /// Opportunities worked.
    pub worked: u64,
    /// Opportunities demanded and not worked.
    pub lost: u64,
    /// Value of the won deals that closed.
    pub bookings: f64,
    /// Won deals that closed.
    pub won: u32,
    /// Opportunities that closed (won or lost).
    pub closed: u32,
    /// Value of the opportunities open at the month's end.
    pub pipeline: f64,
    /// The pipeline weighted by each segment's measured win rate.
    pub weighted: f64,
    /// Opportunities open at the month's end.
    pub open: u32,
    /// The weighted value of the opportunities due next month.
    pub next_weighted: f64,
}

/// Month `t`'s work: each segment's worked opportunities shared among its closers and
/// put on its closing ledger, and what closed; the segments' bookings in
/// `s.scratch.bookings`.
pub fn work_month(s: &mut Trial<'_>, t: usize) -> Month {
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
        // The kinds of the size and cycle distributions, decided once for all the deals.
        let fast = spec.deal_size.as_lognormal().zip(spec.cycle.as_table());
        let resolving = !spec.resolves_in_one_cycle() || scenario.company.times_closes();
        let stall_rate = s.p.stall_rate[k];
        let win_rate = cohort_win_rate(key, spec, t as i64, s.p.win_rate[k]);
        // Where no closer of the segment carries a quota or a skill of their own, who works
        // an opportunity changes nothing: the segment's work is one batch, which draws
        // what the closers' shares would draw one after the other from the same stream.
        let pooled = seg.reps.iter().all(|c| c.win == 1.0 && !scenario.roles[c.role].carries_quota(scenario));
        let shares = &mut s.scratch.shares;
        if pooled {
            shares.clear();
            shares.push(worked);
        } else {
            s.scratch.caps.clear();
            s.scratch.caps.extend(seg.reps.iter().map(|c| c.capacity));
            share(worked, &s.scratch.caps, shares, &mut s.scratch.remainders);
        }
        // Seeded only for a month with work: a stream nobody draws from costs its seeding.
        let mut rng = None;
        let mut ledger = Ledger {
            closing: &mut seg.closing[..months],
            beyond_value: &mut seg.beyond_value,
            beyond_count: &mut seg.beyond_count,
            open_at_start: false,
        };
        let mut timing = None;
        for (i, &n) in shares.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let rep = match seg.reps.get(i).filter(|_| !pooled) {
                Some(c) => Rep {
                    // The closer's skill scales the segment's win rate (1 without a skill).
                    win_rate: if c.win == 1.0 { win_rate } else { (win_rate * c.win).min(1.0) },
                    quota: scenario.roles[c.role].carries_quota(scenario).then(|| Quota {
                        credits: &mut s.credits[..],
                        role: c.role,
                        person: c.person,
                    }),
                },
                None => Rep { win_rate, quota: None },
            };
            let rng = rng.get_or_insert_with(|| trial_stream(key, Process::Deals, spec.stream, t as u64));
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
    Month {
        capacity,
        worked: worked_total,
        lost: lost_total,
        bookings,
        won,
        closed,
        pipeline,
        weighted,
        open: open_count,
        next_weighted,
    }
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
