//! The as-of date: the day up to which an export knows what happened.
//!
//! It is the last date something happened: the latest created date, or close date of a
//! deal won or lost; or the report's own date ("Generated ...") where the export carries
//! one. An open deal's close date is the date its rep expects, usually ahead, a plan and
//! not an event: it never sets the as-of date (the reader does not keep it).
//!
//! A date a month or more away from every other date of its column (a typo's year,
//! `2107` for `2017`) would move the as-of date or the volume window by as much, and
//! bend every estimate over time; such dates are left out, with a warning, when they
//! are few.

use std::collections::BTreeMap;

use super::date::Date;
use super::read::{Export, Outcome, group};

/// The as-of date and why it is that date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsOf {
    /// The date.
    pub date: Date,
    /// Why, in words (`given`, `the report's own date (line 2)`, ...).
    pub why: String,
}

/// `given`, else the report's own date, else the last date something happened; `None`
/// when the export holds no date at all.
pub fn as_of(export: &Export, given: Option<Date>) -> Option<AsOf> {
    if let Some(date) = given {
        return Some(AsOf { date, why: "given".into() });
    }
    if let Some((date, line, _)) = &export.report_date {
        return Some(AsOf { date: *date, why: format!("the report's own date (line {line})") });
    }
    let created =
        export.opps.iter().filter_map(|o| o.created.map(|d| (d, o.line))).max_by_key(|(d, l)| (*d, u64::MAX - l));
    let closed = export
        .opps
        .iter()
        .filter(|o| o.outcome != Outcome::Open)
        .filter_map(|o| o.closed.map(|d| (d, o.line)))
        .max_by_key(|(d, l)| (*d, u64::MAX - l));
    let (date, line, what) = match (created, closed) {
        (Some(c), Some(k)) if k.0 >= c.0 => (k.0, k.1, "the close of a deal won or lost"),
        (Some(c), _) => (c.0, c.1, "a created date"),
        (None, Some(k)) => (k.0, k.1, "the close of a deal won or lost"),
        (None, None) => return None,
    };
    let open_dates = match export.expected_closes {
        (n, Some(latest)) if n > 0 => format!(
            "; the close dates of {} open deals (to {latest}) are expected, not events, and do not count",
            group(n)
        ),
        _ => String::new(),
    };
    Some(AsOf { date, why: format!("the last date something happened, {what} (line {line}){open_dates}") })
}

/// Days without any date that part two clusters of dates: at least a month, and ten
/// times the usual gap between two dates of the column (its median).
pub const GAP_DAYS: i32 = 31;

/// The most dates a cluster apart from the main one may hold, as a share of its
/// column's, to be taken as typos (and one date always is).
pub const STRAY_SHARE: f64 = 0.01;

/// Fewest dates in a column for any of them to be taken as typos.
pub const MIN_DATES: u64 = 10;

/// Leaves out the dates far from all the others of their column: clusters (dates with
/// gaps of at most [`GAP_DAYS`], or ten times the column's median gap, between them)
/// other than the largest, holding one date or at most [`STRAY_SHARE`] of the column's
/// dates, in a column of [`MIN_DATES`] dates or more. A stray created date is left out;
/// a deal whose stray date is its close is left out, as a closed deal without a close
/// date is. Returns a warning line per column with any.
pub fn leave_out_stray_dates(export: &mut Export) -> Vec<String> {
    let file = export.file.clone();
    let mut warnings = Vec::new();
    for close in [false, true] {
        let date = |o: &super::read::Opp| if close { o.closed } else { o.created };
        // Dates span at most the years a date may have: counted by day.
        let (lo, hi) =
            export.opps.iter().filter_map(date).fold((i32::MAX, i32::MIN), |(a, b), d| (a.min(d.0), b.max(d.0)));
        let mut counts = vec![0u64; usize::try_from(i64::from(hi) - i64::from(lo) + 1).unwrap_or(0)];
        for d in export.opps.iter().filter_map(date) {
            counts[(d.0 - lo) as usize] += 1;
        }
        let days: BTreeMap<Date, u64> =
            counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(k, n)| (Date(lo + k as i32), *n)).collect();
        let stray = stray_days(&days);
        if stray.is_empty() {
            continue;
        }
        let mut lines = Vec::new();
        let mut count = 0u64;
        export.opps.retain_mut(|o| {
            let Some(d) = date(o) else { return true };
            if stray.binary_search(&d).is_err() {
                return true;
            }
            count += 1;
            if lines.len() < 5 {
                lines.push(o.line.to_string());
            }
            if close {
                false
            } else {
                o.created = None;
                true
            }
        });
        let more = if count > lines.len() as u64 { ", ..." } else { "" };
        let (what, then) =
            if close { ("close dates", "the row is left out") } else { ("created dates", "the date is left out") };
        warnings.push(format!(
            "warning: {file}: {} {what} a month or more away from all the others of the column, taken as typos: \
             {then} (line{} {}{more})",
            group(count),
            if count == 1 { "" } else { "s" },
            lines.join(", ")
        ));
    }
    warnings
}

