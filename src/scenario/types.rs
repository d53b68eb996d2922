//! The validated scenario: the types every other part of sopsim reads, and the limits
//! every value was checked against. Only the load pipeline ([`super::load`]) builds them.

use crate::dist::{Dist, WholeDraw};
use crate::month::YearMonth;

use super::{actuals, inputs, pipeline, skill};

/// Largest horizon, in months (50 years).
pub const MAX_MONTHS: u64 = 600;
/// Largest number of trials in one run.
pub const MAX_TRIALS: u64 = 10_000_000;
/// Largest number of people of one role (on staff, hired or departing in one entry).
pub const MAX_PEOPLE: u64 = 100_000;
/// Most person-months of staff a trial may carry: people on staff at once, over all
/// roles, times the months (100,000 people for 5 years, 10,000 for 50). A trial's work
/// grows with its staff every month (capacity, pay, attrition draws per person).
pub const MAX_STAFF_MONTHS: u64 = 6_000_000;
/// Largest money amount accepted anywhere (a trillion dollars).
pub const MAX_MONEY: f64 = 1e12;
/// Largest expected number of leads in a month.
pub const MAX_LEADS_PER_MONTH: f64 = 1e8;
/// Largest number of opportunities one rep can work in a month.
pub const MAX_OPPS_PER_REP: f64 = 1_000.0;
/// Largest ramp, in months.
pub const MAX_RAMP_MONTHS: u64 = 120;
/// Longest scenario name, in characters: a title that still fits a chart's header.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest name or id of a segment, role, territory, comp plan or stage, in characters:
/// these label metrics, table rows and chart legends.
pub const MAX_ID_CHARS: usize = 100;
/// Smallest positive money amount, in dollars, of the amounts the model divides by
/// (`company.arr`, `target.arr`, `deal_size`, `quota`, `arr_per_head`): one cent.
pub const MIN_MONEY: f64 = 0.01;
/// Smallest positive factor of the keys the model divides by (`seasonality`,
/// `accounts_per_rep`, `span_of_control`, `target_utilisation`, `opportunities_per_month`).
pub const MIN_FACTOR: f64 = 0.001;
/// Default factor on churn when support covers none of its load.
pub const DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED: f64 = 2.0;

/// A validated scenario: every value is in range and every reference resolved.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// First simulated month (t = 0).
    pub start: YearMonth,
    /// Number of simulated months.
    pub months: usize,
    /// Default number of trials.
    pub trials: u64,
    /// Default seed.
    pub seed: u64,
    /// Revenue base.
    pub company: Company,
    /// The ARR target, if any.
    pub target: Option<Target>,
    /// Market segments, in file order.
    pub segments: Vec<Segment>,
    /// Inbound demand.
    pub demand: Demand,
    /// Staff roles, in file order.
    pub roles: Vec<Role>,
    /// Territories, in file order.
    pub territories: Vec<Territory>,
    /// `[[pipeline]]`: the opportunities open at the start.
    pub pipeline: Vec<pipeline::OpenDeals>,
    /// `[[actuals]]` (or `--actuals`): the first months of the plan, which already happened.
    pub actuals: Vec<actuals::Actual>,
    /// Compensation plans, in file order.
    pub comp_plans: Vec<CompPlan>,
    /// ARR stages, by ascending `from_arr`.
    pub stages: Vec<Stage>,
    /// How next month's bookings are forecast.
    pub forecast: Forecast,
    /// The keys drawn once per trial, in drawing order (see [`inputs::list`]).
    pub inputs: Vec<inputs::Input>,
    /// `[[correlations]]` between once-per-trial keys.
    pub correlations: Vec<inputs::Correlation>,
    /// The Gaussian copula of the correlated keys, if any.
    pub copula: Option<inputs::Copula>,
}

impl Scenario {
    /// The name shown for the role with id `id` (its `label`, else the id); `id` itself
    /// when no role has it.
    pub fn role_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.roles.iter().find(|r| r.id == id).map_or(id, Role::display_name)
    }

    /// The name shown for the segment named `name` (its `label`, else the name); `name`
    /// itself when no segment has it.
    pub fn segment_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.segments.iter().find(|s| s.name == name).map_or(name, Segment::display_name)
    }
}

