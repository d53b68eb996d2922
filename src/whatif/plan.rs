//! `sopsim plan`: the smallest hiring schedule that reaches the target with the
//! confidence asked.
//!
//! A hire can start from the month a requisition opened at the start is filled with the
//! plan's confidence (the confidence quantile of time to hire, rounded up), at most
//! `--max-per-month` a month, and no later than the target month. The schedule
//! replaces the planned hires of the roles planned from that month on; hires planned to
//! start earlier are in flight and stay, as do people on staff or mid-ramp. It comes on
//! top of backfill and any hiring policy.
//!
//! The search compares candidate schedules on the same trials (common random numbers),
//! so that a difference between two candidates is the schedules' and not the dice's:
//! 1. **How many.** With hires as early as allowed, the fewest hires whose P(hit) is at
//!    least the confidence: a doubling then bisection search for one role; for several,
//!    one hire at a time to whichever role raises P(hit) most.
//! 2. **How late.** From the last hire back, each hire moves to the latest month at
//!    which P(hit) stays at least the confidence plus one standard error of the search
//!    (the margin keeps the schedule from fitting the search trials' luck).
//! 3. **Checks.** Without the last hire P(hit) must fall below the confidence (else it
//!    is dropped and the search goes on); the schedule is then verified on fresh trials
//!    (indexes after the search's), and a hire is added while that verification falls
//!    more than two standard errors short.
//!
//! Before step 1 the search runs every hire allowed. When even that falls short, no
//! schedule reaches the confidence (more hires, as early as allowed, are taken never to
//! lower P(hit)) and the search stops: it only trims that schedule, role by role, to the
//! fewest hires whose P(hit) is within one search standard error of it, where P(hit)
//! stops rising. What it found is a [`Shortfall`], with what limits the target.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::engine::metrics::{Layout, id};
use crate::runner;
use crate::scenario::Scenario;

use super::{Outcomes, Setup, mean_se, paired};

/// Hires a month per role when neither `--max-per-month` nor the role's
/// `max_hires_per_month` says.
pub const DEFAULT_MAX_PER_MONTH: u32 = 3;
/// Trials per candidate schedule by default.
pub const DEFAULT_SEARCH_TRIALS: u64 = 2_000;
/// Hires the verification may add before giving up.
pub(crate) const MAX_TOP_UPS: usize = 3;

/// One role whose hires are planned.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// Index in the scenario's roles.
    pub(crate) role: usize,
    /// Earliest month index a hire can start.
    pub(crate) earliest: usize,
    /// Most hires starting in one month.
    pub(crate) cap: u32,
    /// Months before a start that its requisition must open (confidence quantile of
    /// time to hire, rounded up).
    pub(crate) lead: i64,
}

/// A schedule: hires starting in each month `0..=last`, per planned role.
pub(crate) type Schedule = Vec<Vec<u32>>;

/// A P(hit) measured on a set of trials.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measured {
    pub(crate) p: f64,
    pub(crate) se: f64,
}

pub(crate) struct Search<'a> {
    pub(crate) setup: &'a Setup,
    pub(crate) base: Scenario,
    pub(crate) planned: Vec<Planned>,
    /// Last month a hire may start: the target month.
    pub(crate) last: usize,
    pub(crate) confidence: f64,
    pub(crate) trials: Range<u64>,
    pub(crate) cache: HashMap<Schedule, (Measured, Outcomes)>,
    pub(crate) evaluations: usize,
}

