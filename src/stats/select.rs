//! Order statistics of a column of doubles by radix selection.
//!
//! The exact quantiles of a cell need the values at up to 14 positions of its sorted
//! column. Each double maps to a 64-bit key whose unsigned order is `f64::total_cmp`'s
//! (so -0 sorts before +0 and the value at a position is one bit pattern, whatever the
//! method). One pass counts the keys in 2^[`DIGIT`] buckets of the bits below the
//! column's common prefix; a second gathers only the keys of the buckets that hold a
//! wanted position, and those (a few per bucket on average) are selected the same way,
//! or sorted once they are few. A few passes over the column instead of the successive
//! partitions of a quickselect, whose comparisons cost more than the column's reads.

/// Bits of the key a level buckets by.
const DIGIT: u32 = 11;

/// Below this many keys, a sort is cheaper than another level of buckets.
const SMALL: usize = 48;

/// The key of `x` whose unsigned order is `f64::total_cmp`'s.
#[inline]
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The double of a [`key`].
#[inline]
fn value(k: u64) -> f64 {
    if k >> 63 == 1 { f64::from_bits(k & !(1 << 63)) } else { f64::from_bits(!k) }
}

/// The values at `positions` (sorted, distinct, each below `values.len()`) of `values`
/// sorted by `f64::total_cmp`, in the order of `positions`.
pub(crate) fn order_values(values: &[f64], positions: &[usize]) -> Vec<f64> {
    let mut keys: Vec<u64> = values.iter().map(|&v| key(v)).collect();
    let mut out = vec![0u64; positions.len()];
    select(&mut keys, positions, &mut out);
    out.into_iter().map(value).collect()
}

/// Writes to `out[i]` the key at sorted position `positions[i]` of `keys` (reordered).
fn select(keys: &mut [u64], positions: &[usize], out: &mut [u64]) {
    if keys.len() <= SMALL {
        keys.sort_unstable();
        positions.iter().zip(out.iter_mut()).for_each(|(&p, o)| *o = keys[p]);
        return;
    }
    let (lo, hi) = keys.iter().fold((u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)));
    if lo == hi {
        out.iter_mut().for_each(|o| *o = lo);
        return;
    }
    // Every key minus `lo` is below 2^bits; the top DIGIT of those bits pick the bucket.
    let bits = 64 - (hi - lo).leading_zeros();
    let shift = bits.saturating_sub(DIGIT);
    let bucket = |k: u64| ((k - lo) >> shift) as usize;
    let mut counts = [0u32; 1 << DIGIT];
    keys.iter().for_each(|&k| counts[bucket(k)] += 1);
    // The buckets holding a wanted position, with the first position of each.
    let mut wanted: Vec<(usize, usize)> = Vec::with_capacity(positions.len());
    let mut start = 0usize;
    let mut next = positions.iter().peekable();
    for (b, &c) in counts.iter().enumerate() {
        let end = start + c as usize;
        if next.peek().is_some_and(|&&p| p < end) {
            wanted.push((b, start));
            while next.peek().is_some_and(|&&p| p < end) {
                next.next();
            }
        }
        start = end;
    }
    let mut slot = [u8::MAX; 1 << DIGIT];
    wanted.iter().enumerate().for_each(|(i, &(b, _))| slot[b] = i as u8);
    let mut gathered: Vec<Vec<u64>> = wanted.iter().map(|&(b, _)| Vec::with_capacity(counts[b] as usize)).collect();
    for &k in keys.iter() {
        let s = slot[bucket(k)];
        if s != u8::MAX {
            gathered[s as usize].push(k);
        }
    }
    let mut done = 0;
    for ((_, first), part) in wanted.iter().zip(&mut gathered) {
        let mine = positions[done..].iter().take_while(|&&p| p < first + part.len()).count();
        let local: Vec<usize> = positions[done..done + mine].iter().map(|p| p - first).collect();
        select(part, &local, &mut out[done..done + mine]);
        done += mine;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn by_sorting(values: &[f64], positions: &[usize]) -> Vec<u64> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        positions.iter().map(|&p| sorted[p].to_bits()).collect()
    }

    #[test]
    fn keys_order_as_total_cmp() {
        let xs = [f64::NEG_INFINITY, -1e300, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1e-300, 1.0, f64::MAX, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
        }
        xs.iter().for_each(|&x| assert_eq!(value(key(x)).to_bits(), x.to_bits()));
    }

    #[test]
    fn selection_gives_the_values_of_a_full_sort() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let columns: Vec<Vec<f64>> = [1usize, 2, 5, 47, 48, 49, 300, 2049, 10_000]
            .iter()
            .flat_map(|&n| {
                let wide =
                    (0..n).map(|_| (rng.random::<f64>() - 0.4) * 10f64.powi(rng.random_range(-300..300))).collect();
                let ties = (0..n).map(|_| f64::from(rng.random_range(0..7u8)) * 0.5 - 1.0).collect();
                let narrow = (0..n).map(|_| 2_400_000.0 + rng.random::<f64>() * 1e-3).collect();
                let zeros = (0..n).map(|i| [0.0, -0.0, 5e-324, -5e-324][i % 4]).collect();
                let mostly = (0..n).map(|i| if i % 97 == 5 { f64::INFINITY } else { 3.0 }).collect();
                let lognormal = (0..n).map(|_| (rng.random::<f64>() * 6.0).exp() * 9_000.0).collect();
                [wide, ties, narrow, zeros, mostly, lognormal]
            })
            .collect();
        for values in &columns {
            let n = values.len();
            let mut positions: Vec<usize> = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
                .iter()
                .flat_map(|q| {
                    let lo = ((n - 1) as f64 * q).floor() as usize;
                    [lo, (lo + 1).min(n - 1)]
                })
                .collect();
            positions.extend([0, n - 1]);
            positions.sort_unstable();
            positions.dedup();
            let got: Vec<u64> = order_values(values, &positions).iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, by_sorting(values, &positions), "n = {n}, first {:?}", values.first());
        }
    }
}
