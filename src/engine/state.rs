//! A trial's state: what it carries from month to month (the staff of each role, the
//! deals of each segment, the measured KPIs, the forecast, the pay ledgers) and the
//! buffers its steps reuse. The steps of a month ([`super::month`]) read and change it.

use crate::scenario::{Role, Scenario};

use super::params::TrialParams;
use super::{comp, forecast, hiring, kpis, metrics, rng, supply};

/// Months past the horizon that requisition arrivals are kept for (so that the
/// capacity policy sees hires that arrive after the last month).
pub const ARRIVALS_PAST_HORIZON: usize = 2 * crate::scenario::MAX_MONTHS as usize;

/// A won deal's credit to the quota-carrying rep who worked it, in its close month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Credit {
    /// The rep's role (index in the scenario's roles).
    pub role: usize,
    /// The rep's id within the role.
    pub person: u32,
    /// The value of the rep's won deals closing that month.
    pub value: f64,
}

/// A closer of a segment in this month, as the month's work shares opportunities out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closer {
    /// The closer's role (index in the scenario's roles).
    pub role: usize,
    /// The closer's id within the role.
    pub person: u32,
    /// Opportunities the closer can work this month.
    pub capacity: u64,
    /// Multiplier of the win rate of the deals the closer works (1 without a `skill`).
    pub win: f64,
}

/// One person on staff.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    /// Start month of the run (negative: planned before it); `None` for the headcount on
    /// board before the plan, ramped and in post longer than any ramp curve or draw.
    pub start: Option<i64>,
    /// Id within the role, never reused; indexes the role's per-person ledgers.
    pub id: u32,
    /// The territory the person covers, if any (closers of a segment with territories).
    pub territory: Option<u32>,
    /// Multiplier of the opportunities the person works (their role's `skill`; 1 without).
    pub productivity: f64,
    /// Multiplier of the win rate of the deals the person works (1 without a `skill`).
    pub win: f64,
}

impl Person {
    /// Months in post at month `at` (of the run): `at - start`, or, for someone on board
    /// before the plan, more than any ramp curve, draw period or plan year spans.
    #[inline]
    pub fn tenure(&self, at: i64) -> i64 {
        match self.start {
            Some(start) => at - start,
            None => i64::MAX,
        }
    }
}

/// A person's skill multipliers (productivity, win rate), drawn once per person from the
/// role's `Skill` stream keyed by the person's id, which is never reused: the same
/// person draws the same skill whatever else changes. 1 and 1 without a `skill`.
pub fn skill_of(role: &crate::scenario::Role, key: u64, id: u32) -> (f64, f64) {
    match &role.skill {
        None => (1.0, 1.0),
        Some(k) => {
            let mut rng = rng::trial_stream(key, rng::Process::Skill, role.stream, u64::from(id));
            let productivity = k.productivity.sample(&mut rng);
            (productivity, k.win_rate.sample(&mut rng))
        }
    }
}

/// One role's people during a trial.
#[derive(Debug, Clone)]
pub struct RoleState {
    /// The people on staff, oldest first.
    pub staff: Vec<Person>,
    /// Requisition hires arriving in each month (backfill and capacity), past the horizon too.
    pub arrivals: Vec<u32>,
    /// One past the last month of `arrivals` that may be non-zero.
    pub arrivals_end: usize,
    /// Requisitions opened and not yet filled.
    pub open_reqs: u32,
    /// Next person id.
    pub next_id: u32,
    /// Compensation ledgers by person id (empty for roles without a plan).
    pub pay: comp::Ledgers,
    /// The look-ahead of the role's capacity need.
    pub ahead: hiring::Ahead,
}

/// One segment's deals during a trial.
#[derive(Debug, Clone)]
pub struct SegmentState {
    /// The opportunities that close in each month.
    pub closing: Vec<Closing>,
    /// Value of open opportunities that close after the horizon.
    pub beyond_value: f64,
    /// Open opportunities that close after the horizon.
    pub beyond_count: u32,
    /// Opportunities demanded this month (inbound, SDR-sourced and from covered accounts).
    pub demand: u64,
    /// Opportunities demanded in each month so far.
    pub demand_history: Vec<f64>,
    /// Opportunities the closers of the segment can work this month.
    pub capacity: u64,
    /// This month's closers of the segment.
    pub reps: Vec<Closer>,
    /// ARR of the segment's customers at the end of the previous month.
    pub arr: f64,
    /// The closes of the months the KPIs' window covers, summed as it slides (see
    /// [`kpis::measure`]).
    pub window: Window,
}

/// Opportunities closed, deals won and the sum of the cycles of the closed ones, over
/// some months: whole numbers, so that adding a month and taking one away is exact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    pub closed: u32,
    pub won: u32,
    pub cycles: f64,
}

