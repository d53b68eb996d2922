//! The scenario: reading a TOML file into a validated [`Scenario`].
//!
//! `tree` parses the text keeping spans, `read` offers typed getters that collect every
//! problem, and this module holds the schema: which keys exist, their ranges, defaults
//! and sampling levels, and the cross-references between sections. A [`Scenario`] is
//! only built when no error was found, so the engine never sees a bad value.

pub mod actuals;
pub mod diag;
pub mod inputs;
pub mod org;
pub mod pipeline;
mod read;
pub mod skill;
pub mod tree;

use std::collections::BTreeMap;
use std::path::Path;

use crate::dist::{Dist, Support, WholeDraw};
use crate::engine::rng::name_key;
use crate::month::YearMonth;

use diag::{Diagnostic, Severity, SourceId, Sources, Span, closest};
pub use org::{Band, CompPlan, Forecast, Stage, Territory};
use read::{Reader, Tbl};

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
    /// Support load of a dollar of this segment's ARR, relative to 1.
    pub service_weight: f64,
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
    const NAMES: [&'static str; 5] = ["closer", "sdr", "support", "manager", "ops"];

    fn parse(text: &str) -> Option<RoleKind> {
        Some(match text {
            "closer" => RoleKind::Closer,
            "sdr" => RoleKind::Sdr,
            "support" => RoleKind::Support,
            "manager" => RoleKind::Manager,
            "ops" => RoleKind::Ops,
            _ => return None,
        })
    }
}

/// `[[roles]]`: a group of people with the same job.
#[derive(Debug, Clone)]
pub struct Role {
    /// Id, unique; names the metrics `headcount.<id>` etc.
    pub id: String,
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
    const NAMES: [&'static str; 3] = ["plan", "backfill", "capacity"];
}

impl Role {
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

/// Failure to load a scenario: the diagnostics and the sources to render them.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The texts the diagnostics point into.
    pub sources: Sources,
    /// What was found (errors and warnings).
    pub diags: Vec<Diagnostic>,
}

impl LoadError {
    /// All diagnostics rendered for a terminal, with a closing count.
    pub fn render(&self) -> String {
        let errors = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        let mut out = self.sources.render_all(&self.diags);
        out.push_str(&format!(
            "{}: {} error{} found; nothing was simulated\n",
            crate::format::visible(&self.sources.file_name),
            errors,
            if errors == 1 { "" } else { "s" }
        ));
        out
    }
}

/// A scenario that passed validation, with its warnings and the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Warnings to show the user.
    pub warnings: Vec<Diagnostic>,
    /// The sources, to render the warnings.
    pub sources: Sources,
}

/// Reads and validates a scenario file with `--set` overrides.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        sources: Sources { file_name: name.clone(), ..Sources::default() },
        diags: vec![
            Diagnostic::error(None, "", format!("cannot read the scenario file: {e}"))
                .help("check the path; scenarios live in scenarios/*.toml"),
        ],
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(LoadError {
                sources: Sources {
                    file_name: name,
                    file_text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    overrides: overrides.to_vec(),
                },
                diags: vec![
                    Diagnostic::error(Some(Span::file(at..at + 1)), "", "the file is not UTF-8 text")
                        .expected("a TOML text file"),
                ],
            });
        }
    };
    load_str(&text, &name, overrides)
}

/// Reads and validates scenario text; `file_name` is used in messages.
pub fn load_str(text: &str, file_name: &str, overrides: &[String]) -> Result<Loaded, LoadError> {
    let sources =
        Sources { file_name: file_name.to_string(), file_text: text.to_string(), overrides: overrides.to_vec() };
    let fail = |diags: Vec<Diagnostic>| LoadError { sources: sources.clone(), diags };
    let mut root = tree::parse(text, SourceId::File).map_err(fail)?;
    let mut r = Reader { diags: tree::apply_overrides(&mut root, overrides) };
    let stem = Path::new(file_name).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let scenario = build(&mut r, &root, &stem);
    let mut diags = r.diags;
    diags.sort_by_key(|d| {
        let src = d.span.map_or(usize::MAX, |s| match s.source {
            SourceId::File => 0,
            SourceId::Override(i) => i + 1,
        });
        (src, d.span.map_or(0, |s| s.start))
    });
    match scenario {
        Some(scenario) if !diags.iter().any(|d| d.severity == Severity::Error) => {
            Ok(Loaded { scenario, warnings: diags, sources })
        }
        _ => Err(fail(diags)),
    }
}

