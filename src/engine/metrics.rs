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
pub const FIXED: [&str; 15] = [
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
}

/// Per-role metrics, in output order after the fixed ones.
pub const PER_ROLE: [&str; 5] = ["headcount", "ramped", "hires", "departures", "open_reqs"];

/// Offsets of the per-role metrics within a role's block.
#[allow(missing_docs)]
pub mod role {
    pub const HEADCOUNT: usize = 0;
    pub const RAMPED: usize = 1;
    pub const HIRES: usize = 2;
    pub const DEPARTURES: usize = 3;
    pub const OPEN_REQS: usize = 4;
}

/// Per-trial scalar written when the scenario has a target: 1 if ARR reached it in the
/// target month, else 0 (its mean is P(hit)).
pub const TARGET_HIT: &str = "target.hit";

/// Monthly metrics whose per-trial sum over the horizon is reported as a total.
pub const TOTALS: [&str; 3] = ["bookings", "opportunities.lost", "deals.won"];

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
}

impl Layout {
    /// The layout for a scenario.
    pub fn new(scenario: &Scenario) -> Layout {
        let mut names: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        for r in &scenario.roles {
            names.extend(PER_ROLE.iter().map(|m| format!("{m}.{}", r.id)));
        }
        let mut scalars: Vec<String> = TOTALS.iter().map(|s| s.to_string()).collect();
        for r in &scenario.roles {
            scalars.extend(ROLE_TOTALS.iter().map(|m| format!("{m}.{}", r.id)));
        }
        if scenario.target.is_some() {
            scalars.push(TARGET_HIT.to_string());
        }
        Layout { names, months: scenario.months, scalars }
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