/// The dates of the small clusters apart from the largest, sorted (see
/// [`leave_out_stray_dates`]).
fn stray_days(days: &BTreeMap<Date, u64>) -> Vec<Date> {
    let total: u64 = days.values().sum();
    if total < MIN_DATES || days.len() < 2 {
        return Vec::new();
    }
    let dates: Vec<Date> = days.keys().copied().collect();
    let mut gaps: Vec<i32> = dates.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_unstable();
    let gap = GAP_DAYS.max(10 * gaps[gaps.len() / 2]);
    let mut clusters: Vec<(Vec<Date>, u64)> = Vec::new();
    let mut last: Option<Date> = None;
    for (&d, &n) in days {
        match (last, clusters.last_mut()) {
            (Some(l), Some(c)) if d.0 - l.0 <= gap => {
                c.0.push(d);
                c.1 += n;
            }
            _ => clusters.push((vec![d], n)),
        }
        last = Some(d);
    }
    let main = clusters.iter().map(|c| c.1).max().unwrap_or(0);
    let mut seen_main = false;
    let mut out = Vec::new();
    for (ds, n) in clusters {
        if n == main && !seen_main {
            seen_main = true;
            continue;
        }
        if n as f64 <= (STRAY_SHARE * total as f64).max(1.0) {
            out.extend(ds);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_as_of_date_is_the_last_thing_that_happened_or_the_reports_own() {
        use crate::gather::read::{ReadOptions, read};
        // Open deals expected to close months after the last created date and close.
        let rows = "Opportunity Owner,Stage,Created Date,Close Date,Amount\n\
                    Ann,Closed Won,2026-10-02,2026-11-20,100\n\
                    Bob,Closed Lost,2026-11-05,2026-11-28,100\n\
                    Ann,Prospecting,2026-12-01,2027-07-20,100\n\
                    Bob,Negotiation/Review,2026-11-15,2027-03-01,100\n";
        let export = read("x.csv", rows.as_bytes(), &ReadOptions::default()).unwrap();
        let a = as_of(&export, None).unwrap();
        assert_eq!(a.date, Date::from_ymd(2026, 12, 1).unwrap());
        assert!(
            a.why.contains("a created date (line 4)") && a.why.contains("2 open deals (to 2027-07-20)"),
            "{}",
            a.why
        );
        let footer = format!("{rows}\n\"Generated By:  Jane Doe  2026-12-03 10:15\"\n");
        let export = read("x.csv", footer.as_bytes(), &ReadOptions::default()).unwrap();
        let a = as_of(&export, None).unwrap();
        assert_eq!((a.date, a.why.as_str()), (Date::from_ymd(2026, 12, 3).unwrap(), "the report's own date (line 7)"));
        let given = Date::from_ymd(2026, 11, 30).unwrap();
        assert_eq!(as_of(&export, Some(given)).unwrap().date, given);
    }

    #[test]
    fn a_few_dates_far_from_the_rest_are_strays_and_a_real_pause_is_not() {
        let day = |d: i32| Date(17_000 + d);
        let daily: BTreeMap<Date, u64> = (0..300).map(|d| (day(d), 5)).collect();
        let with = |extra: &[(i32, u64)]| {
            let mut m = daily.clone();
            m.extend(extra.iter().map(|&(d, n)| (day(d), n)));
            stray_days(&m)
        };
        // A typo's year, and a month after the last date: typos; a week after: not.
        assert_eq!(with(&[(300 + 365 * 90, 1)]), vec![day(300 + 365 * 90)]);
        assert_eq!(with(&[(-40, 2)]), vec![day(-40)]);
        assert_eq!(with(&[(332, 1)]), vec![day(332)]);
        assert!(with(&[(306, 1)]).is_empty());
        // Half the history after a pause is real.
        assert!(with(&(400..700).map(|d| (d, 5)).collect::<Vec<_>>()).is_empty());
        // Deals every 20 days: a 60-day gap is no more than the export's own pace.
        let sparse: BTreeMap<Date, u64> = (0..30).map(|k| (day(20 * k), 1)).chain([(day(640), 1)]).collect();
        assert!(stray_days(&sparse).is_empty());
        // In a column of fewer than ten dates none is a typo.
        let few: BTreeMap<Date, u64> = [(day(0), 8), (day(2000), 1)].into_iter().collect();
        assert!(stray_days(&few).is_empty());
    }
}
