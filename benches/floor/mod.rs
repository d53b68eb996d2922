//! The random-draw floor of a trial: the draws the engine makes, and nothing else.
//!
//! [`Floor::record`] replays a trial of the engine from outside it: the same streams
//! (`engine::rng::stream` with the same keys), the same distributions, in the same
//! order, with just enough state to know how many draws each month needs and with what
//! parameters: staff (start month, id, territory), requisition arrivals (kept past the
//! horizon, as the engine keeps them), territory coverage, demand and capacity by
//! segment, which rep works each opportunity, and the closers' bookings and quota to
//! date (the low-attainment attrition multiplier of a comp plan raises the leaving
//! probability of a ramped rep below the threshold, so who leaves depends on it). It
//! writes down every draw as an [`Op`] and checks itself against the engine's own output
//! for that trial (leads, meetings, demand, uncovered opportunities, capacity, worked
//! opportunities, deals won and closed, territory coverage, and by role headcount,
//! hires, departures and open requisitions, every month): if the engine has changed how
//! it draws, the replay diverges and the bench says so and reports no floor for that
//! scenario rather than a floor that is not the engine's.
//!
//! Two counts are taken from the engine's output for the trial instead of replaying the
//! decisions behind them (they are data, not work, and the draws they lead to are the
//! same):
//! - the requisitions the capacity policy opens for a role in a month: the month's
//!   `open_reqs.<role>` less the requisitions open after this month's arrivals and
//!   backfills (the projection of need is not replayed; a negative difference is a
//!   divergence). Their times to hire are drawn and the hires they lead to are checked
//!   against `hires.<role>`, as the backfills' are;
//! - the months a stage is reached: `reached.<key>` turning from 0 to 1 (the replay
//!   does not follow ARR). Each draws the stage hire's time to hire once.
//!
//! The forecast's noise (one standard normal a month, from month 0 to the one before
//! last, when the trial's `forecast.noise` is positive) depends on nothing else and is
//! replayed as such; its value is not checked (the forecast it scales is not replayed).
//!
//! [`Floor::draw`] then makes exactly those draws: it creates each stream, draws each
//! Poisson (building the distribution as the engine does), binomial, uniform, standard
//! normal and scenario distribution (deal size, time to hire, stage time to hire,
//! once-per-trial keys) and each deal's whole-month cycle (from the segment's table, as
//! the engine does), and adds the results into one number so none is optimised away.
//! It keeps no staff, no pipeline, no ARR, no pay and writes no output: the difference
//! between the engine and the floor is everything the engine does besides drawing.

// `!(a > b)` is meant, as in the engine: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use sopsim::dist::Dist;
use sopsim::dist::fast;
use sopsim::engine::metrics::{Layout, id, role};
use sopsim::engine::rng::{Process, Stream, name_key, stream};
use sopsim::scenario::{MAX_MONTHS, Policy, Role, RoleKind, Scenario};

/// Largest Poisson mean the engine draws.
const MAX_POISSON_MEAN: f64 = 1e15;

/// Months past the horizon the engine keeps requisition arrivals for (and the longest
/// time to hire it draws).
const ARRIVALS_PAST_HORIZON: usize = 2 * MAX_MONTHS as usize;

/// Territory index of a person who covers none.
const NO_TERRITORY: u32 = u32::MAX;

/// Which scenario distribution a draw uses.
#[derive(Debug, Clone, Copy)]
pub enum Draw {
    /// A once-per-trial key, by its index in [`Keys`].
    Key(usize),
    /// `time_to_hire_months` of role `r`.
    TimeToHire(usize),
    /// `time_to_hire_months` of stage `k`.
    StageHire(usize),
}

/// One step of a trial's draws.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// Creates the stream that the following draws come from.
    Stream(Process, u64, u64),
    /// `n` uniform draws in [0, 1).
    Uniforms(u32),
    /// A Poisson draw of mean `lambda` (the distribution built for it).
    Poisson(f64),
    /// A binomial draw of `n` trials with probability `p`.
    Binomial(u64, f64),
    /// A standard normal draw.
    Normal,
    /// `n` draws of a scenario distribution, rounded as the engine rounds them.
    Sample(Draw, u32),
    /// `n` worked opportunities of segment `s`: outcome uniform, deal size, whole-month
    /// cycle each.
    Deals(usize, u32),
}