/// `[company]`: the revenue base.
#[derive(Debug, Clone)]
pub struct Company {
    /// ARR at the start, dollars.
    pub arr: f64,
    /// Share of ARR lost a month; drawn once per trial.
    pub monthly_churn: Dist,
    /// Share of ARR added by existing customers a month; drawn once per trial.
    pub monthly_expansion: Dist,
    /// Factor on churn when support covers none of its load (linear in the shortfall).
    pub churn_multiplier_unsupported: f64,
    /// First month of the fiscal year, 0 for January.
    pub fiscal_year_start: u32,
    /// `quarter_timing`: the won closes' factors by month of the fiscal quarter, if any.
    pub quarter_timing: Option<QuarterTiming>,
    /// `close_noise`: the sd of each month's shared normal shock, the share of the next
    /// month's won deals it pulls in (or, below 0, of its own it pushes out); 0: none.
    pub close_noise: f64,
}

impl Company {
    /// Whether won closes may slip: quarter timing or a close noise.
    pub fn times_closes(&self) -> bool {
        self.quarter_timing.is_some() || self.close_noise > 0.0
    }

    /// Whether each trial shifts won closes between months: a close noise, or quarter
    /// factors drawn per trial.
    pub fn shifts_closes(&self) -> bool {
        self.close_noise > 0.0 || self.quarter_timing.as_ref().is_some_and(QuarterTiming::is_uncertain)
    }
}

/// Won closes by month of the fiscal quarter: factors of mean 1 that reweight the
/// months a won deal's cycle may end in (3.5).
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterTiming {
    /// The factors as given, scaled to a mean of 1, first month of the quarter first.
    pub factors: [f64; 3],
    /// `quarter_timing_sd`: the factors' standard errors, scaled as the factors are;
    /// each trial draws its own factors around them (zeros without the key).
    pub sd: [f64; 3],
}

impl QuarterTiming {
    /// The timing of factors `f` (each positive), scaled to a mean of 1.
    pub fn new(f: [f64; 3]) -> QuarterTiming {
        QuarterTiming::with_sd(f, [0.0; 3])
    }

    /// The same, with standard errors `sd` of the factors as given, scaled alike.
    pub fn with_sd(f: [f64; 3], sd: [f64; 3]) -> QuarterTiming {
        let mean = (f[0] + f[1] + f[2]) / 3.0;
        QuarterTiming { factors: f.map(|x| x / mean), sd: sd.map(|x| x / mean) }
    }

    /// Whether the factors are uncertain (`quarter_timing_sd` given and not all 0).
    pub fn is_uncertain(&self) -> bool {
        self.sd.iter().any(|s| *s > 0.0)
    }

    /// The won cycle `cycle` reweighted by month of the quarter, for each phase `p` (0,
    /// 1, 2): a cycle of `k` months ends in month `p + k` of the quarter's cycle of
    /// three, so its probability is multiplied by `g[(p + k) mod 3]` and the table scaled
    /// back to 1. The weights `g` are those under which a steady flow of deals, one a
    /// month worked in every phase, closes `factors` of its mean in each month of the
    /// quarter: `g = factors` when the cycle spreads evenly over the quarter's months,
    /// and otherwise found by fixed-point iteration, `g <- g x factors / closes(g)`.
    pub fn timed(&self, cycle: &WholeDraw) -> [WholeDraw; 3] {
        let mut g = self.factors;
        let top = (0..MAX_MONTHS as u32).rposition(|k| cycle.probability(k) > 0.0).unwrap_or(0) as u32;
        let p: Vec<f64> = (0..=top).map(|k| cycle.probability(k)).collect();
        if p.iter().all(|x| x.is_finite()) {
            for _ in 0..200 {
                // closes[q]: the deals closing in month q of the quarter, from one worked
                // in each phase.
                let mut closes = [0.0; 3];
                for phase in 0..3 {
                    let z: f64 = p.iter().enumerate().map(|(k, x)| x * g[(phase + k) % 3]).sum();
                    for (k, x) in p.iter().enumerate() {
                        closes[(phase + k) % 3] += x * g[(phase + k) % 3] / z;
                    }
                }
                let mut moved: f64 = 0.0;
                for q in 0..3 {
                    let step = self.factors[q] / closes[q].max(f64::MIN_POSITIVE);
                    moved = moved.max((step - 1.0).abs());
                    g[q] = (g[q] * step).clamp(1e-6, 1e6);
                }
                let mean = (g[0] + g[1] + g[2]) / 3.0;
                g = g.map(|x| x / mean);
                if moved < 1e-12 {
                    break;
                }
            }
        }
        [0usize, 1, 2].map(|phase| cycle.reweighted(|k| g[(phase + k as usize) % 3]))
    }
}

