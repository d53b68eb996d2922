//! The streaming aggregate of a run: one accumulator per cell (metric and month, or
//! per-trial scalar), fed trial by trial and merged across threads, processes and
//! machines.
//!
//! Each cell keeps the count of its values, their exact sum ([`ExactSum`]) and, for the
//! quantiles, either every value (exact quantiles) or a [`Sketch`] (quantiles within
//! [`sketch::RELATIVE_ERROR`]). Which one is decided once per run from the run's size
//! ([`Quantiles::for_run`]), never from how the run is split. Everything a cell holds
//! depends only on the multiset of its values: merging parts in any grouping and order
//! gives the same statistics, bit for bit, so a run's results depend on its seed and
//! trial count only, not on threads or shards.

use rayon::prelude::*;

use super::chunk::{CellSink, CellValues, Chunk};
use super::sketch::{self, Sketch};
use super::sum::ExactSum;
use super::{Stats, exact, sketched};

/// The memory a run may spend on keeping every value for exact quantiles: 8 bytes per
/// trial and cell. A larger run sketches its quantiles instead, in memory that does not
/// grow with the number of trials.
pub const EXACT_BUDGET_BYTES: u64 = 128 << 20;

/// How a run computes its quantiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantiles {
    /// From every value: exact type-7 quantiles.
    Exact,
    /// From a mergeable sketch: within [`sketch::RELATIVE_ERROR`] of the exact ones.
    Sketch,
}

impl Quantiles {
    /// Exact when the values of `trials` trials of `cells` cells fit
    /// [`EXACT_BUDGET_BYTES`], else sketched.
    pub fn for_run(trials: u64, cells: usize) -> Quantiles {
        if trials.saturating_mul(cells as u64).saturating_mul(8) <= EXACT_BUDGET_BYTES {
            Quantiles::Exact
        } else {
            Quantiles::Sketch
        }
    }

    /// `"exact"` or `"sketch"`.
    pub fn name(self) -> &'static str {
        match self {
            Quantiles::Exact => "exact",
            Quantiles::Sketch => "sketch",
        }
    }

    /// The mode named `name` (see [`Quantiles::name`]).
    pub fn from_name(name: &str) -> Option<Quantiles> {
        match name {
            "exact" => Some(Quantiles::Exact),
            "sketch" => Some(Quantiles::Sketch),
            _ => None,
        }
    }

    /// The bound on the relative error of a quantile: 0 when exact.
    pub fn relative_error(self) -> f64 {
        match self {
            Quantiles::Exact => 0.0,
            Quantiles::Sketch => sketch::RELATIVE_ERROR,
        }
    }
}

/// The sketch accumulator of one cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SketchCell {
    /// Values added (NaN excluded).
    pub(crate) count: u64,
    /// Their exact sum.
    pub(crate) sum: ExactSum,
    /// Their sketch.
    pub(crate) sketch: Sketch,
}

/// Whole numbers below this add up exactly in any order, 64 at a time, in a double.
const EXACT_WHOLE: f64 = (1u64 << 46) as f64;

/// `1.5 x 2^52`: below 2^51 in magnitude, `(v + M) - M` is `v` rounded to a whole number.
const ROUND_WHOLE: f64 = (3u64 << 51) as f64;

/// Lanes of the plain sums below: independent additions the processor overlaps.
const LANES: usize = 8;

/// Adds `values` to `sum` exactly, 64 at a time: whole numbers (counts) below
/// [`EXACT_WHOLE`] by their plain sum, which is exact (below 2^52), values of nearly
/// the same magnitude by [`add_scaled`], others by [`add_extracted`].
fn add_exactly(sum: &mut ExactSum, values: &[f64]) {
    for part in values.chunks(64) {
        // Whole and small; NaN fails both tests. Checked for all values, with no early exit,
        // so that the check runs on vectors.
        let whole =
            part.iter().fold(true, |ok, &v| ok & (v.abs() < EXACT_WHOLE) & ((v + ROUND_WHOLE) - ROUND_WHOLE == v));
        if whole {
            sum.add(exact_plain_sum(part, -0.0));
        } else if !add_scaled(sum, part) {
            add_extracted(sum, part);
        }
    }
}

/// Most binary orders of magnitude between the values [`add_scaled`] takes.
const SCALED_SPREAD: u64 = 4;