impl Search<'_> {
    pub(crate) fn empty(&self) -> Schedule {
        vec![vec![0; self.last + 1]; self.planned.len()]
    }

    /// The scenario with `schedule` as the planned roles' hires.
    pub(crate) fn scenario(&self, schedule: &Schedule) -> Scenario {
        let mut s = self.base.clone();
        for (p, counts) in self.planned.iter().zip(schedule) {
            let hires = &mut s.roles[p.role].hires;
            hires.extend(counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(t, n)| (t as i64, *n)));
        }
        s
    }

    pub(crate) fn outcomes(&self, schedule: &Schedule, trials: Range<u64>) -> Outcomes {
        self.setup.outcomes(&self.scenario(schedule), trials)
    }

    pub(crate) fn measure(&mut self, schedule: &Schedule) -> Measured {
        self.searched(schedule).0
    }

    /// P(hit) and the outcomes of `schedule` on the search trials, each schedule run once.
    pub(crate) fn searched(&mut self, schedule: &Schedule) -> &(Measured, Outcomes) {
        if !self.cache.contains_key(schedule) {
            self.evaluations += 1;
            let outcomes = self.outcomes(schedule, self.trials.clone());
            let (p, se) = outcomes.p_hit();
            self.cache.insert(schedule.clone(), (Measured { p, se }, outcomes));
        }
        &self.cache[schedule]
    }

    /// `n` hires of planned role `k` as early as allowed, added to `schedule`.
    pub(crate) fn front_load(&self, schedule: &mut Schedule, k: usize, n: u32) -> bool {
        let p = &self.planned[k];
        let mut left = n;
        for count in &mut schedule[k][p.earliest..=self.last] {
            let take = p.cap.saturating_sub(*count).min(left);
            *count += take;
            left -= take;
            if left == 0 {
                return true;
            }
        }
        false
    }

    pub(crate) fn most(&self, k: usize) -> u32 {
        let p = &self.planned[k];
        p.cap.saturating_mul((self.last + 1).saturating_sub(p.earliest) as u32)
    }

    /// The hires allowed, every role's.
    pub(crate) fn most_in_all(&self) -> u32 {
        (0..self.planned.len()).map(|k| self.most(k)).sum()
    }

    /// Every hire allowed: each role's cap in every month from its earliest.
    pub(crate) fn full(&self) -> Schedule {
        let mut s = self.empty();
        for k in 0..self.planned.len() {
            self.front_load(&mut s, k, self.most(k));
        }
        s
    }

    /// Step 1: the fewest hires, as early as allowed, that reach the confidence; a
    /// [`Shortfall`] if even every hire allowed does not.
    pub(crate) fn how_many(&mut self) -> Result<Schedule, Shortfall> {
        let none = self.empty();
        if self.measure(&none).p >= self.confidence {
            return Ok(none);
        }
        let full = self.full();
        let ceiling = self.measure(&full);
        if ceiling.p < self.confidence {
            return Err(self.shortfall(full, ceiling));
        }
        if self.planned.len() == 1 {
            let front = |s: &Search, n: u32| {
                let mut x = s.empty();
                s.front_load(&mut x, 0, n);
                x
            };
            let most = self.most(0);
            // Doubling, then bisection between the last miss and the first hit.
            let (mut miss, mut hit) = (0u32, 1u32.min(most));
            loop {
                let s = front(self, hit);
                if self.measure(&s).p >= self.confidence {
                    break;
                }
                miss = hit;
                hit = (hit * 2).min(most);
            }
            while hit - miss > 1 {
                let mid = miss + (hit - miss) / 2;
                let s = front(self, mid);
                if self.measure(&s).p >= self.confidence {
                    hit = mid;
                } else {
                    miss = mid;
                }
            }
            return Ok(front(self, hit));
        }
        // Several roles: one hire at a time to the role that gains most.
        let mut schedule = none;
        loop {
            let mut best: Option<(Measured, Schedule)> = None;
            for k in 0..self.planned.len() {
                let mut s = schedule.clone();
                if !self.front_load(&mut s, k, 1) {
                    continue;
                }
                let m = self.measure(&s);
                if best.as_ref().is_none_or(|(b, _)| m.p > b.p) {
                    best = Some((m, s));
                }
            }
            match best {
                // Every slot filled and still short: only when a hire lowered P(hit) on
                // the way, as every hire allowed reached the confidence above.
                None => {
                    let ceiling = self.measure(&schedule);
                    return Err(self.shortfall(schedule, ceiling));
                }
                Some((m, s)) => {
                    schedule = s;
                    if m.p >= self.confidence {
                        return Ok(schedule);
                    }
                }
            }
        }
    }

    /// What the search found when every hire allowed, `full` (P(hit) `ceiling`), falls
    /// short: `full` trimmed, role by role in the order planned, to the fewest hires as
    /// early as allowed (bisection) whose P(hit) stays within one search standard error
    /// of the ceiling.
    fn shortfall(&mut self, full: Schedule, ceiling: Measured) -> Shortfall {
        let n = (self.trials.end - self.trials.start) as f64;
        let level = ceiling.p - (ceiling.p * (1.0 - ceiling.p) / n).sqrt();
        // With no trial hitting, P(hit) is 0 whatever the hires: none are worth it.
        let mut best = if ceiling.p > 0.0 { full.clone() } else { self.empty() };
        for k in (0..self.planned.len()).filter(|_| ceiling.p > 0.0) {
            let with = |s: &Search, best: &Schedule, n: u32| {
                let mut x = best.clone();
                x[k].iter_mut().for_each(|c| *c = 0);
                s.front_load(&mut x, k, n);
                x
            };
            // `hit` keeps P(hit) at the level (the schedule as it is does); `miss` does not.
            let (mut miss, mut hit) = (None, best[k].iter().sum::<u32>());
            if hit > 0 && self.measure(&with(self, &best, 0)).p >= level {
                hit = 0;
            } else {
                miss = Some(0);
            }
            while let Some(m) = miss.filter(|m| hit - m > 1) {
                let mid = m + (hit - m) / 2;
                if self.measure(&with(self, &best, mid)).p >= level {
                    hit = mid;
                } else {
                    miss = Some(mid);
                }
            }
            best = with(self, &best, hit);
        }
        let most = self.most_in_all();
        let limit = if ceiling.p <= 0.0 {
            Limit::OutOfReach
        } else if best.iter().flatten().sum::<u32>() < most {
            Limit::Plateau
        } else {
            Limit::Limits
        };
        let highest_arr = self.searched(&full).1.arr.iter().copied().fold(f64::NAN, f64::max);
        Shortfall { best, ceiling, most, limit, unworked: self.unworked(&full), highest_arr }
    }

    /// The share of the opportunities that demand brings up to the target month which go
    /// unworked for want of capacity, on the search trials, with `schedule`.
    fn unworked(&self, schedule: &Schedule) -> f64 {
        let scenario = self.scenario(schedule);
        let months = Layout::new(&scenario).months;
        let cells: Vec<usize> =
            (0..=self.last).flat_map(|t| [id::OPP_DEMAND * months + t, id::OPP_LOST * months + t]).collect();
        let data = runner::per_trial(&self.setup.pool, &scenario, self.setup.seed, self.trials.clone(), &cells);
        let (mut demand, mut lost) = (0.0, 0.0);
        for pair in data.values.chunks_exact(2) {
            demand += pair[0];
            lost += pair[1];
        }
        if demand > 0.0 { lost / demand } else { f64::NAN }
    }

    /// The hires of a schedule as (planned role, month), by month then role.
    pub(crate) fn hires(schedule: &Schedule) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let months = schedule.first().map_or(0, Vec::len);
        for t in 0..months {
            for (k, counts) in schedule.iter().enumerate() {
                out.extend(std::iter::repeat_n((k, t), counts[t] as usize));
            }
        }
        out
    }

    /// Step 2: each hire, from the last back, as late as the confidence allows with a
    /// margin of one search standard error.
    pub(crate) fn how_late(&mut self, mut schedule: Schedule) -> Schedule {
        let n = self.trials.end - self.trials.start;
        let margin = (self.confidence * (1.0 - self.confidence) / n as f64).sqrt();
        let need = self.confidence + margin;
        if self.measure(&schedule).p < need {
            return schedule;
        }
        let order = Self::hires(&schedule);
        let mut bound = self.last;
        for &(k, t) in order.iter().rev() {
            // This hire moves within (t, bound]: months with room for one more of its role.
            let cap = self.planned[k].cap;
            let months: Vec<usize> = (t + 1..=bound).filter(|&m| schedule[k][m] < cap).collect();
            let moved = |s: &Schedule, m: usize| {
                let mut x = s.clone();
                x[k][t] -= 1;
                x[k][m] += 1;
                x
            };
            // Bisection for the last month that keeps P(hit) >= need (P falls as a hire starts later).
            let (mut lo, mut hi) = (0usize, months.len());
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                let candidate = moved(&schedule, months[mid - 1]);
                if self.measure(&candidate).p >= need {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            let at = if lo == 0 { t } else { months[lo - 1] };
            if at != t {
                schedule = moved(&schedule, at);
            }
            bound = at;
        }
        schedule
    }

    /// The schedule without its last hire (the latest start; the last role at that month).
    pub(crate) fn without_last(schedule: &Schedule) -> Option<Schedule> {
        let &(k, t) = Self::hires(schedule).last()?;
        let mut s = schedule.clone();
        s[k][t] -= 1;
        Some(s)
    }

    /// One more hire, at the earliest month with room for the role that gains most.
    pub(crate) fn top_up(&mut self, schedule: &Schedule) -> Option<Schedule> {
        let mut best: Option<(f64, Schedule)> = None;
        for k in 0..self.planned.len() {
            let mut s = schedule.clone();
            if self.front_load(&mut s, k, 1) {
                let p = self.measure(&s).p;
                if best.as_ref().is_none_or(|(b, _)| p > *b) {
                    best = Some((p, s));
                }
            }
        }
        best.map(|(_, s)| s)
    }
}

