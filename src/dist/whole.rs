//! Whole-number draws of a distribution, by inversion of its distribution function.
//!
//! A per-event delay counted in whole months (a deal's cycle) only matters rounded. Its
//! rounded value has a discrete distribution with a known distribution function, so it
//! can be drawn exactly from one uniform: the least `k` with `u < P(round(x) <= k)`.
//! That costs a table lookup instead of a gamma or lognormal draw (a normal, an
//! exponential and a rejection step), always takes exactly one number from the stream
//! (so the draws after it keep their place whatever the distribution; a constant draws
//! nothing, as every constant), and is monotone
//! in `u` (two scenarios with the same seed and different cycle distributions draw
//! cycles that move together: common random numbers at their closest).

use rand::Rng;

use super::Dist;

/// 2^53: uniforms are 53-bit integers, as `rand`'s `f64` draws are.
const ONE: u64 = 1 << 53;
/// The guide table has `2^GUIDE_BITS` entries, one per equal slice of [0, 1).
const GUIDE_BITS: u32 = 8;

/// The draws of a non-negative [`Dist`], rounded half away from zero and capped:
/// `min(round(x), cap)`.
#[derive(Debug, Clone)]
pub enum WholeDraw {
    /// A constant's value, which draws nothing.
    Constant(u32),
    /// A table, searched with one 53-bit uniform `u` a draw.
    Table {
        /// `bounds[k] = round(2^53 x P(min(round(x), cap) <= k))`, non-decreasing, the
        /// last one 2^53: the draw is the least `k` with `u < bounds[k]`.
        bounds: Vec<u64>,
        /// `guide[j]`: the least `k` with `bounds[k] > j x 2^53 / 2^GUIDE_BITS`, where
        /// the search for a `u` in slice `j` starts.
        guide: Vec<u32>,
    },
    /// A distribution whose distribution function is not computed (see
    /// [`Dist::probability_below`]), drawn and rounded instead, with its cap.
    Drawn(Dist, f64),
}

impl WholeDraw {
    /// The whole-number draws of `dist` (whose draws are non-negative), values above
    /// `cap` drawn as `cap`.
    pub fn new(dist: &Dist, cap: u32) -> WholeDraw {
        if let Some(v) = dist.as_constant() {
            return WholeDraw::Constant(v.max(0.0).round().min(f64::from(cap)) as u32);
        }
        // P(round(x) <= k) = P(x < k + 1/2) for x >= 0 (a half rounds up).
        let mut bounds = Vec::new();
        let mut last = 0u64;
        for k in 0..cap {
            let p = dist.probability_below(f64::from(k) + 0.5);
            if p.is_nan() {
                return WholeDraw::Drawn(dist.clone(), f64::from(cap));
            }
            // `as` saturates: p = 1 gives 2^53.
            let b = ((p * ONE as f64).round() as u64).clamp(last, ONE);
            bounds.push(b);
            last = b;
            if b == ONE {
                break;
            }
        }
        if last < ONE {
            bounds.push(ONE);
        }
        WholeDraw::from_bounds(bounds)
    }

    /// A table from its bounds (non-decreasing, the last 2^53), with its guide.
    fn from_bounds(bounds: Vec<u64>) -> WholeDraw {
        let slices = 1u64 << GUIDE_BITS;
        let mut guide = Vec::with_capacity(slices as usize);
        let mut k = 0usize;
        for j in 0..slices {
            let start = j * (ONE / slices);
            while bounds[k] <= start {
                k += 1;
            }
            guide.push(k as u32);
        }
        WholeDraw::Table { bounds, guide }
    }