fn build(r: &mut Reader, root: &tree::Node, stem: &str) -> Option<Scenario> {
    let mut top = Tbl::of(r, root, "")?;

    let (name, start, months, trials, seed) = match r.table(&mut top, "scenario") {
        Some(mut t) => {
            let name = r.name(&mut t, "name", MAX_NAME_CHARS).map(|(s, _)| s);
            let start = r.month(&mut t, "start");
            if !t.has("start") {
                r.missing(&t, "start", "the first month, e.g. start = \"2027-01\"");
            }
            let months = r.count_from(&mut t, "months", 1, MAX_MONTHS);
            if !t.has("months") {
                r.missing(&t, "months", "the number of months to simulate, e.g. months = 24");
            }
            let trials = r.count_from(&mut t, "trials", 1, MAX_TRIALS);
            let seed = r.count(&mut t, "seed", u64::MAX);
            let trials = if t.has("trials") { trials } else { Some(10_000) };
            r.finish(t);
            (name.unwrap_or_else(|| stem.to_string()), start, months, trials, seed.unwrap_or(1))
        }
        None => {
            if !top.has("scenario") {
                r.missing(&top, "scenario", "a [scenario] table with start and months");
            }
            (stem.to_string(), None, None, None, 1)
        }
    };

    let company = read_company(r, &mut top);
    let (segments, all_names) = read_segments(r, &mut top);
    let seg_names: Vec<&str> = all_names.iter().map(String::as_str).collect();
    let demand = read_demand(r, &mut top, &seg_names);
    // Roles are checked even when the start or horizon is invalid; their dates are
    // then checked for form only.
    let dating = start.zip(months.map(|m| m as usize));
    let (comp_plans, plan_ids, plans_ok) = org::read_comp_plans(r, &mut top);
    let plan_refs: Vec<&str> = plan_ids.iter().map(String::as_str).collect();
    let mut roles = read_roles(r, &mut top, &seg_names, &plan_refs, dating);
    if let Some(months) = months {
        bound_staff_months(r, &top, &mut roles, months);
    }
    let territories = org::read_territories(r, &mut top, &seg_names);
    let open_deals = pipeline::read_pipeline(r, &mut top, &seg_names);
    let role_ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let actuals = actuals::read_actuals(r, &mut top, dating, &role_ids);
    let stages = org::read_stages(r, &mut top);
    let forecast = org::read_forecast(r, &mut top);
    let correlations = inputs::read_correlations(r, &mut top);
    let target = match (start, months) {
        (Some(start), Some(months)) => read_target(r, &mut top, start, months as usize),
        _ => {
            let _ = top.entry("target");
            None
        }
    };
    if let (Some(d), Some(months)) = (&demand, months) {
        check_lead_volume(r, &top, d, months as usize);
    }
    r.finish(top);

    if r.has_errors() {
        return None;
    }
    let mut scenario = Scenario {
        name,
        start: start?,
        months: months? as usize,
        trials: trials?,
        seed,
        company: company?,
        target,
        segments: segments.into_iter().map(|(s, _)| s).collect(),
        demand: demand?,
        roles,
        territories: territories?,
        pipeline: open_deals?,
        actuals: actuals?,
        comp_plans: plans_ok.then_some(comp_plans)?,
        stages: stages?,
        forecast: forecast?,
        inputs: Vec::new(),
        correlations: Vec::new(),
        copula: None,
    };
    scenario.inputs = inputs::list(&scenario);
    (scenario.correlations, scenario.copula) = inputs::resolve(r, &scenario, &correlations?)?;
    Some(scenario)
}

/// Refuses roles whose people, times the months, exceed [`MAX_STAFF_MONTHS`], and gives
/// each capacity role without a budget an equal share of the staff left.
///
/// A role has at most `headcount + hires` people on staff (a backfill replaces a leaver),
/// and under the capacity policy at most `max(budget, headcount) + hires`.
fn bound_staff_months(r: &mut Reader, top: &Tbl<'_>, roles: &mut [Role], months: u64) {
    let written = |role: &Role| {
        let hires: u64 = role.hires.iter().map(|(_, n)| u64::from(*n)).sum();
        let budget = match (role.policy, role.headcount_budget) {
            (Policy::Capacity, Some(b)) => u64::from(b).saturating_sub(u64::from(role.headcount)),
            _ => 0,
        };
        u64::from(role.headcount) + hires + budget
    };
    let people: u64 = roles.iter().map(written).sum();
    if people * months > MAX_STAFF_MONTHS {
        let span = top.entries().iter().find(|e| e.key == "roles").map(|e| e.key_span);
        r.error(
            Diagnostic::error(
                span,
                "roles",
                format!(
                    "the roles can have {} people on staff for {months} months, {} person-months a trial, beyond what can be simulated",
                    read::group_digits(people),
                    read::group_digits(people * months)
                ),
            )
            .expected(format!(
                "at most {} person-months: people on staff (headcount, hires, budgets) times months",
                read::group_digits(MAX_STAFF_MONTHS)
            ))
            .help("shorten the horizon, or lower headcount, hires or headcount_budget"),
        );
        return;
    }
    let unbudgeted = roles.iter().filter(|x| x.policy == Policy::Capacity && x.headcount_budget.is_none()).count();
    if unbudgeted == 0 {
        return;
    }
    let share = (MAX_STAFF_MONTHS / months - people) / unbudgeted as u64;
    for role in roles.iter_mut().filter(|x| x.policy == Policy::Capacity && x.headcount_budget.is_none()) {
        role.default_budget = (u64::from(role.headcount) + share).min(MAX_PEOPLE) as u32;
    }
}