/// Biased exponents [`add_scaled`] takes: those of [`add_extracted`]'s range.
const SCALED_EXPONENTS: std::ops::RangeInclusive<u64> = (1023 - 960)..=(1023 + 960);

/// Adds at most 64 values to `sum` exactly as one whole number times a power of two,
/// when they are all non-zero, finite and within [`SCALED_SPREAD`] binary orders of
/// magnitude of each other (the values of a month's ARR across trials, say); returns
/// false, adding nothing, for any other block, and for one whose exact sum is 0 (whose
/// sign of zero [`add_extracted`] decides). A double with biased exponent `e >= 1` is
/// `m x 2^(e - 1075)` with the whole `m < 2^53`; with `e0` the smallest exponent of the
/// block, each value is `(m << (e - e0)) x 2^(e0 - 1075)`, a whole number below
/// `2^(53 + SCALED_SPREAD)` times the same power, and 64 of those add up exactly in an
/// `i64` (below 2^63). The total is split into two doubles that hold it exactly (its
/// bits from the twelfth up, at most 52 of them, and the eleven below), which are
/// scaled by the power exactly (no result is subnormal or infinite in this range).
fn add_scaled(sum: &mut ExactSum, values: &[f64]) -> bool {
    const FRACTION: u64 = (1 << 52) - 1;
    debug_assert!(values.len() <= 64);
    let exponent = |v: &f64| (v.to_bits() >> 52) & 0x7ff;
    // The smallest and largest magnitudes, compared as doubles so that the comparisons
    // run on vectors: a zero is the smallest and an infinity the largest, both refused.
    // NaN compares with nothing; it is refused below.
    let (low, high) = values.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        let m = v.abs();
        (if m < lo { m } else { lo }, if m > hi { m } else { hi })
    });
    let (low, high) = (exponent(&low), exponent(&high));
    if values.is_empty() || !SCALED_EXPONENTS.contains(&low) || !SCALED_EXPONENTS.contains(&high) {
        return false;
    }
    if high - low > SCALED_SPREAD {
        return false;
    }
    // Every shift is at most the spread (under 8), except a NaN's (its exponent is the
    // largest, so its shift at least 64): the shifts' bits above the third tell.
    const _: () = assert!(SCALED_SPREAD < 8);
    let mut shifts = 0;
    let total: i64 = values
        .iter()
        .map(|v| {
            let bits = v.to_bits();
            let shift = exponent(v) - low;
            shifts |= shift;
            let whole = (((bits & FRACTION) | (FRACTION + 1)) << (shift & 7)) as i64;
            let negative = (bits >> 63) as i64;
            (whole ^ -negative) + negative
        })
        .sum();
    if shifts & !7 != 0 || total == 0 {
        return false;
    }
    // 2^(low - 1075): the biased exponent `low - 52` is at least 11.
    let unit = f64::from_bits((low - 52) << 52);
    let top = total >> 11 << 11;
    sum.add(top as f64 * unit);
    if total != top {
        sum.add((total - top) as f64 * unit);
    }
    true
}

/// The sum of at most 64 `values` whose sum is exact however it is grouped (every partial
/// sum is a double), in [`LANES`] independent lanes starting from `zero`; as a sum value
/// by value from `zero` would be, it is -0 only if `zero` and all values are -0.
#[inline]
fn exact_plain_sum(values: &[f64], zero: f64) -> f64 {
    let mut lanes = [zero; LANES];
    let mut parts = values.chunks_exact(LANES);
    for part in &mut parts {
        for (lane, v) in lanes.iter_mut().zip(part) {
            *lane += v;
        }
    }
    for (lane, v) in lanes.iter_mut().zip(parts.remainder()) {
        *lane += v;
    }
    lanes.iter().fold(zero, |a, b| a + b)
}

/// Largest exponent of the values [`add_extracted`] splits (beyond it they are added one
/// by one); its smallest is the negative.
const EXTRACT_EXPONENT: i32 = 960;

