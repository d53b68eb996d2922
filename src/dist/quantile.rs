//! The quantiles and distribution functions of a [`Dist`], clamped to the key's range
//! as draws are, and the standard normal's distribution and quantile functions.

use super::{Dist, MAX_GAMMA_SHAPE, Sampler, Shape};

impl Dist {
    /// The value below which a share `p` of draws fall (the inverse of the distribution
    /// function), clamped to the key's range as draws are; `p` is taken within [0, 1].
    pub fn quantile(&self, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, DiscreteCDF};
        let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
        let x = match self.shape {
            Shape::Const(v) => return v,
            Shape::Normal { mean, sd } => mean + sd * standard_normal_quantile(p),
            Shape::LogNormal { mu, sigma } => (mu + sigma * standard_normal_quantile(p)).exp(),
            Shape::Triangular { min, mode, max } => {
                let cut = (mode - min) / (max - min);
                if p < cut {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            Shape::ScaledBeta { alpha, beta, min, max } => {
                min + (max - min) * statrs::function::beta::inv_beta_reg(alpha, beta, p)
            }
            Shape::Uniform { min, max } => min + p * (max - min),
            Shape::Gamma { shape, scale } => match statrs::distribution::Gamma::new(shape, 1.0 / scale) {
                Ok(g) => g.inverse_cdf(p),
                Err(_) => self.mean,
            },
            Shape::Poisson { mean } => match statrs::distribution::Poisson::new(mean) {
                Ok(d) => d.inverse_cdf(p) as f64,
                Err(_) => mean,
            },
            Shape::Empirical => match &self.sampler {
                Sampler::Empirical(v) => empirical_quantile(v, p),
                _ => self.mean,
            },
            // The least value whose cumulative chance reaches p.
            Shape::Discrete => match &self.sampler {
                Sampler::Discrete(v, cum) => v[cum.partition_point(|&c| c < p).min(v.len() - 1)],
                _ => self.mean,
            },
        };
        x.clamp(self.lower, self.upper)
    }

    /// The probability that a draw (clamped to the key's range, as draws are) is below
    /// `x`: `P(draw < x)`. For a Poisson, `P(draw <= ceil(x) - 1)`. NaN where it is not
    /// computed: a gamma of shape above [`MAX_GAMMA_SHAPE`] (a spread below 1/10,000 of
    /// its mean), whose incomplete gamma function's series would take too long to
    /// converge or, past 2^53, never end.
    pub fn probability_below(&self, x: f64) -> f64 {
        use statrs::distribution::{DiscreteCDF, Poisson};
        use statrs::function::{beta::checked_beta_reg, gamma::checked_gamma_lr};
        if x.is_nan() || x <= self.lower {
            return 0.0;
        }
        if x > self.upper {
            return 1.0;
        }
        let p = match self.shape {
            Shape::Const(v) => f64::from(u8::from(v < x)),
            Shape::Normal { mean, sd } => standard_normal_cdf((x - mean) / sd),
            Shape::LogNormal { mu, sigma } if x > 0.0 => standard_normal_cdf((x.ln() - mu) / sigma),
            Shape::LogNormal { .. } => 0.0,
            Shape::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min) * (x - min) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x) * (max - x) / ((max - min) * (max - mode))
                }
            }
            Shape::ScaledBeta { alpha, beta, min, max } => {
                let z = (x - min) / (max - min);
                if z <= 0.0 {
                    0.0
                } else if z >= 1.0 {
                    1.0
                } else {
                    checked_beta_reg(alpha, beta, z).unwrap_or(f64::NAN)
                }
            }
            Shape::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Shape::Gamma { shape, .. } if shape > MAX_GAMMA_SHAPE => f64::NAN,
            Shape::Gamma { shape, scale } if x > 0.0 => checked_gamma_lr(shape, x / scale).unwrap_or(f64::NAN),
            Shape::Gamma { .. } => 0.0,
            Shape::Poisson { mean } => {
                let below = x.ceil() - 1.0;
                match Poisson::new(mean) {
                    Ok(d) if below >= 0.0 => d.cdf(below.min(u64::MAX as f64) as u64),
                    Ok(_) => 0.0,
                    Err(_) => f64::NAN,
                }
            }
            Shape::Empirical => match &self.sampler {
                Sampler::Empirical(v) => empirical_below(v, x),
                _ => f64::NAN,
            },
            Shape::Discrete => match &self.sampler {
                Sampler::Discrete(v, cum) => match v.partition_point(|&y| y < x) {
                    0 => 0.0,
                    j => cum[j - 1],
                },
                _ => f64::NAN,
            },
        };
        p.clamp(0.0, 1.0)
    }
}

/// The type-7 quantile of sorted `v` (at least two values) at `p` in [0, 1].
pub(super) fn empirical_quantile(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let k = (h as usize).min(v.len() - 2);
    v[k] + (h - k as f64) * (v[k + 1] - v[k])
}

/// `P(Q(U) < x)` for the type-7 quantile function `Q` of sorted `v`: the inverse of
/// [`empirical_quantile`], with the share of a run of equal values counted above it.
fn empirical_below(v: &[f64], x: f64) -> f64 {
    let n = v.len();
    // The first index whose value is at least x.
    let j = v.partition_point(|&y| y < x);
    if j == 0 {
        return 0.0;
    }
    if j == n {
        return 1.0;
    }
    let (a, b) = (v[j - 1], v[j]);
    ((j - 1) as f64 + (x - a) / (b - a)) / (n - 1) as f64
}

