//! The calendar and the spread of an export's months: won deals by month of the quarter
//! (a quarter-end push), and how much more the monthly volume varies than a Poisson
//! count of independent opportunities would (a shared monthly shock).

/// Won deals by month of the quarter: factors of mean 1, first month first, with their
/// standard errors, from the quarters the history covers whole.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterFit {
    /// Whole quarters used.
    pub quarters: usize,
    /// Won deals in them.
    pub deals: u64,
    /// `3 x` the mean share of a quarter's won deals closed in each of its months.
    pub factors: [f64; 3],
    /// Each factor's standard error: the spread of the quarters' shares, never below
    /// the multinomial noise of the deals counted.
    pub se: [f64; 3],
}

impl QuarterFit {
    /// Whether some month's factor is more than three standard errors from 1: three
    /// months are tested at once, on as few as two quarters, so a chance pattern must
    /// not pass for a quarter-end push (about 1% of flat histories would at 2.9).
    pub fn significant(&self) -> bool {
        self.factors.iter().zip(&self.se).any(|(f, se)| (f - 1.0).abs() > 3.0 * se)
    }
}

/// The month of the quarter that the month index `month` (`year * 12 + month - 1`) is
/// in, for quarters starting in month `fiscal` (0: January) of the year: 0 for a
/// quarter's first month, 1 for its second, 2 for its third. The scenario's
/// `fiscal_year_start` sets the quarters the same way (docs/MODEL.md 3.5).
pub fn phase(month: i32, fiscal: i32) -> usize {
    (month - fiscal).rem_euclid(3) as usize
}

/// The quarter factors of `won` (won deals by month index, `year * 12 + month - 1`) over
/// the months `first..=last`, quarters starting in month `fiscal` (0: January) of the
/// year; `None` with fewer than two whole quarters holding a won deal.
pub fn quarter_factors(
    won: &std::collections::BTreeMap<i32, u64>,
    first: i32,
    last: i32,
    fiscal: i32,
) -> Option<QuarterFit> {
    let mut shares: Vec<[f64; 3]> = Vec::new();
    let mut deals = 0u64;
    // The first month that starts a quarter, at or after `first`.
    let mut q0 = first + (fiscal - first).rem_euclid(3);
    while q0 + 2 <= last {
        let n = [0, 1, 2].map(|i| won.get(&(q0 + i)).copied().unwrap_or(0) as f64);
        let total: f64 = n.iter().sum();
        if total > 0.0 {
            shares.push(n.map(|x| x / total));
            deals += total as u64;
        }
        q0 += 3;
    }
    let j = shares.len();
    if j < 2 {
        return None;
    }
    let mut factors = [0.0; 3];
    let mut se = [0.0; 3];
    let floor = 3.0 * ((1.0 / 3.0) * (2.0 / 3.0) / deals as f64).sqrt();
    for q in 0..3 {
        let x: Vec<f64> = shares.iter().map(|s| s[q]).collect();
        let mean = x.iter().sum::<f64>() / j as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (j - 1) as f64;
        factors[q] = 3.0 * mean;
        se[q] = (3.0 * (var / j as f64).sqrt()).max(floor);
    }
    Some(QuarterFit { quarters: j, deals, factors, se })
}

/// The standard deviation of a shared monthly shock on volume: the variance of the
/// months' log counts around their fit (`residual_var`, on `ln(count + 1/2)`) less the
/// Poisson part, `mean(1 / count)`; 0 when the counts vary no more than Poisson counts.
pub fn volume_noise(counts: &[f64], residual_var: f64) -> f64 {
    if counts.iter().filter(|c| **c > 0.0).count() < 4 {
        return 0.0;
    }
    dispersion(counts, residual_var)
}

