//! Numbers as sopsim writes them and people type them back: `5.5M`, `$8M`, `750K`,
//! `1.2B`, `1e4`, `10,000`, `10_000`, `80%`.
//!
//! This is the reading side of [`format`](crate::format): the one parser of the command
//! line's counts, amounts and probabilities (each a clap `value_parser`, refusing with
//! an [`Error`] that says why), and the one suggestion for a rate written as a
//! percentage (`14` where `0.14` is meant), which scenario validation gives too. A
//! number is read exactly, as decimal digits and a power of ten, so that `1.5e3` is a
//! whole 1,500 and `1.5` is not. Nothing here reads a scenario or prints.

use std::fmt;

use crate::format::count as grouped;
use crate::message::Message;
use crate::scenario::MAX_MONEY;

/// The forms a count may take, for messages.
const COUNT_FORMS: &str = "10000, 10,000, 10_000, 1e4 or 10K";
/// The forms an amount may take, for messages.
const MONEY_FORMS: &str = "8000000, 8,000,000, 8_000_000, 8e6, 8M, $8M, 750K or 1.2B";

/// A number as typed: `digits x 10^exp10`, its sign, and the marks around it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Typed {
    negative: bool,
    digits: u128,
    exp10: i32,
    /// A leading `$`.
    dollar: bool,
    /// A trailing `%` (already counted in `exp10`).
    percent: bool,
    /// A `K`, `M` or `B` (already counted in `exp10`).
    suffix: bool,
}

impl Typed {
    /// The value as the closest double.
    fn value(&self) -> f64 {
        let v: f64 = format!("{}e{}", self.digits, self.exp10).parse().unwrap_or(f64::INFINITY);
        if self.negative { -v } else { v }
    }

    /// The value if it is a whole number that fits (`None` when it has a fraction).
    fn whole(&self) -> Option<Result<u128, Overflow>> {
        let ten = |e: u32| 10u128.checked_pow(e);
        if self.exp10 >= 0 {
            let v = ten(self.exp10 as u32).and_then(|p| self.digits.checked_mul(p));
            return Some(v.ok_or(Overflow));
        }
        match ten(self.exp10.unsigned_abs()) {
            Some(p) if self.digits.is_multiple_of(p) => Some(Ok(self.digits / p)),
            Some(_) => None,
            None if self.digits == 0 => Some(Ok(0)),
            None => None,
        }
    }
}

/// A whole number too large for 128 bits.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Overflow;

/// Reads `text` as `[-][$]digits[.digits][e[+|-]digits][K|M|B][%]`, where the digits
/// before the point may be grouped by `,` in threes (`10,000`) or split by `_` between
/// digits (`10_000`); an exponent and a `K`/`M`/`B` do not go together. `None` if it is
/// not such a number.
fn read(text: &str) -> Option<Typed> {
    let mut s = text.trim();
    let negative = s.starts_with('-');
    s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let dollar = s.starts_with('$');
    s = s.strip_prefix('$').unwrap_or(s);
    let percent = s.ends_with('%');
    s = s.strip_suffix('%').unwrap_or(s).trim_end();
    let (s, suffix_exp) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 3),
        Some('m' | 'M') => (&s[..s.len() - 1], 6),
        Some('b' | 'B') => (&s[..s.len() - 1], 9),
        _ => (s, 0),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if exponent.is_some() && suffix_exp != 0 {
        return None;
    }
    let exp: i32 = match exponent {
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if unsigned.is_empty() || unsigned.len() > 4 || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            e.parse().ok()?
        }
        None => 0,
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let int = grouped_digits(int)?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0');
    if significant.len() > 38 {
        return None;
    }
    let digits: u128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
    let exp10 = exp + suffix_exp - frac.len() as i32 - if percent { 2 } else { 0 };
    Some(Typed { negative, digits, exp10, dollar, percent, suffix: suffix_exp != 0 })
}

/// The digits of the part before the point: plain (`10000`), grouped in threes by
/// commas (`10,000`), or with underscores between digits (`10_000`); at least one digit.
fn grouped_digits(int: &str) -> Option<String> {
    let digit = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next()?;
        let ok = digit(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && digit(g));
        return ok.then(|| int.replace(',', ""));
    }
    int.split('_').all(digit).then(|| int.replace('_', ""))
}

