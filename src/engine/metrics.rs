//! The metrics a trial records, by name, and where each lives in a trial's output.
//!
//! A trial writes one value per metric and month into a flat buffer, metric-major:
//! `values[metric * months + t]`, followed by one value per scalar (a per-trial figure
//! such as the horizon total of bookings or whether the target was hit):
//! `values[names.len() * months + s]`; a period's total of a metric (the hires of a
//! quarter) is one such scalar. The names are the contract of `monthly.csv`
//! and of `summary.json`.
//! `NaN` marks a value that does not exist in that trial (a win rate in a month with
//! no closed deal); aggregation leaves those out.

use crate::month::{Period, periods};
use crate::scenario::Scenario;

/// What a metric's values are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Dollars.
    Money,
    /// A share (0 to 1, or a ratio shown as a percentage).
    Share,
    /// People, opportunities, months, or another plain number.
    Count,
}

/// How a metric's months relate to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A level at the month's end (ARR, headcount): months are not summed.
    Stock,
    /// What happened during the month (bookings, hires): months add up.
    Flow,
    /// A ratio of the month's flows or stocks (win rate, KPIs): neither.
    Ratio,
}

/// One metric of the table: its name in the outputs, unit and kind, and whether its
/// per-trial sums over the horizon and over each period are per-trial scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// The name in `monthly.csv` and `summary.json` (per-role metrics: before `.<role>`).
    pub name: &'static str,
    /// What it is measured in.
    pub unit: Unit,
    /// Stock, flow or ratio.
    pub kind: Kind,
    /// Whether the horizon total is reported (flows only): a scalar of the same name.
    pub totalled: bool,
    /// Whether each period's total is reported too (flows only; [`Layout::periods`]): a
    /// scalar per period, named by [`period_total`]. Quantiles of a period's total need
    /// each trial's sum; they cannot be read from the months' statistics.
    pub by_period: bool,
}

/// Defines a metric table and the index of each of its rows, in one list. A row's last
/// word says which per-trial totals it has: `-` none, `totalled` the horizon's,
/// `by_period` the horizon's and each period's.
macro_rules! metric_table {
    ($table:ident, $ids:ident, $doc:literal, $($id:ident = $name:literal, $unit:ident, $kind:ident, $total:tt;)*) => {
        #[doc = $doc]
        pub const $table: &[Metric] =
            &[$(Metric {
                name: $name,
                unit: Unit::$unit,
                kind: Kind::$kind,
                totalled: metric_table!(@total $total),
                by_period: metric_table!(@period $total),
            }),*];

        #[doc = concat!("Indexes of the rows of [`", stringify!($table), "`], by the table's order.")]
        #[allow(missing_docs)]
        pub mod $ids {
            #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
            enum Row { $($id),* }
            $(pub const $id: usize = Row::$id as usize;)*
        }
    };
    (@total totalled) => { true };
    (@total by_period) => { true };
    (@total -) => { false };
    (@period by_period) => { true };
    (@period $other:tt) => { false };
}

metric_table! {
    FIXED, id, "The fixed metrics, in output order.",
    ARR = "arr", Money, Stock, -;
    BOOKINGS = "bookings", Money, Flow, totalled;
    CHURNED = "churned_arr", Money, Flow, -;
    EXPANSION = "expansion_arr", Money, Flow, -;
    PIPELINE = "pipeline", Money, Stock, -;
    WEIGHTED = "weighted_pipeline", Money, Stock, -;
    LEADS = "leads", Count, Flow, -;
    MEETINGS = "meetings", Count, Flow, -;
    OPP_DEMAND = "opportunities.demand", Count, Flow, -;
    OPP_CAPACITY = "opportunities.capacity", Count, Flow, -;
    OPP_WORKED = "opportunities.worked", Count, Flow, -;
    OPP_LOST = "opportunities.lost", Count, Flow, totalled;
    WON = "deals.won", Count, Flow, totalled;
    CLOSED = "deals.closed", Count, Flow, -;
    WIN_RATE = "win_rate", Share, Ratio, -;
    OPP_UNCOVERED = "opportunities.uncovered", Count, Flow, totalled;
    COMP_COST = "comp_cost", Money, Flow, -;
    OPS_COST = "ops_cost", Money, Flow, -;
    COST_OF_SALES = "cost_of_sales", Share, Ratio, -;
    QUOTA_ATTAINMENT_RATE = "quota_attainment_rate", Share, Ratio, -;
    FORECAST = "forecast", Money, Flow, -;
    FORECAST_ERROR = "forecast_error", Share, Ratio, -;
    STAGE = "stage", Count, Stock, -;
    SUPPORT_COVERAGE = "support.coverage", Share, Ratio, -;
    KPI_WIN_RATE = "kpi.win_rate", Share, Ratio, -;
    KPI_CYCLE = "kpi.cycle_months", Count, Ratio, -;
    KPI_DEAL_SIZE = "kpi.deal_size", Money, Ratio, -;
    KPI_PIPELINE_COVERAGE = "kpi.pipeline_coverage", Count, Ratio, -;
    KPI_VELOCITY = "kpi.sales_velocity", Money, Ratio, -;
    KPI_MEETINGS_PER_SDR = "kpi.meetings_per_sdr", Count, Ratio, -;
    KPI_SELLING_TIME = "kpi.selling_time", Share, Ratio, -;
    KPI_OPPS_PER_REP = "kpi.opportunities_per_rep", Count, Ratio, -;
}

