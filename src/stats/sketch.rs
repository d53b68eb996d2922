//! A mergeable quantile sketch with a relative error bound: counts in log-linear buckets.
//!
//! Like DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile
//! sketch with relative-error guarantees", VLDB 2019), the sketch counts values in
//! buckets whose width is a fixed fraction of their lower edge, so a quantile read from
//! it is within a fixed *relative* error of the exact one, whatever the distribution.
//! The buckets are HdrHistogram's log-linear ones, taken straight from the bits of a
//! double: each power of two is cut into 2^[`SUB_BITS`] equal buckets, and a bucket's
//! index is the exponent and the top [`SUB_BITS`] bits of the mantissa. So:
//!
//! - a value's bucket depends on IEEE bits only (no logarithm, no platform maths
//!   library): machines agree on it bit for bit;
//! - a bucket `[lo, hi)` has `hi - lo <= lo / 2^SUB_BITS`, so any point of it is within
//!   [`RELATIVE_ERROR`] `= 2^-SUB_BITS` of every value it holds;
//! - merging adds counts bucket by bucket: the sketch of a set of values is the same
//!   however the set was split, in whatever order the parts are merged.
//!
//! A bucket is read as its lower edge when that is a whole number and the bucket is at
//! most 1 wide (so whole numbers below `2^(SUB_BITS+1)` = 512 come back exactly: counts,
//! headcounts, 0/1 flags). Otherwise the `k`-th smallest of the `n` values a bucket holds
//! is read at the point `(k + 1/2) / n` of the way through it, as if they were spread
//! evenly, so that quantiles falling in one crowded bucket still differ. Zero is counted
//! apart and exact; magnitudes below the smallest normal double (`2.2e-308`) count as
//! zero. Each sign keeps at most [`MAX_BUCKETS`] buckets (64 powers of two, a ratio of
//! 1.8e19 between the largest and smallest magnitude); smaller magnitudes than that
//! window are counted in its lowest bucket (which bucket a value ends in depends only on
//! the largest magnitude of the whole set, so merging stays exact).

/// Buckets per power of two: `2^SUB_BITS`.
pub const SUB_BITS: u32 = 8;

/// The bound on the relative error of a quantile read from the sketch: `2^-SUB_BITS`
/// (0.39%). Every order statistic read is within this fraction of the exact one; a type-7
/// quantile interpolated between two of the same sign is too.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << SUB_BITS) as f64;

/// Most buckets kept for each sign (64 powers of two).
pub const MAX_BUCKETS: usize = 64 << SUB_BITS;

/// Bits of a double below the bucket index.
const SHIFT: u32 = 52 - SUB_BITS;

/// Bucket counts of one sign, by index (magnitude order), dense from `offset`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Store {
    /// Index of `counts[0]`.
    offset: i32,
    /// Counts of the buckets `offset ..`; never longer than [`MAX_BUCKETS`]. A run has
    /// at most `MAX_TRIALS` (10 million) values per cell, far below `u32::MAX`.
    counts: Vec<u32>,
}

impl Store {
    fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn top(&self) -> i32 {
        self.offset + self.counts.len() as i32 - 1
    }

    /// Adds `n` values of bucket `index`. Keeps the window `[top - MAX_BUCKETS + 1, top]`
    /// where `top` is the largest index seen; lower indexes go to the window's floor.
    #[inline]
    fn add(&mut self, index: i32, n: u32) {
        if let Some(slot) = index.checked_sub(self.offset).and_then(|i| self.counts.get_mut(i as usize)) {
            *slot = slot.saturating_add(n);
            return;
        }
        self.add_outside(index, n);
    }

    #[cold]
    fn add_outside(&mut self, index: i32, n: u32) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(n);
            return;
        }
        let top = self.top().max(index);
        let floor = top - MAX_BUCKETS as i32 + 1;
        if floor > self.offset {
            // Collapse the buckets below the new floor into it.
            let below = ((floor - self.offset) as usize).min(self.counts.len());
            let collapsed = self.counts.drain(..below).fold(0u32, u32::saturating_add);
            self.offset = floor;
            if self.counts.is_empty() {
                self.counts.push(0);
            }
            self.counts[0] = self.counts[0].saturating_add(collapsed);
        }
        let index = index.max(floor);
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        } else if index > self.top() {
            self.counts.resize((index - self.offset + 1) as usize, 0);
        }
        let slot = &mut self.counts[(index - self.offset) as usize];
        *slot = slot.saturating_add(n);
    }

    fn merge(&mut self, other: &Store) {
        if other.is_empty() {
            return;
        }
        // The larger top first, so the window is set once.
        self.add(other.top(), 0);
        for (i, &n) in other.counts.iter().enumerate() {
            if n > 0 {
                self.add(other.offset + i as i32, n);
            }
        }
    }

    fn total(&self) -> u64 {
        self.counts.iter().map(|&n| u64::from(n)).sum()
    }
}