/// What a variance estimated from the residuals of `months` months (around a line if
/// `sloped`, else their mean) is multiplied by to give the variance of the month ahead
/// with that estimate's own uncertainty: `nu / (nu - 2)` with `nu` the degrees of
/// freedom left, the variance of a Student t of `nu` degrees of freedom (the predictive
/// distribution of a normal whose variance is estimated), and 3 (that of `nu = 3`)
/// with 3 degrees of freedom or fewer. A shock's spread read from six months is
/// uncertain by about half itself, and bands drawn from the estimate alone are too narrow
/// as often as it is read low. Applied to the close noise, read from the months after
/// the first cohorts have filled the pipeline (as few as four).
pub fn predictive(months: usize, sloped: bool) -> f64 {
    let nu = months.saturating_sub(1 + usize::from(sloped)) as f64;
    if nu > 3.0 { nu / (nu - 2.0) } else { 3.0 }
}

/// The sd of the log counts' variance `residual_var` beyond Poisson, `mean(1 / count)`.
fn dispersion(counts: &[f64], residual_var: f64) -> f64 {
    let months = counts.iter().filter(|c| **c > 0.0).count();
    if months == 0 || !residual_var.is_finite() {
        return 0.0;
    }
    let poisson = counts.iter().filter(|c| **c > 0.0).map(|c| 1.0 / c).sum::<f64>() / months as f64;
    (residual_var - poisson).max(0.0).sqrt()
}

/// The sd of the close noise (`company.close_noise`) that gives monthly won deals the
/// spread the history shows: the variance of the months' log counts `won` (each divided
/// by its month of the quarter's factor) around their line, less the Poisson part
/// `mean(1 / count)`, is the relative variance `V` the shocks must add; a month's won
/// closes are `1 + r_m - r_(m-1)` of those due (3.5), so `V = 2 sd^2`. The variance
/// around the line is taken a month ahead ([`predictive`]). 0 with fewer than 3 months.
pub fn close_noise(won: &[f64]) -> f64 {
    let months = won.iter().filter(|c| **c > 0.0).count();
    if months < 3 {
        return 0.0;
    }
    let sloped = months >= 5;
    let residual = log_residual_var(won, sloped) * predictive(won.len(), sloped);
    dispersion(won, residual) / std::f64::consts::SQRT_2
}

