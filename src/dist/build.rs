//! Building a [`Dist`]: a constant, a 90% interval fitted to a lognormal, a beta or a
//! normal by the key's [`Support`], a named distribution from its parameters, and the
//! empirical and discrete distributions of listed values; and the refusals, each with
//! the parameter at fault.

use rand::distr::Uniform;
use rand_distr::{Beta, Gamma, Normal, Pert, Poisson, Triangular};

use super::{Dist, DistError, Sampler, Shape, Support, Z90, Z95, err, fit_beta};

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
}

fn positive(param: &'static str, v: f64) -> Result<(), DistError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(err(Some(param), format!("{param} must be a positive number, found {v}")))
    }
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
