//! Uncertain values: constants, 90% intervals and named distributions.
//!
//! A scenario number is a [`Dist`]: a plain number is a constant used as is; a
//! `{ low, high }` table is a 90% interval fitted to a lognormal (amounts), a beta
//! (rates in [0, 1]) or a normal (anything else); a `{ dist = "...", ... }` table names
//! a distribution by its parameters. This module builds and samples them. It does not
//! know which keys are drawn once per trial and which per event: the engine decides.

use rand::Rng;
use rand::distr::{Distribution, Uniform};
use rand_distr::{Beta, Gamma, Normal, Pert, Poisson, StandardNormal, Triangular};

pub mod fast;
mod whole;
pub use whole::{TableDraw, WholeDraw};

/// The 95th percentile of the standard normal: a 90% interval spans +-1.645 sd.
pub const Z95: f64 = 1.644_853_626_951_472_2;
/// The largest gamma shape whose distribution function [`Dist::probability_below`]
/// computes (its series takes about `sqrt(70 x shape)` steps near the mean).
pub const MAX_GAMMA_SHAPE: f64 = 1e8;
/// The 90th percentile of the standard normal.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// The values a key may take; it decides how a `{ low, high }` interval is fitted and
/// which distributions are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// A probability or rate in [0, 1]: intervals are fitted to a beta.
    Unit,
    /// A non-negative amount (money, counts, months): intervals are fitted to a
    /// lognormal; a normal draw below zero is taken as zero.
    NonNegative,
    /// Any real number (e.g. a growth rate): intervals are fitted to a normal.
    Real,
}

impl Support {
    fn bounds(self) -> (f64, f64) {
        match self {
            Support::Unit => (0.0, 1.0),
            Support::NonNegative => (0.0, f64::INFINITY),
            Support::Real => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Words for messages: "a rate in [0, 1]".
    pub fn describe(self) -> &'static str {
        match self {
            Support::Unit => "a rate in [0, 1]",
            Support::NonNegative => "a non-negative number",
            Support::Real => "a number",
        }
    }
}

#[derive(Debug, Clone)]
enum Sampler {
    Const(f64),
    Normal(Normal<f64>),
    /// `e^(mu + sigma z)` for a standard normal `z`.
    LogNormal(f64, f64),
    Triangular(Triangular<f64>),
    Pert(Pert<f64>),
    Uniform(Uniform<f64>),
    Beta(Beta<f64>),
    Gamma(Gamma<f64>),
    Poisson(Poisson<f64>),
    /// The sorted values of an empirical distribution.
    Empirical(std::sync::Arc<[f64]>),
    /// The increasing values of a discrete distribution and their cumulative chances,
    /// the last 1.
    Discrete(std::sync::Arc<[f64]>, std::sync::Arc<[f64]>),
}

/// The parameters of a distribution, for its quantile function.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Const(f64),
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// A beta on [min, max].
    ScaledBeta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Poisson {
        mean: f64,
    },
    /// Its values are in the sampler.
    Empirical,
    /// Its values and chances are in the sampler.
    Discrete,
}

/// An uncertain (or constant) number, ready to sample.
#[derive(Debug, Clone)]
pub struct Dist {
    sampler: Sampler,
    shape: Shape,
    lower: f64,
    upper: f64,
    mean: f64,
}

/// Why a distribution could not be built: the parameter at fault (if one) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// The parameter to point at, e.g. `sd`; `None` for the table as a whole.
    pub param: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

fn err(param: Option<&'static str>, message: impl Into<String>) -> DistError {
    DistError { param, message: message.into() }
}

/// The distributions a scenario may name, with their parameter sets.
pub const NAMED: &[(&str, &[&[&str]])] = &[
    ("normal", &[&["mean", "sd"]]),
    ("lognormal", &[&["median", "p90"], &["mean", "sd"]]),
    ("triangular", &[&["min", "mode", "max"]]),
    ("pert", &[&["min", "mode", "max"]]),
    ("uniform", &[&["min", "max"]]),
    ("beta", &[&["mean", "sd"], &["alpha", "beta"]]),
    ("gamma", &[&["mean", "sd"]]),
    ("poisson", &[&["mean"]]),
    ("empirical", &[&["values"]]),
    ("discrete", &[&["values", "weights"]]),
];