/// Refuses a lead volume that compounds beyond what can be simulated by the horizon.
fn check_lead_volume(r: &mut Reader, top: &Tbl<'_>, d: &Demand, months: usize) {
    let growth = d.growth_per_month.mean().max(0.0);
    let peak_season = d.seasonality.iter().copied().fold(0.0, f64::max);
    let at_horizon = d.leads_per_month.mean() * (1.0 + growth).powf(months as f64 - 1.0) * peak_season;
    if !(at_horizon <= MAX_LEADS_PER_MONTH) {
        let span = top.entries().iter().find(|e| e.key == "demand").map(|e| e.key_span);
        r.error(
            Diagnostic::error(
                span,
                "demand.growth_per_month",
                format!(
                    "expected leads reach {at_horizon:.3e} a month by the last month, beyond what can be simulated"
                ),
            )
            .expected(format!("at most {} expected leads a month", read::group_digits(MAX_LEADS_PER_MONTH as u64)))
            .help("lower growth_per_month or leads_per_month, or shorten the horizon"),
        );
    }
}

fn read_company(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Company> {
    let Some(mut t) = r.table(top, "company") else {
        return Some(Company {
            arr: 0.0,
            monthly_churn: Dist::constant(0.0),
            monthly_expansion: Dist::constant(0.0),
            churn_multiplier_unsupported: DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED,
        });
    };
    let arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
    r.not_tiny(&t, "arr", MIN_MONEY, MAX_MONEY, true);
    let churn = r.dist(&mut t, "monthly_churn", Support::Unit, 1.0);
    let expansion = r.dist(&mut t, "monthly_expansion", Support::Unit, 1.0);
    let ok_arr = arr.is_some() || !t.has("arr");
    let ok_churn = churn.is_some() || !t.has("monthly_churn");
    let ok_exp = expansion.is_some() || !t.has("monthly_expansion");
    let unsupported = r.number(&mut t, "churn_multiplier_unsupported", 0.0, 100.0);
    let ok_uns = unsupported.is_some() || !t.has("churn_multiplier_unsupported");
    r.finish(t);
    (ok_arr && ok_churn && ok_exp && ok_uns).then(|| Company {
        arr: arr.unwrap_or(0.0),
        monthly_churn: churn.unwrap_or(Dist::constant(0.0)),
        monthly_expansion: expansion.unwrap_or(Dist::constant(0.0)),
        churn_multiplier_unsupported: unsupported.unwrap_or(DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED),
    })
}

fn read_target(r: &mut Reader, top: &mut Tbl<'_>, start: YearMonth, months: usize) -> Option<Target> {
    let mut t = r.table(top, "target")?;
    let arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
    r.not_tiny(&t, "arr", MIN_MONEY, MAX_MONEY, true);
    if !t.has("arr") {
        r.missing(&t, "arr", "the ARR to reach, e.g. arr = 8_000_000");
    }
    let month = match t.entry("by") {
        Some(e) => {
            let m = r.month_text(&e.node, t.key_path("by"));
            m.and_then(|m| {
                let idx = m.months_since(start);
                if (0..months as i64).contains(&idx) {
                    Some(idx as usize)
                } else {
                    r.error(
                        Diagnostic::error(
                            Some(e.node.span),
                            t.key_path("by"),
                            format!("{m} is outside the simulated months"),
                        )
                        .expected(format!("a month from {start} to {}", start.offset(months as i64 - 1))),
                    );
                    None
                }
            })
        }
        None => Some(months - 1),
    };
    let confidence = r.number(&mut t, "confidence", 0.0, 1.0);
    let conf_ok = confidence.is_some() || !t.has("confidence");
    r.finish(t);
    Some(Target { arr: arr?, month: month?, confidence: if conf_ok { confidence.unwrap_or(0.8) } else { return None } })
}

/// The valid segments, and the names of all segments (valid or not) for references.
fn read_segments(r: &mut Reader, top: &mut Tbl<'_>) -> (Vec<(Segment, Span)>, Vec<String>) {
    let tables = r.array_of_tables(top, "segments");
    if tables.is_empty() {
        match top.entries().iter().find(|e| e.key == "segments") {
            Some(e) => r.error(
                Diagnostic::error(Some(e.node.span), "segments", "`segments` is empty")
                    .expected("at least one [[segments]] table with name, deal_size and win_rate"),
            ),
            None => r.missing(top, "segments", "at least one [[segments]] table with name, deal_size and win_rate"),
        }
    }
    let mut out: Vec<(Segment, Span)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for mut t in tables {
        let name = r.name(&mut t, "name", MAX_ID_CHARS);
        if let Some((n, _)) = &name {
            names.push(n.clone());
        }
        if !t.has("name") {
            r.missing(&t, "name", "the segment's name, e.g. name = \"mid-market\"");
        }
        let deal_size = r.dist(&mut t, "deal_size", Support::NonNegative, MAX_MONEY);
        if deal_size.is_some() {
            r.not_tiny(&t, "deal_size", MIN_MONEY, MAX_MONEY, true);
        }
        if !t.has("deal_size") {
            r.missing(&t, "deal_size", "the new ARR of a won deal, e.g. deal_size = { low = 20_000, high = 60_000 }");
        }
        let win_rate = r.dist(&mut t, "win_rate", Support::Unit, 1.0);
        if !t.has("win_rate") {
            r.missing(&t, "win_rate", "the share of worked opportunities won, e.g. win_rate = 0.2");
        }
        let cycle = r.dist(&mut t, "cycle_months", Support::NonNegative, MAX_MONTHS as f64);
        let cycle_ok = cycle.is_some() || !t.has("cycle_months");
        let weight = r.number(&mut t, "service_weight", 0.0, 1_000.0);
        let cycle_ok = cycle_ok && (weight.is_some() || !t.has("service_weight"));
        if let Some((name, span)) = &name
            && names.iter().filter(|n| *n == name).count() > 1
        {
            r.error(
                Diagnostic::error(Some(*span), t.key_path("name"), format!("segment `{name}` is defined twice"))
                    .help("give each [[segments]] table its own name"),
            );
        }
        let span = t.span;
        r.finish(t);
        if let (Some((name, _)), Some(deal_size), Some(win_rate), true) = (name, deal_size, win_rate, cycle_ok) {
            out.push((
                Segment {
                    stream: name_key(&name),
                    name,
                    deal_size,
                    win_rate,
                    cycle: WholeDraw::new(cycle.as_ref().unwrap_or(&Dist::constant(0.0)), MAX_MONTHS as u32),
                    cycle_months: cycle.unwrap_or(Dist::constant(0.0)),
                    service_weight: weight.unwrap_or(1.0),
                },
                span,
            ));
        }
    }
    (out, names)
}

fn read_demand(r: &mut Reader, top: &mut Tbl<'_>, segments: &[&str]) -> Option<Demand> {
    let default_mix = || if segments.len() == 1 { vec![1.0] } else { vec![0.0; segments.len()] };
    let Some(mut t) = r.table(top, "demand") else {
        return Some(Demand {
            leads_per_month: Dist::constant(0.0),
            growth_per_month: Dist::constant(0.0),
            seasonality: [1.0; 12],
            segment_mix: default_mix(),
            lead_to_opportunity: Dist::constant(0.0),
        });
    };
    let leads = r.dist(&mut t, "leads_per_month", Support::NonNegative, MAX_LEADS_PER_MONTH);
    let growth = r.dist(&mut t, "growth_per_month", Support::Real, 1.0);
    let conv = r.dist(&mut t, "lead_to_opportunity", Support::Unit, 1.0);
    if t.has("leads_per_month") && !t.has("lead_to_opportunity") {
        r.missing(
            &t,
            "lead_to_opportunity",
            "the share of leads that become opportunities, e.g. lead_to_opportunity = 0.08",
        );
    }
    let mut ok = (leads.is_some() || !t.has("leads_per_month"))
        && (growth.is_some() || !t.has("growth_per_month"))
        && (conv.is_some() || !t.has("lead_to_opportunity"));
    if let Some(g) = &growth
        && g.as_constant().is_some_and(|g| g <= -1.0)
    {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("growth_per_month"), "growth_per_month must be above -1")
                .expected("a monthly growth rate above -1, e.g. 0.02 for 2% a month"),
        );
        ok = false;
    }
    let mut seasonality = [1.0; 12];
    let factors = r.numbers(&mut t, "seasonality", 0.0, 100.0);
    if factors.is_some() {
        r.not_tiny(&t, "seasonality", MIN_FACTOR, 100.0, true);
    }
    if let Some((values, span)) = factors {
        if values.len() == 12 {
            seasonality.copy_from_slice(&values);
        } else {
            r.error(
                Diagnostic::error(
                    Some(span),
                    t.key_path("seasonality"),
                    format!("seasonality has {} factors", values.len()),
                )
                .expected("12 factors, January first"),
            );
            ok = false;
        }
    } else if t.has("seasonality") {
        ok = false;
    }
    let mut mix = default_mix();
    match r.table(&mut t, "segment_mix") {
        Some(m) => {
            let mut seen = vec![false; segments.len()];
            for e in m.entries() {
                let path = m.key_path(&e.key);
                let Some(idx) = segments.iter().position(|s| *s == e.key) else {
                    let mut d = Diagnostic::error(
                        Some(e.key_span),
                        path,
                        format!("segment_mix names `{}`, which is not a segment", e.key),
                    )
                    .expected(format!("one of the [[segments]] names: {}", segments.join(", ")));
                    if let Some(c) = closest(&e.key, segments.iter().copied()) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    r.error(d);
                    ok = false;
                    continue;
                };
                match r.number_node(&e.node, path, 0.0, 1e9) {
                    Some(v) => {
                        mix[idx] = v;
                        seen[idx] = true;
                    }
                    None => ok = false,
                }
            }
            let sum: f64 = mix.iter().sum();
            if ok && sum <= 0.0 {
                r.error(
                    Diagnostic::error(Some(m.span), m.path.clone(), "segment_mix gives no lead to any segment")
                        .expected("shares that sum to 1, e.g. { \"mid-market\" = 0.7, smb = 0.3 }"),
                );
                ok = false;
            } else if ok && (sum - 1.0).abs() > 1e-6 {
                r.warn(
                    Some(m.span),
                    m.path.clone(),
                    format!("segment_mix sums to {sum}, not 1; the shares are divided by {sum}"),
                );
                mix.iter_mut().for_each(|x| *x /= sum);
            }
            m.accept_all();
        }
        None if t.has("segment_mix") => ok = false,
        None => {
            if segments.len() > 1 && t.has("leads_per_month") {
                r.missing(
                    &t,
                    "segment_mix",
                    "the share of leads per segment, e.g. segment_mix = { \"mid-market\" = 0.7, smb = 0.3 }",
                );
                ok = false;
            }
        }
    }
    r.finish(t);
    ok.then(|| Demand {
        leads_per_month: leads.unwrap_or(Dist::constant(0.0)),
        growth_per_month: growth.unwrap_or(Dist::constant(0.0)),
        seasonality,
        segment_mix: mix,
        lead_to_opportunity: conv.unwrap_or(Dist::constant(0.0)),
    })
}