/// `[target]`: the ARR to reach.
#[derive(Debug, Clone)]
pub struct Target {
    /// ARR to reach, dollars.
    pub arr: f64,
    /// Month index at which ARR is compared with the target.
    pub month: usize,
    /// Confidence the plan should reach.
    pub confidence: f64,
}

/// `[[segments]]`: a market segment.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Name, unique.
    pub name: String,
    /// `label`: the name shown in tables and charts, when it is not the name.
    pub label: Option<String>,
    /// The hash of the name that keys the segment's random streams.
    pub stream: u64,
    /// New ARR of a won deal, dollars; drawn per deal.
    pub deal_size: Dist,
    /// Probability that a worked opportunity is won; drawn once per trial.
    pub win_rate: Dist,
    /// Months from working an opportunity to its close; drawn per deal, rounded.
    pub cycle_months: Dist,
    /// `cycle_months` rounded to whole months, as the engine draws it (by inversion;
    /// values past [`MAX_MONTHS`], beyond any horizon alike, drawn as `MAX_MONTHS`).
    pub cycle: WholeDraw,
    /// Probability that a worked opportunity never closes (stalls and stays open);
    /// drawn once per trial. A constant 0 without `stall_rate`.
    pub stall_rate: Dist,
    /// The won cycle by the phase of the month worked in the fiscal quarter: as given
    /// by `quarter_cycle_months`, or with `company.quarter_timing` the cycle reweighted by
    /// month of the quarter (see [`QuarterTiming::timed`]).
    pub timed_cycle: Option<[WholeDraw; 3]>,
    /// Whether `timed_cycle` is given by `quarter_cycle_months` (the quarter factors
    /// do not reweight it).
    pub cycle_by_quarter: bool,
    /// `quarter_loss_cycle_months`: the lost cycle by the phase of the month worked.
    pub timed_loss_cycle: Option<[WholeDraw; 3]>,
    /// Months from working an opportunity to its close when it is lost, rounded to
    /// whole months as [`Segment::cycle`] is; `None`: the same as `cycle_months`.
    pub loss_cycle: Option<(Dist, WholeDraw)>,
    /// Support load of a dollar of this segment's ARR, relative to 1.
    pub service_weight: f64,
    /// `cohort_noise`: the relative sd of the shared multiplier on the win rate of the
    /// opportunities worked in one month (a cohort), drawn per trial and cohort, mean 1;
    /// 0 without the key.
    pub cohort_noise: f64,
}

impl Segment {
    /// The name shown to people: the `label`, else the name.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// Whether the segment's deals resolve only as won or lost, each over the one
    /// cycle (no `stall_rate` and no `loss_cycle_months`): the model of every scenario
    /// written before deals could stall, drawn as it always was.
    pub fn resolves_in_one_cycle(&self) -> bool {
        self.stall_rate.as_constant() == Some(0.0)
            && self.loss_cycle.is_none()
            && self.timed_loss_cycle.is_none()
            && !self.cycle_by_quarter
    }

    /// The whole-month cycle of a deal of this outcome worked in a month of phase
    /// `phase` of the quarter (0: its first month; see [`QuarterTiming::timed`]).
    pub fn cycle_of(&self, won: bool, phase: usize) -> &WholeDraw {
        match (&self.timed_loss_cycle, &self.loss_cycle, &self.timed_cycle) {
            (Some(timed), _, _) if !won => &timed[phase % 3],
            (_, Some((_, lost)), _) if !won => lost,
            // Lost deals take the won cycle as given by month of the quarter, but are
            // not timed by the quarter factors.
            (_, _, Some(timed)) if won || self.cycle_by_quarter => &timed[phase % 3],
            _ => &self.cycle,
        }
    }
}

/// `[demand]`: inbound leads.
#[derive(Debug, Clone)]
pub struct Demand {
    /// Expected leads a month at t = 0 before seasonality; drawn once per trial.
    pub leads_per_month: Dist,
    /// Monthly compound growth of lead volume; drawn once per trial.
    pub growth_per_month: Dist,
    /// Factor of each calendar month, January first.
    pub seasonality: [f64; 12],
    /// Share of leads per segment, by segment index; sums to 1.
    pub segment_mix: Vec<f64>,
    /// Probability that a lead becomes an opportunity; drawn once per trial.
    pub lead_to_opportunity: Dist,
    /// Standard deviation of the month's shared shock on lead volume (a gamma factor of
    /// mean 1 drawn each month); 0: no shock.
    pub volume_noise: f64,
}