    /// One draw: a constant's value without a draw, a table's from one `u64` of `rng`,
    /// else the distribution's own draw, rounded.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            WholeDraw::Table { bounds, guide } => invert(bounds, guide, rng.next_u64() >> 11),
            WholeDraw::Constant(k) => *k,
            WholeDraw::Drawn(dist, cap) => dist.sample(rng).max(0.0).round().min(*cap) as u32,
        }
    }

    /// A table's draw, for a caller that draws many values and decides the kind once:
    /// its draws are this one's.
    pub fn as_table(&self) -> Option<TableDraw<'_>> {
        match self {
            WholeDraw::Table { bounds, guide } => Some(TableDraw { bounds, guide }),
            _ => None,
        }
    }

    /// One draw conditioned on being at least `at_least`, from one `u64` of `rng` for a
    /// table (the uniform is mapped into the part of the table at or above it); `None`
    /// when the distribution gives no chance of such a value (a drawn distribution is
    /// drawn again, at most 1,000 times).
    pub fn sample_at_least<R: Rng + ?Sized>(&self, rng: &mut R, at_least: u32) -> Option<u32> {
        match self {
            WholeDraw::Constant(k) => (*k >= at_least).then_some(*k),
            WholeDraw::Table { bounds, guide } => {
                let below = match at_least as usize {
                    0 => 0,
                    k => bounds.get(k - 1).copied().unwrap_or(ONE),
                };
                if below >= ONE {
                    return None;
                }
                let u = rng.next_u64() >> 11;
                let u = below + ((u128::from(u) * u128::from(ONE - below)) >> 53) as u64;
                Some(invert(bounds, guide, u).max(at_least))
            }
            WholeDraw::Drawn(..) => (0..1_000).map(|_| self.sample(rng)).find(|&k| k >= at_least),
        }
    }

    /// This draw with each value `k`'s probability multiplied by `weight(k)` (positive)
    /// and the whole scaled back to 1: a table again (a constant and a drawn
    /// distribution, whose values cannot move, are returned as they are).
    pub fn reweighted(&self, weight: impl Fn(u32) -> f64) -> WholeDraw {
        let WholeDraw::Table { bounds, .. } = self else { return self.clone() };
        let mass: Vec<f64> = (0..bounds.len() as u32).map(|k| self.probability(k) * weight(k)).collect();
        let total: f64 = mass.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return self.clone();
        }
        let mut cumulative = 0.0;
        let mut last = 0u64;
        let mut out: Vec<u64> = mass
            .iter()
            .map(|m| {
                cumulative += m / total;
                last = ((cumulative * ONE as f64).round() as u64).clamp(last, ONE);
                last
            })
            .collect();
        if let Some(end) = out.last_mut() {
            *end = ONE;
        }
        WholeDraw::from_bounds(out)
    }

    /// The probability of drawing `at_least` or more (for a distribution without a
    /// table, 1: every value is taken as possible).
    pub fn probability_at_least(&self, at_least: u32) -> f64 {
        match self {
            WholeDraw::Constant(k) => f64::from(u8::from(*k >= at_least)),
            WholeDraw::Drawn(..) => 1.0,
            WholeDraw::Table { bounds, .. } => match at_least as usize {
                0 => 1.0,
                k => (ONE - bounds.get(k - 1).copied().unwrap_or(ONE)) as f64 / ONE as f64,
            },
        }
    }

    /// The probability of drawing `k` (NaN for a distribution without a table).
    pub fn probability(&self, k: u32) -> f64 {
        match self {
            WholeDraw::Constant(c) => f64::from(u8::from(*c == k)),
            WholeDraw::Drawn(..) => f64::NAN,
            WholeDraw::Table { bounds, .. } => {
                let k = k as usize;
                let hi = bounds.get(k).copied().unwrap_or(ONE);
                let lo = if k == 0 { 0 } else { bounds.get(k - 1).copied().unwrap_or(ONE) };
                (hi - lo) as f64 / ONE as f64
            }
        }
    }
}

/// The draws of a [`WholeDraw::Table`] (see [`WholeDraw::as_table`]).
#[derive(Debug, Clone, Copy)]
pub struct TableDraw<'a> {
    bounds: &'a [u64],
    guide: &'a [u32],
}

impl TableDraw<'_> {
    /// One draw from one `u64` of `rng`, as [`WholeDraw::sample`] gives it.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        invert(self.bounds, self.guide, rng.next_u64() >> 11)
    }
}

