//! The estimates `gather` makes from an export: a win rate's posterior interval, a
//! size or cycle distribution (a fitted family when it fits, else the data's own
//! quantiles), a monthly volume's level and trend, and the spread between reps.

use statrs::function::beta::inv_beta_reg;

use crate::dist::{Dist, Support, standard_normal_cdf};

/// The 5th and 95th percentiles of the Beta(1 + won, 1 + lost) posterior of a win rate
/// (uniform prior).
pub fn win_rate_interval(won: u64, lost: u64) -> (f64, f64) {
    let (a, b) = (1.0 + won as f64, 1.0 + lost as f64);
    (inv_beta_reg(a, b, 0.05), inv_beta_reg(a, b, 0.95))
}

/// How a sample is described in the scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// Every value the same.
    Constant(f64),
    /// `{ dist = "lognormal", median, p90 }`.
    LogNormal {
        /// Median.
        median: f64,
        /// 90th percentile.
        p90: f64,
        /// Kolmogorov-Smirnov distance to the data.
        distance: f64,
    },
    /// `{ dist = "gamma", mean, sd }` for whole months.
    Gamma {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Largest gap between the data's and the rounded gamma's distribution functions.
        distance: f64,
    },
    /// `{ dist = "empirical", values }`: the data's quantiles at 0%, 1%, ..., 100%.
    Empirical {
        /// The 101 quantiles.
        values: Vec<f64>,
        /// The distance of the family that was tried, and its name.
        tried: (&'static str, f64),
    },
}

/// The largest distance at which a fitted family is kept: the Lilliefors critical
/// value at the 1% level for `n` values, `1.031 / sqrt(n)`, or 0.03 (three points of
/// probability anywhere), whichever is larger, since with thousands of deals any
/// family is rejected for differences no plan would notice.
pub fn tolerance(n: usize) -> f64 {
    (1.031 / (n as f64).sqrt()).max(0.03)
}

/// The type-7 quantiles of sorted `v` at 0%, 1%, ..., 100%.
pub fn percentiles(sorted: &[f64]) -> Vec<f64> {
    (0..=100).map(|k| crate::stats::quantile_sorted(sorted, k as f64 / 100.0)).collect()
}

/// Deal sizes: a lognormal when it fits (by the distance of [`tolerance`]), else the
/// data's percentiles. `values` are positive.
pub fn sizes(values: &mut [f64]) -> Option<Fit> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return None;
    }
    if values[0] == values[n - 1] {
        return Some(Fit::Constant(values[0]));
    }
    let logs: Vec<f64> = values.iter().map(|v| v.max(f64::MIN_POSITIVE).ln()).collect();
    let (mu, sigma) = mean_sd(&logs);
    let mut distance: f64 = 0.0;
    for (i, &l) in logs.iter().enumerate() {
        let f = if sigma > 0.0 { standard_normal_cdf((l - mu) / sigma) } else { 0.5 };
        // Ties: compare with the data's distribution function just below and at the value.
        let below = logs.partition_point(|&y| y < l) as f64 / n as f64;
        let at = logs.partition_point(|&y| y <= l) as f64 / n as f64;
        distance = distance.max((f - below).abs()).max((f - at).abs());
        let _ = i;
    }
    if sigma > 0.0 && distance <= tolerance(n) {
        return Some(Fit::LogNormal { median: mu.exp(), p90: (mu + 1.281_551_565_545 * sigma).exp(), distance });
    }
    Some(Fit::Empirical { values: percentiles(values), tried: ("lognormal", distance) })
}

/// Cycles in whole months: a gamma when its rounded draws fit the data's frequencies
/// (the engine rounds a cycle to whole months, `docs/MODEL.md` 3.5), else the data's
/// percentiles. `months` are whole and not negative.
pub fn cycles(months: &mut [f64]) -> Option<Fit> {
    months.sort_by(f64::total_cmp);
    let n = months.len();
    if n == 0 {
        return None;
    }
    if months[0] == months[n - 1] {
        return Some(Fit::Constant(months[0]));
    }
    let (mean, sd) = mean_sd(months);
    let get = |p: &str| match p {
        "mean" => Some(mean),
        "sd" => Some(sd),
        _ => None,
    };
    let distance = match Dist::named("gamma", &get, Support::NonNegative) {
        Ok(gamma) if mean > 0.0 && sd > 0.0 => {
            let mut d: f64 = 0.0;
            let top = months[n - 1] as u32;
            for k in 0..=top {
                let data = months.partition_point(|&m| m <= f64::from(k)) as f64 / n as f64;
                d = d.max((gamma.probability_below(f64::from(k) + 0.5) - data).abs());
            }
            d
        }
        _ => f64::INFINITY,
    };
    if distance <= tolerance(n) {
        return Some(Fit::Gamma { mean, sd, distance });
    }
    Some(Fit::Empirical { values: percentiles(months), tried: ("gamma", distance) })
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, 0.0);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// A monthly volume's log-linear trend, `ln(count[t]) = a + b t`, by least squares over
/// the months of the history, and what it says of the month `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Months of history.
    pub months: usize,
    /// The expected count at `at`: `exp(a + b at)`.
    pub level: f64,
    /// Standard error of `ln(level)`.
    pub level_se: f64,
    /// Monthly growth `exp(b) - 1` (0 without a slope).
    pub growth: f64,
    /// Standard error of `b` (NaN without a slope).
    pub slope_se: f64,
}

