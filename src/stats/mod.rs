//! Aggregation across trials: means and quantiles of every metric and month.
//!
//! Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, the
//! default of R and NumPy): for level `q` over `n` values, `h = (n - 1) q` and the
//! quantile is `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`. They are exact
//! (from the values themselves) while a run's values fit a fixed memory budget, and read
//! from a mergeable sketch with a bounded relative error beyond it ([`aggregate`]).
//! Means divide an exact sum ([`sum`]) by the count. Values that do not exist in a trial
//! (NaN) are left out; a cell with none has no statistics.

pub mod aggregate;
mod chunk;
mod select;
pub mod sketch;
pub mod sum;

pub use aggregate::{Aggregate, Quantiles};
pub use chunk::{CellSink, CellValues, Chunk};
use sum::ExactSum;

/// The quantile levels reported everywhere, matching the columns of `monthly.csv`.
pub const LEVELS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Column names of the levels.
pub const LEVEL_NAMES: [&str; 7] = ["p05", "p10", "p25", "p50", "p75", "p90", "p95"];

/// Mean and quantiles of one metric in one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// How many trials had a value.
    pub count: usize,
    /// Arithmetic mean: the exact sum, rounded once, divided by `count`.
    pub mean: f64,
    /// Quantiles at [`LEVELS`].
    pub quantiles: [f64; 7],
}

impl Stats {
    /// The quantile at `level`, one of [`LEVELS`]; `NaN` for any other level (never a
    /// neighbouring quantile in its place).
    pub fn at(&self, level: f64) -> f64 {
        LEVELS.iter().position(|l| (l - level).abs() < 1e-12).map_or(f64::NAN, |i| self.quantiles[i])
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        self.quantiles[3]
    }
}

/// The type-7 quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let (a, b) = (sorted[lo], sorted[hi]);
            if a == b { a } else { a + (h - lo as f64) * (b - a) }
        }
    }
}

/// Statistics of `values` (reordered in place); `None` if no value exists.
pub fn describe(values: &mut Vec<f64>) -> Option<Stats> {
    values.retain(|v| !v.is_nan());
    let mut sum = ExactSum::new();
    values.iter().for_each(|&v| sum.add(v));
    exact(sum.value(), values)
}

/// Statistics of NaN-free `values` (reordered in place) whose exact sum is `sum`.
pub(crate) fn exact(sum: f64, values: &mut [f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let count = values.len();
    let order = order_statistics(values);
    let mut quantiles = [0.0; 7];
    for (slot, q) in quantiles.iter_mut().zip(LEVELS) {
        let h = (count - 1) as f64 * q;
        let lo = h.floor() as usize;
        let (a, b) = (order(lo), order((lo + 1).min(count - 1)));
        *slot = if a == b { a } else { a + (h - lo as f64) * (b - a) };
    }
    Some(Stats { count, mean: sum / count as f64, quantiles })
}

/// Statistics from a sketch of `count` values whose exact sum is `sum`.
pub(crate) fn sketched(sum: f64, count: u64, sketch: &sketch::Sketch) -> Option<Stats> {
    if count == 0 {
        return None;
    }
    let last = count - 1;
    let positions = LEVELS.map(|q| {
        let h = last as f64 * q;
        let lo = (h.floor() as u64).min(last);
        (h, lo, (lo + 1).min(last))
    });
    let mut ranks: Vec<u64> = positions.iter().flat_map(|&(_, lo, hi)| [lo, hi]).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let values = sketch.at_ranks(&ranks);
    let at = |r: u64| ranks.binary_search(&r).map_or(f64::NAN, |i| values[i]);
    let quantiles = positions.map(|(h, lo, hi)| {
        let (a, b) = (at(lo), at(hi));
        if a == b { a } else { a + (h - lo as f64) * (b - a) }
    });
    Some(Stats { count: count as usize, mean: sum / count as f64, quantiles })
}

/// Finds every order statistic the quantiles need (positions `floor h` and
/// `floor h + 1` of each level) by radix selection ([`select`]): a few passes over the
/// values instead of a sort. Returns a lookup by position.
fn order_statistics(values: &[f64]) -> impl Fn(usize) -> f64 {
    let n = values.len();
    let mut positions: Vec<usize> = LEVELS
        .iter()
        .flat_map(|q| {
            let lo = ((n - 1) as f64 * q).floor() as usize;
            [lo, (lo + 1).min(n - 1)]
        })
        .collect();
    positions.sort_unstable();
    positions.dedup();
    let found = select::order_values(values, &positions);
    move |i| positions.binary_search(&i).map_or(f64::NAN, |k| found[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_gives_the_quantiles_of_a_full_sort() {
        // A shuffled sequence with ties, of several lengths.
        for n in [1usize, 2, 3, 7, 10, 101, 1000, 4097] {
            let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % 97) as f64 * 0.5).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let s = describe(&mut values.clone()).unwrap();
            for (q, got) in LEVELS.iter().zip(s.quantiles) {
                assert_eq!(got.to_bits(), quantile_sorted(&sorted, *q).to_bits(), "n = {n}, q = {q}");
            }
        }
    }

    #[test]
    fn type_7_quantiles_match_r() {
        // R: quantile(1:10, c(.05, .1, .25, .5, .75, .9, .95)) (type 7, the default)
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = describe(&mut v).unwrap();
        let r = [1.45, 1.9, 3.25, 5.5, 7.75, 9.1, 9.55];
        for (a, b) in s.quantiles.iter().zip(r) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        assert_eq!(s.mean, 5.5);
        assert_eq!(s.count, 10);
    }

    #[test]
    fn missing_values_are_left_out() {
        let mut v = vec![f64::NAN, 2.0, f64::NAN, 4.0];
        let s = describe(&mut v).unwrap();
        assert_eq!((s.count, s.mean, s.p50()), (2, 3.0, 3.0));
        assert!(describe(&mut vec![f64::NAN]).is_none());
    }
}