metric_table! {
    PER_ROLE, role, "Per-role metrics (named `<metric>.<role>`), in output order after the fixed ones.",
    HEADCOUNT = "headcount", Count, Stock, -;
    RAMPED = "ramped", Count, Stock, -;
    HIRES = "hires", Count, Flow, by_period;
    DEPARTURES = "departures", Count, Flow, by_period;
    OPEN_REQS = "open_reqs", Count, Stock, -;
    NEEDED = "needed", Count, Stock, -;
    GAP = "capacity_gap", Count, Stock, -;
    COMP_COST = "comp_cost", Money, Flow, totalled;
}

metric_table! {
    OPEN, open, "The metrics of a scenario with deals open at the start (`[[pipeline]]`), in output order after the stages reached.",
    BOOKINGS = "bookings.open_pipeline", Money, Flow, totalled;
}

/// The plan's values of the months that happened, with `[[actuals]]`: then followed by
/// `plan.headcount.<role>` for each role.
pub const PLAN: [&str; 3] = ["plan.arr", "plan.bookings", "plan.pipeline"];

/// The unit of an output metric by its full name: the table's for fixed and per-role
/// metrics (`headcount.ae`), a share for territory coverage and stages reached, the
/// planned metric's for `plan.*`.
pub fn unit_of(name: &str) -> Unit {
    match metric_of(name) {
        Some(m) => m.unit,
        None if name.starts_with("coverage.") || name.starts_with("reached.") => Unit::Share,
        None => Unit::Count,
    }
}

/// The row of the metric tables of an output metric by its full name: a fixed metric,
/// a per-role one (`headcount.ae`: the row `headcount`), an open-pipeline one, or the
/// planned metric's (`plan.arr`: the row `arr`); `None` for territory coverage and
/// stages reached, which have no row.
pub fn metric_of(name: &str) -> Option<&'static Metric> {
    let name = name.strip_prefix("plan.").unwrap_or(name);
    if let Some(m) = FIXED.iter().chain(OPEN).find(|m| m.name == name) {
        return Some(m);
    }
    let stem = name.split('.').next().unwrap_or(name);
    PER_ROLE.iter().find(|m| m.name == stem)
}

/// The name of the per-trial scalar that holds the total of monthly metric `name` (a
/// [`Metric::by_period`] one, with its role: `hires.ae`) over `period`:
/// `hires.ae.2027-04..2027-06`; without a role (`hires`), the total over every role:
/// `hires.2027-04..2027-06` (a role's id holds no `.`, so the names never meet).
pub fn period_total(name: &str, period: &Period) -> String {
    format!("{name}.{}", period.key)
}

/// Lower edges of the quota-attainment histogram (fractions of quota): 0, 0.1, ..., 2.0;
/// the last bin holds everything from 200% up.
pub const ATTAINMENT_BINS: usize = 21;

/// Lower edge of attainment bin `k`.
pub fn attainment_edge(k: usize) -> f64 {
    k as f64 / 10.0
}

/// Bin of an attainment (fraction of quota).
pub fn attainment_bin(x: f64) -> usize {
    if !(x > 0.0) { 0 } else { ((x * 10.0 + 1e-9).floor() as usize).min(ATTAINMENT_BINS - 1) }
}