/// Adds at most 64 values to `sum` exactly, in a few plain sums instead of one exact
/// addition per value (Rump, Ogita & Oishi, "Accurate floating-point summation part I",
/// 2008: `ExtractVector`). With `2^E <= max |v| < 2^(E+1)` and `s = 2^(E+8)`, each value
/// splits exactly into `q = (s + v) - s`, a multiple of `2^(E-45)` at most `2^(E+1)` in
/// magnitude, and `v - q`; 64 such `q` add up exactly in any order and grouping (every
/// partial sum is a multiple of `2^(E-45)` below `2^(E+7)`: 52 bits). The remainders are
/// split the same way until none is left. The exact total is the same as adding each
/// value, so is the sum's rounded value; a level's sum is never -0, as adding its values
/// would not be.
fn add_extracted(sum: &mut ExactSum, values: &[f64]) {
    debug_assert!(values.len() <= 64);
    let mut rest = [0.0f64; 64];
    let rest = &mut rest[..values.len()];
    rest.copy_from_slice(values);
    for level in 0..4 {
        // The bits of the largest magnitude: magnitudes order as their bits, and a NaN's
        // bits are above infinity's, so a NaN makes the exponent 1024.
        let max = rest.iter().fold(0u64, |m, v| m.max(v.to_bits() & !(1u64 << 63)));
        if max == 0 {
            if level == 0 {
                // Only zeros: their sum is -0 if they all are, as adding each would be.
                sum.add(exact_plain_sum(rest, -0.0));
            }
            return;
        }
        let e = ((max >> 52) as i32) - 1023;
        if !(-EXTRACT_EXPONENT..=EXTRACT_EXPONENT).contains(&e) {
            // Also NaN and infinities (their exponent is 1024).
            break;
        }
        let sigma = f64::from_bits(((e + 8 + 1023) as u64) << 52);
        let mut q = [0.0f64; 64];
        let q = &mut q[..rest.len()];
        for (q, v) in q.iter_mut().zip(rest.iter_mut()) {
            *q = (sigma + *v) - sigma;
            *v -= *q;
        }
        sum.add(exact_plain_sum(q, 0.0));
    }
    rest.iter().filter(|v| **v != 0.0 || v.is_nan()).for_each(|&v| sum.add(v));
}

/// Adds `n` copies of `v` (not NaN) to `sum` exactly: as the product's rounded value and
/// its exact error (`fma`) where neither can overflow or lose bits below the smallest
/// normal double, else one by one. A zero or an infinity adds once, which gives the same
/// sum as adding it `n` times.
fn add_copies(sum: &mut ExactSum, v: f64, n: u64) {
    const SAFE: std::ops::Range<f64> = f64::from_bits(0x077f_0000_0000_0000)..f64::from_bits(0x7830_0000_0000_0000);
    if n == 0 {
        return;
    }
    if v == 0.0 || v.is_infinite() {
        sum.add(v);
    } else if SAFE.contains(&v.abs()) && n < (1 << 53) {
        let k = n as f64;
        let product = v * k;
        let error = v.mul_add(k, -product);
        sum.add(product);
        if error != 0.0 {
            sum.add(error);
        }
    } else {
        (0..n).for_each(|_| sum.add(v));
    }
}

impl SketchCell {
    /// Adds NaN-free values.
    #[inline]
    fn add(&mut self, values: &[f64]) {
        self.sketch.add_all(values);
        add_exactly(&mut self.sum, values);
        self.count += values.len() as u64;
    }

    /// Adds `n` copies of `v` (not NaN), as adding them one by one would.
    fn add_copies(&mut self, v: f64, n: u64) {
        self.sketch.add_copies(v, n);
        add_copies(&mut self.sum, v, n);
        self.count += n;
    }

    fn into_stats(self) -> Option<Stats> {
        sketched(self.sum.value(), self.count, &self.sketch)
    }
}

/// The values of some trials, cell by cell: cell `c` of the block's `trials` trials is
/// `values[c * trials .. (c + 1) * trials]` (NaN where a trial had no value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) trials: usize,
    pub(crate) values: Vec<f64>,
}

/// What an aggregate stores: every trial's values, or a sketch per cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Store {
    /// Every trial's values, in blocks.
    Exact(Vec<Block>),
    /// One sketch accumulator per cell.
    Sketch(Vec<SketchCell>),
}

/// The aggregate of some trials of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub(crate) cells: usize,
    pub(crate) store: Store,
}