/// What limits the target when no schedule reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// No search trial reaches the target, even with every hire allowed.
    OutOfReach,
    /// P(hit) stops rising before the last hire allowed: more hires of these roles do
    /// not help.
    Plateau,
    /// P(hit) still rises with the last hires allowed: the limits on hiring bind.
    Limits,
}

/// Why no schedule reaches the confidence, and the best one found.
#[derive(Debug, Clone)]
pub(crate) struct Shortfall {
    /// The fewest hires (as early as allowed) whose P(hit) is within one search standard
    /// error of every hire allowed.
    pub(crate) best: Schedule,
    /// P(hit) with every hire allowed, on the search trials.
    pub(crate) ceiling: Measured,
    /// The hires allowed, in all.
    pub(crate) most: u32,
    pub(crate) limit: Limit,
    /// With every hire allowed, the share of the opportunities up to the target month
    /// that go unworked for want of capacity (NaN without demand).
    pub(crate) unworked: f64,
    /// With every hire allowed, the highest ARR of the search trials in the target month.
    pub(crate) highest_arr: f64,
}

/// What `plan` found.
pub(crate) struct Found {
    /// The schedule found, or the best one found when none reaches the confidence.
    pub(crate) schedule: Schedule,
    pub(crate) reached: bool,
    /// Why no schedule reaches the confidence (`None` when one does).
    pub(crate) shortfall: Option<Shortfall>,
    pub(crate) search: Measured,
    pub(crate) verified: Measured,
    pub(crate) without_last: Option<Measured>,
    pub(crate) own_plan: Measured,
    pub(crate) cost: (f64, f64),
    pub(crate) curve: Vec<(u32, Measured)>,
}

