//! Drawing a [`Dist`]: one draw, with a constant and a lognormal (every deal size)
//! inline and every other sampler behind one call, and [`LogNormalDraw`] for a caller
//! that decides the distribution's kind once and draws many values.

use rand::Rng;
use rand::distr::Distribution;
use rand_distr::StandardNormal;

use super::quantile::empirical_quantile;
use super::{Dist, Sampler, fast};

impl Dist {
    /// One draw. A constant and a lognormal (every deal size) are drawn inline, the
    /// others by [`Dist::sample_other`], so that the draws made in a trial's innermost
    /// loop pay no call into the large match of every sampler.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.sampler {
            Sampler::Const(v) => v,
            Sampler::LogNormal(mu, sigma) => lognormal(mu, sigma, rng).clamp(self.lower, self.upper),
            _ => self.sample_other(rng),
        }
    }

    /// A lognormal's draw with its bounds, for a caller that draws many values and
    /// decides the distribution's kind once: its draws are this distribution's.
    pub fn as_lognormal(&self) -> Option<LogNormalDraw> {
        match self.sampler {
            Sampler::LogNormal(mu, sigma) => Some(LogNormalDraw { mu, sigma, lower: self.lower, upper: self.upper }),
            _ => None,
        }
    }

    /// One draw of a distribution other than a constant or a lognormal.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match &self.sampler {
            Sampler::Const(v) => return *v,
            Sampler::Normal(d) => d.sample(rng),
            Sampler::LogNormal(mu, sigma) => lognormal(*mu, *sigma, rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Pert(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Beta(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Poisson(d) => d.sample(rng),
            Sampler::Empirical(v) => {
                return empirical_quantile(v, (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64));
            }
            Sampler::Discrete(v, cum) => {
                let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                return v[cum.partition_point(|&c| c <= u).min(v.len() - 1)];
            }
        };
        x.clamp(self.lower, self.upper)
    }
}

/// The draws of a lognormal [`Dist`] (see [`Dist::as_lognormal`]).
#[derive(Debug, Clone, Copy)]
pub struct LogNormalDraw {
    mu: f64,
    sigma: f64,
    lower: f64,
    upper: f64,
}

impl LogNormalDraw {
    /// One draw, as [`Dist::sample`] gives it.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        lognormal(self.mu, self.sigma, rng).clamp(self.lower, self.upper)
    }
}

/// `e^(mu + sigma z)` for a standard normal `z`.
#[inline(always)]
fn lognormal<R: Rng + ?Sized>(mu: f64, sigma: f64, rng: &mut R) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    fast::exp(mu + sigma * z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Support, WholeDraw};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn normal_amounts_never_go_below_zero() {
        let d = Dist::named(
            "normal",
            &|p| match p {
                "mean" => Some(1.0),
                "sd" => Some(5.0),
                _ => None,
            },
            Support::NonNegative,
        )
        .unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        assert!((0..10_000).all(|_| d.sample(&mut rng) >= 0.0));
    }

    #[test]
    fn empirical_draws_follow_the_interpolated_values() {
        // Values 0, 1, 3 in any order: half the draws in [0, 1], uniform, half in [1, 3].
        let d = Dist::empirical(&[3.0, 0.0, 1.0], Support::NonNegative).unwrap();
        assert_eq!((d.quantile(0.0), d.quantile(0.25), d.quantile(0.5), d.quantile(1.0)), (0.0, 0.5, 1.0, 3.0));
        assert_eq!((d.probability_below(0.5), d.probability_below(2.0)), (0.25, 0.75));
        assert_eq!((d.probability_below(-1.0), d.probability_below(3.5)), (0.0, 1.0));
        assert!((d.mean() - 4.0 / 3.0).abs() < 1e-15, "the mean of the listed values");
        for p in [0.01, 0.2, 0.5, 0.77, 0.99] {
            assert!((d.probability_below(d.quantile(p)) - p).abs() < 1e-12, "the inverse at {p}");
        }
        // Shares of 200,000 draws below 0.5, 1 and 2 against 0.25, 0.5 and 0.75, within
        // 5 binomial standard errors (about 0.005).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        for (x, p) in [(0.5, 0.25), (1.0, 0.5), (2.0, 0.75)] {
            let share = draws.iter().filter(|&&v| v < x).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((share - p).abs() < 5.0 * se, "P(X < {x}) = {share}, expected {p} ± {}", 5.0 * se);
        }
        assert!(draws.iter().all(|v| (0.0..=3.0).contains(v)));
    }

    #[test]
    fn discrete_draws_take_each_value_with_its_chance() {
        // Chances 0.5, 0.3, 0.2 of 2, 0 and 7 (in any order; weights need not sum to 1).
        let d = Dist::discrete(&[2.0, 0.0, 7.0, 4.0], &[5.0, 3.0, 2.0, 0.0], Support::NonNegative).unwrap();
        assert_eq!(
            (d.quantile(0.0), d.quantile(0.3), d.quantile(0.31), d.quantile(0.8), d.quantile(0.81)),
            (0.0, 0.0, 2.0, 2.0, 7.0)
        );
        assert_eq!((d.probability_below(0.0), d.probability_below(1.0), d.probability_below(2.5)), (0.0, 0.3, 0.8));
        assert_eq!((d.probability_below(7.0), d.probability_below(7.5)), (0.8, 1.0));
        assert!((d.mean() - (0.5 * 2.0 + 0.2 * 7.0)).abs() < 1e-15);
        // A whole-month table reads the chances exactly: P(round(x) <= k) = P(x < k + 1/2).
        let whole = WholeDraw::new(&d, 600);
        // 200,000 draws of each way against the chances, within 5 binomial standard errors.
        let n = 200_000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let rounded: Vec<f64> = (0..n).map(|_| f64::from(whole.sample(&mut rng))).collect();
        for sample in [&draws, &rounded] {
            assert!(sample.iter().all(|v| [0.0, 2.0, 7.0].contains(v)), "only the values of positive weight");
            for (x, p) in [(0.0, 0.3), (2.0, 0.5), (7.0, 0.2)] {
                let share = sample.iter().filter(|&&v| v == x).count() as f64 / n as f64;
                let se = (p * (1.0 - p) / n as f64).sqrt();
                assert!((share - p).abs() < 5.0 * se, "P(X = {x}) = {share}, expected {p} ± {}", 5.0 * se);
            }
        }
    }
}