/// Per-trial scalars of forecast accuracy, in order: MAPE, WAPE, bias.
pub const FORECAST_SCALARS: [&str; 3] = ["forecast.mape", "forecast.wape", "forecast.bias"];

/// Per-trial scalars of cost, in order: horizon comp cost, ops cost, cost of sales.
pub const COST_SCALARS: [&str; 3] = ["comp_cost", "ops_cost", "cost_of_sales"];

/// Per-trial scalar written when the scenario has a target: 1 if ARR reached it in the
/// target month, else 0 (its mean is P(hit)).
pub const TARGET_HIT: &str = "target.hit";

/// The metric layout of one scenario.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Monthly metric names in output order.
    pub names: Vec<String>,
    /// Months per trial.
    pub months: usize,
    /// Per-trial scalar names in output order, after the monthly cells.
    pub scalars: Vec<String>,
    /// Metric index of `coverage.<first territory>`.
    pub first_coverage: usize,
    /// Metric index of `reached.<first stage>`.
    pub first_stage: usize,
    /// Metric index of the first of [`OPEN`] (`bookings.open_pipeline`), when the scenario
    /// has deals open at the start (`[[pipeline]]`): the metrics exist only then.
    pub first_open: Option<usize>,
    /// Metric index of `plan.arr`, followed by `plan.bookings`, `plan.pipeline` and
    /// `plan.headcount.<role>`
    /// for each role: the plan's own values of the months of `[[actuals]]`, missing after
    /// them (the metrics exist only when the scenario has actuals).
    pub first_plan: usize,
    /// Scalar index of the first attainment bin (the bins exist only when some role
    /// carries a quota).
    pub first_attainment: usize,
    /// The periods of the run (calendar quarters, or years), as the reports sum months.
    pub periods: Vec<Period>,
    /// Scalar index of the first period total ([`period_total`]): they follow every
    /// other scalar, role by role, then [`Metric::by_period`] metric, then period; then
    /// the totals over every role, by metric, then period.
    pub first_period_total: usize,
    /// Roles of the scenario.
    pub roles: usize,
    /// Where each scalar's value comes from, by scalar index.
    pub(crate) sources: Vec<ScalarSource>,
    /// For an idle scenario ([`super::is_idle`]), the values of a trial's cells that no
    /// trial changes (those it changes included, as trial 0 of seed 0 has them).
    pub(crate) idle: Option<Vec<f64>>,
}

/// Where a per-trial scalar's value comes from, decided once per layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ScalarSource {
    /// [`TARGET_HIT`].
    TargetHit,
    /// The horizon total of a monthly metric (by metric index).
    Total(usize),
    /// `cost_of_sales`: the sales roles' pay over bookings.
    CostOfSales,
    /// `forecast.mape`.
    ForecastMape,
    /// `forecast.wape`.
    ForecastWape,
    /// `forecast.bias`.
    ForecastBias,
    /// An attainment bin (by bin).
    Attainment(usize),
    /// The sum over the roles `0..roles` of a per-role metric (by its row of
    /// [`PER_ROLE`]) over the months `from..to`.
    Roles {
        /// Row of [`PER_ROLE`].
        metric: usize,
        /// Roles of the scenario.
        roles: usize,
        /// First month.
        from: usize,
        /// Month after the last.
        to: usize,
    },
    /// The sum of a monthly metric (by metric index) over the months `from..to`.
    PeriodTotal {
        /// Metric index.
        metric: usize,
        /// First month.
        from: usize,
        /// Month after the last.
        to: usize,
    },
    /// No such value (NaN).
    Missing,
}

