//! An exact sum of doubles, whose result does not depend on the order or grouping of
//! the values added.
//!
//! The running sum is kept as Shewchuk's non-overlapping partials (J. R. Shewchuk,
//! "Adaptive precision floating-point arithmetic and fast robust geometric predicates",
//! 1997; the algorithm of Python's `math.fsum`): a short list of doubles, increasing in
//! magnitude, whose exact mathematical sum is the exact sum of every value added. The
//! value is that exact sum rounded once to the nearest double (ties to even). So sums
//! built trial by trial, chunk by chunk on any number of threads, or shard by shard on
//! other machines and merged, round to the same double, bit for bit.

/// An exact running sum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping partials, increasing in magnitude; their exact sum is the sum.
    partials: Vec<f64>,
    /// Sum of the non-finite values added (and of any partial that overflowed): `0`, `±inf` or `NaN`.
    special: f64,
}

impl ExactSum {
    /// An empty sum (zero).
    pub fn new() -> ExactSum {
        ExactSum::default()
    }

    /// Adds `x` exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let y = self.partials[j];
            let (big, small) = if x.abs() < y.abs() { (y, x) } else { (x, y) };
            let hi = big + small;
            if !hi.is_finite() {
                // The sum leaves the range of doubles: it is infinite from here on.
                self.special += hi;
                self.partials.truncate(kept);
                return;
            }
            let lo = small - (hi - big);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds everything `other` holds, exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        self.special += other.special;
    }

    /// The exact sum rounded to the nearest double (ties to even); `±inf` or `NaN` if a
    /// non-finite value was added or the sum overflowed.
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special;
        }
        let p = &self.partials;
        let Some(&top) = p.last() else { return 0.0 };
        // From the largest partial down, until the running sum becomes inexact.
        let mut n = p.len() - 1;
        let mut hi = top;
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Half-way cases: round to even across the partials below.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }

    /// The partials and the non-finite part, to store in a file.
    pub fn parts(&self) -> (&[f64], f64) {
        (&self.partials, self.special)
    }

    /// A sum rebuilt from stored parts. Partials as [`ExactSum::parts`] gives them
    /// (finite, non-zero, strictly increasing in magnitude) are kept as they are; any
    /// other list of doubles is added value by value, exactly.
    pub fn from_parts(partials: &[f64], special: f64) -> ExactSum {
        let ordered =
            partials.iter().all(|p| p.is_finite() && *p != 0.0) && partials.windows(2).all(|w| w[0].abs() < w[1].abs());
        let mut s = ExactSum::new();
        if ordered {
            s.partials = partials.to_vec();
        } else {
            partials.iter().for_each(|&p| s.add(p));
        }
        if !special.is_finite() {
            s.special += special;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(values: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        values.iter().for_each(|&v| s.add(v));
        s.value()
    }

    #[test]
    fn catastrophic_cancellation_is_exact() {
        assert_eq!(sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1.0, 1e-16, 1e-16]), 1.0000000000000002);
        // Python: math.fsum([1e308, 1e308, -1e308]) overflows; naive order-independence
        // is what matters here, within range:
        assert_eq!(sum(&[2.0f64.powi(53), 1.0, 1.0]), 2.0f64.powi(53) + 2.0);
    }

    #[test]
    fn half_way_cases_round_to_even() {
        // 2^53 + 1 is half-way between 2^53 and 2^53 + 2: ties to even gives 2^53;
        // a tiny extra pushes it up.
        let big = 2.0f64.powi(53);
        assert_eq!(sum(&[big, 1.0]), big);
        assert_eq!(sum(&[big, 1.0, 1e-100]), big + 2.0);
        assert_eq!(sum(&[big, 1.0, -1e-100]), big);
    }

    #[test]
    fn order_and_grouping_do_not_change_the_result() {
        // Values of mixed magnitude and sign, whose naive sums differ by order.
        let values: Vec<f64> =
            (0..2000).map(|i| ((i * 7919 % 1000) as f64 - 500.0) * 10f64.powi(i % 23 - 11)).collect();
        let forward = sum(&values);
        let mut reversed = values.clone();
        reversed.reverse();
        assert_eq!(forward.to_bits(), sum(&reversed).to_bits());
        let naive_forward: f64 = values.iter().sum();
        let naive_reversed: f64 = reversed.iter().sum();
        assert_ne!(naive_forward.to_bits(), naive_reversed.to_bits(), "the case must defeat naive summation");

        let mut merged = ExactSum::new();
        for part in values.chunks(333) {
            let mut s = ExactSum::new();
            part.iter().for_each(|&v| s.add(v));
            let (p, special) = s.parts();
            merged.merge(&ExactSum::from_parts(p, special));
        }
        assert_eq!(forward.to_bits(), merged.value().to_bits());
    }

    #[test]
    fn non_finite_values_make_the_sum_non_finite() {
        assert_eq!(sum(&[1.0, f64::INFINITY]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert_eq!(sum(&[]), 0.0);
    }
}
