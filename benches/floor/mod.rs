//! The random-draw floor of a trial: the draws the engine makes, and nothing else.
//!
//! [`Plan::record`] replays a trial of the engine from outside it: the same streams
//! (`engine::rng::stream` with the same keys), the same distributions, in the same
//! order, with just enough state to know how many draws each month needs (staff start
//! months, backfill arrivals, demand and capacity by segment). It writes down every
//! draw as an [`Op`] and checks itself against the engine's own output for that trial
//! (leads, meetings, demand, capacity, worked opportunities, deals won and closed,
//! headcount, hires, departures and open requisitions by role and month): if the
//! engine has changed how it draws, the replay diverges and the bench says so and
//! reports no floor for that scenario rather than a floor that is not the engine's.
//!
//! [`Plan::draw`] then makes exactly those draws: it creates each stream, draws each
//! Poisson, binomial (building the distribution as the engine does), uniform and
//! scenario distribution (deal size, cycle, time to hire, once-per-trial keys), and adds
//! the results into one number so none is optimised away. It keeps no staff, no
//! pipeline, no ARR and writes no output: the difference between the engine and the
//! floor is everything the engine does besides drawing.

// `!(a > b)` is meant, as in the engine: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};
use sopsim::dist::Dist;
use sopsim::engine::metrics::{Layout, id, role};
use sopsim::engine::rng::{Process, Stream, name_key, stream};
use sopsim::scenario::{RoleKind, Scenario};

/// Largest Poisson mean the engine draws.
const MAX_POISSON_MEAN: f64 = 1e15;

/// Which scenario distribution a draw uses.
#[derive(Debug, Clone, Copy)]
pub enum Draw {
    /// A once-per-trial key, by its index in [`Keys`].
    Key(usize),
    /// `time_to_hire_months` of role `r`.
    TimeToHire(usize),
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
    /// A binomial draw of `n` trials with probability `p` (the distribution built for it).
    Binomial(u64, f64),
    /// `n` draws of a scenario distribution, rounded as the engine rounds them.
    Sample(Draw, u32),
    /// `n` worked opportunities of segment `s`: outcome uniform, deal size, cycle each.
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
            ("annual_attrition", (|r| &r.annual_attrition) as fn(&sopsim::scenario::Role) -> &Dist),
            ("opportunities_per_month", |r| &r.opportunities_per_month),
            ("meetings_per_month", |r| &r.meetings_per_month),
            ("meeting_to_opportunity", |r| &r.meeting_to_opportunity),
        ] {
            all.extend(s.roles.iter().map(|r| (format!("roles.{}.{key}", r.id), get(r))));
        }
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
    keys: Keys<'a>,
    seed: u64,
}