/// Searches, verifies and measures the schedule (see the module's steps); when none
/// reaches the confidence, the best found with its [`Shortfall`].
pub(crate) fn find(search: &mut Search<'_>, verify_trials: u64) -> Found {
    let none = search.empty();
    let (mut schedule, shortfall) = match search.how_many() {
        Ok(s) => (s, None),
        Err(short) => (short.best.clone(), Some(short)),
    };
    let reached = shortfall.is_none();
    let fresh = search.trials.end..search.trials.end + verify_trials;
    let verify = |search: &Search, s: &Schedule| {
        let (p, se) = search.outcomes(s, fresh.clone()).p_hit();
        Measured { p, se }
    };
    let mut verified = Measured { p: f64::NAN, se: f64::NAN };
    if reached {
        schedule = search.how_late(schedule);
        // Without its last hire, the schedule must fall short on the search trials.
        while let Some(shorter) = Search::without_last(&schedule) {
            if search.measure(&shorter).p < search.confidence {
                break;
            }
            schedule = search.how_late(shorter);
        }
        // Verified on fresh trials; one more hire (as early as allowed) while clearly short.
        for top_ups in 0..=MAX_TOP_UPS {
            verified = verify(search, &schedule);
            if verified.p >= search.confidence - 2.0 * verified.se || top_ups == MAX_TOP_UPS {
                break;
            }
            match search.top_up(&schedule) {
                Some(s) => schedule = s,
                None => break,
            }
        }
    }
    let without_last = Search::without_last(&schedule).filter(|_| reached).map(|s| verify(search, &s));
    // With no trial hitting whatever the hires, the curve is no hires and every hire
    // allowed, both measured already.
    let curve = if shortfall.as_ref().is_some_and(|short| short.limit == Limit::OutOfReach) {
        let full = search.full();
        vec![(0, search.measure(&none)), (search.most_in_all(), search.measure(&full))]
    } else {
        curve(search, &schedule)
    };
    let empty = search.searched(&none).1.comp_cost.clone();
    let cost = paired(&empty, &search.searched(&schedule).1.comp_cost);
    let own = search.setup.outcomes(search.setup.scenario(), search.trials.clone());
    let (p, se) = mean_se(&own.hit);
    Found {
        search: search.measure(&schedule),
        schedule,
        reached,
        shortfall,
        verified,
        without_last,
        own_plan: Measured { p, se },
        cost,
        curve,
    }
}

