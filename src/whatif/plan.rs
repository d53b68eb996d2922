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

use std::collections::HashMap;
use std::ops::Range;

use crate::error::Error;

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

    /// Step 1: the fewest hires, as early as allowed, that reach the confidence; `None`
    /// if even the most hires allowed do not (with that schedule).
    pub(crate) fn how_many(&mut self) -> Result<Schedule, Schedule> {
        let none = self.empty();
        if self.measure(&none).p >= self.confidence {
            return Ok(none);
        }
        if self.planned.len() == 1 {
            let front = |s: &Search, n: u32| {
                let mut x = s.empty();
                s.front_load(&mut x, 0, n);
                x
            };
            let most = self.most(0);
            let full = front(self, most);
            if most == 0 || self.measure(&full).p < self.confidence {
                return Err(full);
            }
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
                None => return Err(schedule),
                Some((m, s)) => {
                    schedule = s;
                    if m.p >= self.confidence {
                        return Ok(schedule);
                    }
                }
            }
        }
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

/// What `plan` found.
pub(crate) struct Found {
    pub(crate) schedule: Schedule,
    pub(crate) reached: bool,
    pub(crate) search: Measured,
    pub(crate) verified: Measured,
    pub(crate) without_last: Option<Measured>,
    pub(crate) own_plan: Measured,
    pub(crate) cost: (f64, f64),
    pub(crate) curve: Vec<(u32, Measured)>,
}

pub(crate) fn find(search: &mut Search<'_>, verify_trials: u64) -> Result<Found, Error> {
    let none = search.empty();
    let (mut schedule, reached) = match search.how_many() {
        Ok(s) => (s, true),
        Err(s) => (s, false),
    };
    let total = |s: &Schedule| s.iter().flatten().sum::<u32>();
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
    // P(hit) against the number of hires, as early as allowed (the curve of step 1).
    let n = total(&schedule);
    let top = (n + 2).min((0..search.planned.len()).map(|k| search.most(k)).sum());
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
    let empty = search.searched(&none).1.comp_cost.clone();
    let cost = paired(&empty, &search.searched(&schedule).1.comp_cost);
    let own = search.setup.outcomes(search.setup.scenario(), search.trials.clone());
    let (p, se) = mean_se(&own.hit);
    Ok(Found {
        search: search.measure(&schedule),
        schedule,
        reached,
        verified,
        without_last,
        own_plan: Measured { p, se },
        cost,
        curve,
    })
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
}