/// The most values an empirical distribution may list.
pub const MAX_EMPIRICAL_VALUES: usize = 10_000;

impl Dist {
    /// A constant.
    pub fn constant(value: f64) -> Dist {
        Dist { sampler: Sampler::Const(value), shape: Shape::Const(value), lower: value, upper: value, mean: value }
    }

    fn new(sampler: Sampler, shape: Shape, support: Support, mean: f64) -> Dist {
        let (lower, upper) = support.bounds();
        Dist { sampler, shape, lower, upper, mean }
    }

    /// A 90% interval: `low` is the 5th and `high` the 95th percentile.
    pub fn interval(low: f64, high: f64, support: Support) -> Result<Dist, DistError> {
        if !(low < high) {
            return Err(err(Some("high"), format!("the interval needs low < high, found low = {low}, high = {high}")));
        }
        match support {
            Support::Unit => {
                if low <= 0.0 || high >= 1.0 {
                    return Err(err(None, "a rate interval needs 0 < low < high < 1"));
                }
                let (alpha, beta) =
                    fit_beta(low, high).ok_or_else(|| err(None, "no beta distribution fits this interval"))?;
                Dist::beta(alpha, beta)
            }
            Support::NonNegative => {
                if low <= 0.0 {
                    return Err(err(
                        Some("low"),
                        "an interval of an amount is fitted to a lognormal and needs 0 < low",
                    ));
                }
                let mu = 0.5 * (low.ln() + high.ln());
                let sigma = (high.ln() - low.ln()) / (2.0 * Z95);
                Dist::lognormal(mu, sigma, support)
            }
            Support::Real => {
                let mean = 0.5 * (low + high);
                let sd = (high - low) / (2.0 * Z95);
                Dist::normal(mean, sd, support)
            }
        }
    }

    fn normal(mean: f64, sd: f64, support: Support) -> Result<Dist, DistError> {
        if support == Support::Unit {
            return Err(err(
                None,
                "a normal distribution can leave [0, 1]; a rate needs beta, uniform, triangular or pert",
            ));
        }
        let n = Normal::new(mean, sd).map_err(|e| err(Some("sd"), e.to_string()))?;
        Ok(Dist::new(Sampler::Normal(n), Shape::Normal { mean, sd }, support, mean.max(support.bounds().0)))
    }

    fn lognormal(mu: f64, sigma: f64, support: Support) -> Result<Dist, DistError> {
        if support == Support::Unit {
            return Err(err(
                None,
                "a lognormal distribution can exceed 1; a rate needs beta, uniform, triangular or pert",
            ));
        }
        let mean = (mu + 0.5 * sigma * sigma).exp();
        if !mean.is_finite() {
            return Err(err(None, "this lognormal is too wide: its mean is not a finite number"));
        }
        if !(sigma >= 0.0) || !mu.is_finite() || !sigma.is_finite() {
            return Err(err(None, "a lognormal needs a finite mu and a finite, non-negative sigma"));
        }
        Ok(Dist::new(Sampler::LogNormal(mu, sigma), Shape::LogNormal { mu, sigma }, support, mean))
    }

    fn beta(alpha: f64, beta: f64) -> Result<Dist, DistError> {
        let d = Beta::new(alpha, beta).map_err(|e| err(None, e.to_string()))?;
        Ok(Dist::new(
            Sampler::Beta(d),
            Shape::ScaledBeta { alpha, beta, min: 0.0, max: 1.0 },
            Support::Unit,
            alpha / (alpha + beta),
        ))
    }