/// Why two aggregates cannot be merged: their cells or quantile modes differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeError {
    /// The cells and quantile mode of the aggregate merged into.
    pub into: (usize, Quantiles),
    /// Those of the aggregate merged.
    pub from: (usize, Quantiles),
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot merge an aggregate of {} cells ({} quantiles) into one of {} cells ({} quantiles)",
            self.from.0,
            self.from.1.name(),
            self.into.0,
            self.into.1.name()
        )
    }
}

impl std::error::Error for MergeError {}

impl Aggregate {
    /// An empty aggregate of `cells` cells.
    pub fn new(cells: usize, quantiles: Quantiles) -> Aggregate {
        let store = match quantiles {
            Quantiles::Exact => Store::Exact(Vec::new()),
            Quantiles::Sketch => Store::Sketch(vec![SketchCell::default(); cells]),
        };
        Aggregate { cells, store }
    }

    /// How its quantiles are computed.
    pub fn quantiles(&self) -> Quantiles {
        match self.store {
            Store::Exact(_) => Quantiles::Exact,
            Store::Sketch(_) => Quantiles::Sketch,
        }
    }

    /// Number of cells.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Adds the trials of `rows`: whole trials one after the other, each `cells()`
    /// values in the layout's order. NaN values are left out.
    pub fn add_trials(&mut self, rows: &[f64]) {
        let width = self.cells;
        if width == 0 || rows.len() < width {
            return;
        }
        let mut chunk = Chunk::new(width, rows.len() / width);
        chunk.push(&rows[..rows.len() / width * width]);
        chunk.add_to(self);
    }