/// The once-per-trial keys of a scenario that are not constants, in the engine's order.
pub struct Keys<'a> {
    keys: Vec<(u64, &'a Dist)>,
}

impl<'a> Keys<'a> {
    fn new(s: &'a Scenario) -> Keys<'a> {
        let mut all: Vec<(String, &Dist)> = vec![
            ("company.monthly_churn".into(), &s.company.monthly_churn),
            ("company.monthly_expansion".into(), &s.company.monthly_expansion),
            ("demand.leads_per_month".into(), &s.demand.leads_per_month),
            ("demand.growth_per_month".into(), &s.demand.growth_per_month),
            ("demand.lead_to_opportunity".into(), &s.demand.lead_to_opportunity),
        ];
        all.extend(s.segments.iter().map(|g| (format!("segments.{}.win_rate", g.name), &g.win_rate)));
        for (key, get) in [
            ("annual_attrition", (|r| &r.annual_attrition) as fn(&Role) -> &Dist),
            ("opportunities_per_month", |r| &r.opportunities_per_month),
            ("meetings_per_month", |r| &r.meetings_per_month),
            ("meeting_to_opportunity", |r| &r.meeting_to_opportunity),
        ] {
            all.extend(s.roles.iter().map(|r| (format!("roles.{}.{key}", r.id), get(r))));
        }
        all.extend(
            s.territories.iter().map(|t| (format!("territories.{}.opportunity_rate", t.name), &t.opportunity_rate)),
        );
        all.push(("forecast.bias".into(), &s.forecast.bias));
        all.push(("forecast.noise".into(), &s.forecast.noise));
        Keys {
            keys: all.into_iter().filter(|(_, d)| d.as_constant().is_none()).map(|(k, d)| (name_key(&k), d)).collect(),
        }
    }
}

/// A trial's draws, and what the engine's output says about it.
pub struct Plan {
    trial: u64,
    ops: Vec<Op>,
    /// Opportunities worked over the horizon.
    pub opportunities: f64,
    /// Person-months of staff (headcount summed over roles and months).
    pub rep_months: f64,
}

/// The draws the engine makes for a scenario, to replay and to time.
pub struct Floor<'a> {
    scenario: &'a Scenario,
    layout: Layout,
    keys: Keys<'a>,
    seed: u64,
}

impl<'a> Floor<'a> {
    /// The floor of `scenario` with `seed`.
    pub fn new(scenario: &'a Scenario, seed: u64) -> Floor<'a> {
        Floor { scenario, layout: Layout::new(scenario), keys: Keys::new(scenario), seed }
    }

    /// Makes the draws of `plan`; returns their sum.
    pub fn draw(&self, plan: &Plan) -> f64 {
        let s = self.scenario;
        let longest = ARRIVALS_PAST_HORIZON as f64;
        let mut sink = 0.0;
        let mut rng = stream(self.seed, plan.trial, Process::Param, 0, 0);
        for op in &plan.ops {
            match *op {
                Op::Stream(process, entity, month) => rng = stream(self.seed, plan.trial, process, entity, month),
                Op::Uniforms(n) => (0..n).for_each(|_| sink += rng.random::<f64>()),
                Op::Poisson(lambda) => sink += fast::poisson(&mut rng, lambda.min(MAX_POISSON_MEAN)) as f64,
                Op::Binomial(n, p) => sink += fast::binomial(&mut rng, n, p) as f64,
                Op::Normal => {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    sink += z;
                }
                Op::Sample(Draw::Key(k), n) => (0..n).for_each(|_| sink += self.keys.keys[k].1.sample(&mut rng)),
                Op::Sample(Draw::TimeToHire(r), n) => (0..n).for_each(|_| {
                    sink += s.roles[r].time_to_hire_months.sample(&mut rng).round().clamp(1.0, longest);
                }),
                Op::Sample(Draw::StageHire(k), n) => (0..n).for_each(|_| {
                    sink += s.stages[k].time_to_hire_months.sample(&mut rng).round().clamp(0.0, longest);
                }),
                Op::Deals(g, n) => {
                    let seg = &s.segments[g];
                    for _ in 0..n {
                        sink += rng.random::<f64>();
                        sink += seg.deal_size.sample(&mut rng);
                        sink += f64::from(seg.cycle.sample(&mut rng));
                    }
                }
            }
        }
        sink
    }

    /// Replays trial `trial` and writes down its draws; `out` is the engine's output for
    /// that trial, which the replay must match (else the first difference, in words).
    pub fn record(&self, trial: u64, out: &[f64]) -> Result<Plan, String> {
        Replay::new(self, trial).run(out)
    }
}

/// The state a replay needs to count a trial's draws.
struct Replay<'f, 'a> {
    floor: &'f Floor<'a>,
    trial: u64,
    ops: Vec<Op>,
    rng: Stream,
}

/// One person on staff, as the engine keeps them.
#[derive(Debug, Clone, Copy)]
struct Person {
    start: i64,
    id: u32,
    territory: u32,
}

/// One role's people, requisitions and (for the attrition multiplier) bookings and
/// quota to date by person id.
struct RoleReplay {
    staff: Vec<Person>,
    next_id: u32,
    arrivals: Vec<u32>,
    open_reqs: u32,
    bookings: Vec<f64>,
    quota: Vec<f64>,
}

impl RoleReplay {
    fn new(spec: &Role, months: usize) -> RoleReplay {
        let mut starts = vec![-1_000_000i64; spec.headcount as usize];
        for &(o, n) in spec.hires.iter().filter(|(o, _)| *o < 0) {
            starts.extend(std::iter::repeat_n(o, n as usize));
        }
        starts.sort_unstable();
        let staff: Vec<Person> = starts
            .into_iter()
            .enumerate()
            .map(|(i, start)| Person { start, id: i as u32, territory: NO_TERRITORY })
            .collect();
        RoleReplay {
            next_id: staff.len() as u32,
            staff,
            arrivals: vec![0; months + ARRIVALS_PAST_HORIZON + 1],
            open_reqs: 0,
            bookings: Vec::new(),
            quota: Vec::new(),
        }
    }