/// P(hit) against the number of hires, as early as allowed (the curve of step 1), for up
/// to 14 numbers of hires from 0 to two past `schedule`'s total; with several roles, in
/// the proportions of `schedule`.
fn curve(search: &mut Search<'_>, schedule: &Schedule) -> Vec<(u32, Measured)> {
    let n: u32 = schedule.iter().flatten().sum();
    let top = (n + 2).min(search.most_in_all());
    let step = (top / 12).max(1);
    let mut points: Vec<u32> = (0..=top).step_by(step as usize).collect();
    for extra in [n.saturating_sub(1), n, top] {
        if !points.contains(&extra) {
            points.push(extra);
        }
    }
    points.sort_unstable();
    let mut curve = Vec::new();
    for &h in &points {
        let mut s = search.empty();
        let mut left = h;
        // Spread over the roles in the proportions of the schedule found (the last role if none).
        let shares: Vec<u32> = schedule.iter().map(|c| c.iter().sum()).collect();
        let sum: u32 = shares.iter().sum();
        for (k, share) in shares.iter().enumerate() {
            let take = if k + 1 == shares.len() {
                left
            } else if sum == 0 {
                0
            } else {
                (u64::from(h) * u64::from(*share) / u64::from(sum)) as u32
            };
            let take = take.min(left);
            search.front_load(&mut s, k, take);
            left -= take;
        }
        curve.push((h, search.measure(&s)));
    }
    curve
}

/// Planned role `k`'s hires with `schedule`, by month: those in flight (kept from the
/// scenario), then the schedule's.
pub(crate) fn role_hires(search: &Search<'_>, k: usize, schedule: &Schedule) -> Vec<(i64, u32)> {
    let mut hires = search.base.roles[search.planned[k].role].hires.clone();
    hires.extend(schedule[k].iter().enumerate().filter(|(_, n)| **n > 0).map(|(t, n)| (t as i64, *n)));
    hires
}