    /// Adds `trials` trials given cell by cell: `cell(c)` gives the values of cell `c`.
    /// NaN values are left out. The statistics are those of the values however they are
    /// given; [`CellValues::Copies`] only adds them faster.
    pub fn add_cells<'v>(&mut self, trials: usize, cell: impl Fn(usize) -> CellValues<'v>) {
        let width = self.cells;
        if trials == 0 {
            return;
        }
        match &mut self.store {
            Store::Exact(blocks) => {
                let mut values = Vec::with_capacity(trials * width);
                for c in 0..width {
                    match cell(c) {
                        CellValues::Copies(v) => values.extend(std::iter::repeat_n(v, trials)),
                        CellValues::Each(column) => values.extend_from_slice(&column[..trials]),
                    }
                }
                blocks.push(Block { trials, values });
            }
            Store::Sketch(cells) => {
                // Cell by cell, each accumulator visited once for all the trials given. A
                // cell given as copies of one value (a metric the scenario does not use, a
                // count that cannot vary: see `Chunk`) is added in one step; the others 64
                // trials at a time, NaN left out.
                let mut kept = [0.0f64; 64];
                for (c, acc) in cells.iter_mut().enumerate() {
                    let values = match cell(c) {
                        CellValues::Each(column) => &column[..trials],
                        CellValues::Copies(v) => {
                            if !v.is_nan() {
                                acc.add_copies(v, trials as u64);
                            }
                            continue;
                        }
                    };
                    for part in values.chunks(kept.len()) {
                        if !part.iter().fold(false, |any, v| any | v.is_nan()) {
                            acc.add(part);
                            continue;
                        }
                        let mut n = 0;
                        for &v in part {
                            kept[n] = v;
                            n += usize::from(!v.is_nan());
                        }
                        acc.add(&kept[..n]);
                    }
                }
            }
        }
    }

    /// Merges `other` into this aggregate; both must have the same cells and mode.
    pub fn merge(&mut self, other: Aggregate) -> Result<(), MergeError> {
        if self.quantiles() != other.quantiles() || self.cells != other.cells {
            return Err(MergeError { into: (self.cells, self.quantiles()), from: (other.cells, other.quantiles()) });
        }
        match (&mut self.store, other.store) {
            (Store::Exact(a), Store::Exact(b)) => a.extend(b),
            (Store::Sketch(a), Store::Sketch(b)) => {
                for (x, y) in a.iter_mut().zip(b) {
                    x.count += y.count;
                    x.sum.merge(&y.sum);
                    x.sketch.merge(&y.sketch);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Heap bytes held (values, sketches, partial sums).
    pub fn heap_bytes(&self) -> usize {
        match &self.store {
            Store::Exact(blocks) => blocks.iter().map(|b| b.values.capacity() * 8).sum(),
            Store::Sketch(cells) => cells
                .iter()
                .map(|c| c.sketch.heap_bytes() + c.sum.parts().0.len() * 8 + std::mem::size_of::<SketchCell>())
                .sum(),
        }
    }

    /// The statistics of every cell (`None` where no value was added), computed cell by
    /// cell on the current rayon pool.
    pub fn into_stats(self) -> Vec<Option<Stats>> {
        let width = self.cells;
        match self.store {
            Store::Exact(blocks) => (0..width)
                .into_par_iter()
                .map(|c| {
                    let mut values = blocks.iter().flat_map(|b| &b.values[c * b.trials..(c + 1) * b.trials]);
                    // The same value in every trial: no order statistics to find.
                    let first = values.next().copied().unwrap_or(f64::NAN);
                    if values.all(|v| v.to_bits() == first.to_bits()) {
                        let n: usize = blocks.iter().map(|b| b.trials).sum();
                        if first.is_nan() {
                            return None;
                        }
                        let mut sum = ExactSum::new();
                        add_copies(&mut sum, first, n as u64);
                        return Some(Stats { count: n, mean: sum.value() / n as f64, quantiles: [first; 7] });
                    }
                    let mut column: Vec<f64> = blocks
                        .iter()
                        .flat_map(|b| &b.values[c * b.trials..(c + 1) * b.trials])
                        .copied()
                        .filter(|v| !v.is_nan())
                        .collect();
                    let mut sum = ExactSum::new();
                    add_exactly(&mut sum, &column);
                    exact(sum.value(), &mut column)
                })
                .collect(),
            Store::Sketch(cells) => cells.into_par_iter().map(SketchCell::into_stats).collect(),
        }
    }
}

impl CellSink for Aggregate {
    fn cells(&self) -> usize {
        self.cells
    }

    fn add_cells<'v>(&mut self, trials: usize, cell: impl Fn(usize) -> CellValues<'v>) {
        Aggregate::add_cells(self, trials, cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::describe;

    fn rows(trials: usize, cells: usize) -> Vec<f64> {
        (0..trials * cells)
            .map(|i| if i % 17 == 3 { f64::NAN } else { ((i * 7919) % 1013) as f64 * 0.37 - 50.0 })
            .collect()
    }

    #[test]
    fn exact_mode_matches_describe_on_each_column() {
        let (trials, cells) = (300, 5);
        let rows = rows(trials, cells);
        let mut agg = Aggregate::new(cells, Quantiles::Exact);
        agg.add_trials(&rows[..64 * cells]);
        let mut rest = Aggregate::new(cells, Quantiles::Exact);
        rest.add_trials(&rows[64 * cells..]);
        agg.merge(rest).unwrap();
        for (c, got) in agg.into_stats().into_iter().enumerate() {
            let mut column: Vec<f64> = (0..trials).map(|t| rows[t * cells + c]).collect();
            assert_eq!(got, describe(&mut column), "cell {c}");
        }
    }

    #[test]
    fn sketch_mode_keeps_counts_and_means_exact_and_quantiles_within_the_bound() {
        let (trials, cells) = (3000, 3);
        let rows = rows(trials, cells);
        let mut agg = Aggregate::new(cells, Quantiles::Sketch);
        agg.add_trials(&rows);
        for (c, got) in agg.into_stats().into_iter().enumerate() {
            let mut column: Vec<f64> = (0..trials).map(|t| rows[t * cells + c]).collect();
            let want = describe(&mut column).unwrap();
            let got = got.unwrap();
            assert_eq!((got.count, got.mean.to_bits()), (want.count, want.mean.to_bits()));
            for (g, w) in got.quantiles.iter().zip(want.quantiles) {
                assert!((g - w).abs() <= sketch::RELATIVE_ERROR * w.abs(), "cell {c}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn extracted_and_plain_sums_equal_sums_value_by_value() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let mut sets: Vec<Vec<f64>> = vec![
            vec![0.5, -0.5],
            vec![-0.0, 0.25, -0.25],
            vec![1e300, 1.0, -1e300, 1e-300],
            vec![f64::INFINITY, 2.5],
            vec![0.0, f64::NAN],
            vec![f64::NAN, 0.0, 1.5],
            vec![f64::MAX, f64::MAX, 0.5],
            vec![5e-324, 1e-310, 0.1],
            vec![1e-290, 3e-300, -1e-295],
            vec![(1u64 << 53) as f64, 1.5, -1.0],
            // Whole numbers (the plain-sum path), signed zeros among them.
            vec![-0.0, -0.0],
            vec![3.0, -3.0, -0.0],
            (0..64).map(|i| f64::from(i % 7) * 1e13).collect(),
            (0..64).map(|i| if i == 9 { 0.5 } else { f64::from(i) }).collect(),
            vec![(1u64 << 46) as f64, 1.0],
        ];
        for n in [1, 2, 7, 63, 64] {
            for scale in [1e-12, 1.0, 3e5, 7e9, 1e200] {
                sets.push(
                    (0..n).map(|_| (rng.random::<f64>() - 0.3) * scale * 10f64.powi(rng.random_range(-8..8))).collect(),
                );
                sets.push((0..n).map(|_| rng.random::<f64>() * scale).collect());
            }
        }
        for values in &sets {
            for before in [[].as_slice(), &[-0.0], &[1e17, 0.3], &[-2.0e-3]] {
                let mut one = ExactSum::new();
                let mut many = ExactSum::new();
                before.iter().for_each(|&v| {
                    one.add(v);
                    many.add(v);
                });
                let mut whole = many.clone();
                values.iter().for_each(|&v| one.add(v));
                add_extracted(&mut many, values);
                assert_eq!(many.value().to_bits(), one.value().to_bits(), "{values:?} after {before:?}");
                add_exactly(&mut whole, values);
                assert_eq!(whole.value().to_bits(), one.value().to_bits(), "{values:?} after {before:?}");
            }
        }
    }

    /// Blocks of nearly equal magnitude (the scaled path) sum exactly: signs mixed, at
    /// the edges of the spread and of the exponent range, cancelling to nothing, and
    /// blocks the path must refuse (a zero, an infinity, too wide a spread).
    #[test]
    fn scaled_sums_equal_sums_value_by_value() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let ulps_above = |x: f64, n: u64| f64::from_bits(x.to_bits() + n);
        let mut taken: Vec<Vec<f64>> = vec![
            vec![2.4e6],
            vec![-7.5],
            vec![0.1, 0.2, 0.3],
            vec![1.0, -1.0 - f64::EPSILON],
            vec![2f64.powi(20), 2f64.powi(25).next_down(), -ulps_above(2f64.powi(21), 5)],
            vec![2f64.powi(960) * 1.999, -2f64.powi(960), 2f64.powi(957)],
            vec![2f64.powi(-960), -3.0 * 2f64.powi(-960), ulps_above(2f64.powi(-958), 1)],
            vec![16.0f64.next_down(); 64],
            // The largest totals: 63 values just below 2^5 and one at 2^0.
            (0..64).map(|i| if i == 0 { 1.0 } else { 32f64.next_down() }).collect(),
            (0..64).map(|i| if i == 0 { -1.0 } else { -(32f64.next_down()) }).collect(),
            (0..64).map(|i| if i % 2 == 0 { 31.999999999999996 } else { -2.0000000000000004 }).collect(),
        ];
        for n in [1, 5, 63, 64] {
            for scale in [3e-7, 1.0, 2.4e6, 8e13] {
                taken.push((0..n).map(|_| scale * (1.0 + 15.0 * rng.random::<f64>())).collect());
                let signed = |x: f64| if x < 0.5 { -8.0 * (1.0 + x) } else { 1.0 + x };
                taken.push((0..n).map(|_| scale * signed(rng.random::<f64>())).collect());
            }
        }
        let refused: Vec<Vec<f64>> = vec![
            vec![],
            vec![1.0, 0.0],
            vec![1.0, -0.0],
            vec![1.0, f64::INFINITY],
            vec![1.0, f64::NAN],
            vec![f64::NAN, 1.0, 1.5],
            vec![1.0, 32.0],
            vec![2f64.powi(961), 2f64.powi(961)],
            vec![2f64.powi(-961)],
            vec![0.75, -0.75],
        ];
        let cases = taken.iter().map(|v| (v, true)).chain(refused.iter().map(|v| (v, false)));
        for (values, takes) in cases {
            for before in [[].as_slice(), &[-0.0], &[1e17, 0.3], &[-2.0e-3]] {
                let mut one = ExactSum::new();
                before.iter().for_each(|&v| one.add(v));
                let mut scaled = one.clone();
                values.iter().for_each(|&v| one.add(v));
                assert_eq!(add_scaled(&mut scaled, values), takes, "{values:?}");
                if takes {
                    assert_eq!(scaled.value().to_bits(), one.value().to_bits(), "{values:?} after {before:?}");
                }
            }
        }
    }

    #[test]
    fn copies_add_up_as_values_added_one_by_one() {
        let tiny = f64::from_bits(0x077f_0000_0000_0000);
        for v in
            [0.1, -0.1, 3.0, 1e-300, tiny, tiny * 2.0, 1e15 + 0.5, 1e300, f64::MAX, -0.0, 0.0, f64::INFINITY, 5e-324]
        {
            for n in [0u64, 1, 3, 256, 1000] {
                for before in [[].as_slice(), &[-0.0], &[1e17, 0.3]] {
                    let mut one = ExactSum::new();
                    before.iter().for_each(|&b| one.add(b));
                    let mut copies = one.clone();
                    (0..n).for_each(|_| one.add(v));
                    add_copies(&mut copies, v, n);
                    assert_eq!(copies.value().to_bits(), one.value().to_bits(), "{n} copies of {v} after {before:?}");
                }
            }
        }
    }

    #[test]
    fn cells_constant_in_every_trial_have_the_statistics_of_their_values() {
        // Cell 0 varies; 1 is a constant; 2 is missing in every trial; 3 is -0 throughout;
        // 4 is constant but for its last trial.
        let (trials, cells) = (700, 5);
        let mut rows = Vec::with_capacity(trials * cells);
        for t in 0..trials {
            let last = if t + 1 == trials { 2.5 } else { 1.25 };
            rows.extend([t as f64 * 0.3, 0.1, f64::NAN, -0.0, last]);
        }
        for mode in [Quantiles::Exact, Quantiles::Sketch] {
            let mut agg = Aggregate::new(cells, mode);
            for part in rows.chunks(256 * cells) {
                agg.add_trials(part);
            }
            for (c, got) in agg.into_stats().into_iter().enumerate() {
                let mut column: Vec<f64> = (0..trials).map(|t| rows[t * cells + c]).collect();
                let mut want = describe(&mut column);
                if mode == Quantiles::Sketch {
                    // The sketch of the values added one by one.
                    let mut one = Sketch::new();
                    column.iter().for_each(|&v| one.add(v));
                    want = want.and_then(|w| sketched(w.mean * w.count as f64, w.count as u64, &one));
                    if let (Some(w), Some(d)) = (want.as_mut(), describe(&mut column)) {
                        w.mean = d.mean;
                    }
                }
                let bits = |s: Option<Stats>| s.map(|s| (s.count, s.mean.to_bits(), s.quantiles.map(f64::to_bits)));
                assert_eq!(bits(got), bits(want), "cell {c}, {mode:?}");
            }
        }
    }

    #[test]
    fn aggregates_of_different_modes_or_sizes_do_not_merge() {
        let mut a = Aggregate::new(3, Quantiles::Exact);
        let e = a.merge(Aggregate::new(3, Quantiles::Sketch)).unwrap_err();
        assert_eq!(e, MergeError { into: (3, Quantiles::Exact), from: (3, Quantiles::Sketch) });
        assert_eq!(
            e.to_string(),
            "cannot merge an aggregate of 3 cells (sketch quantiles) into one of 3 cells (exact quantiles)"
        );
        assert!(matches!(a.merge(Aggregate::new(4, Quantiles::Exact)), Err(MergeError { from: (4, _), .. })));
    }

    #[test]
    fn the_mode_follows_the_budget() {
        let cells = 730;
        let fits = EXACT_BUDGET_BYTES / 8 / cells as u64;
        assert_eq!(Quantiles::for_run(fits, cells), Quantiles::Exact);
        assert_eq!(Quantiles::for_run(fits + 1, cells), Quantiles::Sketch);
        assert_eq!(Quantiles::for_run(u64::MAX, cells), Quantiles::Sketch);
    }
}