impl<'a> Floor<'a> {
    /// The floor of `scenario` with `seed`.
    pub fn new(scenario: &'a Scenario, seed: u64) -> Floor<'a> {
        Floor { scenario, keys: Keys::new(scenario), seed }
    }

    /// Makes the draws of `plan`; returns their sum.
    pub fn draw(&self, plan: &Plan) -> f64 {
        let s = self.scenario;
        let mut sink = 0.0;
        let mut rng = stream(self.seed, plan.trial, Process::Param, 0, 0);
        for op in &plan.ops {
            match *op {
                Op::Stream(process, entity, month) => rng = stream(self.seed, plan.trial, process, entity, month),
                Op::Uniforms(n) => (0..n).for_each(|_| sink += rng.random::<f64>()),
                Op::Poisson(lambda) => {
                    if let Ok(d) = Poisson::new(lambda.min(MAX_POISSON_MEAN)) {
                        sink += d.sample(&mut rng);
                    }
                }
                Op::Binomial(n, p) => {
                    if let Ok(d) = Binomial::new(n, p) {
                        sink += d.sample(&mut rng) as f64;
                    }
                }
                Op::Sample(Draw::Key(k), n) => (0..n).for_each(|_| sink += self.keys.keys[k].1.sample(&mut rng)),
                Op::Sample(Draw::TimeToHire(r), n) => {
                    (0..n).for_each(|_| sink += s.roles[r].time_to_hire_months.sample(&mut rng).round().max(1.0))
                }
                Op::Deals(g, n) => {
                    let seg = &s.segments[g];
                    for _ in 0..n {
                        sink += rng.random::<f64>();
                        sink += seg.deal_size.sample(&mut rng);
                        sink += seg.cycle_months.sample(&mut rng).round();
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

fn binomial(rng: &mut Stream, ops: &mut Vec<Op>, n: u64, p: f64) -> u64 {
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    ops.push(Op::Binomial(n, p));
    Binomial::new(n, p).map_or(0, |d| d.sample(rng))
}

fn poisson(rng: &mut Stream, ops: &mut Vec<Op>, lambda: f64) -> u64 {
    if !(lambda > 0.0) {
        return 0;
    }
    ops.push(Op::Poisson(lambda));
    Poisson::new(lambda.min(MAX_POISSON_MEAN)).map_or(0, |d| d.sample(rng) as u64)
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
        let months = s.months;
        let trial = self.trial;
        let diverged = std::cell::RefCell::new(None);
        let check = |metric: usize, t: usize, replayed: f64, what: &str| {
            let engine = out.get(metric * months + t).copied().unwrap_or(f64::NAN);
            if engine != replayed && diverged.borrow().is_none() {
                *diverged.borrow_mut() = Some(format!(
                    "the floor's replay of trial {trial} diverges from the engine: {what} in month {t} is \
                     {engine} in the engine and {replayed} in the replay; the engine draws differently now: \
                     update benches/floor/mod.rs"
                ));
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
        let role_param =
            |r: &sopsim::scenario::Role, key: &str, dist: &Dist| param(&format!("roles.{}.{key}", r.id), dist);
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

        // Staff: start months, oldest first; backfills by arrival month.
        let mut staff: Vec<Vec<i64>> = s
            .roles
            .iter()
            .map(|r| {
                let mut v = vec![-1_000_000i64; r.headcount as usize];
                for &(o, n) in r.hires.iter().filter(|(o, _)| *o < 0) {
                    v.extend(std::iter::repeat_n(o, n as usize));
                }
                v.sort_unstable();
                v
            })
            .collect();
        let mut arrivals = vec![vec![0u32; months]; s.roles.len()];
        let mut open_reqs = vec![0u32; s.roles.len()];
        let mut closing = vec![(0u32, 0u32); months];
        let (mut opportunities, mut rep_months) = (0.0, 0.0);

        for t in 0..months {
            for (r, spec) in s.roles.iter().enumerate() {
                let planned: u32 = spec.hires.iter().filter(|(o, _)| *o == t as i64).map(|(_, n)| *n).sum();
                let filled = arrivals[r][t];
                open_reqs[r] -= filled;
                staff[r].extend(std::iter::repeat_n(t as i64, (planned + filled) as usize));
                check(Layout::role_metric(r, role::HIRES), t, f64::from(planned + filled), "hires");
            }

            // Demand.
            let season = d.seasonality[s.start.offset(t as i64).month0()];
            let lambda = leads_per_month * (1.0 + growth).max(0.0).powi(t as i32) * season;
            self.open(Process::Leads, 0, t as u64);
            let leads = poisson(&mut self.rng, &mut self.ops, lambda);
            let mut by_segment = vec![0u64; s.segments.len()];
            multinomial(&mut self.rng, &mut self.ops, leads, &d.segment_mix, &mut by_segment);
            let mut demand: Vec<u64> =
                by_segment.iter().map(|&n| binomial(&mut self.rng, &mut self.ops, n, lead_to_opp)).collect();
            let mut meetings_total = 0;
            for (r, spec) in s.roles.iter().enumerate() {
                if spec.kind != RoleKind::Sdr {
                    continue;
                }
                let ramped: f64 = staff[r].iter().map(|st| spec.ramp_at(t as i64 - st)).sum();
                self.open(Process::Meetings, name_key(&spec.id), t as u64);
                let meetings = poisson(&mut self.rng, &mut self.ops, ramped * meetings_pm[r]);
                let opps = binomial(&mut self.rng, &mut self.ops, meetings, m2o[r]);
                meetings_total += meetings;
                match spec.segment {
                    Some(g) => demand[g] += opps,
                    None => multinomial(&mut self.rng, &mut self.ops, opps, &d.segment_mix, &mut demand),
                }
            }
            check(id::LEADS, t, leads as f64, "leads");
            check(id::MEETINGS, t, meetings_total as f64, "meetings");
            check(id::OPP_DEMAND, t, demand.iter().sum::<u64>() as f64, "opportunities.demand");

            // Supply: capacity, then leavers.
            let mut capacity = vec![0u64; s.segments.len()];
            let mut leavers = vec![0u32; s.roles.len()];
            for (r, spec) in s.roles.iter().enumerate() {
                let key = name_key(&spec.id);
                check(Layout::role_metric(r, role::HEADCOUNT), t, staff[r].len() as f64, "headcount");
                rep_months += staff[r].len() as f64;
                if let (RoleKind::Closer, Some(g)) = (spec.kind, spec.segment) {
                    self.open(Process::Capacity, key, t as u64);
                    let mut fractional = 0;
                    for st in &staff[r] {
                        let c = spec.ramp_at(t as i64 - st) * per_rep[r];
                        let frac = c - c.floor();
                        capacity[g] += c.floor() as u64;
                        if frac > 0.0 {
                            fractional += 1;
                            capacity[g] += u64::from(self.rng.random::<f64>() < frac);
                        }
                    }
                    self.uniforms(fractional);
                }
                let planned: u32 = spec.departures.iter().filter(|(m, _)| *m == t).map(|(_, n)| *n).sum();
                let planned = (planned as usize).min(staff[r].len());
                staff[r].drain(..planned);
                let before = staff[r].len();
                if attrition[r] > 0.0 {
                    self.open(Process::Attrition, key, t as u64);
                    self.uniforms(before as u32);
                    let (h, rng) = (attrition[r], &mut self.rng);
                    staff[r].retain(|_| rng.random::<f64>() >= h);
                }
                leavers[r] = (planned + before - staff[r].len()) as u32;
            }
            check(id::OPP_CAPACITY, t, capacity.iter().sum::<u64>() as f64, "opportunities.capacity");

            // Reconcile: deals, then backfill requisitions.
            let mut worked_total = 0;
            for (g, seg) in s.segments.iter().enumerate() {
                let worked = demand[g].min(capacity[g]);
                worked_total += worked;
                self.open(Process::Deals, name_key(&seg.name), t as u64);
                if worked > 0 {
                    self.ops.push(Op::Deals(g, worked as u32));
                }
                for _ in 0..worked {
                    let won = self.rng.random::<f64>() < win_rate[g];
                    seg.deal_size.sample(&mut self.rng);
                    let close = t as f64 + seg.cycle_months.sample(&mut self.rng).round();
                    if close < months as f64 {
                        closing[close as usize].0 += 1;
                        closing[close as usize].1 += u32::from(won);
                    }
                }
            }
            opportunities += worked_total as f64;
            check(id::OPP_WORKED, t, worked_total as f64, "opportunities.worked");
            check(id::CLOSED, t, f64::from(closing[t].0), "deals.closed");
            check(id::WON, t, f64::from(closing[t].1), "deals.won");
            for (r, spec) in s.roles.iter().enumerate() {
                let n = leavers[r];
                if spec.backfill && n > 0 {
                    self.open(Process::Hiring, name_key(&spec.id), t as u64);
                    self.ops.push(Op::Sample(Draw::TimeToHire(r), n));
                    for _ in 0..n {
                        let delay = spec.time_to_hire_months.sample(&mut self.rng).round().max(1.0);
                        open_reqs[r] += 1;
                        if t as f64 + delay < months as f64 {
                            arrivals[r][(t as f64 + delay) as usize] += 1;
                        }
                    }
                }
                check(Layout::role_metric(r, role::DEPARTURES), t, f64::from(n), "departures");
                check(Layout::role_metric(r, role::OPEN_REQS), t, f64::from(open_reqs[r]), "open_reqs");
            }
        }
        match diverged.into_inner() {
            Some(message) => Err(message),
            None => Ok(Plan { trial: self.trial, ops: self.ops, opportunities, rep_months }),
        }
    }
}