/// The opportunities of a segment that close in one month.
#[derive(Debug, Clone, Copy, Default)]
pub struct Closing {
    /// Value of the open opportunities that close this month.
    pub value: f64,
    /// Value of the won deals that close (are booked) this month.
    pub won_value: f64,
    /// The part of `won_value` from deals open at the start (`[[pipeline]]`).
    pub open_won_value: f64,
    /// Sum of the cycles (months) of the opportunities that close this month.
    pub cycles: f64,
    /// Opportunities that close this month.
    pub count: u32,
    /// Won deals that close this month.
    pub won: u32,
}

/// Everything a trial carries from month to month.
pub struct Trial<'a> {
    pub scenario: &'a Scenario,
    pub p: TrialParams,
    /// The draws `p` was made from, kept for their buffer.
    pub inputs: Vec<f64>,
    /// The key its random streams share: [`rng::trial_key`] of the seed and trial index.
    pub key: u64,
    pub roles: Vec<RoleState>,
    pub segments: Vec<SegmentState>,
    /// Closers assigned to each territory.
    pub territory_reps: Vec<u32>,
    /// Won deals credited to reps at their close: by close month, (role, person id, value).
    pub credits: Vec<Vec<Credit>>,
    pub kpis: kpis::Kpis,
    pub stages: Vec<hiring::StageState>,
    pub forecast: forecast::Tracker,
    /// ARR at the end of each month so far.
    pub arr_history: Vec<f64>,
    /// Support coverage this month (1 without support roles).
    pub support_coverage: f64,
    /// Pay of the sales roles (closers, SDRs, managers) so far.
    pub sales_comp_total: f64,
    /// Quota attainments at plan-year ends, by histogram bin.
    pub attainment: [f64; metrics::ATTAINMENT_BINS],
    /// With `[[actuals]]`: how far the real ARR is from the plan's, from the months'
    /// actual bookings so far (0 without).
    pub actual_gap: f64,
    /// Buffers reused from month to month.
    pub scratch: Scratch,
}

/// Buffers the monthly steps reuse instead of allocating.
#[derive(Debug, Default)]
pub struct Scratch {
    pub caps: Vec<u64>,
    pub shares: Vec<u64>,
    pub remainders: Vec<(u128, usize)>,
    pub bookings: Vec<f64>,
    pub leavers: Vec<u32>,
    pub by_segment: Vec<u64>,
    /// Each month's share `r_m` of won deals moved by `company.close_noise` (empty
    /// without it), drawn once a trial.
    pub close_rates: Vec<f64>,
}

/// The growable buffers of a trial, kept from one trial to the next by whoever runs
/// trials one after another (each of the runner's workers has its own): see
/// [`super::run_trial_in`].
#[derive(Debug, Default)]
pub struct Workspace {
    params: TrialParams,
    inputs: Vec<f64>,
    roles: Vec<RoleState>,
    segments: Vec<SegmentState>,
    territory_reps: Vec<u32>,
    credits: Vec<Vec<Credit>>,
    kpi_win_rate: Vec<f64>,
    stages: Vec<hiring::StageState>,
    arr_history: Vec<f64>,
    scratch: Scratch,
}

impl<'a> Trial<'a> {
    /// The trial's buffers, to keep for the next trial.
    pub fn into_workspace(self) -> Workspace {
        Workspace {
            params: self.p,
            inputs: self.inputs,
            roles: self.roles,
            segments: self.segments,
            territory_reps: self.territory_reps,
            credits: self.credits,
            kpi_win_rate: self.kpis.win_rate,
            stages: self.stages,
            arr_history: self.arr_history,
            scratch: self.scratch,
        }
    }

