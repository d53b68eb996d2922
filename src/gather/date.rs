//! Calendar dates of a CRM export: parsed from the forms exports use, counted in days.

/// The years a date may have: those a scenario's months can be labelled with (a later
/// year is a typo in an export, and would start a scenario past its calendar).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2998;

/// A calendar date as days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// The date of `year-month-day`, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || !YEARS.contains(&year) {
            return None;
        }
        // Days from civil (H. Hinnant's algorithm), with March as the first month.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month (1-12) and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// The month as a count of months since year 0 (`year * 12 + month - 1`).
    pub fn month_index(self) -> i32 {
        let (y, m, _) = self.ymd();
        y * 12 + m as i32 - 1
    }

    /// Whether this is the last day of its month.
    pub fn is_month_end(self) -> bool {
        let (y, m, d) = self.ymd();
        d == days_in_month(y, m)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// `YYYY-MM` of a month index.
pub fn month_label(index: i32) -> String {
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The date forms read: `YYYY-MM-DD` and `YYYY/MM/DD` (ISO, Salesforce reports and
/// HubSpot, optionally followed by a time), and `M/D/YYYY` (Salesforce's US locale).
pub const FORMS: &str = "YYYY-MM-DD, YYYY/MM/DD or M/D/YYYY (years 1900 to 2998), optionally followed by a time";

/// Parses a date of one of [`FORMS`]; the time of day, if any, is ignored.
pub fn parse(text: &str) -> Option<Date> {
    let t = text.trim();
    let day_part = t.split(['T', ' ']).next().unwrap_or("");
    let parts: Vec<&str> = day_part.split(['-', '/']).collect();
    if parts.len() != 3 || !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    if parts[0].len() == 4 {
        Date::from_ymd(num(parts[0])? as i32, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 && day_part.contains('/') {
        Date::from_ymd(num(parts[2])? as i32, num(parts[0])?, num(parts[1])?)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_match_known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2017, 3, 1).unwrap().0, 17_226);
        assert_eq!(Date::from_ymd(2000, 2, 29).unwrap().ymd(), (2000, 2, 29));
        assert_eq!(Date::from_ymd(1900, 2, 29), None, "1900 was not a leap year");
        assert_eq!(Date::from_ymd(3017, 3, 1), None, "a typo's year is not a date");
        for d in -25_000..374_000 {
            if d % 997 == 0 {
                let (y, m, day) = Date(d).ymd();
                assert_eq!(Date::from_ymd(y, m, day), Some(Date(d)), "{y}-{m}-{day}");
            }
        }
        assert!(Date::from_ymd(2017, 12, 31).unwrap().is_month_end());
        assert!(!Date::from_ymd(2017, 12, 30).unwrap().is_month_end());
        assert_eq!(month_label(Date::from_ymd(2017, 12, 31).unwrap().month_index()), "2017-12");
    }

    #[test]
    fn the_forms_exports_use() {
        let d = Date::from_ymd(2017, 3, 9);
        for text in ["2017-03-09", "2017/3/9", "3/9/2017", "03/09/2017 14:05", "2017-03-09T10:00:00Z", " 2017-03-09 "] {
            assert_eq!(parse(text), d, "{text}");
        }
        for text in ["", "2017-13-01", "2017-02-30", "09.03.2017", "March 9, 2017", "17-03-09", "2017-03"] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