/// A quantile sketch of doubles (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch {
    positive: Store,
    negative: Store,
    zeros: u64,
    positive_infinite: u64,
    negative_infinite: u64,
}

/// The bucket of a finite, normal magnitude.
#[inline]
fn index_of(magnitude: f64) -> i32 {
    (magnitude.to_bits() >> SHIFT) as i32
}

/// The magnitude read for the `k`-th smallest (0-based) of the `n` values in bucket
/// `index` (see the module documentation): its lower edge for a small whole-number
/// bucket, else the point `(k + 1/2) / n` of the way through the bucket.
fn read(index: i32, k: u64, n: u64) -> f64 {
    let lo = f64::from_bits((index as u64) << SHIFT);
    let hi = f64::from_bits(((index + 1) as u64) << SHIFT);
    if !hi.is_finite() || (lo.fract() == 0.0 && hi - lo <= 1.0) {
        lo
    } else {
        lo + (hi - lo) * ((k as f64 + 0.5) / n as f64)
    }
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Sketch {
        Sketch::default()
    }

    /// Counts `x`; NaN is ignored.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let m = x.abs();
        if (f64::MIN_POSITIVE..f64::INFINITY).contains(&m) {
            let store = if x > 0.0 { &mut self.positive } else { &mut self.negative };
            store.add(index_of(m), 1);
        } else if m < f64::MIN_POSITIVE {
            self.zeros += 1;
        } else if x == f64::INFINITY {
            self.positive_infinite += 1;
        } else if x == f64::NEG_INFINITY {
            self.negative_infinite += 1;
        }
    }

    /// Counts each of `values`, as [`Sketch::add`] one by one does; NaN is ignored.
    ///
    /// Up to 64 values at a time. A block of positive values only takes
    /// [`Sketch::add_positive`]. Otherwise the buckets of its positive values are worked
    /// out first, in a pass without branches, and the window of buckets is set once for
    /// the lowest and highest. The updates then depend on no branch, so the processor
    /// overlaps the cache misses of different buckets. Values that all fall in one bucket
    /// (as the trials' values of a headcount often do) make one update. Blocks with a
    /// negative, infinite or NaN value take the value-by-value path.
    pub fn add_all(&mut self, values: &[f64]) {
        const SIGN: u64 = 1 << 63;
        let smallest = f64::MIN_POSITIVE.to_bits();
        let infinity = f64::INFINITY.to_bits();
        for part in values.chunks(64) {
            if self.add_positive(part) {
                continue;
            }
            let mut buckets = [0i32; 64];
            let (mut n, mut zeros, mut other) = (0usize, 0u64, false);
            for &x in part {
                let bits = x.to_bits();
                // Positive, normal and finite; or a zero (or subnormal) of either sign.
                let positive = bits.wrapping_sub(smallest) < infinity - smallest;
                let zero = bits & !SIGN < smallest;
                buckets[n] = index_of(x);
                n += usize::from(positive);
                zeros += u64::from(zero);
                other |= !positive & !zero;
            }
            if other {
                self.add_one_by_one(part);
                continue;
            }
            self.zeros += zeros;
            let buckets = &buckets[..n];
            let (Some(&low), Some(&high)) = (buckets.iter().min(), buckets.iter().max()) else { continue };
            let store = &mut self.positive;
            if low == high {
                store.add(low, n as u32);
                continue;
            }
            // Sets the window: buckets below its floor count in the floor's bucket.
            store.add(high, 0);
            store.add(low, 0);
            let offset = store.offset;
            for &b in buckets {
                if let Some(slot) = store.counts.get_mut((b.max(offset) - offset) as usize) {
                    *slot = slot.saturating_add(1);
                }
            }
        }
    }

    /// Counts `part` (at most 64 values) and returns `true` if every value is positive,
    /// normal and finite (money amounts, as a cell's trials mostly give them); else
    /// counts nothing and returns `false`. One pass finds the block's smallest and
    /// largest bits (for positive doubles the order of their bits is the order of their
    /// values and of their buckets), a second counts each value in its bucket: no
    /// list of buckets is built in between, and neither pass branches on a value.
    #[inline]
    fn add_positive(&mut self, part: &[f64]) -> bool {
        let smallest = f64::MIN_POSITIVE.to_bits();
        let span = f64::INFINITY.to_bits() - smallest;
        let (mut low, mut high, mut positive) = (u64::MAX, 0u64, true);
        for &x in part {
            let bits = x.to_bits();
            positive &= bits.wrapping_sub(smallest) < span;
            low = low.min(bits);
            high = high.max(bits);
        }
        if !positive || part.is_empty() {
            return false;
        }
        let (low, high) = ((low >> SHIFT) as i32, (high >> SHIFT) as i32);
        let store = &mut self.positive;
        if low == high {
            store.add(low, part.len() as u32);
            return true;
        }
        // Sets the window: buckets below its floor count in the floor's bucket.
        store.add(high, 0);
        store.add(low, 0);
        let offset = store.offset;
        for &x in part {
            if let Some(slot) = store.counts.get_mut((index_of(x).max(offset) - offset) as usize) {
                *slot = slot.saturating_add(1);
            }
        }
        true
    }

    /// Counts `n` copies of `x`, as [`Sketch::add`] `n` times does; NaN is ignored.
    pub fn add_copies(&mut self, x: f64, n: u64) {
        if n == 0 {
            return;
        }
        let m = x.abs();
        if (f64::MIN_POSITIVE..f64::INFINITY).contains(&m) {
            let store = if x > 0.0 { &mut self.positive } else { &mut self.negative };
            // A bucket's count saturates at `u32::MAX`, as one by one.
            store.add(index_of(m), u32::try_from(n).unwrap_or(u32::MAX));
        } else if m < f64::MIN_POSITIVE {
            self.zeros += n;
        } else if x == f64::INFINITY {
            self.positive_infinite += n;
        } else if x == f64::NEG_INFINITY {
            self.negative_infinite += n;
        }
    }

    /// [`Sketch::add`] for each of `values`, counting consecutive values of one bucket
    /// together: one update of the bucket instead of a chain of updates, each waiting for
    /// the one before.
    fn add_one_by_one(&mut self, values: &[f64]) {
        // The pending run: its bucket, its sign (true: positive) and its length.
        let (mut index, mut positive, mut n) = (0i32, false, 0u32);
        for &x in values {
            let m = x.abs();
            if (f64::MIN_POSITIVE..f64::INFINITY).contains(&m) {
                let (i, p) = (index_of(m), x > 0.0);
                if n > 0 && i == index && p == positive {
                    n += 1;
                    continue;
                }
                self.add_run(index, positive, n);
                (index, positive, n) = (i, p, 1);
            } else {
                self.add(x);
            }
        }
        self.add_run(index, positive, n);
    }

    /// Adds `n` values of bucket `index` of the positive or the negative store.
    #[inline]
    fn add_run(&mut self, index: i32, positive: bool, n: u32) {
        if n > 0 {
            let store = if positive { &mut self.positive } else { &mut self.negative };
            store.add(index, n);
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.positive_infinite += other.positive_infinite;
        self.negative_infinite += other.negative_infinite;
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.positive.total() + self.negative.total() + self.zeros + self.positive_infinite + self.negative_infinite
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.positive.counts.capacity() + self.negative.counts.capacity()) * 4
    }

    /// The values at 0-based ranks `ranks` (ascending) of the sorted values, each read
    /// from its bucket; `NaN` for a rank at or past the count.
    pub fn at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(ranks.len());
        let mut next = ranks.iter().peekable();
        let mut seen = 0u64;
        // Emits the values of `count` more ranks; `value(j)` is the j-th of them.
        let mut emit = |count: u64, value: &dyn Fn(u64) -> f64, out: &mut Vec<f64>| {
            let start = seen;
            seen += count;
            while let Some(&&r) = next.peek() {
                if r >= seen {
                    break;
                }
                out.push(value(r - start));
                next.next();
            }
        };
        emit(self.negative_infinite, &|_| f64::NEG_INFINITY, &mut out);
        let neg = &self.negative;
        for (i, &n) in neg.counts.iter().enumerate().rev() {
            if n > 0 {
                // Ascending values are descending magnitudes.
                let (index, n) = (neg.offset + i as i32, u64::from(n));
                emit(n, &|j| -read(index, n - 1 - j, n), &mut out);
            }
        }
        emit(self.zeros, &|_| 0.0, &mut out);
        let pos = &self.positive;
        for (i, &n) in pos.counts.iter().enumerate() {
            if n > 0 {
                let (index, n) = (pos.offset + i as i32, u64::from(n));
                emit(n, &|j| read(index, j, n), &mut out);
            }
        }
        emit(self.positive_infinite, &|_| f64::INFINITY, &mut out);
        out.resize(ranks.len(), f64::NAN);
        out
    }

    /// The stored form: `(offset, counts)` of the positive and the negative buckets, and
    /// the counts of zeros, `+inf` and `-inf`.
    pub fn parts(&self) -> SketchParts<'_> {
        SketchParts {
            positive: (self.positive.offset, &self.positive.counts),
            negative: (self.negative.offset, &self.negative.counts),
            zeros: self.zeros,
            positive_infinite: self.positive_infinite,
            negative_infinite: self.negative_infinite,
        }
    }

    /// A sketch rebuilt from its stored form; `None` if the buckets are out of range.
    pub fn from_parts(parts: &SketchParts<'_>) -> Option<Sketch> {
        let store = |(offset, counts): (i32, &[u32])| -> Option<Store> {
            let max = (f64::MAX.to_bits() >> SHIFT) as i64;
            let min = (f64::MIN_POSITIVE.to_bits() >> SHIFT) as i64;
            if counts.is_empty() {
                return Some(Store::default());
            }
            let top = i64::from(offset) + counts.len() as i64 - 1;
            let trimmed = counts.first() != Some(&0) && counts.last() != Some(&0);
            (counts.len() <= MAX_BUCKETS && i64::from(offset) >= min && top <= max && trimmed)
                .then(|| Store { offset, counts: counts.to_vec() })
        };
        Some(Sketch {
            positive: store(parts.positive)?,
            negative: store(parts.negative)?,
            zeros: parts.zeros,
            positive_infinite: parts.positive_infinite,
            negative_infinite: parts.negative_infinite,
        })
    }
}

