//! The bookings forecast and its accuracy.
//!
//! At the end of month `t` the organisation forecasts month `t + 1`'s bookings from its
//! weighted pipeline: the value of the open opportunities due to close in `t + 1`, times
//! the win rate measured (kpis.rs), times the reps' distortion
//! `(1 + bias) x exp(noise x Z - noise^2 / 2)` with `Z` standard normal (the noise
//! leaves the mean unchanged). In `t + 1` the forecast meets the actual bookings `A`:
//! `forecast_error = |F - A| / A` (undefined when `A = 0`). Over a trial,
//! `MAPE = mean |F - A| / A` over the months with `A > 0`, `WAPE = sum |F - A| / sum A`
//! and `bias = sum (F - A) / sum A`.

/// Accuracy of a series of forecasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// Mean absolute percentage error (months with a positive actual).
    pub mape: f64,
    /// Weighted absolute percentage error.
    pub wape: f64,
    /// Signed error relative to the actuals (positive: forecasts too high).
    pub bias: f64,
}

/// Running sums of forecast errors over a trial.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tracker {
    /// The forecast for next month, once made.
    pub next: Option<f64>,
    sum_ape: f64,
    months_ape: u32,
    sum_abs: f64,
    sum_signed: f64,
    sum_actual: f64,
}

impl Tracker {
    /// Scores the forecast made for this month against `actual`; returns the forecast
    /// and its absolute percentage error (NaN where there is none).
    pub fn score(&mut self, actual: f64) -> (f64, f64) {
        let Some(f) = self.next.take() else { return (f64::NAN, f64::NAN) };
        self.sum_abs += (f - actual).abs();
        self.sum_signed += f - actual;
        self.sum_actual += actual;
        let ape = (f - actual).abs() / actual;
        // Months without bookings, or with so little that the error is not a finite
        // number, have no percentage error.
        if actual > 0.0 && ape.is_finite() {
            self.sum_ape += ape;
            self.months_ape += 1;
            (f, ape)
        } else {
            (f, f64::NAN)
        }
    }

    /// MAPE, WAPE and bias so far (NaN where undefined, or not a finite number).
    pub fn accuracy(&self) -> Accuracy {
        let finite = |x: f64| if x.is_finite() { x } else { f64::NAN };
        let over_actual = |x: f64| if self.sum_actual > 0.0 { finite(x / self.sum_actual) } else { f64::NAN };
        Accuracy {
            mape: if self.months_ape > 0 { finite(self.sum_ape / f64::from(self.months_ape)) } else { f64::NAN },
            wape: over_actual(self.sum_abs),
            bias: over_actual(self.sum_signed),
        }
    }
}

/// Accuracy of `forecast` against `actual`, month by month.
pub fn accuracy(actual: &[f64], forecast: &[f64]) -> Accuracy {
    let mut t = Tracker::default();
    for (a, f) in actual.iter().zip(forecast) {
        t.next = Some(*f);
        t.score(*a);
    }
    t.accuracy()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/REFERENCE.md 2: actual 10, 5, 8, 10 and forecast 15, 12, 5, 8 give MAPE 61.875%,
    /// WAPE 51.5%, bias +21.2%.
    #[test]
    fn published_example() {
        let a = accuracy(&[10.0, 5.0, 8.0, 10.0], &[15.0, 12.0, 5.0, 8.0]);
        assert!((a.mape - 0.61875).abs() < 1e-12, "{a:?}");
        // 17 / 33 = 0.51515..., 7 / 33 = 0.21212...
        assert!((a.wape - 17.0 / 33.0).abs() < 1e-12);
        assert!((a.wape * 1000.0).round() / 10.0 == 51.5);
        assert!((a.bias - 7.0 / 33.0).abs() < 1e-12);
        assert!((a.bias * 1000.0).round() / 10.0 == 21.2);
    }

    #[test]
    fn zero_actuals_are_left_out_of_mape() {
        let a = accuracy(&[0.0, 10.0], &[5.0, 10.0]);
        assert_eq!(a.mape, 0.0);
        assert_eq!(a.wape, 0.5);
        assert!(accuracy(&[], &[]).mape.is_nan());
    }
}
