//! When deals close: the opportunities open at the start, and the timing of won closes.
//!
//! The open pipeline's deals go on their segments' closing ledgers before the first
//! month, each conditioned on still being open at its age. Won closes may follow the
//! fiscal quarter (`quarter_timing`) and the months' shared shocks (`close_noise`, one
//! uniform a won deal moves it a month, [`Slip`]); a cohort's win rate may share a
//! multiplier (`cohort_noise`).

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::scenario::Scenario;

use super::Trial;
use super::deals::{Ledger, book, stall};
use super::rng::{Process, Stream, trial_stream};

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

/// The phase of the run's first month in the fiscal quarter (0: its first month).
pub fn quarter_phase(scenario: &Scenario) -> usize {
    (scenario.start.month0() + 12 - scenario.company.fiscal_year_start as usize) % 3
}

/// When won deals close under `company.close_noise` (3.5, "Timing of won closes"):
/// month `m` pulls in the won deals due the month after with the share
/// `r_m = close_noise x z_m` (`z_m` the month's shared standard normal), or, where
/// `r_m < 0`, pushes its own to the month after with the share `-r_m`. One uniform a
/// won deal.
pub struct Slip<'a> {
    /// Each month's `r_m` (empty without close noise).
    rates: &'a [f64],
    /// The stream of the deals' uniforms; `None` without close noise.
    rng: Option<Stream>,
}

impl<'a> Slip<'a> {
    /// The timing of the months' shares `rates`, drawing from `rng` (seeded only when
    /// there are shares).
    pub fn new(rates: &'a [f64], rng: impl FnOnce() -> Stream) -> Slip<'a> {
        Slip { rates, rng: (!rates.is_empty()).then(rng) }
    }

    /// The month a won deal worked in month `worked` and due in month `due` closes in
    /// (`months` or later: beyond the horizon): pulled into `due - 1` (never before the
    /// month it is worked), kept, or pushed to `due + 1`.
    #[inline]
    pub fn close(&mut self, due: usize, worked: usize, months: usize) -> usize {
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
