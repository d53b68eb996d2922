//! The words and numbers of a gathered scenario: TOML strings, numbers without
//! trailing zeros, a fit as a scenario value and its evidence in words.

use super::doc::Value;
use super::fit::{self, Fit};

/// A TOML basic string on one line, fit for a key or a value: `"` and `\` escaped,
/// and every control character (a line break, ESC, DEL) as its escape.
pub(super) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) use crate::format::{decimals as num, percent_up_to_1 as percent};

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
pub(super) fn value_of(f: &Fit, digits: usize) -> Value {
    match f {
        Fit::Constant(v) => Value::num(*v, digits),
        Fit::LogNormal { median, p90, .. } => {
            Value::dist("lognormal", vec![("median", Value::num(*median, 2)), ("p90", Value::num(*p90, 2))])
        }
        Fit::Gamma { mean, sd, .. } => {
            Value::dist("gamma", vec![("mean", Value::num(*mean, 3)), ("sd", Value::num(*sd, 3))])
        }
        Fit::Empirical { values, .. } => {
            let values = values.iter().map(|v| Value::num(*v, digits.max(2))).collect();
            Value::dist("empirical", vec![("values", Value::Array(values))])
        }
    }
}

/// A positive number with one decimal from 1 up and three significant digits below,
/// with more where `min_digits` asks (so that two numbers written apart stay apart).
pub(super) fn positive(v: f64, min_digits: usize) -> String {
    let digits = if v >= 1.0 { 1 } else { (2 - v.log10().floor() as i64).clamp(1, 12) as usize };
    num(v, digits.max(min_digits))
}

/// A 90% interval of a positive amount as a scenario takes it, `0 < low < high`, each
/// written with [`positive`] (and more digits where they would read the same); `None`
/// if no such interval can be written.
pub(super) fn positive_interval(low: f64, high: f64) -> Option<(String, String)> {
    if !(low > 0.0 && low < high && high.is_finite()) {
        return None;
    }
    (0..=12).find_map(|more| {
        let (lo, hi) = (positive(low, more), positive(high, more));
        let (l, h): (f64, f64) = (lo.parse().ok()?, hi.parse().ok()?);
        (l > 0.0 && l < h).then_some((lo, hi))
    })
}

/// Whether leads of the 90% interval `{ low, high }` (a lognormal, as the scenario fits
/// it), growing `growth` a month on average, with a seasonal peak `peak`, stay within
/// what a scenario of `months` months can simulate (with a margin for the rounding of
/// what is written).
pub(super) fn volume_fits(low: f64, high: f64, growth: f64, months: u64, peak: f64) -> bool {
    const Z95: f64 = 1.644_853_626_951_472_2;
    let mu = 0.5 * (low.ln() + high.ln());
    let sigma = (high.ln() - low.ln()) / (2.0 * Z95);
    let mean = (mu + 0.5 * sigma * sigma).exp();
    let at = mean * (1.0 + growth.max(0.0)).powf(months as f64 - 1.0) * peak;
    at.is_finite() && at <= crate::scenario::MAX_LEADS_PER_MONTH / 10.0
}

/// The sd of a gamma multiplier of mean 1 (a rep's skill) as the scenario writes it, if
/// it is one a scenario takes: above 0 once written, at most [`crate::scenario::skill::MAX_SKILL`].
pub(super) fn skill_sd(sd: f64) -> Option<String> {
    let text = num(sd, 4);
    let v: f64 = text.parse().ok()?;
    (v > 0.0 && v <= crate::scenario::skill::MAX_SKILL).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_toml_basic_strings_on_one_line() {
        for s in ["plain", "\"", "a\\b", "line\nbreak", "\u{1b}[31m", "del\u{7f}", "ü-Märkte", "tab\t", "\u{85}"] {
            let text = format!("k = {}\n{} = 1\n", quoted(s), quoted(s));
            let t: toml::Table = text.parse().unwrap_or_else(|e| panic!("{s:?}: {e}\n{text}"));
            assert_eq!(t["k"].as_str(), Some(s));
            assert!(t.contains_key(s));
            assert_eq!(text.lines().count(), 2, "{text}");
        }
    }

    #[test]
    fn intervals_are_written_positive_and_apart() {
        assert_eq!(positive_interval(148.3, 484.04), Some(("148.3".into(), "484".into())));
        assert_eq!(positive_interval(0.0123456, 0.6), Some(("0.0123".into(), "0.6".into())));
        assert_eq!(positive_interval(1.02, 1.04), Some(("1.02".into(), "1.04".into())));
        assert_eq!(positive_interval(0.0, 0.3), None);
        assert_eq!(positive_interval(1e-14, 0.3), None, "a low written as 0 is no interval");
        assert_eq!(positive_interval(2.0, f64::INFINITY), None);
        assert!(volume_fits(100.0, 200.0, 0.05, 12, 1.0));
        assert!(!volume_fits(100.0, 200.0, 0.9, 60, 1.0));
        assert_eq!(skill_sd(0.00001), None);
        assert_eq!(skill_sd(0.39), Some("0.39".into()));
        assert_eq!(skill_sd(1e9), None);
    }
}