    /// A trial's state before its first month, in `spare`'s buffers.
    pub fn new(scenario: &'a Scenario, seed: u64, trial: u64, spare: Workspace) -> Trial<'a> {
        let months = scenario.months;
        let mix = &scenario.demand.segment_mix;
        let Workspace {
            params: mut p,
            mut inputs,
            mut roles,
            mut segments,
            mut territory_reps,
            mut credits,
            kpi_win_rate,
            stages,
            mut arr_history,
            scratch,
        } = spare;
        p.redraw(scenario, seed, trial, &mut inputs);
        roles.truncate(scenario.roles.len());
        for (r, spec) in scenario.roles.iter().enumerate() {
            match roles.get_mut(r) {
                Some(state) => state.reset(spec, scenario, months),
                None => roles.push(RoleState::new(spec, scenario, months)),
            }
        }
        let key = rng::trial_key(seed, trial);
        for (spec, state) in scenario.roles.iter().zip(roles.iter_mut()).filter(|(spec, _)| spec.skill.is_some()) {
            for p in &mut state.staff {
                (p.productivity, p.win) = skill_of(spec, key, p.id);
            }
        }
        segments.truncate(scenario.segments.len());
        for k in 0..scenario.segments.len() {
            let arr = scenario.company.arr * mix.get(k).copied().unwrap_or(0.0);
            match segments.get_mut(k) {
                Some(seg) => seg.reset(months, arr),
                None => segments.push(SegmentState::new(months, arr)),
            }
        }
        credits.truncate(months);
        credits.iter_mut().for_each(Vec::clear);
        credits.resize_with(months, Vec::new);
        arr_history.clear();
        arr_history.reserve(months);
        territory_reps.clear();
        territory_reps.resize(scenario.territories.len(), 0);
        let mut t = Trial {
            scenario,
            key,
            roles,
            segments,
            territory_reps,
            credits,
            kpis: kpis::Kpis::new(scenario, kpi_win_rate),
            stages: hiring::StageState::initial(scenario, stages),
            forecast: forecast::Tracker::default(),
            arr_history,
            support_coverage: 1.0,
            sales_comp_total: 0.0,
            attainment: [0.0; metrics::ATTAINMENT_BINS],
            actual_gap: 0.0,
            scratch,
            p,
            inputs,
        };
        for r in 0..t.roles.len() {
            for i in 0..t.roles[r].staff.len() {
                supply::assign_territory(&mut t, r, i);
            }
            let spec = &scenario.roles[r];
            if let Some(plan) = spec.comp_plan.map(|c| &scenario.comp_plans[c]) {
                let state = &mut t.roles[r];
                for person in &state.staff {
                    state.pay.join(plan, spec, scenario, person, 0);
                }
            }
        }
        t
    }
}

impl RoleState {
    /// The staff's ramped FTE in month `at`: the sum of each person's ramp at their
    /// tenure, as adding them one by one from the oldest gives it. The staff are oldest
    /// first, so those ramped fully (a ramp of exactly 1) come first, and their sum is
    /// their count: only the others are looked up.
    pub fn fte_at(&self, role: &Role, at: i64) -> f64 {
        debug_assert!(self.staff.is_sorted_by_key(|p| p.start));
        let curve = role.ramp.len() as i64;
        let ramped = self.staff.partition_point(|p| p.tenure(at) >= curve);
        // A sum of doubles starts from -0, as `Iterator::sum` does.
        let first = if ramped == 0 { -0.0 } else { ramped as f64 };
        self.staff[ramped..].iter().fold(first, |sum, p| sum + role.ramp_at(p.tenure(at)))
    }

    pub fn new(role: &Role, scenario: &Scenario, months: usize) -> RoleState {
        let mut state = RoleState {
            staff: Vec::new(),
            arrivals: Vec::new(),
            arrivals_end: 0,
            open_reqs: 0,
            next_id: 0,
            pay: comp::Ledgers::default(),
            ahead: hiring::Ahead::default(),
        };
        state.reset(role, scenario, months);
        state
    }

    /// The role's state before the first month: its headcount and the hires planned
    /// before the start on staff, oldest first; no requisitions; empty ledgers.
    pub fn reset(&mut self, role: &Role, scenario: &Scenario, months: usize) {
        self.staff.clear();
        let person = |start| Person { start, id: 0, territory: None, productivity: 1.0, win: 1.0 };
        self.staff.extend(std::iter::repeat_n(person(None), role.headcount as usize));
        for &(offset, n) in role.hires.iter().filter(|(o, _)| *o < 0) {
            self.staff.extend(std::iter::repeat_n(person(Some(offset)), n as usize));
        }
        self.staff.sort_unstable_by_key(|p| p.start);
        for (i, p) in self.staff.iter_mut().enumerate() {
            p.id = i as u32;
        }
        self.next_id = self.staff.len() as u32;
        let len = months + ARRIVALS_PAST_HORIZON + 1;
        if self.arrivals.len() == len {
            // Only the months the last trial filled (a few, against over a thousand).
            self.arrivals[..self.arrivals_end].fill(0);
        } else {
            self.arrivals.clear();
            self.arrivals.resize(len, 0);
        }
        self.arrivals_end = 0;
        self.open_reqs = 0;
        self.pay.clear();
        self.ahead = hiring::Ahead::of(role, scenario);
    }
}

impl SegmentState {
    pub fn new(months: usize, arr: f64) -> SegmentState {
        let mut seg = SegmentState {
            closing: Vec::new(),
            beyond_value: 0.0,
            beyond_count: 0,
            demand: 0,
            demand_history: Vec::new(),
            capacity: 0,
            reps: Vec::new(),
            arr,
            window: Window::default(),
        };
        seg.reset(months, arr);
        seg
    }

    /// The segment before the first month: nothing open, ARR `arr`.
    pub fn reset(&mut self, months: usize, arr: f64) {
        self.closing.clear();
        self.closing.resize(months, Closing::default());
        self.beyond_value = 0.0;
        self.beyond_count = 0;
        self.demand = 0;
        self.demand_history.clear();
        self.demand_history.reserve(months);
        self.capacity = 0;
        self.reps.clear();
        self.arr = arr;
        self.window = Window::default();
    }
}