/// What a role does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    /// Works opportunities and closes deals.
    Closer,
    /// Sets meetings that become opportunities.
    Sdr,
    /// Serves customers (staffing only in this version).
    Support,
    /// Manages closers (staffing only in this version).
    Manager,
    /// Sales operations (staffing only in this version).
    Ops,
}

impl RoleKind {
    pub(super) const NAMES: [&'static str; 5] = ["closer", "sdr", "support", "manager", "ops"];

    pub(super) fn parse(text: &str) -> Option<RoleKind> {
        Some(match text {
            "closer" => RoleKind::Closer,
            "sdr" => RoleKind::Sdr,
            "support" => RoleKind::Support,
            "manager" => RoleKind::Manager,
            "ops" => RoleKind::Ops,
            _ => return None,
        })
    }

    /// The kind's name in a scenario file (`closer`, `sdr`, ...).
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// `[[roles]]`: a group of people with the same job.
#[derive(Debug, Clone)]
pub struct Role {
    /// Id, unique; names the metrics `headcount.<id>` etc.
    pub id: String,
    /// `label`: the name shown in tables and charts, when it is not the id.
    pub label: Option<String>,
    /// The hash of the id that keys the role's random streams.
    pub stream: u64,
    /// What the role does.
    pub kind: RoleKind,
    /// Segment index the role works in, if tied to one.
    pub segment: Option<usize>,
    /// On staff and fully ramped at the start.
    pub headcount: u32,
    /// Productivity by month of tenure (index 0 = start month); 1.0 after the last.
    pub ramp: Vec<f64>,
    /// Share of people who leave in a year; drawn once per trial.
    pub annual_attrition: Dist,
    /// Months from opening a requisition to the hire's start; drawn per requisition.
    pub time_to_hire_months: Dist,
    /// Closers: opportunities a fully ramped rep works a month; drawn once per trial.
    pub opportunities_per_month: Dist,
    /// Closers: how their people differ (multipliers drawn per person at hire).
    pub skill: Option<skill::Skill>,
    /// SDRs: meetings a fully ramped SDR sets a month; drawn once per trial.
    pub meetings_per_month: Dist,
    /// SDRs: probability that a meeting becomes an opportunity; drawn once per trial.
    pub meeting_to_opportunity: Dist,
    /// Planned starts as (month offset from the start, count); negative = already on staff.
    pub hires: Vec<(i64, u32)>,
    /// Planned exits as (month index, count): the month is the last one counted.
    pub departures: Vec<(usize, u32)>,
    /// Whether each departure opens a requisition.
    pub backfill: bool,
    /// How requisitions are opened.
    pub policy: Policy,
    /// Index of the role's compensation plan.
    pub comp_plan: Option<usize>,
    /// Capacity policy: most requisitions opened in a month.
    pub max_hires_per_month: u32,
    /// Capacity policy: most people on staff plus open requisitions.
    pub headcount_budget: Option<u32>,
    /// Capacity policy: the share of capacity the plan aims to use.
    pub target_utilisation: f64,
    /// Support: ARR one ramped person serves (service-weighted).
    pub arr_per_head: f64,
    /// Managers: people of the managed roles per manager.
    pub span_of_control: f64,
    /// Managers: indices of the roles they manage.
    pub manages: Vec<usize>,
    /// Capacity policy without `headcount_budget`: the budget it keeps to, the role's
    /// share of the staff the horizon allows ([`MAX_STAFF_MONTHS`]), at most [`MAX_PEOPLE`].
    pub default_budget: u32,
}

/// How a role's requisitions are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Only the planned hires.
    Plan,
    /// Planned hires plus a requisition per departure.
    Backfill,
    /// Planned hires, backfills, and requisitions for the projected capacity gap.
    Capacity,
}

impl Policy {
    pub(super) const NAMES: [&'static str; 3] = ["plan", "backfill", "capacity"];
}

impl Role {
    /// The name shown to people: the `label`, else the id.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }

    /// Whether the role's people carry a bookings quota (closers on a plan with a quota).
    pub fn carries_quota(&self, scenario: &Scenario) -> bool {
        self.kind == RoleKind::Closer && self.comp_plan.is_some_and(|p| scenario.comp_plans[p].quota > 0.0)
    }

    /// Ramp months as `ramp_months` counts them: the months of the curve plus the first
    /// month at full productivity (`ramp_months = 4` is 0.25, 0.5, 0.75, 1.0); 0 without a
    /// ramp.
    pub fn ramp_months(&self) -> usize {
        if self.ramp.is_empty() { 0 } else { self.ramp.len() + 1 }
    }