/// The value a table draws for the 53-bit uniform `u` (below 2^53).
#[inline]
fn invert(bounds: &[u64], guide: &[u32], u: u64) -> u32 {
    let mut k = guide[(u >> (53 - GUIDE_BITS)) as usize] as usize;
    // Ends: the last bound is 2^53 > u.
    while u >= bounds[k] {
        k += 1;
    }
    k as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Support;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A table's bounds and the value it draws for `u`.
    fn bounds(w: &WholeDraw) -> &[u64] {
        match w {
            WholeDraw::Table { bounds, .. } => bounds,
            _ => panic!("not a table: {w:?}"),
        }
    }

    fn draw_for(w: &WholeDraw, u: u64) -> u32 {
        match w {
            WholeDraw::Table { bounds, guide } => invert(bounds, guide, u),
            _ => panic!("not a table: {w:?}"),
        }
    }

    fn named(name: &str, params: &[(&str, f64)]) -> Dist {
        let get = |p: &str| params.iter().find(|(k, _)| *k == p).map(|(_, v)| *v);
        Dist::named(name, &get, Support::NonNegative).unwrap()
    }

    /// Erlang (gamma with a whole shape `n`, rate `lambda`) in closed form:
    /// `P(x < c) = 1 - sum_{i < n} e^(-lambda c) (lambda c)^i / i!`.
    fn erlang_below(n: u32, lambda: f64, c: f64) -> f64 {
        let (mut term, mut sum) = (1.0, 0.0);
        for i in 0..n {
            if i > 0 {
                term *= lambda * c / f64::from(i);
            }
            sum += term;
        }
        1.0 - (-lambda * c).exp() * sum
    }

    #[test]
    fn the_table_holds_the_closed_form_of_a_rounded_erlang() {
        // Mean 2, sd 1: shape 4, scale 1/2 (rate 2), the scale-up's mid-market cycle.
        let w = WholeDraw::new(&named("gamma", &[("mean", 2.0), ("sd", 1.0)]), 600);
        for k in 0..30u32 {
            let c = f64::from(k);
            let exact = erlang_below(4, 2.0, c + 0.5) - if k == 0 { 0.0 } else { erlang_below(4, 2.0, c - 0.5) };
            // Each bound is rounded to a multiple of 2^-53; the gamma function to ~1e-15.
            assert!((w.probability(k) - exact).abs() < 1e-13, "k = {k}: {} vs {exact}", w.probability(k));
        }
        let total: f64 = (0..=600).map(|k| w.probability(k)).sum();
        assert!((total - 1.0).abs() < 1e-15);
    }

    #[test]
    fn values_above_the_cap_are_drawn_as_the_cap() {
        // Exponential, mean 10: P(round(x) >= 6) = P(x >= 5.5) = e^-0.55.
        let w = WholeDraw::new(&named("gamma", &[("mean", 10.0), ("sd", 10.0)]), 6);
        assert!((w.probability(6) - (-0.55f64).exp()).abs() < 1e-14);
        assert_eq!(w.probability(7), 0.0);
        assert_eq!(draw_for(&w, ONE - 1), 6);
        assert_eq!(draw_for(&w, 0), 0);
    }

    #[test]
    fn a_draw_is_the_least_value_whose_distribution_function_exceeds_the_uniform() {
        let w = WholeDraw::new(&named("lognormal", &[("median", 3.0), ("p90", 9.0)]), 600);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut previous = (0, 0);
        for _ in 0..20_000 {
            let u = rng.next_u64() >> 11;
            let k = draw_for(&w, u);
            // By a linear search from zero, with no guide table.
            let mut expect = 0;
            while u >= bounds(&w)[expect] {
                expect += 1;
            }
            assert_eq!(k as usize, expect);
            // Monotone: a larger uniform never draws a smaller value.
            if u >= previous.0 {
                assert!(k >= previous.1);
            }
            previous = (u, k);
        }
    }

    #[test]
    fn a_constant_draws_nothing_and_a_distribution_draws_one_number() {
        let mut a = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut b = a.clone();
        assert_eq!(WholeDraw::new(&Dist::constant(2.5), 600).sample(&mut a), 3);
        assert_eq!(WholeDraw::new(&Dist::constant(2.4), 600).sample(&mut a), 2);
        assert_eq!(WholeDraw::new(&Dist::constant(900.0), 600).sample(&mut a), 600);
        assert_eq!(a.next_u64(), b.next_u64());
        WholeDraw::new(&named("gamma", &[("mean", 2.0), ("sd", 1.0)]), 600).sample(&mut a);
        b.next_u64();
        assert_eq!(a.next_u64(), b.next_u64());
    }

    /// A gamma too narrow for its distribution function (mean 0.5, sd 1e-12: shape
    /// 2.5e23, where the series would never end) is drawn and rounded instead, so it
    /// loads at once and its draws are those of the distribution: `round(x)` for the
    /// same stream, about half 0 and half 1 (the mean is a half).
    #[test]
    fn a_gamma_too_narrow_for_its_distribution_function_is_drawn_and_rounded() {
        let d = named("gamma", &[("mean", 0.5), ("sd", 1e-12)]);
        let w = WholeDraw::new(&d, 600);
        assert!(matches!(w, WholeDraw::Drawn(..)));
        assert!(w.probability(0).is_nan());
        let (mut a, mut b) = (Xoshiro256PlusPlus::seed_from_u64(8), Xoshiro256PlusPlus::seed_from_u64(8));
        let mut ones = 0;
        for _ in 0..10_000 {
            let k = w.sample(&mut a);
            assert_eq!(f64::from(k), d.sample(&mut b).round());
            ones += k;
        }
        assert!((4_500..=5_500).contains(&ones), "{ones} ones in 10,000");
        // At the bound the table is still built.
        let sd = 2.0 / crate::dist::MAX_GAMMA_SHAPE.sqrt();
        assert!(matches!(
            WholeDraw::new(&named("gamma", &[("mean", 2.0), ("sd", sd * 1.01)]), 600),
            WholeDraw::Table { .. }
        ));
    }

    /// Frequencies of the table's draws against rounded draws of `rand_distr`'s own
    /// samplers (independent algorithms: Marsaglia-Tsang, ziggurat, ...): every value's
    /// count agrees within 5 standard errors of the difference of two binomial counts.
    #[test]
    fn table_draws_match_rounded_draws_of_the_distribution() {
        let cases = [
            named("gamma", &[("mean", 2.0), ("sd", 1.0)]),
            named("gamma", &[("mean", 0.7), ("sd", 0.4)]),
            named("lognormal", &[("median", 4.0), ("p90", 9.0)]),
            named("normal", &[("mean", 1.0), ("sd", 2.0)]),
            named("triangular", &[("min", 0.0), ("mode", 1.0), ("max", 6.0)]),
            named("pert", &[("min", 0.5), ("mode", 2.0), ("max", 9.0)]),
            named("uniform", &[("min", 0.2), ("max", 4.2)]),
            named("poisson", &[("mean", 3.0)]),
            Dist::interval(1.0, 6.0, Support::NonNegative).unwrap(),
        ];
        let n = 200_000usize;
        for (i, d) in cases.iter().enumerate() {
            let w = WholeDraw::new(d, 12);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(100 + i as u64);
            let (mut table, mut direct) = ([0usize; 13], [0usize; 13]);
            for _ in 0..n {
                table[w.sample(&mut rng) as usize] += 1;
                direct[d.sample(&mut rng).round().min(12.0) as usize] += 1;
            }
            for k in 0..13 {
                let p = w.probability(k as u32);
                let se = (2.0 * p * (1.0 - p) / n as f64).sqrt();
                let diff = (table[k] as f64 - direct[k] as f64) / n as f64;
                assert!(diff.abs() <= 5.0 * se + 1e-12, "case {i}, value {k}: {} vs {} (p = {p})", table[k], direct[k]);
                // And each against its probability.
                let one = (table[k] as f64 / n as f64 - p).abs();
                assert!(one <= 5.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-12, "case {i}, value {k}");
            }
        }
    }
}
