//! `[company]`: the starting ARR, churn and expansion.

use crate::dist::{Dist, Support};

use super::diag::Diagnostic;
use super::read::{Reader, Tbl};
use super::types::*;

pub(super) fn read_company(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Company> {
    let Some(mut t) = r.table(top, "company") else {
        return Some(Company {
            arr: 0.0,
            monthly_churn: Dist::constant(0.0),
            monthly_expansion: Dist::constant(0.0),
            churn_multiplier_unsupported: DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED,
            fiscal_year_start: 0,
            quarter_timing: None,
            close_noise: 0.0,
        });
    };
    let arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
    r.not_tiny(&t, "arr", MIN_MONEY, MAX_MONEY, true);
    let churn = r.dist(&mut t, "monthly_churn", Support::Unit, 1.0);
    let expansion = r.dist(&mut t, "monthly_expansion", Support::Unit, 1.0);
    let ok_arr = arr.is_some() || !t.has("arr");
    let ok_churn = churn.is_some() || !t.has("monthly_churn");
    let ok_exp = expansion.is_some() || !t.has("monthly_expansion");
    let unsupported = r.number(&mut t, "churn_multiplier_unsupported", 0.0, 100.0);
    let ok_uns = unsupported.is_some() || !t.has("churn_multiplier_unsupported");
    let fiscal = r.count_from(&mut t, "fiscal_year_start", 1, 12);
    let ok_fiscal = fiscal.is_some() || !t.has("fiscal_year_start");
    let timing = r.numbers(&mut t, "quarter_timing", MIN_FACTOR, 100.0);
    let mut ok_timing = timing.is_some() || !t.has("quarter_timing");
    let quarter_timing = match timing {
        Some((f, _)) if f.len() == 3 => Some(QuarterTiming::new([f[0], f[1], f[2]])),
        Some((f, span)) => {
            r.error(
                Diagnostic::error(
                    Some(span),
                    t.key_path("quarter_timing"),
                    format!("quarter_timing has {} factors", f.len()),
                )
                .expected("3 factors, one for each month of the fiscal quarter, e.g. [0.8, 1.0, 1.2]"),
            );
            ok_timing = false;
            None
        }
        None => None,
    };
    let sd = r.numbers(&mut t, "quarter_timing_sd", 0.0, 10.0);
    let quarter_timing = match (quarter_timing, sd) {
        (Some(q), Some((s, _))) if s.len() == 3 => Some(QuarterTiming::with_sd(q.factors, [s[0], s[1], s[2]])),
        (q, Some((s, span))) => {
            let why = if q.is_none() && ok_timing && s.len() == 3 {
                "quarter_timing_sd without quarter_timing".to_string()
            } else {
                format!("quarter_timing_sd has {} standard errors", s.len())
            };
            r.error(
                Diagnostic::error(Some(span), t.key_path("quarter_timing_sd"), why).expected(
                    "3 standard errors of the quarter_timing factors beside them, e.g. quarter_timing_sd = [0.03, 0.03, 0.04]",
                ),
            );
            ok_timing = false;
            q
        }
        (q, None) => {
            ok_timing = ok_timing && !t.has("quarter_timing_sd");
            q
        }
    };
    let close_noise = r.number(&mut t, "close_noise", 0.0, 10.0);
    let ok_noise = close_noise.is_some() || !t.has("close_noise");
    r.finish(t);
    (ok_arr && ok_churn && ok_exp && ok_uns && ok_fiscal && ok_timing && ok_noise).then(|| Company {
        arr: arr.unwrap_or(0.0),
        monthly_churn: churn.unwrap_or(Dist::constant(0.0)),
        monthly_expansion: expansion.unwrap_or(Dist::constant(0.0)),
        churn_multiplier_unsupported: unsupported.unwrap_or(DEFAULT_CHURN_MULTIPLIER_UNSUPPORTED),
        fiscal_year_start: fiscal.map_or(0, |m| m as u32 - 1),
        quarter_timing,
        close_noise: close_noise.unwrap_or(0.0),
    })
}