fn read_roles(
    r: &mut Reader,
    top: &mut Tbl<'_>,
    segments: &[&str],
    plans: &[&str],
    dating: Option<(YearMonth, usize)>,
) -> Vec<Role> {
    let has_mix =
        top.entries().iter().find(|e| e.key == "demand").is_some_and(
            |d| matches!(&d.node.value, tree::Value::Table(t) if t.iter().any(|e| e.key == "segment_mix")),
        );
    let tables = r.array_of_tables(top, "roles");
    let mut out: Vec<Role> = Vec::new();
    let mut manages = Vec::new();
    let mut all_ids: Vec<String> = Vec::new();
    for mut t in tables {
        let id = r.name(&mut t, "id", MAX_ID_CHARS);
        if !t.has("id") {
            r.missing(&t, "id", "the role's id, e.g. id = \"ae\"");
        }
        if let Some((id, span)) = &id {
            all_ids.push(id.clone());
            if out.iter().any(|x| &x.id == id) {
                r.error(
                    Diagnostic::error(Some(*span), t.key_path("id"), format!("role `{id}` is defined twice"))
                        .help("give each [[roles]] table its own id"),
                );
            }
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                r.error(
                    Diagnostic::error(Some(*span), t.key_path("id"), format!("role id `{id}` is not a plain word"))
                        .expected("letters, digits, - and _ (it names metrics such as headcount.<id>)"),
                );
            }
        }
        let kind = match r.string(&mut t, "kind") {
            Some((k, span)) => {
                let kind = RoleKind::parse(&k);
                if kind.is_none() {
                    let mut d = Diagnostic::error(Some(span), t.key_path("kind"), format!("unknown role kind `{k}`"))
                        .expected(format!("one of: {}", RoleKind::NAMES.join(", ")));
                    if let Some(c) = closest(&k, RoleKind::NAMES) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    r.error(d);
                }
                kind
            }
            None => {
                if !t.has("kind") {
                    r.missing(&t, "kind", "one of: closer, sdr, support, manager, ops");
                }
                None
            }
        };
        let segment = match r.string(&mut t, "segment") {
            Some((s, span)) => match segments.iter().position(|x| *x == s) {
                Some(i) => Some(Some(i)),
                None => {
                    let mut d =
                        Diagnostic::error(Some(span), t.key_path("segment"), format!("no segment is named `{s}`"))
                            .expected(format!("one of the [[segments]] names: {}", segments.join(", ")));
                    if let Some(c) = closest(&s, segments.iter().copied()) {
                        d = d.help(format!("did you mean `{c}`?"));
                    }
                    r.error(d);
                    None
                }
            },
            None if t.has("segment") => None,
            None if kind == Some(RoleKind::Closer) && segments.len() > 1 => {
                r.missing(&t, "segment", &format!("the segment the closers sell to, one of: {}", segments.join(", ")));
                None
            }
            None if kind == Some(RoleKind::Closer) => Some(Some(0)),
            None if kind == Some(RoleKind::Sdr) && segments.len() > 1 && !has_mix => {
                r.missing(
                    &t,
                    "segment",
                    &format!(
                        "the segment the SDRs' meetings go to (one of: {}), or a [demand] segment_mix to split them",
                        segments.join(", ")
                    ),
                );
                None
            }
            None => Some(None),
        };
        let headcount = r.count(&mut t, "headcount", MAX_PEOPLE);
        let ramp = read_ramp(r, &mut t);
        let attrition = r.dist(&mut t, "annual_attrition", Support::Unit, 1.0);
        let tth = r.dist(&mut t, "time_to_hire_months", Support::NonNegative, MAX_MONTHS as f64);
        let backfill = r.boolean(&mut t, "backfill");
        if backfill == Some(true) && !t.has("time_to_hire_months") {
            r.missing(
                &t,
                "time_to_hire_months",
                "the months from a departure to the backfill's start, e.g. time_to_hire_months = 2",
            );
        }
        let opm = r.dist(&mut t, "opportunities_per_month", Support::NonNegative, MAX_OPPS_PER_REP);
        if opm.is_some() {
            r.not_tiny(&t, "opportunities_per_month", MIN_FACTOR, MAX_OPPS_PER_REP, true);
        }
        let mpm = r.dist(&mut t, "meetings_per_month", Support::NonNegative, MAX_OPPS_PER_REP);
        let m2o = r.dist(&mut t, "meeting_to_opportunity", Support::Unit, 1.0);
        let skill = skill::read_skill(r, &mut t);
        keys_of_kind(
            r,
            &t,
            kind,
            &[
                ("opportunities_per_month", RoleKind::Closer),
                ("skill", RoleKind::Closer),
                ("meetings_per_month", RoleKind::Sdr),
                ("meeting_to_opportunity", RoleKind::Sdr),
            ],
        );
        if kind == Some(RoleKind::Closer) && !t.has("opportunities_per_month") {
            r.missing(
                &t,
                "opportunities_per_month",
                "the opportunities a ramped closer works a month, e.g. opportunities_per_month = 12",
            );
        }
        if kind == Some(RoleKind::Sdr) && !t.has("meetings_per_month") {
            r.missing(&t, "meetings_per_month", "the meetings a ramped SDR sets a month, e.g. meetings_per_month = 20");
        }
        let comp_plan = match r.string(&mut t, "comp_plan") {
            Some((id, span)) => org::reference(r, span, t.key_path("comp_plan"), "comp plan", &id, plans).map(Some),
            None if t.has("comp_plan") => None,
            None => Some(None),
        };
        let staffing = read_staffing(r, &mut t, kind, backfill);
        let hires = read_dated_counts(r, &mut t, "hires", dating, true);
        let departures = read_dated_counts(r, &mut t, "departures", dating, false);
        let staff_total: u64 =
            headcount.unwrap_or(0) + hires.as_ref().map_or(0, |h| h.iter().map(|(_, n)| u64::from(*n)).sum());
        if staff_total > MAX_PEOPLE {
            r.error(
                Diagnostic::error(
                    Some(t.span),
                    t.path.clone(),
                    format!("the role has {staff_total} people between headcount and hires"),
                )
                .expected(format!("at most {} people per role", read::group_digits(MAX_PEOPLE))),
            );
        }
        r.finish(t);
        let (
            Some((id, _)),
            Some(kind),
            Some(segment),
            Some(ramp),
            Some(hires),
            Some(departures),
            Some(comp_plan),
            Some(staffing),
        ) = (id, kind, segment, ramp, hires, departures, comp_plan, staffing)
        else {
            continue;
        };
        let Some(skill) = skill else { continue };
        manages.push(staffing.manages);
        out.push(Role {
            stream: name_key(&id),
            id,
            kind,
            segment,
            headcount: headcount.unwrap_or(0) as u32,
            ramp,
            annual_attrition: attrition.unwrap_or(Dist::constant(0.0)),
            time_to_hire_months: tth.unwrap_or(Dist::constant(0.0)),
            opportunities_per_month: opm.unwrap_or(Dist::constant(0.0)),
            skill,
            meetings_per_month: mpm.unwrap_or(Dist::constant(0.0)),
            meeting_to_opportunity: m2o.unwrap_or(Dist::constant(1.0)),
            hires,
            departures: departures.into_iter().map(|(t, n)| (t as usize, n)).collect(),
            backfill: staffing.policy != Policy::Plan,
            policy: staffing.policy,
            comp_plan,
            max_hires_per_month: staffing.max_hires_per_month,
            headcount_budget: staffing.headcount_budget,
            target_utilisation: staffing.target_utilisation,
            arr_per_head: staffing.arr_per_head,
            span_of_control: staffing.span_of_control,
            manages: Vec::new(),
            default_budget: MAX_PEOPLE as u32,
        });
    }
    resolve_manages(r, &mut out, manages, &all_ids);
    out
}

