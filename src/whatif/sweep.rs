//! `sopsim sweep`: the scenario at every value of one key, or every pair of values of
//! two keys, each point on the same trials (the same seed and trial indexes: common
//! random numbers), so that the differences between points are the key's doing and not
//! the draws'.
//!
//! A point is the scenario file with the command's `--set` overrides and then
//! `key=value` for each varied key, loaded and validated like any run; every point is
//! loaded before any is simulated. The points run one after the other, each on all the
//! threads.

use crate::scenario::Scenario;

use super::{Outcomes, mean_se, quantile};

/// Most points of a sweep (the product of the `--vary` lists).
pub const MAX_POINTS: usize = 400;
/// Trials per point when `--trials` is not given: the scenario's, at most this.
pub const DEFAULT_TRIALS: u64 = 2_000;

/// What one point gave.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// The value of each varied key.
    pub(crate) values: Vec<String>,
    /// The target and confidence of the point's scenario.
    pub(crate) target: Option<(f64, f64)>,
    pub(crate) p_hit: f64,
    pub(crate) p_hit_se: f64,
    pub(crate) arr: [f64; 3],
    pub(crate) arr_mean: f64,
    pub(crate) hires_mean: f64,
    /// P10, P50 and P90 of the hires of every role over the horizon.
    pub(crate) hires: [f64; 3],
    pub(crate) comp_cost_mean: f64,
}

impl Point {
    pub(crate) fn new(values: Vec<String>, scenario: &Scenario, o: &Outcomes) -> Point {
        let (p_hit, p_hit_se) = o.p_hit();
        Point {
            values,
            target: scenario.target.as_ref().map(|t| (t.arr, t.confidence)),
            p_hit,
            p_hit_se,
            arr: [quantile(&o.arr, 0.1), quantile(&o.arr, 0.5), quantile(&o.arr, 0.9)],
            arr_mean: mean_se(&o.arr).0,
            hires_mean: mean_se(&o.hires).0,
            hires: [quantile(&o.hires, 0.1), quantile(&o.hires, 0.5), quantile(&o.hires, 0.9)],
            comp_cost_mean: mean_se(&o.comp_cost).0,
        }
    }
}
