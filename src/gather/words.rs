//! The words and numbers of a gathered scenario: TOML strings, numbers without
//! trailing zeros, a fit as a scenario value and its evidence in words.

use super::fit::{self, Fit};

/// A TOML string.
pub(super) fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number with at most `digits` decimals, trailing zeros dropped.
pub(super) fn num(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A share as a percentage with at most one decimal.
pub(super) fn percent(v: f64) -> String {
    format!("{}%", num(100.0 * v, 1))
}

/// The evidence of a fit, in words.
pub(super) fn describe(f: &Fit, n: usize) -> String {
    let tol = num(fit::tolerance(n), 3);
    match f {
        Fit::Constant(_) => "all the same".into(),
        Fit::LogNormal { distance, .. } => {
            format!(
                "a lognormal fitted to their logarithms (Kolmogorov-Smirnov distance {}, within {tol})",
                num(*distance, 3)
            )
        }
        Fit::Gamma { distance, .. } => {
            format!(
                "a gamma of their mean and sd (largest gap of the rounded gamma {}, within {tol})",
                num(*distance, 3)
            )
        }
        Fit::Empirical { tried: (family, distance), .. } => format!(
            "a {family} fits badly (distance {} over {tol}), so their percentiles 0%, 1%, ..., 100%",
            num(*distance, 3)
        ),
    }
}

/// A fit as a scenario value, numbers with at most `digits` decimals.
pub(super) fn toml_of(f: &Fit, digits: usize) -> String {
    match f {
        Fit::Constant(v) => num(*v, digits),
        Fit::LogNormal { median, p90, .. } => {
            format!("{{ dist = \"lognormal\", median = {}, p90 = {} }}", num(*median, 2), num(*p90, 2))
        }
        Fit::Gamma { mean, sd, .. } => {
            format!("{{ dist = \"gamma\", mean = {}, sd = {} }}", num(*mean, 3), num(*sd, 3))
        }
        Fit::Empirical { values, .. } => {
            let list: Vec<String> = values.iter().map(|v| num(*v, digits.max(2))).collect();
            format!("{{ dist = \"empirical\", values = [{}] }}", list.join(", "))
        }
    }
}