/// The hiring policy and the keys of one kind of role.
struct Staffing {
    policy: Policy,
    max_hires_per_month: u32,
    headcount_budget: Option<u32>,
    target_utilisation: f64,
    arr_per_head: f64,
    span_of_control: f64,
    /// Managed role ids as written, with where they were written.
    manages: Option<Vec<(String, Span)>>,
}

/// Reads `policy`, its limits, and the keys of support and manager roles.
fn read_staffing(r: &mut Reader, t: &mut Tbl<'_>, kind: Option<RoleKind>, backfill: Option<bool>) -> Option<Staffing> {
    let mut ok = true;
    let policy = match r.string(t, "policy") {
        Some((p, span)) => {
            let policy = match p.as_str() {
                "plan" => Some(Policy::Plan),
                "backfill" => Some(Policy::Backfill),
                "capacity" => Some(Policy::Capacity),
                _ => None,
            };
            if policy.is_none() {
                let mut d = Diagnostic::error(Some(span), t.key_path("policy"), format!("unknown hiring policy `{p}`"))
                    .expected(format!("one of: {}", Policy::NAMES.join(", ")));
                if let Some(c) = closest(&p, Policy::NAMES) {
                    d = d.help(format!("did you mean `{c}`?"));
                }
                r.error(d);
            }
            if policy == Some(Policy::Plan) && backfill == Some(true) {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("policy"),
                        "policy = \"plan\" contradicts backfill = true",
                    )
                    .help("use policy = \"backfill\" (backfill = true says the same) or remove backfill"),
                );
            }
            if policy == Some(Policy::Capacity) && matches!(kind, Some(RoleKind::Sdr | RoleKind::Ops)) {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("policy"),
                        "the capacity policy applies to closer, support and manager roles",
                    )
                    .help("an SDR or ops role hires by plan or backfill"),
                );
            }
            policy
        }
        None if t.has("policy") => None,
        None if kind == Some(RoleKind::Manager) => Some(Policy::Capacity),
        None if backfill == Some(true) => Some(Policy::Backfill),
        None => Some(Policy::Plan),
    };
    let needs_tth = policy == Some(Policy::Capacity) && !t.has("time_to_hire_months");
    if needs_tth && kind != Some(RoleKind::Manager) {
        r.missing(t, "time_to_hire_months", "the months from opening a requisition to the start, e.g. 2");
    }
    let max_hires = r.count(t, "max_hires_per_month", MAX_PEOPLE);
    let budget = r.count(t, "headcount_budget", MAX_PEOPLE);
    let utilisation = r.number(t, "target_utilisation", 0.0, 1.0);
    r.not_tiny(t, "target_utilisation", MIN_FACTOR, 1.0, false);
    if utilisation == Some(0.0) {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("target_utilisation"), "target_utilisation must be above 0")
                .expected("the share of capacity the plan aims to use, e.g. 0.85"),
        );
        ok = false;
    }
    for key in ["max_hires_per_month", "headcount_budget", "target_utilisation"] {
        if policy.is_some_and(|p| p != Policy::Capacity)
            && let Some(e) = t.entries().iter().find(|e| e.key == key)
        {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    t.key_path(key),
                    format!("`{key}` applies to policy = \"capacity\""),
                )
                .help("add policy = \"capacity\" or remove the key"),
            );
        }
    }
    let arr_per_head = r.number(t, "arr_per_head", 0.0, MAX_MONEY);
    r.not_tiny(t, "arr_per_head", MIN_MONEY, MAX_MONEY, false);
    let span = r.number(t, "span_of_control", 0.0, MAX_PEOPLE as f64);
    r.not_tiny(t, "span_of_control", MIN_FACTOR, MAX_PEOPLE as f64, false);
    let manages = match t.entry("manages") {
        Some(e) => match &e.node.value {
            tree::Value::Array(items) => {
                let mut names = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        tree::Value::Str(s) => names.push((s.clone(), item.span)),
                        _ => {
                            r.error(
                                Diagnostic::error(
                                    Some(item.span),
                                    format!("{}[{i}]", t.key_path("manages")),
                                    format!("expected a role id, found {}", item.value.type_name()),
                                )
                                .expected("role ids in double quotes, e.g. manages = [\"ae\"]"),
                            );
                            ok = false;
                        }
                    }
                }
                Some(names)
            }
            other => {
                r.error(
                    Diagnostic::error(
                        Some(e.node.span),
                        t.key_path("manages"),
                        format!("expected an array of role ids, found {}", other.type_name()),
                    )
                    .expected("role ids in double quotes, e.g. manages = [\"ae\"]"),
                );
                ok = false;
                None
            }
        },
        None => None,
    };
    keys_of_kind(
        r,
        t,
        kind,
        &[("arr_per_head", RoleKind::Support), ("span_of_control", RoleKind::Manager), ("manages", RoleKind::Manager)],
    );
    if kind == Some(RoleKind::Support) && !t.has("arr_per_head") {
        r.missing(t, "arr_per_head", "the ARR one ramped support person serves, e.g. arr_per_head = 1_500_000");
    }
    if kind == Some(RoleKind::Manager) && !t.has("span_of_control") {
        r.missing(t, "span_of_control", "the people one manager manages, e.g. span_of_control = 7");
    }
    for (key, v) in [("arr_per_head", arr_per_head), ("span_of_control", span)] {
        if v == Some(0.0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path(key), format!("{key} must be above 0"))
                    .expected("a positive number"),
            );
            ok = false;
        }
    }
    let all_ok = ok
        && (max_hires.is_some() || !t.has("max_hires_per_month"))
        && (budget.is_some() || !t.has("headcount_budget"))
        && (utilisation.is_some() || !t.has("target_utilisation"))
        && (arr_per_head.is_some() || !t.has("arr_per_head"))
        && (span.is_some() || !t.has("span_of_control"));
    Some(Staffing {
        policy: policy?,
        max_hires_per_month: max_hires.map_or(u32::MAX, |m| m as u32),
        headcount_budget: budget.map(|b| b as u32),
        target_utilisation: utilisation.unwrap_or(0.85),
        arr_per_head: arr_per_head.unwrap_or(0.0),
        span_of_control: span.unwrap_or(0.0),
        manages,
    })
    .filter(|_| all_ok)
}

