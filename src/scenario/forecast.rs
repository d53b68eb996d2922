//! `[forecast]`: the bias and noise of the monthly bookings forecast.

use crate::dist::{Dist, Support};

use super::diag::Diagnostic;
use super::read::{Reader, Tbl};
use super::types::*;

/// `[forecast]`.
pub fn read_forecast(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Forecast> {
    let Some(mut t) = r.table(top, "forecast") else {
        return (!top.has("forecast")).then(Forecast::default);
    };
    let bias = r.dist(&mut t, "bias", Support::Real, 10.0);
    let noise = r.dist(&mut t, "noise", Support::NonNegative, 5.0);
    let mut ok = (bias.is_some() || !t.has("bias")) && (noise.is_some() || !t.has("noise"));
    if let Some(b) = &bias
        && b.mean() <= -1.0
    {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("bias"), "a bias of -100% or less forecasts nothing")
                .expected("a relative bias above -1, e.g. 0.1 for 10% optimistic"),
        );
        ok = false;
    }
    r.finish(t);
    ok.then(|| Forecast { bias: bias.unwrap_or(Dist::constant(0.0)), noise: noise.unwrap_or(Dist::constant(0.0)) })
}