impl Layout {
    /// The layout for a scenario.
    pub fn new(scenario: &Scenario) -> Layout {
        let mut names: Vec<String> = FIXED.iter().map(|m| m.name.to_string()).collect();
        for r in &scenario.roles {
            names.extend(PER_ROLE.iter().map(|m| format!("{}.{}", m.name, r.id)));
        }
        let first_coverage = names.len();
        names.extend(scenario.territories.iter().map(|t| format!("coverage.{}", t.name)));
        let first_stage = names.len();
        names.extend(scenario.stages.iter().map(|s| format!("reached.{}", s.key)));
        let first_open = (!scenario.pipeline.is_empty()).then_some(names.len());
        if first_open.is_some() {
            names.extend(OPEN.iter().map(|m| m.name.to_string()));
        }
        let first_plan = names.len();
        if !scenario.actuals.is_empty() {
            names.extend(PLAN.iter().map(ToString::to_string));
            names.extend(scenario.roles.iter().map(|r| format!("plan.headcount.{}", r.id)));
        }
        let mut scalars: Vec<String> = FIXED.iter().filter(|m| m.totalled).map(|m| m.name.to_string()).collect();
        if first_open.is_some() {
            scalars.extend(OPEN.iter().filter(|m| m.totalled).map(|m| m.name.to_string()));
        }
        for r in &scenario.roles {
            scalars.extend(PER_ROLE.iter().filter(|m| m.totalled).map(|m| format!("{}.{}", m.name, r.id)));
        }
        // Each trial's total over every role (`hires`): its quantiles are not sums of the
        // roles' quantiles.
        if !scenario.roles.is_empty() {
            scalars.extend(PER_ROLE.iter().filter(|m| m.by_period).map(|m| m.name.to_string()));
        }
        scalars.extend(COST_SCALARS.iter().map(ToString::to_string));
        scalars.extend(FORECAST_SCALARS.iter().map(ToString::to_string));
        let first_attainment = scalars.len();
        if scenario.roles.iter().any(|r| r.carries_quota(scenario)) {
            scalars.extend((0..ATTAINMENT_BINS).map(|k| format!("attainment.{}", attainment_edge(k))));
        }
        if scenario.target.is_some() {
            scalars.push(TARGET_HIT.to_string());
        }
        let periods = periods(scenario.start, scenario.months);
        let first_period_total = scalars.len();
        let mut period_sources = Vec::new();
        for (r, role) in scenario.roles.iter().enumerate() {
            for (k, m) in PER_ROLE.iter().enumerate().filter(|(_, m)| m.by_period) {
                let name = format!("{}.{}", m.name, role.id);
                for p in &periods {
                    scalars.push(period_total(&name, p));
                    let metric = Layout::role_metric(r, k);
                    period_sources.push(ScalarSource::PeriodTotal { metric, from: p.months.start, to: p.months.end });
                }
            }
        }
        let roles = scenario.roles.len();
        if roles > 0 {
            for (k, m) in PER_ROLE.iter().enumerate().filter(|(_, m)| m.by_period) {
                for p in &periods {
                    scalars.push(period_total(m.name, p));
                    period_sources.push(ScalarSource::Roles {
                        metric: k,
                        roles,
                        from: p.months.start,
                        to: p.months.end,
                    });
                }
            }
        }
        let mut layout = Layout {
            names,
            months: scenario.months,
            scalars,
            first_coverage,
            first_stage,
            first_open,
            first_plan,
            first_attainment,
            periods,
            first_period_total,
            roles,
            sources: vec![],
            idle: None,
        };
        layout.sources = (0..first_period_total).map(|k| layout.source(k)).chain(period_sources).collect();
        if super::is_idle(scenario) {
            layout.idle = Some(super::idle_cells(scenario, &layout));
        }
        layout
    }

    /// Where scalar `k`'s value comes from.
    fn source(&self, k: usize) -> ScalarSource {
        match self.scalars[k].as_str() {
            TARGET_HIT => ScalarSource::TargetHit,
            "comp_cost" => ScalarSource::Total(id::COMP_COST),
            "ops_cost" => ScalarSource::Total(id::OPS_COST),
            "cost_of_sales" => ScalarSource::CostOfSales,
            "forecast.mape" => ScalarSource::ForecastMape,
            "forecast.wape" => ScalarSource::ForecastWape,
            "forecast.bias" => ScalarSource::ForecastBias,
            name if self.roles > 0 && PER_ROLE.iter().any(|m| m.by_period && m.name == name) => {
                let metric = PER_ROLE.iter().position(|m| m.name == name).unwrap_or(0);
                ScalarSource::Roles { metric, roles: self.roles, from: 0, to: self.months }
            }
            _ if k >= self.first_attainment && k < self.first_attainment + ATTAINMENT_BINS => {
                ScalarSource::Attainment(k - self.first_attainment)
            }
            name => self.index(name).map_or(ScalarSource::Missing, ScalarSource::Total),
        }
    }

    /// Metric index of `metric` (a [`role`] offset) for role `r`.
    #[inline]
    pub fn role_metric(r: usize, metric: usize) -> usize {
        FIXED.len() + r * PER_ROLE.len() + metric
    }

