//! The metrics a trial records, by name, and where each lives in a trial's output.
//!
//! A trial writes one value per metric and month into a flat buffer, metric-major:
//! `values[metric * months + t]`, followed by one value per scalar (a per-trial figure
//! such as the horizon total of bookings or whether the target was hit):
//! `values[names.len() * months + s]`. The names are the contract of `monthly.csv`
//! and of `summary.json`.
//! `NaN` marks a value that does not exist in that trial (a win rate in a month with
//! no closed deal); aggregation leaves those out.

use crate::scenario::Scenario;

/// Fixed metrics, in output order.
pub const FIXED: [&str; 32] = [
    "arr",
    "bookings",
    "churned_arr",
    "expansion_arr",
    "pipeline",
    "weighted_pipeline",
    "leads",
    "meetings",
    "opportunities.demand",
    "opportunities.capacity",
    "opportunities.worked",
    "opportunities.lost",
    "deals.won",
    "deals.closed",
    "win_rate",
    "opportunities.uncovered",
    "comp_cost",
    "ops_cost",
    "cost_of_sales",
    "quota_attainment_rate",
    "forecast",
    "forecast_error",
    "stage",
    "support.coverage",
    "kpi.win_rate",
    "kpi.cycle_months",
    "kpi.deal_size",
    "kpi.pipeline_coverage",
    "kpi.sales_velocity",
    "kpi.meetings_per_sdr",
    "kpi.selling_time",
    "kpi.opportunities_per_rep",
];

/// Index of a fixed metric.
#[allow(missing_docs)]
pub mod id {
    pub const ARR: usize = 0;
    pub const BOOKINGS: usize = 1;
    pub const CHURNED: usize = 2;
    pub const EXPANSION: usize = 3;
    pub const PIPELINE: usize = 4;
    pub const WEIGHTED: usize = 5;
    pub const LEADS: usize = 6;
    pub const MEETINGS: usize = 7;
    pub const OPP_DEMAND: usize = 8;
    pub const OPP_CAPACITY: usize = 9;
    pub const OPP_WORKED: usize = 10;
    pub const OPP_LOST: usize = 11;
    pub const WON: usize = 12;
    pub const CLOSED: usize = 13;
    pub const WIN_RATE: usize = 14;
    pub const OPP_UNCOVERED: usize = 15;
    pub const COMP_COST: usize = 16;
    pub const OPS_COST: usize = 17;
    pub const COST_OF_SALES: usize = 18;
    pub const QUOTA_ATTAINMENT_RATE: usize = 19;
    pub const FORECAST: usize = 20;
    pub const FORECAST_ERROR: usize = 21;
    pub const STAGE: usize = 22;
    pub const SUPPORT_COVERAGE: usize = 23;
    pub const KPI_WIN_RATE: usize = 24;
    pub const KPI_CYCLE: usize = 25;
    pub const KPI_DEAL_SIZE: usize = 26;
    pub const KPI_PIPELINE_COVERAGE: usize = 27;
    pub const KPI_VELOCITY: usize = 28;
    pub const KPI_MEETINGS_PER_SDR: usize = 29;
    pub const KPI_SELLING_TIME: usize = 30;
    pub const KPI_OPPS_PER_REP: usize = 31;
}

/// The plan's values of the months that happened, with `[[actuals]]`: then followed by
/// `plan.headcount.<role>` for each role.
pub const PLAN: [&str; 3] = ["plan.arr", "plan.bookings", "plan.pipeline"];

/// Per-role metrics, in output order after the fixed ones.
pub const PER_ROLE: [&str; 7] = ["headcount", "ramped", "hires", "departures", "open_reqs", "needed", "capacity_gap"];

/// Offsets of the per-role metrics within a role's block.
#[allow(missing_docs)]
pub mod role {
    pub const HEADCOUNT: usize = 0;
    pub const RAMPED: usize = 1;
    pub const HIRES: usize = 2;
    pub const DEPARTURES: usize = 3;
    pub const OPEN_REQS: usize = 4;
    pub const NEEDED: usize = 5;
    pub const GAP: usize = 6;
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

/// Monthly metrics whose per-trial sum over the horizon is reported as a total.
pub const TOTALS: [&str; 4] = ["bookings", "opportunities.lost", "deals.won", "opportunities.uncovered"];

/// Per-role monthly metrics whose per-trial sum over the horizon is reported as a total.
pub const ROLE_TOTALS: [&str; 2] = ["hires", "departures"];

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
    /// Metric index of `plan.arr`, followed by `plan.bookings`, `plan.pipeline` and
    /// `plan.headcount.<role>`
    /// for each role: the plan's own values of the months of `[[actuals]]`, missing after
    /// them (the metrics exist only when the scenario has actuals).
    pub first_plan: usize,
    /// Scalar index of the first attainment bin (the bins exist only when some role
    /// carries a quota).
    pub first_attainment: usize,
    /// Where each scalar's value comes from, by scalar index.
    pub(crate) sources: Vec<ScalarSource>,
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
    /// No such value (NaN).
    Missing,
}

impl Layout {
    /// The layout for a scenario.
    pub fn new(scenario: &Scenario) -> Layout {
        let mut names: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        for r in &scenario.roles {
            names.extend(PER_ROLE.iter().map(|m| format!("{m}.{}", r.id)));
        }
        let first_coverage = names.len();
        names.extend(scenario.territories.iter().map(|t| format!("coverage.{}", t.name)));
        let first_stage = names.len();
        names.extend(scenario.stages.iter().map(|s| format!("reached.{}", s.key)));
        let first_plan = names.len();
        if !scenario.actuals.is_empty() {
            names.extend(PLAN.iter().map(|m| m.to_string()));
            names.extend(scenario.roles.iter().map(|r| format!("plan.headcount.{}", r.id)));
        }
        let mut scalars: Vec<String> = TOTALS.iter().map(|s| s.to_string()).collect();
        for r in &scenario.roles {
            scalars.extend(ROLE_TOTALS.iter().map(|m| format!("{m}.{}", r.id)));
        }
        scalars.extend(COST_SCALARS.iter().map(|s| s.to_string()));
        scalars.extend(FORECAST_SCALARS.iter().map(|s| s.to_string()));
        let first_attainment = scalars.len();
        if scenario.roles.iter().any(|r| r.carries_quota(scenario)) {
            scalars.extend((0..ATTAINMENT_BINS).map(|k| format!("attainment.{}", attainment_edge(k))));
        }
        if scenario.target.is_some() {
            scalars.push(TARGET_HIT.to_string());
        }
        let mut layout = Layout {
            names,
            months: scenario.months,
            scalars,
            first_coverage,
            first_stage,
            first_plan,
            first_attainment,
            sources: vec![],
        };
        layout.sources = (0..layout.scalars.len()).map(|k| layout.source(k)).collect();
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