/// A sketch's stored form (see [`Sketch::parts`]).
#[derive(Debug, Clone)]
pub struct SketchParts<'a> {
    /// Index of the first positive bucket and the counts from there.
    pub positive: (i32, &'a [u32]),
    /// Index of the first negative bucket (by magnitude) and the counts from there.
    pub negative: (i32, &'a [u32]),
    /// Zeros (and magnitudes below the smallest normal double).
    pub zeros: u64,
    /// `+inf` values.
    pub positive_infinite: u64,
    /// `-inf` values.
    pub negative_infinite: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_within_the_bound_of_its_bucket() {
        let mut x: f64 = 1e-300;
        while x < 1e300 {
            for v in [x, x * 1.001, x * 1.37, -x] {
                for (k, n) in [(0, 1), (0, 7), (6, 7), (999, 1000)] {
                    let got = read(index_of(v.abs()), k, n).copysign(v);
                    assert!((got - v).abs() <= RELATIVE_ERROR * v.abs(), "{v} read as {got}");
                }
            }
            x *= 1.7;
        }
    }

    #[test]
    fn small_whole_numbers_come_back_exactly() {
        for n in 1..512 {
            assert_eq!(read(index_of(f64::from(n)), 0, 3), f64::from(n));
        }
        let mut s = Sketch::new();
        [0.0, 1.0, 1.0, 7.0, 300.0].iter().for_each(|&v| s.add(v));
        assert_eq!(s.at_ranks(&[0, 1, 2, 3, 4]), vec![0.0, 1.0, 1.0, 7.0, 300.0]);
        assert!(s.at_ranks(&[5])[0].is_nan());
    }

    #[test]
    fn ranks_run_from_the_most_negative_to_the_most_positive() {
        let mut s = Sketch::new();
        for v in [3.0, -2.0, 0.0, f64::INFINITY, -100.0, f64::NEG_INFINITY, 5.0, f64::NAN] {
            s.add(v);
        }
        assert_eq!(s.count(), 7);
        assert_eq!(
            s.at_ranks(&[0, 1, 2, 3, 4, 5, 6]),
            vec![f64::NEG_INFINITY, -100.0, -2.0, 0.0, 3.0, 5.0, f64::INFINITY]
        );
    }

    #[test]
    fn merging_is_exact_in_any_order_and_grouping() {
        let values: Vec<f64> = (0..5000).map(|i| ((i * 7919) % 1013) as f64 * 123.456 - 20_000.0).collect();
        let mut whole = Sketch::new();
        values.iter().for_each(|&v| whole.add(v));
        let mut merged = Sketch::new();
        for part in values.chunks(777).rev() {
            let mut s = Sketch::new();
            part.iter().for_each(|&v| s.add(v));
            merged.merge(&s);
        }
        assert_eq!(whole, merged);
    }

    #[test]
    fn adding_copies_equals_adding_one_by_one() {
        let before = [5.0, -7.5, 1e200, 0.25];
        for x in [3.0, -3.0, 0.0, -0.0, 1e-310, -1e-310, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e300, 2.0e-300] {
            for n in [0u64, 1, 2, 255, 256, 10_000] {
                let mut one = Sketch::new();
                let mut copies = Sketch::new();
                before.iter().for_each(|&v| {
                    one.add(v);
                    copies.add(v);
                });
                (0..n).for_each(|_| one.add(x));
                copies.add_copies(x, n);
                assert_eq!(one, copies, "{n} copies of {x}");
            }
        }
    }

    #[test]
    fn adding_a_slice_equals_adding_one_by_one() {
        let mut values: Vec<f64> = (0..3000).map(|i| ((i / 7) % 5) as f64 - 2.0).collect();
        values.extend((0..500).map(|i| ((i * 7919) % 1013) as f64 * 1.0e-3 - 0.4));
        values.extend([0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-310, 3.0, 3.0, -3.0, 1e300, 1e-300]);
        // Blocks of positive values and zeros (the path without branches): constants,
        // subnormals, a block whose window collapses, windows that move from block to block.
        values.extend([7.0; 64]);
        values.extend((0..64).map(|i| if i % 3 == 0 { 0.0 } else { 1e-310 * f64::from(i) }));
        values.extend((0..64).map(|i| 10f64.powi(i - 32)));
        values.extend((0..200).map(|i| 10f64.powi(-(i % 40)) * 1.5));
        values.extend((0..200).map(|i| 10f64.powi(i % 50 + 250)));
        values.extend((0..130).map(|i| if i % 5 == 0 { -0.0 } else { f64::from(i % 9) }));
        // Blocks of positive values of one to many buckets (the path of positive blocks),
        // amid a zero, a subnormal or a negative value (the other paths).
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for spread in [0.0, 1e-4, 0.02, 1.0, 30.0, 200.0] {
            values.extend((0..300).map(|_| 2.4e6 * (spread * (rng.random::<f64>() - 0.5)).exp()));
            values.push([0.0, 1e-310, -7.5][rng.random_range(0..3)]);
        }
        let mut one = Sketch::new();
        values.iter().for_each(|&v| one.add(v));
        for size in [64, 7, 100, 63, 1, values.len()] {
            let mut all = Sketch::new();
            for part in values.chunks(size) {
                all.add_all(part);
            }
            assert_eq!(all, one, "added {size} at a time");
        }
    }

    #[test]
    fn the_window_collapses_small_magnitudes_the_same_way_in_any_order() {
        let values = [1e-30, 5.0, 1e-25, 1e30, 2e-30, 3.0];
        let mut forward = Sketch::new();
        values.iter().for_each(|&v| forward.add(v));
        let mut backward = Sketch::new();
        values.iter().rev().for_each(|&v| backward.add(v));
        assert_eq!(forward, backward);
        assert!(forward.positive.counts.len() <= MAX_BUCKETS);
        assert_eq!(forward.count(), 6);
        // The top of the window is exact; the tiny values sit at its floor.
        assert_eq!(forward.at_ranks(&[5])[0], read(index_of(1e30), 0, 1));
    }

    #[test]
    fn stored_parts_round_trip() {
        let mut s = Sketch::new();
        for v in [1.5, -2.5, 0.0, 1e9, -1e-9] {
            s.add(v);
        }
        let back = Sketch::from_parts(&s.parts()).unwrap();
        assert_eq!(s, back);
        let bad = SketchParts { positive: (5, &[1]), ..s.parts() };
        assert!(Sketch::from_parts(&bad).is_none(), "an index below the normal range is refused");
    }
}
