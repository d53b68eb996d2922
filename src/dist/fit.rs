//! Fitting a beta distribution to a rate's 90% interval: the shapes that put 5% of it
//! below `low` and 95% below `high`.

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
}