/// Reports each key of `keys` written on a role of another kind than the key's.
fn keys_of_kind(r: &mut Reader, t: &Tbl<'_>, kind: Option<RoleKind>, keys: &[(&str, RoleKind)]) {
    for &(key, wanted) in keys {
        if let (Some(k), Some(e)) = (kind, t.entries().iter().find(|e| e.key == key))
            && k != wanted
        {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    t.key_path(key),
                    format!("`{key}` applies to {} roles only", RoleKind::NAMES[wanted as usize]),
                )
                .help("remove it, or change the role's kind"),
            );
        }
    }
}

/// Resolves each manager role's `manages` to role indices (all closer roles by default);
/// `all_ids` holds every role id written, valid or not.
fn resolve_manages(r: &mut Reader, roles: &mut [Role], manages: Vec<Option<Vec<(String, Span)>>>, all_ids: &[String]) {
    let ids: Vec<String> = roles.iter().map(|x| x.id.clone()).collect();
    let id_refs: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    let closers: Vec<usize> =
        roles.iter().enumerate().filter(|(_, x)| x.kind == RoleKind::Closer).map(|(i, _)| i).collect();
    for (i, names) in manages.into_iter().enumerate() {
        if roles[i].kind != RoleKind::Manager {
            continue;
        }
        roles[i].manages = match names {
            None => closers.clone(),
            Some(names) => names
                .iter()
                .filter_map(|(n, span)| {
                    org::reference(r, *span, format!("roles.{}.manages", ids[i]), "role", n, &id_refs)?;
                    // A role written but refused has its own error; it is not managed.
                    ids.iter().position(|x| x == n)
                })
                .collect(),
        };
    }
}

