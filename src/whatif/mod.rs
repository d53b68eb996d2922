//! What-if commands: `plan` (goal-seek a hiring schedule), `sweep`, `compare` and
//! `sensitivity`.
//!
//! They share what is here: loading the scenario with `--set` overrides as `run` does,
//! running trials on common random numbers (the same seed and trial indexes, so two
//! variants of a scenario draw the same demand, deals and departures wherever their
//! structure agrees) and keeping each trial's outcome, the statistics of paired
//! differences. Each analysis returns what it found; `app` resolves the command line
//! into a [`Setup`] and hands the results to `report` to write and print.

pub mod compare;
pub mod edit;
mod error;
pub mod plan;
pub mod sweep;
pub mod vary;

use std::ops::Range;
use std::path::PathBuf;

use crate::engine::metrics::{Layout, TARGET_HIT, id};
use crate::runner;
use crate::scenario::{Loaded, Scenario};

pub use error::Error;

pub mod sensitivity;

/// A loaded scenario and how to run it, resolved from a what-if command line by `app`.
pub struct Setup {
    /// The scenario with its overrides.
    pub loaded: Loaded,
    /// The scenario path as given.
    pub file: PathBuf,
    /// Seed of the run (`--seed`, else the scenario's).
    pub seed: u64,
    /// Trials per evaluation.
    pub trials: u64,
    /// The worker threads.
    pub pool: rayon::ThreadPool,
    /// Print nothing on success.
    pub quiet: bool,
}

impl Setup {
    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// Each trial's outcome for `scenario` (a variant of this one) on trials `trials`.
    pub fn outcomes(&self, scenario: &Scenario, trials: Range<u64>) -> Outcomes {
        outcomes(&self.pool, scenario, self.seed, trials)
    }
}

/// What each trial ended with, in trial order.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// 1 where ARR reached the target in the target month, else 0 (empty without a target).
    pub hit: Vec<f64>,
    /// ARR in the target month (the last month without a target).
    pub arr: Vec<f64>,
    /// Comp cost over the horizon.
    pub comp_cost: Vec<f64>,
    /// Hires of every role over the horizon.
    pub hires: Vec<f64>,
}

impl Outcomes {
    /// P(hit) and its standard error; NaN without a target.
    pub fn p_hit(&self) -> (f64, f64) {
        mean_se(&self.hit)
    }
}

/// The month whose ARR a scenario is judged by: the target month, else the last month.
pub fn judged_month(scenario: &Scenario) -> usize {
    scenario.target.as_ref().map_or(scenario.months.saturating_sub(1), |t| t.month)
}

/// The cells of a trial that make its [`Outcomes`], in the order
/// [`Outcomes::from_trials`] reads them.
#[derive(Debug, Clone)]
pub struct OutcomeCells {
    /// ARR in the judged month, comp cost, each role's hires, then the hit (with a target).
    pub cells: Vec<usize>,
    /// How many of the cells are roles' hires.
    roles: usize,
    /// Whether the last cell is the hit of the target.
    hit: bool,
}

impl OutcomeCells {
    /// The outcome cells of `scenario`.
    pub fn of(scenario: &Scenario) -> OutcomeCells {
        let layout = Layout::new(scenario);
        let months = layout.months;
        let mut cells = vec![id::ARR * months + judged_month(scenario), layout.scalar_cell("comp_cost").unwrap_or(0)];
        let hires: Vec<usize> =
            scenario.roles.iter().filter_map(|r| layout.scalar_cell(&format!("hires.{}", r.id))).collect();
        cells.extend(&hires);
        let hit = layout.scalar_cell(TARGET_HIT);
        cells.extend(hit);
        OutcomeCells { cells, roles: hires.len(), hit: hit.is_some() }
    }
}

impl Outcomes {
    /// Each trial's outcome from the cells `which` kept of every trial (`data.cells`
    /// must be `which.cells`).
    pub fn from_trials(which: &OutcomeCells, data: &runner::PerTrial) -> Outcomes {
        let n = data.len();
        let width = which.cells.len();
        let mut out = Outcomes {
            arr: data.column(0),
            comp_cost: data.column(1),
            hires: vec![0.0; n],
            hit: if which.hit { data.column(width - 1) } else { Vec::new() },
        };
        for (i, h) in out.hires.iter_mut().enumerate() {
            *h = (0..which.roles).map(|k| data.values[i * width + 2 + k]).sum();
        }
        out
    }
}

/// Runs trials `trials` of `scenario` with `seed` and keeps each trial's outcome.
pub fn outcomes(pool: &rayon::ThreadPool, scenario: &Scenario, seed: u64, trials: Range<u64>) -> Outcomes {
    let which = OutcomeCells::of(scenario);
    let data = runner::per_trial(pool, scenario, seed, trials, &which.cells);
    Outcomes::from_trials(&which, &data)
}

/// The mean of `x` and its standard error `sd / sqrt(n)`; NaN when `x` is empty.
pub fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The mean of the paired differences `b[i] - a[i]` and its standard error: the same
/// trials on both sides, so what they share cancels.
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    mean_se(&d)
}

/// The quantile `q` (type 7) of `x`; NaN when empty.
pub fn quantile(x: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() { f64::NAN } else { crate::stats::quantile_sorted(&sorted, q) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_differences_cancel_what_both_sides_share() {
        let a = [1.0, 5.0, 9.0, 13.0];
        let b = [2.0, 6.0, 10.0, 14.0];
        assert_eq!(paired(&a, &b), (1.0, 0.0));
        let (m, se) = mean_se(&[0.0, 1.0, 1.0, 0.0]);
        assert_eq!(m, 0.5);
        assert!((se - (1.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15);
    }
}