/// The trend of `counts` (one a month, oldest first) at month `at` (0 is the first).
/// With fewer than three months there is no slope: the level is the mean count, with
/// the Poisson standard error of its logarithm, `1 / sqrt(total)`.
pub fn trend(counts: &[f64], at: f64) -> Option<Trend> {
    let m = counts.len();
    let total: f64 = counts.iter().sum();
    if m == 0 || total <= 0.0 {
        return None;
    }
    if m < 3 {
        let level = total / m as f64;
        return Some(Trend { months: m, level, level_se: 1.0 / total.sqrt(), growth: 0.0, slope_se: f64::NAN });
    }
    // Half a count keeps an empty month finite on the log scale.
    let y: Vec<f64> = counts.iter().map(|c| (c + 0.5).ln()).collect();
    let t_mean = (m as f64 - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / m as f64;
    let sxx: f64 = (0..m).map(|t| (t as f64 - t_mean).powi(2)).sum();
    let sxy: f64 = (0..m).map(|t| (t as f64 - t_mean) * (y[t] - y_mean)).sum();
    let b = sxy / sxx;
    let a = y_mean - b * t_mean;
    let ssr: f64 = (0..m).map(|t| (y[t] - a - b * t as f64).powi(2)).sum();
    // The residual spread, but never below the Poisson noise of the counts themselves.
    let s2 = (ssr / (m as f64 - 2.0)).max(m as f64 / total);
    let level_se = (s2 * (1.0 / m as f64 + (at - t_mean).powi(2) / sxx)).sqrt();
    let slope_se = (s2 / sxx).sqrt();
    // The line is one of log counts, so `exp(a + b at)` is a median-like level: the
    // mean of the residuals' exponentials (Duan's smearing) turns it into the mean.
    let smear = (0..m).map(|t| (y[t] - a - b * t as f64).exp()).sum::<f64>() / m as f64;
    Some(Trend { months: m, level: (a + b * at).exp() * smear, level_se, growth: b.exp() - 1.0, slope_se })
}

/// The level of `counts` without a trend, for when the slope cannot be told from 0:
/// the mean count, with the standard error of its logarithm from the months' own spread
/// (never below the Poisson noise, `1 / sqrt(total)`).
pub fn flat(counts: &[f64]) -> Option<Trend> {
    let m = counts.len();
    let total: f64 = counts.iter().sum();
    if m == 0 || total <= 0.0 {
        return None;
    }
    let y: Vec<f64> = counts.iter().map(|c| (c + 0.5).ln()).collect();
    let (_, sd) = mean_sd(&y);
    let s2 = (sd * sd).max(m as f64 / total);
    let level = total / m as f64;
    Some(Trend { months: m, level, level_se: (s2 / m as f64).sqrt(), growth: 0.0, slope_se: f64::NAN })
}

/// The spread between reps of a rate, net of the binomial noise of each rep's own
/// count (a method-of-moments random-effects estimate): the standard deviation of the
/// reps' true rates. `reps` holds each rep's successes and trials; reps with fewer than
/// `min_trials` are left out. `None` with fewer than three reps.
pub fn between_rep_sd(reps: &[(u64, u64)], min_trials: u64) -> Option<(f64, usize)> {
    let kept: Vec<(f64, f64)> =
        reps.iter().filter(|(_, n)| *n >= min_trials.max(1)).map(|&(k, n)| (k as f64, n as f64)).collect();
    if kept.len() < 3 {
        return None;
    }
    let pooled = kept.iter().map(|(k, _)| k).sum::<f64>() / kept.iter().map(|(_, n)| n).sum::<f64>();
    let rates: Vec<f64> = kept.iter().map(|(k, n)| k / n).collect();
    let (_, sd) = mean_sd(&rates);
    let noise = kept.iter().map(|(_, n)| pooled * (1.0 - pooled) / n).sum::<f64>() / kept.len() as f64;
    Some(((sd * sd - noise).max(0.0).sqrt(), kept.len()))
}

/// The same for a rate per unit of exposure (opportunities a month): each rep's count
/// and months active; the Poisson noise of each rep's count is taken out.
pub fn between_rep_sd_poisson(reps: &[(u64, f64)]) -> Option<(f64, f64, usize)> {
    let kept: Vec<(f64, f64)> = reps.iter().filter(|(_, t)| *t > 0.0).map(|&(k, t)| (k as f64, t)).collect();
    if kept.len() < 3 {
        return None;
    }
    let rates: Vec<f64> = kept.iter().map(|(k, t)| k / t).collect();
    let (mean, sd) = mean_sd(&rates);
    let noise = kept.iter().map(|(_, t)| mean / t).sum::<f64>() / kept.len() as f64;
    Some(((sd * sd - noise).max(0.0).sqrt(), mean, kept.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Distribution;

    #[test]
    fn the_win_rate_interval_is_the_posteriors() {
        // Beta(2, 2) after one win and one loss: its 5th percentile is 0.1354 (the
        // root of 3x^2 - 2x^3 = 0.05).
        let (low, high) = win_rate_interval(1, 1);
        assert!((low - 0.135_34).abs() < 1e-4 && (high - (1.0 - low)).abs() < 1e-9, "{low} {high}");
        let (low, high) = win_rate_interval(632, 368);
        assert!(low < 0.632 && high > 0.632 && high - low < 0.06);
    }

    #[test]
    fn a_lognormal_sample_is_fitted_and_a_bimodal_one_kept_as_data() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let d = rand_distr::LogNormal::new(8.0f64, 0.9).unwrap();
        let mut x: Vec<f64> = (0..2000).map(|_| d.sample(&mut rng)).collect();
        let Some(Fit::LogNormal { median, p90, .. }) = sizes(&mut x) else { panic!("a lognormal fits") };
        assert!((median.ln() - 8.0).abs() < 0.06 && ((p90 / median).ln() / 1.2816 - 0.9).abs() < 0.05);
        let mut two: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { 50.0 } else { 5000.0 + i as f64 }).collect();
        let Some(Fit::Empirical { values, tried }) = sizes(&mut two) else { panic!("two clusters are not lognormal") };
        assert_eq!(values.len(), 101);
        assert_eq!(tried.0, "lognormal");
        assert_eq!(values[0], 50.0);
    }

    #[test]
    fn whole_month_cycles_from_a_gamma_are_fitted() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(8);
        let g = rand_distr::Gamma::new(4.0f64, 0.75).unwrap();
        let mut m: Vec<f64> = (0..3000).map(|_| g.sample(&mut rng).round()).collect();
        let Some(Fit::Gamma { mean, .. }) = cycles(&mut m) else { panic!("rounded gamma draws fit a gamma") };
        assert!((mean - 3.0).abs() < 0.1, "{mean}");
        let mut bimodal: Vec<f64> = (0..3000).map(|i| if i % 2 == 0 { 0.0 } else { 3.0 }).collect();
        assert!(matches!(cycles(&mut bimodal), Some(Fit::Empirical { .. })));
    }

    #[test]
    fn a_trend_level_is_a_mean_count_not_a_geometric_mean() {
        // Months of 200 and 50: the geometric mean is 100, the mean 125.
        let t = trend(&[200.0, 50.0, 200.0, 50.0, 200.0, 50.0], 2.5).unwrap();
        assert!((t.level / 125.0 - 1.0).abs() < 0.02, "{t:?}");
    }

    #[test]
    fn a_trend_recovers_its_growth() {
        let counts: Vec<f64> = (0..24).map(|t| 100.0 * 1.03f64.powi(t)).collect();
        let t = trend(&counts, 24.0).unwrap();
        assert!((t.growth - 0.03).abs() < 1e-3, "{t:?}");
        assert!((t.level / (100.0 * 1.03f64.powi(24)) - 1.0).abs() < 0.01, "{t:?}");
        let short = trend(&[100.0, 120.0], 2.0).unwrap();
        assert_eq!((short.level, short.growth), (110.0, 0.0));
        assert!((short.level_se - 1.0 / 220f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn the_spread_between_reps_is_net_of_their_noise() {
        // Every rep with the same true rate: the spread is about zero.
        let same: Vec<(u64, u64)> = vec![(6, 10), (4, 10), (5, 10), (7, 10), (3, 10), (5, 10)];
        assert!(between_rep_sd(&same, 1).unwrap().0 < 0.05);
        let apart: Vec<(u64, u64)> = vec![(90, 100), (10, 100), (50, 100), (80, 100), (20, 100)];
        let (sd, n) = between_rep_sd(&apart, 1).unwrap();
        assert!(sd > 0.25 && n == 5, "{sd}");
    }
}