fn read_ramp(r: &mut Reader, t: &mut Tbl<'_>) -> Option<Vec<f64>> {
    let months = r.count(t, "ramp_months", MAX_RAMP_MONTHS);
    let curve = r.numbers(t, "ramp", 0.0, 1.0);
    match (t.has("ramp_months"), t.has("ramp")) {
        (true, true) => {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("ramp"), "give either ramp_months or ramp, not both")
                    .help("ramp_months = 4 means 0.25, 0.5, 0.75, then 1.0; ramp = [...] lists the first months"),
            );
            None
        }
        (true, false) => months.map(|m| (1..m).map(|k| k as f64 / m as f64).collect()),
        (false, true) => {
            let (curve, span) = curve?;
            if curve.len() as u64 > MAX_RAMP_MONTHS {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("ramp"),
                        format!("the ramp curve has {} months", curve.len()),
                    )
                    .expected(format!("at most {MAX_RAMP_MONTHS} months")),
                );
                return None;
            }
            Some(curve)
        }
        (false, false) => Some(Vec::new()),
    }
}

fn read_dated_counts(
    r: &mut Reader,
    t: &mut Tbl<'_>,
    key: &'static str,
    dating: Option<(YearMonth, usize)>,
    before_start_ok: bool,
) -> Option<Vec<(i64, u32)>> {
    let Some(m) = r.table(t, key) else {
        return if t.has(key) { None } else { Some(Vec::new()) };
    };
    let mut merged: BTreeMap<i64, u32> = BTreeMap::new();
    let mut ok = true;
    for e in m.entries() {
        let path = m.key_path(&e.key);
        let month = r.parse_month(&e.key, e.key_span, path.clone());
        let count = r.count_node(&e.node, path.clone(), MAX_PEOPLE);
        let (Some(month), Some(count), Some((start, months))) = (month, count, dating) else {
            ok = false;
            continue;
        };
        let idx = month.months_since(start);
        if idx < 0 && !before_start_ok {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    path,
                    format!("a planned departure in {month}, before the start ({start})"),
                )
                .help("leave people who left before the start out of headcount"),
            );
            ok = false;
            continue;
        }
        if idx < -(MAX_RAMP_MONTHS as i64) * 10 {
            r.error(
                Diagnostic::error(Some(e.key_span), path, format!("{month} is more than 100 years before the start"))
                    .help("people hired long ago belong in headcount"),
            );
            ok = false;
            continue;
        }
        if idx >= months as i64 {
            r.warn(
                Some(e.key_span),
                path,
                format!(
                    "{month} is after the last simulated month ({}); this entry has no effect",
                    start.offset(months as i64 - 1)
                ),
            );
            continue;
        }
        *merged.entry(idx).or_insert(0) += count as u32;
    }
    m.accept_all();
    ok.then(|| merged.into_iter().collect())
}

#[cfg(test)]
mod tests;