    /// A named distribution; `get` returns a parameter's value if the table has it.
    pub fn named(name: &str, get: &dyn Fn(&str) -> Option<f64>, support: Support) -> Result<Dist, DistError> {
        let need = |p: &'static str| get(p).ok_or_else(|| err(None, format!("`{name}` needs the parameter `{p}`")));
        let (lo, hi) = support.bounds();
        let check_within = |p: &'static str, v: f64| {
            if v < lo || v > hi {
                Err(err(Some(p), format!("{p} = {v} lies outside the key's range; it must be {}", support.describe())))
            } else {
                Ok(())
            }
        };
        match name {
            "normal" => {
                let (mean, sd) = (need("mean")?, need("sd")?);
                positive("sd", sd)?;
                Dist::normal(mean, sd, support)
            }
            "lognormal" => {
                if let Some(median) = get("median") {
                    let p90 = need("p90")?;
                    positive("median", median)?;
                    if p90 <= median {
                        return Err(err(Some("p90"), "a lognormal needs p90 > median"));
                    }
                    Dist::lognormal(median.ln(), (p90 / median).ln() / Z90, support)
                } else {
                    let (mean, sd) = (need("mean")?, need("sd")?);
                    positive("mean", mean)?;
                    positive("sd", sd)?;
                    let s2 = (1.0 + (sd / mean).powi(2)).ln();
                    Dist::lognormal(mean.ln() - 0.5 * s2, s2.sqrt(), support)
                }
            }
            "triangular" | "pert" => {
                let (min, mode, max) = (need("min")?, need("mode")?, need("max")?);
                if !(min <= mode && mode <= max && min < max) {
                    return Err(err(Some("mode"), "needs min <= mode <= max and min < max"));
                }
                check_within("min", min)?;
                check_within("max", max)?;
                if name == "pert" {
                    let d = Pert::new(min, max).with_mode(mode).map_err(|e| err(None, e.to_string()))?;
                    // PERT is a beta on [min, max] with these shapes (rand_distr's shape 4).
                    let (alpha, beta) =
                        (1.0 + 4.0 * (mode - min) / (max - min), 1.0 + 4.0 * (max - mode) / (max - min));
                    let shape = Shape::ScaledBeta { alpha, beta, min, max };
                    Ok(Dist::new(Sampler::Pert(d), shape, support, (min + 4.0 * mode + max) / 6.0))
                } else {
                    let d = Triangular::new(min, max, mode).map_err(|e| err(None, e.to_string()))?;
                    let shape = Shape::Triangular { min, mode, max };
                    Ok(Dist::new(Sampler::Triangular(d), shape, support, (min + mode + max) / 3.0))
                }
            }
            "uniform" => {
                let (min, max) = (need("min")?, need("max")?);
                if !(min < max) {
                    return Err(err(Some("max"), "a uniform needs min < max"));
                }
                check_within("min", min)?;
                check_within("max", max)?;
                let d = Uniform::new(min, max).map_err(|e| err(None, e.to_string()))?;
                Ok(Dist::new(Sampler::Uniform(d), Shape::Uniform { min, max }, support, 0.5 * (min + max)))
            }
            "beta" => {
                if support != Support::Unit {
                    return Err(err(None, "a beta distribution lies in [0, 1]; use it for rates only"));
                }
                if let Some(alpha) = get("alpha") {
                    let beta = need("beta")?;
                    positive("alpha", alpha)?;
                    positive("beta", beta)?;
                    Dist::beta(alpha, beta)
                } else {
                    let (mean, sd) = (need("mean")?, need("sd")?);
                    if !(mean > 0.0 && mean < 1.0) {
                        return Err(err(Some("mean"), "a beta needs 0 < mean < 1"));
                    }
                    positive("sd", sd)?;
                    let var_max = mean * (1.0 - mean);
                    if sd * sd >= var_max {
                        return Err(err(
                            Some("sd"),
                            format!("a beta with mean {mean} needs sd < {:.4}", var_max.sqrt()),
                        ));
                    }
                    let nu = var_max / (sd * sd) - 1.0;
                    Dist::beta(mean * nu, (1.0 - mean) * nu)
                }
            }
            "gamma" => {
                if support == Support::Unit {
                    return Err(err(
                        None,
                        "a gamma distribution can exceed 1; a rate needs beta, uniform, triangular or pert",
                    ));
                }
                let (mean, sd) = (need("mean")?, need("sd")?);
                positive("mean", mean)?;
                positive("sd", sd)?;
                let (shape, scale) = (mean * mean / (sd * sd), sd * sd / mean);
                let d = Gamma::new(shape, scale).map_err(|e| err(None, e.to_string()))?;
                Ok(Dist::new(Sampler::Gamma(d), Shape::Gamma { shape, scale }, support, mean))
            }
            "poisson" => {
                if support == Support::Unit {
                    return Err(err(
                        None,
                        "a Poisson count is not a rate; a rate needs beta, uniform, triangular or pert",
                    ));
                }
                let mean = need("mean")?;
                positive("mean", mean)?;
                let d = Poisson::new(mean).map_err(|e| err(Some("mean"), e.to_string()))?;
                Ok(Dist::new(Sampler::Poisson(d), Shape::Poisson { mean }, support, mean))
            }
            _ => Err(err(Some("dist"), format!("unknown distribution `{name}`"))),
        }
    }

    /// The empirical distribution of `values` (at least two, finite, within the key's
    /// range): its quantile function is the linear interpolation between the sorted
    /// values (type 7), `Q(p) = v[floor(h)] + (h - floor(h)) (v[floor(h) + 1] - v[floor(h)])`
    /// with `h = (n - 1) p`, so a draw is `Q(u)` of one uniform `u`: between the smallest
    /// and the largest value, each gap between neighbours holding `1 / (n - 1)` of the
    /// draws.
    pub fn empirical(values: &[f64], support: Support) -> Result<Dist, DistError> {
        if values.len() < 2 {
            return Err(err(Some("values"), "an empirical distribution needs at least two values"));
        }
        if values.len() > MAX_EMPIRICAL_VALUES {
            return Err(err(
                Some("values"),
                format!(
                    "an empirical distribution takes at most {MAX_EMPIRICAL_VALUES} values, found {}",
                    values.len()
                ),
            ));
        }
        let (lo, hi) = support.bounds();
        if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= lo && **v <= hi)) {
            return Err(err(Some("values"), format!("{v} is not {}", support.describe())));
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        if min == max {
            return Ok(Dist::constant(min));
        }
        let sampler = Sampler::Empirical(sorted.into());
        Ok(Dist { sampler, shape: Shape::Empirical, lower: min, upper: max, mean })
    }

    /// The discrete distribution taking each of `values` (distinct, finite, within the
    /// key's range) with a chance proportional to its weight in `weights` (as many, not
    /// negative, not all zero): `P(X = v[i]) = w[i] / sum(w)`. A draw is the least value
    /// whose cumulative chance exceeds one uniform. A value of weight 0 is never drawn.
    pub fn discrete(values: &[f64], weights: &[f64], support: Support) -> Result<Dist, DistError> {
        if values.len() != weights.len() {
            return Err(err(
                Some("weights"),
                format!(
                    "a discrete distribution needs one weight a value: {} values, {} weights",
                    values.len(),
                    weights.len()
                ),
            ));
        }
        if values.is_empty() {
            return Err(err(Some("values"), "a discrete distribution needs at least one value"));
        }
        if values.len() > MAX_EMPIRICAL_VALUES {
            return Err(err(
                Some("values"),
                format!("a discrete distribution takes at most {MAX_EMPIRICAL_VALUES} values, found {}", values.len()),
            ));
        }
        let (lo, hi) = support.bounds();
        if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= lo && **v <= hi)) {
            return Err(err(Some("values"), format!("{v} is not {}", support.describe())));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(err(Some("weights"), format!("a weight must be a number of at least 0, found {w}")));
        }
        let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(weights.iter().copied()).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(err(Some("values"), format!("the value {} is listed twice: give it one weight", w[0].0)));
        }
        pairs.retain(|&(_, w)| w > 0.0);
        let total: f64 = pairs.iter().map(|&(_, w)| w).sum();
        if pairs.is_empty() || !total.is_finite() {
            return Err(err(Some("weights"), "a discrete distribution needs a weight above 0, and a finite sum"));
        }
        if pairs.len() == 1 {
            return Ok(Dist::constant(pairs[0].0));
        }
        let mean = pairs.iter().map(|&(v, w)| v * w).sum::<f64>() / total;
        let mut cumulative = 0.0;
        let mut cum: Vec<f64> = pairs
            .iter()
            .map(|&(_, w)| {
                cumulative += w;
                cumulative / total
            })
            .collect();
        let last = cum.len() - 1;
        cum[last] = 1.0;
        let (min, max) = (pairs[0].0, pairs[last].0);
        let values: Vec<f64> = pairs.iter().map(|&(v, _)| v).collect();
        let sampler = Sampler::Discrete(values.into(), cum.into());
        Ok(Dist { sampler, shape: Shape::Discrete, lower: min, upper: max, mean })
    }

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

    /// The distribution's mean (of the unclamped distribution for a normal).
    pub fn mean(&self) -> f64 {
        self.mean
    }

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

    /// The value, if this is a constant.
    pub fn as_constant(&self) -> Option<f64> {
        match self.sampler {
            Sampler::Const(v) => Some(v),
            _ => None,
        }
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

/// The type-7 quantile of sorted `v` (at least two values) at `p` in [0, 1].
fn empirical_quantile(v: &[f64], p: f64) -> f64 {
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

fn positive(param: &'static str, v: f64) -> Result<(), DistError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(err(Some(param), format!("{param} must be a positive number, found {v}")))
    }
}

/// The beta distribution whose 5th and 95th percentiles are `low` and `high`.
///
/// With mean `m` and concentration `k` (alpha = m k, beta = (1 - m) k), Newton's method
/// on `(logit m, ln k)` solves `I_low = 0.05` and `I_high = 0.95` from the normal
/// approximation's mean and spread (a few dozen evaluations of the regularised
/// incomplete beta function). Should it not converge, nested bisections find them: for
/// each `k`, the `m` that puts 5% below `low`; around it, the `ln k` that puts 95% below
/// `high` (that share grows with `k`).
pub fn fit_beta(low: f64, high: f64) -> Option<(f64, f64)> {
    /// Newton's method for `fit_beta` in `(logit m, ln k)` with a forward-difference
    /// Jacobian and a backtracking step; `(m, k)` once both residuals are below 1e-12.
    fn newton(low: f64, high: f64) -> Option<(f64, f64)> {
        if !(0.0 < low && low < high && high < 1.0) {
            return None;
        }
        let (lk_min, lk_max) = (1e-3f64.ln(), 1e8f64.ln());
        let to_mk = |u: f64, v: f64| (1.0 / (1.0 + (-u).exp()), v.exp());
        let residual = |u: f64, v: f64| -> Option<[f64; 2]> {
            let (m, k) = to_mk(u, v);
            let (a, b) = (m * k, (1.0 - m) * k);
            if !(a > 0.0 && b > 0.0 && (lk_min..=lk_max).contains(&v)) {
                return None;
            }
            let f = |x| statrs::function::beta::checked_beta_reg(a, b, x).ok();
            Some([f(low)? - 0.05, f(high)? - 0.95])
        };
        let norm = |r: [f64; 2]| r[0].abs().max(r[1].abs());
        // Start from the normal approximation: mean mid-way, 1.645 sd either side.
        let m0 = 0.5 * (low + high);
        let sd = (high - low) / (2.0 * 1.644_853_626_951_472_2);
        let k0 = (m0 * (1.0 - m0) / (sd * sd) - 1.0).clamp(1.0, 1e7);
        let (mut u, mut v) = ((m0 / (1.0 - m0)).ln(), k0.ln());
        let mut r = residual(u, v)?;
        for _ in 0..60 {
            if norm(r) < 1e-12 {
                return Some(to_mk(u, v));
            }
            let h = 1e-7;
            let ru = residual(u + h, v)?;
            let rv = residual(u, v + h)?;
            let (j00, j01) = ((ru[0] - r[0]) / h, (rv[0] - r[0]) / h);
            let (j10, j11) = ((ru[1] - r[1]) / h, (rv[1] - r[1]) / h);
            let det = j00 * j11 - j01 * j10;
            if !(det.is_finite() && det != 0.0) {
                return None;
            }
            let du = -(j11 * r[0] - j01 * r[1]) / det;
            let dv = -(-j10 * r[0] + j00 * r[1]) / det;
            // Halve the step until the residual shrinks (and stays inside the range of k).
            let mut step = 1.0;
            loop {
                let (nu, nv) = (u + step * du, (v + step * dv).clamp(lk_min, lk_max));
                if let Some(nr) = residual(nu, nv).filter(|nr| norm(*nr) < norm(r)) {
                    (u, v, r) = (nu, nv, nr);
                    break;
                }
                step *= 0.5;
                if step < 1e-6 {
                    return None;
                }
            }
        }
        None
    }

    /// Nested bisections for `fit_beta`: `(m, k)`. Each stops once its midpoint is one of
    /// its ends (no narrower interval exists), which is the result 100 halvings would give.
    fn bisection(low: f64, high: f64) -> Option<(f64, f64)> {
        let cdf = |m: f64, k: f64, x: f64| statrs::function::beta::checked_beta_reg(m * k, (1.0 - m) * k, x).ok();
        let mean_for = |k: f64| -> Option<f64> {
            let (mut a, mut b) = (1e-9, 1.0 - 1e-9);
            for _ in 0..100 {
                let m = 0.5 * (a + b);
                if m == a || m == b {
                    return Some(m);
                }
                if cdf(m, k, low)? > 0.05 {
                    a = m;
                } else {
                    b = m;
                }
            }
            Some(0.5 * (a + b))
        };
        let (mut a, mut b) = (1e-3f64.ln(), 1e8f64.ln());
        for _ in 0..100 {
            let lk = 0.5 * (a + b);
            if lk == a || lk == b {
                break;
            }
            let k = lk.exp();
            let m = mean_for(k)?;
            if cdf(m, k, high)? < 0.95 {
                a = lk;
            } else {
                b = lk;
            }
        }
        let k = (0.5 * (a + b)).exp();
        Some((mean_for(k)?, k))
    }

    let cdf = |m: f64, k: f64, x: f64| statrs::function::beta::checked_beta_reg(m * k, (1.0 - m) * k, x).ok();
    let fits = |m: f64, k: f64| -> Option<bool> {
        Some((cdf(m, k, low)? - 0.05).abs() < 1e-4 && (cdf(m, k, high)? - 0.95).abs() < 1e-4)
    };
    let (m, k) = match newton(low, high) {
        Some(mk) => mk,
        None => bisection(low, high)?,
    };
    fits(m, k)?.then_some((m * k, (1.0 - m) * k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn empirical_quantile(d: &Dist, q: f64, n: usize) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        xs[(q * n as f64) as usize]
    }

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

    #[test]
    fn beta_fit_puts_the_interval_at_5_and_95_percent() {
        for (low, high) in [(0.15, 0.28), (0.006, 0.015), (0.2, 0.4), (0.01, 0.9)] {
            let (a, b) = fit_beta(low, high).expect("fits");
            let f = |x| statrs::function::beta::beta_reg(a, b, x);
            assert!((f(low) - 0.05).abs() < 1e-4, "{low}: {}", f(low));
            assert!((f(high) - 0.95).abs() < 1e-4, "{high}: {}", f(high));
        }
        // docs/MODEL.md 2.2's examples, to the digits printed there (half a unit of the
        // last digit shown).
        for (low, high, alpha, beta, beta_unit) in [
            (0.15, 0.28, 22.374, 83.222, 1e-3),
            (0.006, 0.015, 13.186, 1295.46, 1e-2),
            (0.2, 0.4, 16.353, 38.938, 1e-3),
        ] {
            let (a, b) = fit_beta(low, high).expect("fits");
            assert!((a - alpha).abs() <= 0.5e-3 && (b - beta).abs() <= 0.5 * beta_unit, "{{{low}, {high}}}: {a}, {b}");
        }
    }

    #[test]
    fn lognormal_interval_has_its_percentiles_where_asked() {
        // 200,000 draws: the sample 5th percentile has a standard error of about
        // sqrt(0.05 * 0.95 / n) / f(q) -> well under 1% of the value here.
        let d = Dist::interval(300.0, 500.0, Support::NonNegative).unwrap();
        let p05 = empirical_quantile(&d, 0.05, 200_000);
        let p95 = empirical_quantile(&d, 0.95, 200_000);
        assert!((p05 / 300.0 - 1.0).abs() < 0.01, "{p05}");
        assert!((p95 / 500.0 - 1.0).abs() < 0.01, "{p95}");
    }

    #[test]
    fn named_lognormal_median_and_p90() {
        let d = Dist::named(
            "lognormal",
            &|p| match p {
                "median" => Some(30_000.0),
                "p90" => Some(80_000.0),
                _ => None,
            },
            Support::NonNegative,
        )
        .unwrap();
        let p50 = empirical_quantile(&d, 0.5, 200_000);
        let p90 = empirical_quantile(&d, 0.9, 200_000);
        assert!((p50 / 30_000.0 - 1.0).abs() < 0.01, "{p50}");
        assert!((p90 / 80_000.0 - 1.0).abs() < 0.015, "{p90}");
    }

    #[test]
    fn rates_refuse_unbounded_distributions() {
        let get = |p: &str| match p {
            "mean" => Some(0.2),
            "sd" => Some(0.05),
            _ => None,
        };
        assert!(Dist::named("normal", &get, Support::Unit).is_err());
        assert!(Dist::named("gamma", &get, Support::Unit).is_err());
        let beta = Dist::named("beta", &get, Support::Unit).unwrap();
        assert!((beta.mean() - 0.2).abs() < 1e-12);
    }

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
    fn empirical_ties_and_refusals() {
        // A run of equal values is a jump of the distribution function.
        let d = Dist::empirical(&[1.0, 2.0, 2.0, 2.0, 5.0], Support::NonNegative).unwrap();
        assert_eq!(d.probability_below(2.0), 0.25);
        assert!(d.probability_below(2.0 + 1e-9) > 0.74);
        assert_eq!(d.quantile(0.5), 2.0);
        assert_eq!(Dist::empirical(&[4.0, 4.0], Support::NonNegative).unwrap().as_constant(), Some(4.0));
        assert!(Dist::empirical(&[1.0], Support::NonNegative).is_err(), "one value is not a distribution");
        assert!(Dist::empirical(&[-1.0, 2.0], Support::NonNegative).is_err());
        assert!(Dist::empirical(&[0.2, 1.5], Support::Unit).is_err());
        assert!(Dist::empirical(&[0.0, f64::NAN], Support::Real).is_err());
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

    #[test]
    fn discrete_refusals_and_one_value() {
        let s = Support::NonNegative;
        assert_eq!(Dist::discrete(&[3.0, 5.0], &[1.0, 0.0], s).unwrap().as_constant(), Some(3.0));
        assert_eq!(Dist::discrete(&[1.0, 2.0], &[1.0], s).unwrap_err().param, Some("weights"));
        assert_eq!(Dist::discrete(&[1.0, 1.0], &[1.0, 2.0], s).unwrap_err().param, Some("values"));
        assert_eq!(Dist::discrete(&[1.0, 2.0], &[0.0, 0.0], s).unwrap_err().param, Some("weights"));
        assert_eq!(Dist::discrete(&[1.0, 2.0], &[-1.0, 2.0], s).unwrap_err().param, Some("weights"));
        assert_eq!(Dist::discrete(&[-1.0, 2.0], &[1.0, 2.0], s).unwrap_err().param, Some("values"));
        assert!(Dist::discrete(&[], &[], s).is_err());
        assert!(Dist::discrete(&[1.0, 2.0], &[f64::MAX, f64::MAX], s).is_err(), "an infinite sum");
    }
}