    /// Productivity at a tenure of `months` (0 = the start month).
    #[inline]
    pub fn ramp_at(&self, months: i64) -> f64 {
        usize::try_from(months).ok().and_then(|m| self.ramp.get(m)).copied().unwrap_or(1.0)
    }
}

/// `[[territories]]`: a set of accounts that closers of one segment cover.
#[derive(Debug, Clone)]
pub struct Territory {
    /// Name, unique; names the metric `coverage.<name>`.
    pub name: String,
    /// The hash of the name that keys the territory's random streams.
    pub stream: u64,
    /// Segment index.
    pub segment: usize,
    /// Accounts in the territory.
    pub accounts: u64,
    /// Accounts one closer covers.
    pub accounts_per_rep: f64,
    /// Probability that a covered account opens an opportunity in a month; drawn once per trial.
    pub opportunity_rate: Dist,
}

/// One band of a compensation plan: from an attainment (fraction of quota) up to the
/// next band, the commission rate is multiplied by `multiplier`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Attainment where the band starts (0 for the first).
    pub from: f64,
    /// Multiplier of the base commission rate in the band.
    pub multiplier: f64,
}

/// `[[comp_plans]]`: pay of the people of the roles that reference it.
#[derive(Debug, Clone)]
pub struct CompPlan {
    /// Id, unique.
    pub id: String,
    /// Annual base salary, dollars.
    pub base: f64,
    /// Annual variable pay at 100% of quota, dollars.
    pub variable: f64,
    /// Annual quota of new bookings, dollars (0: no quota; the variable is paid at target).
    pub quota: f64,
    /// Bands of attainment, ascending from 0, each with its rate multiplier.
    pub bands: Vec<Band>,
    /// Most variable pay in a plan year, as a multiple of the (prorated) variable.
    pub cap: f64,
    /// Months of tenure during which variable pay is at least `draw` a month.
    pub draw_months: u32,
    /// Monthly guaranteed variable pay during the draw.
    pub draw: f64,
    /// Calendar month (0 = January) in which the plan year starts.
    pub year_start: usize,
    /// Reps whose attainment to date is below `.0` leave `.1` times as often.
    pub low_attainment_attrition: Option<(f64, f64)>,
}

impl CompPlan {
    /// Commission rate at 100%: variable / quota.
    pub fn rate(&self) -> f64 {
        if self.quota > 0.0 { self.variable / self.quota } else { 0.0 }
    }

    /// Variable pay earned over a plan year for bookings `b` against a plan-year quota
    /// `q` (the annual quota prorated to the rep's ramp and months): the rate times the
    /// integral of the band multiplier over attainment, capped at `cap` times the
    /// prorated variable.
    pub fn variable_earned(&self, b: f64, q: f64) -> f64 {
        if !(b > 0.0 && q > 0.0 && self.quota > 0.0) {
            return 0.0;
        }
        let x = b / q;
        let mut integral = 0.0;
        for (i, band) in self.bands.iter().enumerate() {
            let end = self.bands.get(i + 1).map_or(f64::INFINITY, |n| n.from);
            if x <= band.from {
                break;
            }
            integral += (x.min(end) - band.from) * band.multiplier;
        }
        let prorated_variable = self.variable * q / self.quota;
        (self.rate() * q * integral).min(self.cap * prorated_variable)
    }
}

/// `[[stages]]`: an ARR stage and the sales-ops role it calls for.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Metric key (from `name`, else the role in lower case with `-`).
    pub key: String,
    /// The role it calls for, as written.
    pub role: String,
    /// ARR from which the stage applies.
    pub from_arr: f64,
    /// Consecutive months ARR must stay at or above `from_arr`.
    pub months_above: u32,
    /// Annual cost of the stage's hire.
    pub annual_cost: f64,
    /// Months from reaching the stage to the hire's start; drawn per requisition.
    pub time_to_hire_months: Dist,
}

/// `[forecast]`: how the organisation forecasts next month's bookings.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// Relative bias of the reps' forecast (0.1 = 10% optimistic); drawn once per trial.
    pub bias: Dist,
    /// Standard deviation of the log of the monthly forecast noise; drawn once per trial.
    pub noise: Dist,
}

impl Default for Forecast {
    fn default() -> Self {
        Forecast { bias: Dist::constant(0.0), noise: Dist::constant(0.0) }
    }
}