/// The standard normal distribution function.
pub fn standard_normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile function; -inf and +inf at 0 and 1.
pub fn standard_normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Support, Z95};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn quantiles_invert_each_distribution() {
        // For each p, the share of 100,000 draws at or below quantile(p) is Binomial(n, p) / n:
        // within 4 standard errors sqrt(p (1 - p) / n) of p.
        let n = 100_000;
        let named = |name: &str, params: &[(&str, f64)], support| {
            let get = |k: &str| params.iter().find(|(p, _)| *p == k).map(|(_, v)| *v);
            Dist::named(name, &get, support).unwrap()
        };
        let dists = [
            Dist::interval(300.0, 500.0, Support::NonNegative).unwrap(),
            Dist::interval(0.15, 0.28, Support::Unit).unwrap(),
            Dist::interval(-0.01, 0.03, Support::Real).unwrap(),
            named("triangular", &[("min", 1.0), ("mode", 2.0), ("max", 5.0)], Support::NonNegative),
            named("pert", &[("min", 0.1), ("mode", 0.2), ("max", 0.5)], Support::Unit),
            named("uniform", &[("min", 2.0), ("max", 6.0)], Support::NonNegative),
            named("gamma", &[("mean", 3.0), ("sd", 1.2)], Support::NonNegative),
        ];
        for d in &dists {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
            let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            for p in [0.05, 0.1, 0.5, 0.9, 0.95] {
                let q = d.quantile(p);
                let share = draws.iter().filter(|x| **x <= q).count() as f64 / n as f64;
                let se = (p * (1.0 - p) / n as f64).sqrt();
                assert!((share - p).abs() < 4.0 * se, "{d:?} at {p}: {share}");
            }
        }
        assert_eq!(Dist::constant(3.0).quantile(0.9), 3.0);
        assert!((standard_normal_quantile(standard_normal_cdf(1.3)) - 1.3).abs() < 1e-9);
        assert!((standard_normal_cdf(Z95) - 0.95).abs() < 1e-9);
    }

    /// `probability_below` at its edges, against closed forms: the clamp at the key's
    /// lower bound (a normal amount's mass below 0 is a draw of 0), triangulars with the
    /// mode at either end, a Poisson at and between whole numbers, a constant, and the
    /// inverse of `quantile` in the middle.
    #[test]
    fn probability_below_at_its_edges() {
        let named = |name: &str, params: &[(&str, f64)]| {
            let get = |k: &str| params.iter().find(|(p, _)| *p == k).map(|(_, v)| *v);
            Dist::named(name, &get, Support::NonNegative).unwrap()
        };
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        // Normal amount, mean 1, sd 2: nothing is below 0 (clamped), P(x < 0.5) as is.
        let normal = named("normal", &[("mean", 1.0), ("sd", 2.0)]);
        assert_eq!(normal.probability_below(0.0), 0.0);
        close(normal.probability_below(0.5), standard_normal_cdf(-0.25));
        // Triangular on [0, 4] with the mode at 0: P(x < c) = 1 - (4 - c)^2 / 16.
        let left = named("triangular", &[("min", 0.0), ("mode", 0.0), ("max", 4.0)]);
        close(left.probability_below(1.0), 1.0 - 9.0 / 16.0);
        assert_eq!(left.probability_below(4.0), 1.0);
        // ... and at 4: P(x < c) = c^2 / 16.
        let right = named("triangular", &[("min", 0.0), ("mode", 4.0), ("max", 4.0)]);
        close(right.probability_below(1.0), 1.0 / 16.0);
        close(right.probability_below(3.999), 3.999f64.powi(2) / 16.0);
        // Poisson, mean 2: P(N < 2) = P(N <= 1) = 3 e^-2, the same at 1.5 and 2.
        let poisson = named("poisson", &[("mean", 2.0)]);
        close(poisson.probability_below(2.0), 3.0 * (-2.0f64).exp());
        close(poisson.probability_below(1.5), 3.0 * (-2.0f64).exp());
        close(poisson.probability_below(0.5), (-2.0f64).exp());
        assert_eq!(poisson.probability_below(0.0), 0.0);
        // A constant 2: nothing below 2, everything below 2.0001.
        assert_eq!(Dist::constant(2.0).probability_below(2.0), 0.0);
        assert_eq!(Dist::constant(2.0).probability_below(2.0001), 1.0);
        // Continuous: the inverse of the quantile function.
        for d in [
            named("gamma", &[("mean", 3.0), ("sd", 1.2)]),
            named("lognormal", &[("median", 3.0), ("p90", 9.0)]),
            named("pert", &[("min", 0.5), ("mode", 2.0), ("max", 9.0)]),
            named("uniform", &[("min", 0.2), ("max", 4.2)]),
        ] {
            for p in [0.05, 0.5, 0.95] {
                assert!((d.probability_below(d.quantile(p)) - p).abs() < 1e-9, "{d:?} at {p}");
            }
        }
    }
}
