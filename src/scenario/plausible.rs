//! Warnings on values that are valid but likely not what was meant: a churn that loses
//! most of the ARR in a year, an attrition that empties a role, a win rate of 1, deals
//! that close the month they are worked over a long horizon.
//!
//! Each check reads the validated scenario and points at the value as written (in the
//! file or a `--set` override). A warning never refuses a scenario: it is printed by
//! `validate` and `run` (unless `--quiet`), listed in `summary.json` and the report, and
//! shown on the workshop page, and the run goes on with the value as given.

use crate::dist::Dist;
use crate::format::{percent, percent1};
use crate::numbers::{fraction_of, percent_meant};
// Three significant figures, as a scenario writes a fraction: `0.0135`, `0.2`.
use crate::format::significant as three_figures;

use super::diag::Diagnostic;
use super::read::Reader;
use super::tree::Node;
use super::types::Scenario;

/// Monthly churn above this (the mean of an uncertain one) is warned of: 10% a month
/// loses 72% of the ARR in a year.
pub const MONTHLY_CHURN_WARN: f64 = 0.10;
/// Annual attrition above this (the mean of an uncertain one) is warned of: 60% a year
/// is 7.4% of the role a month.
pub const ANNUAL_ATTRITION_WARN: f64 = 0.60;
/// A `cycle_months` written as 0 is warned of over a horizon of at least this many months.
pub const ZERO_CYCLE_HORIZON_MONTHS: usize = 12;

/// Adds a warning to `r` for each suspicious value of `s`, read from the tree `root`.
pub(super) fn check(r: &mut Reader, root: &Node, s: &Scenario) {
    let mut warn = |parts: &[&str], message: String, help: String| {
        let span = root.at(parts).map(|n| n.span);
        r.diags.push(Diagnostic::warning(span, parts.join("."), message).help(help));
    };
    if let Some((message, help)) = churn(&s.company.monthly_churn) {
        warn(&["company", "monthly_churn"], message, help);
    }
    for role in &s.roles {
        if let Some((message, help)) = attrition(&role.annual_attrition) {
            warn(&["roles", &role.id, "annual_attrition"], message, help);
        }
    }
    for seg in &s.segments {
        if seg.win_rate.as_constant() == Some(1.0) {
            let message = "win_rate = 1 wins every opportunity worked".to_string();
            warn(&["segments", &seg.name, "win_rate"], message, percent_meant(1.0));
        }
        let written = root.at(&["segments", &seg.name, "cycle_months"]).is_some();
        if written && seg.cycle_months.as_constant() == Some(0.0) && s.months >= ZERO_CYCLE_HORIZON_MONTHS {
            warn(
                &["segments", &seg.name, "cycle_months"],
                format!("cycle_months = 0 closes every deal in the month it is worked, over all {} months", s.months),
                "B2B deals take months to close: give the average cycle, e.g. cycle_months = 3, or a \
                 distribution such as { dist = \"gamma\", mean = 3, sd = 1.2 }"
                    .to_string(),
            );
        }
    }
}

/// The warning and help for a monthly churn over [`MONTHLY_CHURN_WARN`].
fn churn(d: &Dist) -> Option<(String, String)> {
    let (v, constant) = level(d);
    if !(v > MONTHLY_CHURN_WARN) {
        return None;
    }
    let year = percent(1.0 - (1.0 - v).powi(12));
    // A year's churn of `v`, as a monthly rate.
    let monthly = three_figures(1.0 - (1.0 - v).powf(1.0 / 12.0));
    Some(match constant {
        true if v >= 1.0 => ("monthly_churn = 1 loses all ARR every month".to_string(), percent_meant(1.0)),
        true => (
            format!("monthly_churn = {v} loses {} of ARR every month, {year} in a year", share(v)),
            format!(
                "did you mean {} ({v}%), or {monthly} for a churn of {} a year? monthly_churn is a month's share of ARR",
                fraction_of(v),
                percent(v)
            ),
        ),
        false => (
            format!("monthly_churn averages {} a month, {year} of ARR in a year", share(v)),
            format!(
                "monthly_churn is a month's share of ARR: 1% a month is 0.01, and a churn of {} a year is {monthly} a month",
                percent(v)
            ),
        ),
    })
}

/// The warning and help for an annual attrition over [`ANNUAL_ATTRITION_WARN`].
fn attrition(d: &Dist) -> Option<(String, String)> {
    let (v, constant) = level(d);
    if !(v > ANNUAL_ATTRITION_WARN) {
        return None;
    }
    let month = share(1.0 - (1.0 - v.min(1.0)).powf(1.0 / 12.0));
    let stays = "annual_attrition is the share that leaves in a year, not the share that stays";
    Some(match constant {
        true if v >= 1.0 => (
            "annual_attrition = 1 makes everyone in the role leave in their first month".to_string(),
            percent_meant(1.0),
        ),
        true => (
            format!("annual_attrition = {v}: {} of the role leaves in a year, {month} a month", percent(v)),
            format!("did you mean {}? {stays}", three_figures(1.0 - v)),
        ),
        false => {
            (format!("annual_attrition averages {} a year, {month} of the role a month", percent(v)), stays.into())
        }
    })
}

/// The value a check looks at, the constant or the mean, and whether it is a constant.
fn level(d: &Dist) -> (f64, bool) {
    match d.as_constant() {
        Some(v) => (v, true),
        None => (d.mean(), false),
    }
}

/// A share as a percentage with at most one decimal: `15%`, `12.6%`.
fn share(v: f64) -> String {
    percent1(v).replace(".0%", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_and_attrition_warn_above_their_thresholds_only() {
        assert_eq!(churn(&Dist::constant(0.1)), None);
        assert_eq!(attrition(&Dist::constant(0.6)), None);
        let (message, help) = churn(&Dist::constant(1.0)).unwrap();
        assert_eq!(message, "monthly_churn = 1 loses all ARR every month");
        assert_eq!(help, "did you mean 0.01 (1%)? rates are written as fractions");
        let (message, help) = churn(&Dist::constant(0.15)).unwrap();
        assert_eq!(message, "monthly_churn = 0.15 loses 15% of ARR every month, 86% in a year");
        assert!(help.starts_with("did you mean 0.0015 (0.15%), or 0.0135 for a churn of 15% a year?"), "{help}");
        let (_, help) = attrition(&Dist::constant(0.8)).unwrap();
        assert!(help.starts_with("did you mean 0.2?"), "{help}");
    }
}
