//! Calendar months: the `YYYY-MM` labels of the scenario and its outputs.
//!
//! A [`YearMonth`] is a point on the calendar; the engine works with month indices
//! `t = 0 .. months-1` counted from `scenario.start`. This module converts between the
//! two and owns the label formats, and cuts a horizon into the periods its reports sum
//! over ([`periods`]). It knows nothing of the model.

use std::fmt;
use std::ops::Range;

/// A calendar month, stored as months since January of year 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(i32);

/// Earliest and latest years accepted in a scenario (far beyond any plan).
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2999;

/// The months' short names, January first.
pub const MONTH_NAMES: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl YearMonth {
    /// Builds a month from a year and a month number in 1..=12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(YearMonth(year * 12 + month as i32 - 1))
    }

    /// Parses `YYYY-MM` (exactly four digits, a dash, two digits).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return None;
        }
        if !bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit) {
            return None;
        }
        let year: i32 = text[..4].parse().ok()?;
        let month: u32 = text[5..].parse().ok()?;
        YearMonth::new(year, month)
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The calendar month, 1..=12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// Index of the calendar month, 0 = January (for seasonality).
    pub fn month0(self) -> usize {
        self.0.rem_euclid(12) as usize
    }

    /// This month moved by `delta` months (negative goes back).
    pub fn offset(self, delta: i64) -> YearMonth {
        let moved = i64::from(self.0) + delta;
        YearMonth(moved.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// Months from `other` to `self` (positive when `self` is later).
    pub fn months_since(self, other: YearMonth) -> i64 {
        i64::from(self.0) - i64::from(other.0)
    }

    /// A short label for charts and reports: `Jan 2027`.
    pub fn short_label(self) -> String {
        format!("{} {}", MONTH_NAMES[self.month0()], self.year())
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A span of months summarised together: a calendar quarter, or a year when a horizon
/// has more than twelve quarters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `Q1 2027`, or `2027`.
    pub label: String,
    /// Its first and last months, `2027-01..2027-03`: how the per-trial totals over it
    /// are named.
    pub key: String,
    /// Month indices it covers within the run.
    pub months: Range<usize>,
}

impl Period {
    /// What the period is called in a sentence: `quarter` or `year`.
    pub fn noun(&self) -> &'static str {
        if self.label.starts_with('Q') { "quarter" } else { "year" }
    }
}

/// The periods of a run of `months` months from `start`, in order: calendar quarters (the
/// first and last may be partial), or calendar years when there are more than twelve
/// quarters.
pub fn periods(start: YearMonth, months: usize) -> Vec<Period> {
    let period = |label: String, months: Range<usize>| Period {
        label,
        key: format!("{}..{}", start.offset(months.start as i64), start.offset(months.end as i64 - 1)),
        months,
    };
    let quarters = group(start, months, |m| (m.year(), m.month0() / 3));
    if quarters.len() <= 12 {
        return quarters.into_iter().map(|((y, q), r)| period(format!("Q{} {y}", q + 1), r)).collect();
    }
    group(start, months, |m| (m.year(), 0)).into_iter().map(|((y, _), r)| period(y.to_string(), r)).collect()
}

fn group(
    start: YearMonth,
    months: usize,
    key: impl Fn(YearMonth) -> (i32, usize),
) -> Vec<((i32, usize), Range<usize>)> {
    let mut out: Vec<((i32, usize), Range<usize>)> = Vec::new();
    for t in 0..months {
        let k = key(start.offset(t as i64));
        match out.last_mut() {
            Some((last, r)) if *last == k => r.end = t + 1,
            _ => out.push((k, t..t + 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_calendar_quarters_or_years() {
        let start = YearMonth::parse("2027-02").unwrap();
        let q = periods(start, 7);
        let labels: Vec<(&str, Range<usize>)> = q.iter().map(|p| (p.label.as_str(), p.months.clone())).collect();
        assert_eq!(labels, vec![("Q1 2027", 0..2), ("Q2 2027", 2..5), ("Q3 2027", 5..7)]);
        let y = periods(start, 60);
        assert_eq!(y.len(), 6);
        assert_eq!((y[0].label.as_str(), y[0].months.clone()), ("2027", 0..11));
        assert_eq!((q[0].key.as_str(), y[1].key.as_str()), ("2027-02..2027-03", "2028-01..2028-12"));
        assert!(periods(start, 0).is_empty());
        assert_eq!((q[0].noun(), y[0].noun()), ("quarter", "year"));
    }

    #[test]
    fn parses_and_prints_round_trip() {
        let m = YearMonth::parse("2027-01").unwrap();
        assert_eq!(m.to_string(), "2027-01");
        assert_eq!(m.offset(11).to_string(), "2027-12");
        assert_eq!(m.offset(12).to_string(), "2028-01");
        assert_eq!(m.offset(-2).to_string(), "2026-11");
        assert_eq!(m.offset(-2).months_since(m), -2);
        assert_eq!(m.short_label(), "Jan 2027");
    }

    #[test]
    fn refuses_malformed_months() {
        for bad in ["2027-13", "2027-00", "2027-1", "27-01", "2027/01", "２０２７-01", "abcd-ef", ""] {
            assert!(YearMonth::parse(bad).is_none(), "{bad} should be refused");
        }
    }
}