/// Why a typed number was refused. `Display` is the message clap prints after the flag.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Not a number of the forms that read.
    NotRead {
        /// The text typed.
        text: String,
        /// What was wanted: `a count`, `an amount`, `a probability`.
        what: &'static str,
        /// The forms it may take.
        forms: &'static str,
    },
    /// A count with a fraction.
    Fraction {
        /// The text typed.
        text: String,
    },
    /// A count outside its range.
    Range {
        /// The least allowed.
        min: u64,
        /// The most allowed.
        max: u64,
    },
    /// An amount below 0 or above [`MAX_MONEY`].
    Money {
        /// The text typed.
        text: String,
    },
    /// A probability above 1 that is likely a percentage without its sign.
    PercentMeant {
        /// The text typed.
        text: String,
        /// Its value.
        value: f64,
    },
    /// A probability outside 0 to 1.
    Probability {
        /// The text typed.
        text: String,
    },
}

impl Error {
    /// What was refused, and the forms that read.
    pub fn message(&self) -> Message {
        match self {
            Error::NotRead { text, what, forms } => Message::new(not_read(text, what, forms)),
            Error::Fraction { text } => Message::new(format!(
                "`{}` is not a whole number: a count has no fraction (1.5e3 is 1500)",
                text.trim()
            )),
            Error::Range { min, max } => {
                Message::new(format!("must be from {} to {}", grouped(*min as f64), grouped(*max as f64)))
            }
            Error::Money { text } => Message::new(format!("`{}` is outside 0 to $1,000B (1e12)", text.trim())),
            Error::PercentMeant { text, value } => Message::new(format!(
                "{} is more than 1: did you mean {} ({}%)? a probability is written as a fraction or with %",
                text.trim(),
                fraction_of(*value),
                value
            )),
            Error::Probability { text } => {
                Message::new(format!("`{}` is not a probability from 0 to 1 (0% to 100%)", text.trim()))
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for Error {}

/// Why a typed number was not read, with the forms that are.
fn not_read(text: &str, what: &str, forms: &str) -> String {
    let t = text.trim();
    let shell = t.is_empty()
        || t.starts_with(['.', 'k', 'K', 'm', 'M', 'b', 'B'])
        || read(t).is_some_and(|w| w.suffix && w.digits == 0);
    let hint = if shell && what == "an amount" {
        " (a shell reads `$8M` as a variable: write '$8M' in single quotes, or 8M)"
    } else {
        ""
    };
    // `5,5M` or `1.234,5`: a comma where a point is meant.
    if t.contains(',') && t.find(',') > t.find('.') && read(t).is_none() {
        return format!("`{t}` is not {what}: the decimal mark is a point (5.5M); write it as {forms}");
    }
    format!("`{t}` is not {what}; write it as {forms}{hint}")
}

/// Refuses `text` as not `what`, with the `forms` that read.
fn not_a(text: &str, what: &'static str, forms: &'static str) -> Error {
    Error::NotRead { text: text.to_string(), what, forms }
}

/// A count from `min` to `max` for clap: `10000`, `10,000`, `10_000`, `1e4`, `1.5e3`,
/// `10K`; a fraction (`1.5`) is refused with the reason.
pub fn count<T>(min: u64, max: u64) -> impl Fn(&str) -> Result<T, Error> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |text: &str| {
        let w = read(text).filter(|w| !w.dollar && !w.percent).ok_or_else(|| not_a(text, "a count", COUNT_FORMS))?;
        let range = || Error::Range { min, max };
        let v = match w.whole() {
            None => return Err(Error::Fraction { text: text.to_string() }),
            Some(Err(Overflow)) => return Err(range()),
            Some(Ok(v)) => v,
        };
        if w.negative && v != 0 {
            return Err(range());
        }
        u64::try_from(v).ok().filter(|v| (min..=max).contains(v)).and_then(|v| T::try_from(v).ok()).ok_or_else(range)
    }
}

/// An amount in dollars, from 0 to [`MAX_MONEY`]: `8000000`, `8,000,000`, `8_000_000`,
/// `8e6`, `8M`, `8m`, `$8M`, `5.5M`, `750K`, `1.2B`.
pub fn money(text: &str) -> Result<f64, Error> {
    let w = read(text).filter(|w| !w.percent).ok_or_else(|| not_a(text, "an amount", MONEY_FORMS))?;
    if w.suffix && w.digits == 0 {
        return Err(not_a(text, "an amount", MONEY_FORMS));
    }
    let v = w.value();
    if !(0.0..=MAX_MONEY).contains(&v) {
        return Err(Error::Money { text: text.to_string() });
    }
    Ok(v)
}

/// A probability from 0 to 1: `0.8` or `80%`. A number above 1 and at most 100 is
/// answered with the fraction it likely means.
pub fn probability(text: &str) -> Result<f64, Error> {
    let w = read(text)
        .filter(|w| !w.dollar && !w.suffix)
        .ok_or_else(|| not_a(text, "a probability", "a fraction (0.8) or a percentage (80%)"))?;
    let v = w.value();
    if (0.0..=1.0).contains(&v) {
        return Ok(v);
    }
    match percent_help(v).filter(|_| !w.percent) {
        Some(_) => Err(Error::PercentMeant { text: text.to_string(), value: v }),
        None => Err(Error::Probability { text: text.to_string() }),
    }
}

/// `v` percent as a fraction, as a scenario writes it: `14` -> `0.14`, `1.2` -> `0.012`.
pub fn fraction_of(v: f64) -> String {
    shown(v / 100.0)
}

/// A fraction as a scenario writes it, rounded to 12 decimals so that the last bits of
/// a division do not show: `0.012`, not `0.011999999999999999`.
fn shown(x: f64) -> String {
    format!("{}", (x * 1e12).round() / 1e12)
}

/// What a suggestion for a percentage in place of a rate ends with.
const AS_FRACTIONS: &str = "rates are written as fractions";

/// The help for a rate given `v`, when `v` is above 1 and at most 100 and so likely a
/// percentage: "did you mean 0.14 (14%)? rates are written as fractions".
pub fn percent_help(v: f64) -> Option<String> {
    (v > 1.0 && v <= 100.0).then(|| percent_meant(v))
}

/// "did you mean 0.14 (14%)? rates are written as fractions", for a rate given `v`.
pub fn percent_meant(v: f64) -> String {
    format!("did you mean {} ({v}%)? {AS_FRACTIONS}", fraction_of(v))
}

/// The help for an interval of a rate whose ends are percentages: "did you mean
/// { low = 0.14, high = 0.24 } (14% to 24%)? rates are written as fractions".
pub fn interval_percent_help(low: f64, high: f64) -> String {
    format!(
        "did you mean {{ low = {}, high = {} }} ({low}% to {high}%)? {AS_FRACTIONS}",
        fraction_of(low),
        fraction_of(high)
    )
}

/// The help for a rate written as a string: `"25%"` -> "write 0.25 (without quotes)
/// for 25%: rates are written as fractions"; `"0.25"` -> "write 0.25 without quotes".
pub fn quoted_rate_help(text: &str) -> Option<String> {
    let w = read(text).filter(|w| !w.dollar && !w.suffix && !w.negative)?;
    let v = w.value();
    if !(0.0..=1.0).contains(&v) {
        return None;
    }
    Some(if w.percent {
        format!("write {} (without quotes) for {}: {AS_FRACTIONS}", shown(v), text.trim())
    } else {
        format!("write {} without quotes", shown(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trials(text: &str) -> Result<u64, String> {
        count::<u64>(1, 10_000_000)(text).map_err(|e| e.to_string())
    }

    #[test]
    fn counts_read_in_the_forms_sopsim_writes() {
        for (text, want) in [
            ("10000", 10_000),
            ("10,000", 10_000),
            ("10_000", 10_000),
            ("1e4", 10_000),
            ("1E4", 10_000),
            ("1.5e3", 1_500),
            ("10K", 10_000),
            ("2.5k", 2_500),
            ("1M", 1_000_000),
            ("1,000,000", 1_000_000),
            ("10.0", 10),
            (" 300 ", 300),
            ("+2000", 2_000),
            ("1e+3", 1_000),
            ("10000000", 10_000_000),
        ] {
            assert_eq!(trials(text), Ok(want), "{text}");
        }
        assert_eq!(count::<u16>(1, 1024)("1_024"), Ok(1024u16));
    }

    #[test]
    fn counts_with_a_fraction_or_in_another_form_are_refused_with_the_reason() {
        for text in ["1.5", "1e-1", "10001e-1", "2.5e0"] {
            let e = trials(text).unwrap_err();
            assert!(e.contains("is not a whole number: a count has no fraction"), "{text}: {e}");
        }
        for text in ["", "ten", "1,0000", "10,00", ",100", "1__0", "_10", "10_", "1e", "1e4K", "$100", "50%", "inf"] {
            let e = trials(text).unwrap_err();
            assert!(e.contains("write it as 10000, 10,000, 10_000, 1e4 or 10K"), "{text}: {e}");
        }
        for text in ["0", "-5", "1e8", "20,000,000", "1e40", "99999999999999999999999999999999999999"] {
            assert_eq!(trials(text), Err("must be from 1 to 10,000,000".to_string()), "{text}");
        }
        assert_eq!(count::<u16>(1, 70_000)("66000"), Err(Error::Range { min: 1, max: 70_000 }));
        assert_eq!(Error::Range { min: 1, max: 70_000 }.to_string(), "must be from 1 to 70,000");
    }

    #[test]
    fn amounts_read_in_the_forms_sopsim_writes() {
        for (text, want) in [
            ("5.5M", 5_500_000.0),
            ("$8M", 8e6),
            ("8m", 8e6),
            ("750K", 750_000.0),
            ("$750k", 750_000.0),
            ("1.2B", 1.2e9),
            ("8,000,000", 8e6),
            ("8_000_000", 8e6),
            ("2.4e6", 2.4e6),
            ("8000000.50", 8_000_000.5),
            ("0", 0.0),
            ("1e12", 1e12),
        ] {
            assert_eq!(money(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn amounts_in_other_forms_are_refused_with_the_forms_that_read() {
        for text in ["eight", "5.5 million", "5.5MM", "8M%", "1e3M", ".5M", "NaN", "inf"] {
            let e = money(text).unwrap_err().to_string();
            assert!(e.contains("write it as 8000000, 8,000,000, 8_000_000, 8e6, 8M, $8M, 750K or 1.2B"), "{text}: {e}");
        }
        assert!(money("5,5M").unwrap_err().to_string().contains("the decimal mark is a point"));
        assert!(money("1.234,5").unwrap_err().to_string().contains("the decimal mark is a point"));
        // What a shell leaves of `$8M` and `$10M` unquoted.
        for text in ["M", "0M"] {
            assert!(money(text).unwrap_err().to_string().contains("write '$8M' in single quotes"), "{text}");
        }
        assert!(money("-5M").unwrap_err().to_string().contains("outside 0 to $1,000B"));
        assert!(money("2e12").unwrap_err().to_string().contains("outside 0 to $1,000B"));
    }

    #[test]
    fn probabilities_read_as_fractions_or_percentages_and_a_percentage_without_its_sign_is_answered() {
        assert_eq!(probability("0.8"), Ok(0.8));
        assert_eq!(probability("80%"), Ok(0.8));
        assert_eq!(probability("1"), Ok(1.0));
        assert_eq!(probability("12.5%"), Ok(0.125));
        assert_eq!(
            probability("80").map_err(|e| e.to_string()),
            Err("80 is more than 1: did you mean 0.8 (80%)? a probability is written as a fraction or with %".into())
        );
        assert!(probability("180%").unwrap_err().to_string().contains("is not a probability from 0 to 1"));
        assert!(probability("250").unwrap_err().to_string().contains("is not a probability from 0 to 1"));
        assert!(probability("$1").unwrap_err().to_string().contains("a fraction (0.8) or a percentage (80%)"));
        assert!(probability("high").is_err());
    }

    #[test]
    fn a_percentage_for_a_rate_is_answered_with_its_fraction() {
        assert_eq!(percent_help(14.0).as_deref(), Some("did you mean 0.14 (14%)? rates are written as fractions"));
        assert_eq!(percent_help(1.2).as_deref(), Some("did you mean 0.012 (1.2%)? rates are written as fractions"));
        assert_eq!(percent_help(100.0).as_deref(), Some("did you mean 1 (100%)? rates are written as fractions"));
        assert_eq!(percent_help(1.0), None);
        assert_eq!(percent_help(101.0), None);
        assert_eq!(fraction_of(1.1), "0.011");
        assert_eq!(fraction_of(57.0), "0.57");
        assert_eq!(
            quoted_rate_help("25%").as_deref(),
            Some("write 0.25 (without quotes) for 25%: rates are written as fractions")
        );
        assert_eq!(quoted_rate_help("0.25").as_deref(), Some("write 0.25 without quotes"));
        assert_eq!(quoted_rate_help("high"), None);
        assert_eq!(quoted_rate_help("250%"), None);
    }
}