/// The variance of `ln(count + 1/2)` around its least-squares line (`sloped`) or its
/// mean, with the degrees of freedom the fit leaves.
pub fn log_residual_var(counts: &[f64], sloped: bool) -> f64 {
    let m = counts.len();
    let p = if sloped { 2 } else { 1 };
    if m <= p {
        return f64::NAN;
    }
    let y: Vec<f64> = counts.iter().map(|c| (c + 0.5).ln()).collect();
    let t_mean = (m as f64 - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / m as f64;
    let b = if sloped {
        let sxx: f64 = (0..m).map(|t| (t as f64 - t_mean).powi(2)).sum();
        (0..m).map(|t| (t as f64 - t_mean) * (y[t] - y_mean)).sum::<f64>() / sxx
    } else {
        0.0
    };
    (0..m).map(|t| (y[t] - y_mean - b * (t as f64 - t_mean)).powi(2)).sum::<f64>() / (m - p) as f64
}

/// The monthly counts without the months at their end (at most 3, keeping at least 3)
/// that fall below half the median of the months before them: an export that ends
/// mid-stream, whose last months are not yet (or no longer) filled. Returns the counts
/// kept and those left out.
pub fn trim_end(counts: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut keep = counts.len();
    while keep > 3 && counts.len() - keep < 3 {
        let mut before: Vec<f64> = counts[..keep - 1].to_vec();
        before.sort_by(f64::total_cmp);
        let median = crate::stats::quantile_sorted(&before, 0.5);
        if counts[keep - 1] < 0.5 * median {
            keep -= 1;
        } else {
            break;
        }
    }
    (counts[..keep].to_vec(), counts[keep..].to_vec())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_variance_a_month_ahead_is_that_of_a_student_t() {
        // Six months around a line leave 4 degrees of freedom: a t's variance is 4 / 2.
        assert_eq!(super::predictive(6, true), 2.0);
        assert_eq!(super::predictive(6, false), 5.0 / 3.0);
        assert_eq!(super::predictive(4, true), 3.0);
        assert!((super::predictive(102, true) - 100.0 / 98.0).abs() < 1e-12);
    }

    #[test]
    fn the_months_that_fall_away_at_the_end_are_left_out() {
        let (kept, dropped) = super::trim_end(&[800.0, 870.0, 720.0, 790.0, 1200.0, 790.0, 780.0, 760.0, 283.0, 121.0]);
        assert_eq!(dropped, [283.0, 121.0]);
        assert_eq!(kept.len(), 8);
        let (kept, dropped) = super::trim_end(&[100.0, 110.0, 90.0, 60.0]);
        assert!(dropped.is_empty() && kept.len() == 4, "60 is not below half of 100");
        let (kept, dropped) = super::trim_end(&[100.0, 100.0, 100.0, 100.0, 10.0, 10.0, 10.0, 10.0]);
        assert_eq!((kept.len(), dropped.len()), (5, 3), "at most three months are left out");
        let (kept, _) = super::trim_end(&[100.0, 100.0, 100.0, 10.0]);
        assert_eq!(kept.len(), 3, "at least three months are kept");
    }

    use super::*;

    #[test]
    fn quarter_factors_are_three_times_the_mean_share() {
        // Two quarters, Jan-Mar and Apr-Jun 2017: shares 1/6, 2/6, 3/6 in both.
        let m = 2017 * 12;
        let won = [(m, 10), (m + 1, 20), (m + 2, 30), (m + 3, 20), (m + 4, 40), (m + 5, 60)].into_iter().collect();
        let f = quarter_factors(&won, m, m + 5, 0).unwrap();
        assert_eq!(f.quarters, 2);
        for (got, want) in f.factors.iter().zip([0.5, 1.0, 1.5]) {
            assert!((got - want).abs() < 1e-12, "{f:?}");
        }
        // No spread between quarters: the multinomial floor, 3 sqrt(2/9 / 180).
        assert!((f.se[0] - 3.0 * (2.0 / 9.0 / 180.0f64).sqrt()).abs() < 1e-12);
        assert!(f.significant());
        // A fiscal year from February: the quarters are Feb-Apr and May-Jul; one whole.
        assert!(quarter_factors(&won, m, m + 5, 1).is_none());
    }

    #[test]
    fn a_months_phase_counts_from_the_first_month_of_its_fiscal_quarter() {
        let jan = 2024 * 12;
        // Calendar quarters: January, February, March, April.
        assert_eq!([0, 1, 2, 3].map(|i| phase(jan + i, 0)), [0, 1, 2, 0]);
        // From February: January ends the Nov-Jan quarter, February starts one.
        assert_eq!([0, 1, 2, 3, 4].map(|i| phase(jan + i, 1)), [2, 0, 1, 2, 0]);
        // From December: December starts a quarter, February ends it.
        assert_eq!([-1, 0, 1, 2].map(|i| phase(jan + i, 11)), [0, 1, 2, 0]);
        // Months before year 0 (negative indexes): December of year -1 is the third
        // month of Oct-Dec, and the second of Nov-Jan.
        assert_eq!(phase(-1, 0), 2);
        assert_eq!(phase(-1, 1), 1);
        assert_eq!(phase(-12, 0), 0);
        assert_eq!(phase(-12, 1), 2);
        assert_eq!(phase(-11, 1), 0);
        // As the old calendar arithmetic had it.
        for month in -40..40 {
            assert_eq!(phase(month, 0), (month.rem_euclid(12) % 3) as usize, "{month}");
        }
        // The first quarter `quarter_factors` counts starts at phase 0.
        for (first, fiscal) in [(jan, 1), (jan + 5, 1), (-7, 0), (-7, 11)] {
            let q0 = first + (fiscal - first).rem_euclid(3);
            assert_eq!(phase(q0, fiscal), 0);
        }
    }

    #[test]
    fn volume_noise_is_what_the_months_vary_beyond_poisson() {
        let counts = [100.0; 6];
        assert_eq!(volume_noise(&counts, 0.005), 0.0);
        assert!((volume_noise(&counts, 0.01 + 0.04) - 0.2).abs() < 1e-12);
    }
}