    /// Values per trial: monthly cells, then scalars.
    pub fn cells(&self) -> usize {
        self.monthly_cells() + self.scalars.len()
    }

    /// Monthly values per trial (the cells before the scalars).
    pub fn monthly_cells(&self) -> usize {
        self.names.len() * self.months
    }

    /// Index of a monthly metric by name.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Cell of a per-trial scalar by name.
    pub fn scalar_cell(&self, name: &str) -> Option<usize> {
        self.scalars.iter().position(|n| n == name).map(|s| self.monthly_cells() + s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_rows_of_the_table() {
        assert_eq!(FIXED[id::ARR].name, "arr");
        assert_eq!(FIXED[id::WIN_RATE].name, "win_rate");
        assert_eq!(FIXED[id::KPI_OPPS_PER_REP].name, "kpi.opportunities_per_rep");
        assert_eq!(id::KPI_OPPS_PER_REP, FIXED.len() - 1);
        assert_eq!(PER_ROLE[role::GAP].name, "capacity_gap");
        assert_eq!(OPEN[open::BOOKINGS].name, "bookings.open_pipeline");
        for m in FIXED.iter().chain(PER_ROLE).chain(OPEN) {
            assert!(!m.totalled || m.kind == Kind::Flow, "{}: only a flow adds up over months", m.name);
        }
        assert_eq!(unit_of("plan.arr"), Unit::Money);
        assert_eq!(unit_of("plan.headcount.ae"), Unit::Count);
        assert_eq!(unit_of("coverage.west"), Unit::Share);
        assert_eq!(unit_of("hires.smb-ae"), Unit::Count);
    }

    /// The engine agrees with the table: every totalled metric's per-trial scalar is the
    /// sum of the trial's months, and a metric the table calls a share stays within
    /// [0, 1] (or is missing) where it is a share of a whole. The scale-up example, and
    /// the same with deals open at the start.
    #[test]
    fn the_engine_writes_what_the_table_says() {
        let text = std::fs::read_to_string("scenarios/scale-up.toml").unwrap();
        let open = format!("{text}\n[[pipeline]]\nsegment = \"smb\"\nage_months = 1\ncount = 40\n");
        for (text, with_open) in [(text, false), (open, true)] {
            let scenario = crate::scenario::load_str(&text, "scale-up.toml", &[]).unwrap().scenario;
            let layout = Layout::new(&scenario);
            assert_eq!(layout.first_open.is_some(), with_open);
            assert_eq!(layout.index("bookings.open_pipeline"), layout.first_open.map(|m| m + open::BOOKINGS));
            check_trials(&scenario, &layout);
        }
        assert_eq!(unit_of("bookings.open_pipeline"), Unit::Money);
    }

    /// Twenty trials of `scenario` against the table.
    fn check_trials(scenario: &Scenario, layout: &Layout) {
        let mut out = vec![0.0; layout.cells()];
        let months = layout.months;
        let mut totals = 0;
        for trial in 0..20 {
            super::super::run_trial(scenario, layout, 3, trial, &mut out);
            for (k, name) in layout.names.iter().enumerate() {
                let stem = name.split('.').next().unwrap_or(name);
                let row = FIXED
                    .iter()
                    .chain(OPEN)
                    .find(|m| m.name == name)
                    .or_else(|| PER_ROLE.iter().find(|m| m.name == stem));
                let values = &out[k * months..(k + 1) * months];
                if let Some(m) = row.filter(|m| m.totalled) {
                    let cell = layout.scalar_cell(name).unwrap_or_else(|| panic!("{name} has no total"));
                    let sum: f64 = values.iter().sum();
                    assert!(
                        (out[cell] - sum).abs() <= 1e-9 * sum.abs().max(1.0),
                        "{name} ({}): {} vs {sum}",
                        m.name,
                        out[cell]
                    );
                    totals += 1;
                }
                if ["win_rate", "support.coverage", "kpi.win_rate", "kpi.selling_time"].contains(&name.as_str()) {
                    assert_eq!(unit_of(name), Unit::Share);
                    assert!(values.iter().all(|v| v.is_nan() || (0.0..=1.0).contains(v)), "{name}: {values:?}");
                }
            }
        }
        assert!(totals > 20 * 4, "the example's totals were checked: {totals}");
    }
}