/// What a schedule does with the hires a planned role has in the scenario, month by
/// month: (month offset, count) lists, by month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HireChanges {
    /// Index in [`Search::planned`].
    pub(crate) planned: usize,
    /// The scenario's own hires.
    pub(crate) own: Vec<(i64, u32)>,
    /// Hires of the scenario's that the schedule keeps.
    pub(crate) kept: Vec<(i64, u32)>,
    /// Hires of the scenario's that it drops.
    pub(crate) dropped: Vec<(i64, u32)>,
    /// Hires it adds.
    pub(crate) added: Vec<(i64, u32)>,
}

impl HireChanges {
    /// Planned role `planned`'s hires `own` against `after`, month by month: what both
    /// have is kept, the rest of `own` dropped, the rest of `after` added.
    pub(crate) fn between(planned: usize, own: &[(i64, u32)], after: &[(i64, u32)]) -> HireChanges {
        let by_month = |hires: &[(i64, u32)]| {
            let mut m: BTreeMap<i64, u32> = BTreeMap::new();
            for &(t, n) in hires {
                *m.entry(t).or_default() += n;
            }
            m
        };
        let (before, after) = (by_month(own), by_month(after));
        let mut c = HireChanges {
            planned,
            own: before.iter().map(|(t, n)| (*t, *n)).collect(),
            kept: Vec::new(),
            dropped: Vec::new(),
            added: Vec::new(),
        };
        let months: BTreeSet<i64> = before.keys().chain(after.keys()).copied().collect();
        for t in months {
            let (b, a) = (before.get(&t).copied().unwrap_or(0), after.get(&t).copied().unwrap_or(0));
            for (list, n) in
                [(&mut c.kept, b.min(a)), (&mut c.dropped, b.saturating_sub(a)), (&mut c.added, a.saturating_sub(b))]
            {
                if n > 0 {
                    list.push((t, n));
                }
            }
        }
        c
    }
}

/// Each planned role's hires in `own` (the scenario as loaded) against `schedule`'s.
pub(crate) fn hire_changes(search: &Search<'_>, schedule: &Schedule, own: &Scenario) -> Vec<HireChanges> {
    (0..search.planned.len())
        .map(|k| HireChanges::between(k, &own.roles[search.planned[k].role].hires, &role_hires(search, k, schedule)))
        .collect()
}

/// (planned role, month) of each month with hires, by month then role.
pub(crate) fn hire_months(schedule: &Schedule) -> Vec<(usize, usize)> {
    let months = schedule.first().map_or(0, Vec::len);
    let mut out = Vec::new();
    for t in 0..months {
        for (k, counts) in schedule.iter().enumerate() {
            if counts[t] > 0 {
                out.push((k, t));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hires_are_listed_by_month_then_role() {
        let s: Schedule = vec![vec![0, 2, 0, 1], vec![1, 0, 0, 1]];
        assert_eq!(Search::hires(&s), vec![(1, 0), (0, 1), (0, 1), (0, 3), (1, 3)]);
        assert_eq!(Search::without_last(&s), Some(vec![vec![0, 2, 0, 1], vec![1, 0, 0, 0]]));
        assert_eq!(hire_months(&s), vec![(1, 0), (0, 1), (0, 3), (1, 3)]);
    }

    #[test]
    fn changes_of_the_scenarios_hires_are_counted_month_by_month() {
        // The scale-up example's AEs (months from January 2027) against the schedule the
        // README shows: November's and March's are in flight, April's and May's two stay,
        // one more starts in April, June's two go.
        let own = [(-2, 1), (2, 2), (3, 2), (4, 2), (5, 2)];
        let after = [(-2, 1), (2, 2), (3, 3), (4, 2)];
        let c = HireChanges::between(0, &own, &after);
        assert_eq!(c.own, own.to_vec());
        assert_eq!(c.kept, vec![(-2, 1), (2, 2), (3, 2), (4, 2)]);
        assert_eq!(c.dropped, vec![(5, 2)]);
        assert_eq!(c.added, vec![(3, 1)]);
        let none = HireChanges::between(1, &[], &[(1, 3)]);
        assert!(none.own.is_empty() && none.kept.is_empty() && none.dropped.is_empty());
        assert_eq!(none.added, vec![(1, 3)]);
    }
}