    /// Starts the plan-year ledgers of person `id`: nothing booked, no quota accrued.
    fn join(&mut self, id: u32) {
        let i = id as usize;
        if self.bookings.len() <= i {
            self.bookings.resize(i + 1, 0.0);
            self.quota.resize(i + 1, 0.0);
        }
        self.bookings[i] = 0.0;
        self.quota[i] = 0.0;
    }

    fn attainment(&self, id: u32) -> f64 {
        let i = id as usize;
        match (self.bookings.get(i), self.quota.get(i)) {
            (Some(b), Some(q)) if *q > 0.0 => b / q,
            _ => f64::NAN,
        }
    }
}

/// Whether month `t` starts a plan year of the plan whose year starts in `year_start`.
fn starts_year(s: &Scenario, year_start: usize, t: usize) -> bool {
    s.start.offset(t as i64).month0() == year_start
}

/// The least-covered territory of the closer role `spec`'s segment (ties: the first), as
/// the engine assigns a new closer; takes it for `person`.
fn assign_territory(s: &Scenario, territory_reps: &mut [u32], spec: &Role, person: &mut Person) {
    let (RoleKind::Closer, Some(segment)) = (spec.kind, spec.segment) else { return };
    let best = s
        .territories
        .iter()
        .enumerate()
        .filter(|(_, terr)| terr.segment == segment)
        .map(|(k, terr)| (k, f64::from(territory_reps[k]) * terr.accounts_per_rep / terr.accounts as f64))
        .fold(None, |best: Option<(usize, f64)>, (k, c)| match best {
            Some((_, bc)) if bc <= c => best,
            _ => Some((k, c)),
        });
    if let Some((k, _)) = best {
        territory_reps[k] += 1;
        person.territory = k as u32;
    }
}

fn free_territory(territory_reps: &mut [u32], person: &Person) {
    if person.territory != NO_TERRITORY {
        territory_reps[person.territory as usize] -= 1;
    }
}

fn coverage(reps: u32, accounts_per_rep: f64, accounts: u64) -> f64 {
    (f64::from(reps) * accounts_per_rep / accounts as f64).min(1.0)
}

/// Shares `worked` among reps in proportion to their capacities, as the engine does:
/// floors first, then one more each by largest remainder (ties: the earlier rep).
fn share(worked: u64, caps: &[u64]) -> Vec<u64> {
    let total: u64 = caps.iter().sum();
    if total == 0 || worked == 0 {
        return vec![0; caps.len()];
    }
    let mut out = Vec::with_capacity(caps.len());
    let mut rem = Vec::with_capacity(caps.len());
    let mut given = 0u64;
    for (i, &c) in caps.iter().enumerate() {
        let num = u128::from(worked) * u128::from(c);
        let base = (num / u128::from(total)) as u64;
        out.push(base);
        given += base;
        rem.push((num % u128::from(total), i));
    }
    let mut left = worked - given;
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &rem {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

fn binomial(rng: &mut Stream, ops: &mut Vec<Op>, n: u64, p: f64) -> u64 {
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    ops.push(Op::Binomial(n, p));
    fast::binomial(rng, n, p)
}

fn poisson(rng: &mut Stream, ops: &mut Vec<Op>, lambda: f64) -> u64 {
    if !(lambda > 0.0) {
        return 0;
    }
    ops.push(Op::Poisson(lambda));
    fast::poisson(rng, lambda.min(MAX_POISSON_MEAN))
}

fn multinomial(rng: &mut Stream, ops: &mut Vec<Op>, n: u64, shares: &[f64], out: &mut [u64]) {
    let (mut left, mut mass) = (n, 1.0);
    for (i, share) in shares.iter().enumerate() {
        if left == 0 {
            break;
        }
        let x = if i + 1 == shares.len() || mass <= *share { left } else { binomial(rng, ops, left, share / mass) };
        out[i] += x;
        left -= x;
        mass -= share;
    }
    if left > 0 {
        out[0] += left;
    }
}

impl<'f, 'a> Replay<'f, 'a> {
    fn new(floor: &'f Floor<'a>, trial: u64) -> Replay<'f, 'a> {
        Replay { floor, trial, ops: Vec::new(), rng: stream(floor.seed, trial, Process::Param, 0, 0) }
    }

    fn open(&mut self, process: Process, entity: u64, month: u64) {
        self.ops.push(Op::Stream(process, entity, month));
        self.rng = stream(self.floor.seed, self.trial, process, entity, month);
    }

    fn uniforms(&mut self, n: u32) {
        if n > 0 {
            self.ops.push(Op::Uniforms(n));
        }
    }

    fn run(mut self, out: &[f64]) -> Result<Plan, String> {
        let s = self.floor.scenario;
        let layout = &self.floor.layout;
        let months = s.months;
        let trial = self.trial;
        let engine = |metric: usize, t: usize| out.get(metric * months + t).copied().unwrap_or(f64::NAN);
        let diverged = std::cell::RefCell::new(None);
        let differ = |what: String| {
            if diverged.borrow().is_none() {
                *diverged.borrow_mut() = Some(format!(
                    "the floor's replay of trial {trial} diverges from the engine: {what}; the engine draws \
                     differently now: update benches/floor/mod.rs"
                ));
            }
        };
        let check = |metric: usize, t: usize, replayed: f64, what: &str| {
            let e = engine(metric, t);
            if e != replayed {
                differ(format!("{what} in month {t} is {e} in the engine and {replayed} in the replay"));
            }
        };

        // Once-per-trial keys: one stream each, one draw.
        let mut values = Vec::new();
        for (k, (key, dist)) in self.floor.keys.keys.iter().enumerate() {
            self.open(Process::Param, *key, 0);
            self.ops.push(Op::Sample(Draw::Key(k), 1));
            values.push((*key, dist.sample(&mut self.rng)));
        }
        let param = |path: &str, dist: &Dist| {
            dist.as_constant().unwrap_or_else(|| {
                let key = name_key(path);
                values.iter().find(|(k, _)| *k == key).map_or(f64::NAN, |(_, v)| *v)
            })
        };
        let d = &s.demand;
        let leads_per_month = param("demand.leads_per_month", &d.leads_per_month);
        let growth = param("demand.growth_per_month", &d.growth_per_month);
        let lead_to_opp = param("demand.lead_to_opportunity", &d.lead_to_opportunity);
        let role_param = |r: &Role, key: &str, dist: &Dist| param(&format!("roles.{}.{key}", r.id), dist);
        let attrition: Vec<f64> = s
            .roles
            .iter()
            .map(|r| 1.0 - (1.0 - role_param(r, "annual_attrition", &r.annual_attrition)).powf(1.0 / 12.0))
            .collect();
        let per_rep: Vec<f64> =
            s.roles.iter().map(|r| role_param(r, "opportunities_per_month", &r.opportunities_per_month)).collect();
        let meetings_pm: Vec<f64> =
            s.roles.iter().map(|r| role_param(r, "meetings_per_month", &r.meetings_per_month)).collect();
        let m2o: Vec<f64> =
            s.roles.iter().map(|r| role_param(r, "meeting_to_opportunity", &r.meeting_to_opportunity)).collect();
        let win_rate: Vec<f64> =
            s.segments.iter().map(|g| param(&format!("segments.{}.win_rate", g.name), &g.win_rate)).collect();
        let opportunity_rate: Vec<f64> = s
            .territories
            .iter()
            .map(|t| param(&format!("territories.{}.opportunity_rate", t.name), &t.opportunity_rate))
            .collect();
        let noise = param("forecast.noise", &s.forecast.noise);
        let plans: Vec<_> = s.roles.iter().map(|r| r.comp_plan.map(|c| &s.comp_plans[c])).collect();
        let credited: Vec<bool> = s.roles.iter().map(|r| r.carries_quota(s)).collect();

        // Staff as the engine starts them: territories first, then pay ledgers.
        let mut roles: Vec<RoleReplay> = s.roles.iter().map(|r| RoleReplay::new(r, months)).collect();
        let mut territory_reps = vec![0u32; s.territories.len()];
        for (r, spec) in s.roles.iter().enumerate() {
            let state = &mut roles[r];
            for person in &mut state.staff {
                assign_territory(s, &mut territory_reps, spec, person);
            }
            if plans[r].is_some() {
                for i in 0..state.staff.len() {
                    let id = state.staff[i].id;
                    state.join(id);
                }
            }
        }
        // Won deals credited at their close: by close month, (role, person id, value).
        let mut credits: Vec<Vec<(usize, u32, f64)>> = vec![Vec::new(); months];
        let mut closing = vec![(0u32, 0u32); months];
        let mut reached: Vec<bool> = s.stages.iter().map(|st| s.company.arr >= st.from_arr).collect();
        let (mut opportunities, mut rep_months) = (0.0, 0.0);

        for t in 0..months {
            // Start of the month: plan years restart, planned hires and filled requisitions join.
            for (r, spec) in s.roles.iter().enumerate() {
                let state = &mut roles[r];
                if let Some(plan) = plans[r]
                    && t > 0
                    && starts_year(s, plan.year_start, t)
                {
                    for i in 0..state.staff.len() {
                        let id = state.staff[i].id;
                        state.join(id);
                    }
                }
                let planned: u32 = spec.hires.iter().filter(|(o, _)| *o == t as i64).map(|(_, n)| *n).sum();
                let filled = state.arrivals[t];
                state.open_reqs -= filled;
                for _ in 0..planned + filled {
                    let mut person = Person { start: t as i64, id: state.next_id, territory: NO_TERRITORY };
                    state.next_id += 1;
                    if plans[r].is_some() {
                        state.join(person.id);
                    }
                    assign_territory(s, &mut territory_reps, spec, &mut person);
                    state.staff.push(person);
                }
                check(Layout::role_metric(r, role::HIRES), t, f64::from(planned + filled), "hires");
            }

            // Demand: inbound leads, SDR meetings, territory accounts.
            let season = d.seasonality[s.start.offset(t as i64).month0()];
            let lambda = leads_per_month * (1.0 + growth).max(0.0).powi(t as i32) * season;
            // By thinning: each segment's opportunities, then the leads not converted.
            let mut demand = vec![0u64; s.segments.len()];
            let mut leads = 0;
            if lambda > 0.0 {
                self.open(Process::Leads, 0, t as u64);
                for (k, n) in demand.iter_mut().enumerate() {
                    let share = d.segment_mix.get(k).copied().unwrap_or(0.0);
                    *n = poisson(&mut self.rng, &mut self.ops, lambda * share * lead_to_opp);
                    leads += *n;
                }
                leads += poisson(&mut self.rng, &mut self.ops, lambda * (1.0 - lead_to_opp));
            }
            let mut meetings_total = 0;
            for (r, spec) in s.roles.iter().enumerate() {
                if spec.kind != RoleKind::Sdr {
                    continue;
                }
                let ramped: f64 = roles[r].staff.iter().map(|p| spec.ramp_at(t as i64 - p.start)).sum();
                self.open(Process::Meetings, name_key(&spec.id), t as u64);
                let meetings = poisson(&mut self.rng, &mut self.ops, ramped * meetings_pm[r]);
                let opps = binomial(&mut self.rng, &mut self.ops, meetings, m2o[r]);
                meetings_total += meetings;
                match spec.segment {
                    Some(g) => demand[g] += opps,
                    None => multinomial(&mut self.rng, &mut self.ops, opps, &d.segment_mix, &mut demand),
                }
            }
            let mut uncovered = 0;
            for (k, terr) in s.territories.iter().enumerate() {
                self.open(Process::Accounts, name_key(&terr.name), t as u64);
                let opened = binomial(&mut self.rng, &mut self.ops, terr.accounts, opportunity_rate[k]);
                let covered = coverage(territory_reps[k], terr.accounts_per_rep, terr.accounts);
                let covered = binomial(&mut self.rng, &mut self.ops, opened, covered);
                demand[terr.segment] += covered;
                uncovered += opened - covered;
            }
            check(id::LEADS, t, leads as f64, "leads");
            check(id::MEETINGS, t, meetings_total as f64, "meetings");
            check(id::OPP_DEMAND, t, demand.iter().sum::<u64>() as f64, "opportunities.demand");
            check(id::OPP_UNCOVERED, t, uncovered as f64, "opportunities.uncovered");

            // Supply: each closer's capacity, by segment.
            let mut reps: Vec<Vec<(usize, u32, u64)>> = vec![Vec::new(); s.segments.len()];
            for (r, spec) in s.roles.iter().enumerate() {
                let staff = &roles[r].staff;
                check(Layout::role_metric(r, role::HEADCOUNT), t, staff.len() as f64, "headcount");
                rep_months += staff.len() as f64;
                if let (RoleKind::Closer, Some(g)) = (spec.kind, spec.segment) {
                    self.open(Process::Capacity, name_key(&spec.id), t as u64);
                    let mut fractional = 0;
                    for person in staff {
                        let c = spec.ramp_at(t as i64 - person.start) * per_rep[r];
                        let frac = c - c.floor();
                        let mut cap = c.floor() as u64;
                        if frac > 0.0 {
                            fractional += 1;
                            cap += u64::from(self.rng.random::<f64>() < frac);
                        }
                        reps[g].push((r, person.id, cap));
                    }
                    self.uniforms(fractional);
                }
            }
            let capacity: Vec<u64> = reps.iter().map(|v| v.iter().map(|x| x.2).sum()).collect();
            check(id::OPP_CAPACITY, t, capacity.iter().sum::<u64>() as f64, "opportunities.capacity");

            // Reconcile: deals, shared among the segment's closers; won deals credited.
            let mut worked_total = 0;
            for (g, seg) in s.segments.iter().enumerate() {
                let worked = demand[g].min(capacity[g]);
                worked_total += worked;
                self.open(Process::Deals, name_key(&seg.name), t as u64);
                if worked > 0 {
                    self.ops.push(Op::Deals(g, worked as u32));
                }
                let caps: Vec<u64> = reps[g].iter().map(|x| x.2).collect();
                for (&(r, person, _), n) in reps[g].iter().zip(share(worked, &caps)) {
                    for _ in 0..n {
                        let won = self.rng.random::<f64>() < win_rate[g];
                        let size = seg.deal_size.sample(&mut self.rng);
                        let close = t + seg.cycle.sample(&mut self.rng) as usize;
                        if close >= months {
                            continue;
                        }
                        closing[close].0 += 1;
                        if won {
                            closing[close].1 += 1;
                            if credited[r] {
                                match credits[close].last_mut() {
                                    Some(last) if last.0 == r && last.1 == person => last.2 += size,
                                    _ => credits[close].push((r, person, size)),
                                }
                            }
                        }
                    }
                }
            }
            opportunities += worked_total as f64;
            check(id::OPP_WORKED, t, worked_total as f64, "opportunities.worked");
            check(id::CLOSED, t, f64::from(closing[t].0), "deals.closed");
            check(id::WON, t, f64::from(closing[t].1), "deals.won");
            for &(r, person, value) in &credits[t] {
                if let Some(b) = roles[r].bookings.get_mut(person as usize) {
                    *b += value;
                }
            }
            // Pay: quota to date accrues for closers on a plan with a quota.
            for (r, spec) in s.roles.iter().enumerate() {
                let Some(plan) = plans[r] else { continue };
                if spec.kind != RoleKind::Closer || plan.quota <= 0.0 {
                    continue;
                }
                let state = &mut roles[r];
                for i in 0..state.staff.len() {
                    let p = state.staff[i];
                    state.quota[p.id as usize] += plan.quota / 12.0 * spec.ramp_at(t as i64 - p.start);
                }
            }

            // Exits: planned, then attrition (raised for ramped reps below the plan's threshold).
            let mut leavers = vec![0u32; s.roles.len()];
            for (r, spec) in s.roles.iter().enumerate() {
                let state = &mut roles[r];
                let planned: u32 = spec.departures.iter().filter(|(m, _)| *m == t).map(|(_, n)| *n).sum();
                let planned = (planned as usize).min(state.staff.len());
                state.staff.drain(..planned).for_each(|p| free_territory(&mut territory_reps, &p));
                let before = state.staff.len();
                let h = attrition[r];
                if h > 0.0 {
                    let low = plans[r].and_then(|p| p.low_attainment_attrition);
                    self.open(Process::Attrition, name_key(&spec.id), t as u64);
                    self.uniforms(before as u32);
                    let rng = &mut self.rng;
                    let mut staff = std::mem::take(&mut state.staff);
                    staff.retain(|p| {
                        let hazard = match low {
                            Some((below, m))
                                if spec.ramp_at(t as i64 - p.start) >= 1.0 && state.attainment(p.id) < below =>
                            {
                                (h * m).min(1.0)
                            }
                            _ => h,
                        };
                        let stays = rng.random::<f64>() >= hazard;
                        if !stays {
                            free_territory(&mut territory_reps, p);
                        }
                        stays
                    });
                    state.staff = staff;
                }
                leavers[r] = (planned + before - state.staff.len()) as u32;
            }

            // Requisitions: backfills, then the capacity policy's (counted from the output).
            for (r, spec) in s.roles.iter().enumerate() {
                let state = &mut roles[r];
                let backfills = if spec.policy != Policy::Plan { leavers[r] } else { 0 };
                let mut n = backfills;
                if spec.policy == Policy::Capacity {
                    let opened = engine(Layout::role_metric(r, role::OPEN_REQS), t) - f64::from(state.open_reqs + n);
                    if opened >= 0.0 && opened.fract() == 0.0 && opened <= f64::from(spec.max_hires_per_month) {
                        n += opened as u32;
                    } else {
                        differ(format!(
                            "open_reqs of role {} in month {t} leaves {opened} requisitions for the capacity policy",
                            spec.id
                        ));
                    }
                }
                if n > 0 {
                    self.open(Process::Hiring, name_key(&spec.id), t as u64);
                    self.ops.push(Op::Sample(Draw::TimeToHire(r), n));
                    for _ in 0..n {
                        let delay = spec
                            .time_to_hire_months
                            .sample(&mut self.rng)
                            .round()
                            .clamp(1.0, ARRIVALS_PAST_HORIZON as f64);
                        state.open_reqs += 1;
                        state.arrivals[t + delay as usize] += 1;
                    }
                }
                check(Layout::role_metric(r, role::DEPARTURES), t, f64::from(leavers[r]), "departures");
                check(Layout::role_metric(r, role::OPEN_REQS), t, f64::from(state.open_reqs), "open_reqs");
            }
            for (k, terr) in s.territories.iter().enumerate() {
                let c = coverage(territory_reps[k], terr.accounts_per_rep, terr.accounts);
                check(layout.first_coverage + k, t, c, &format!("coverage.{}", terr.name));
            }

            // Stages reached this month (from the output): the stage hire's time to hire.
            for (k, st) in s.stages.iter().enumerate() {
                let now = engine(layout.first_stage + k, t);
                if now != 1.0 {
                    if now != 0.0 || reached[k] {
                        differ(format!("reached.{} in month {t} is {now} after the stage was reached", st.key));
                    }
                    continue;
                }
                if !reached[k] {
                    reached[k] = true;
                    self.open(Process::Hiring, name_key(&format!("stages.{}", st.key)), t as u64);
                    self.ops.push(Op::Sample(Draw::StageHire(k), 1));
                }
            }

            // The forecast of next month: its noise.
            if t + 1 < months && noise > 0.0 {
                self.open(Process::Forecast, 0, t as u64);
                self.ops.push(Op::Normal);
            }
        }
        match diverged.into_inner() {
            Some(message) => Err(message),
            None => Ok(Plan { trial: self.trial, ops: self.ops, opportunities, rep_months }),
        }
    }
}
