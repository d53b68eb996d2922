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

    /// The share of its month up to and including this day: 1 on the last day.
    pub fn month_share(self) -> f64 {
        let (y, m, d) = self.ymd();
        f64::from(d) / f64::from(days_in_month(y, m))
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

/// The order of day and month in a date written with the year last (`3/4/2017`), or
/// `Ymd` for an export whose dates all put the year first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Day, month, year: `13/2/2017`, `13.2.2017` (the UK, Europe, most of the world).
    Dmy,
    /// Month, day, year: `2/13/2017` (the US).
    Mdy,
    /// Year, month, day only (ISO): a date with the year last is unreadable.
    Ymd,
}

impl Order {
    /// The order named by `--date-format`: `DMY`, `MDY` or `YMD` (case and any `/`, `-`
    /// or `.` between the letters ignored, so `DD/MM/YYYY` names DMY too).
    pub fn parse(text: &str) -> Option<Order> {
        let mut letters: Vec<char> =
            text.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).collect();
        letters.dedup();
        match letters.iter().collect::<String>().as_str() {
            "DMY" => Some(Order::Dmy),
            "MDY" => Some(Order::Mdy),
            "YMD" => Some(Order::Ymd),
            _ => None,
        }
    }

    /// `DMY`, `MDY` or `YMD`.
    pub fn name(self) -> &'static str {
        match self {
            Order::Dmy => "DMY",
            Order::Mdy => "MDY",
            Order::Ymd => "YMD",
        }
    }
}

/// The date forms read, for messages.
pub const FORMS: &str = "YYYY-MM-DD (or with / or .), D/M/YYYY or M/D/YYYY (the order found in the data or \
     named with --date-format), D.M.YYYY, each optionally followed by a time and zone, or an Excel serial day \
     number (years 1900 to 2998)";

/// A date cell as read, before the export's order of day and month is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    /// Nothing in the cell.
    Blank,
    /// No date of any form.
    Unreadable,
    /// A date whatever the order: year first, or an Excel serial.
    Known(Date),
    /// Year last: the first and second fields (day and month in some order), the year,
    /// and whether the fields are separated by dots.
    YearLast(u8, u8, i32, bool),
}

impl Raw {
    /// The date in `order`, if it is one.
    pub fn date(self, order: Order) -> Option<Date> {
        match self {
            Raw::Known(d) => Some(d),
            Raw::YearLast(a, b, y, _) => match order {
                Order::Dmy => Date::from_ymd(y, u32::from(b), u32::from(a)),
                Order::Mdy => Date::from_ymd(y, u32::from(a), u32::from(b)),
                Order::Ymd => None,
            },
            Raw::Blank | Raw::Unreadable => None,
        }
    }
}

/// Reads a date cell of one of [`FORMS`]; a time of day and a zone, if any, are ignored
/// (the date is the one written).
pub fn raw(text: &str) -> Raw {
    let t = text.trim();
    if t.is_empty() {
        return Raw::Blank;
    }
    // The common form first: `YYYY-MM-DD`, alone or before a time.
    let b = t.as_bytes();
    if b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && (b.len() == 10 || matches!(b[10], b'T' | b' '))
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&k| b[k].is_ascii_digit())
    {
        let digits = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        return Date::from_ymd(digits(0..4) as i32, digits(5..7), digits(8..10)).map_or(Raw::Unreadable, Raw::Known);
    }
    if let Some(d) = excel_serial(t) {
        return Raw::Known(d);
    }
    let day_part = t.split(|c: char| c == 'T' || c == ',' || c.is_whitespace()).next().unwrap_or("");
    let sep = if day_part.contains('/') {
        '/'
    } else if day_part.contains('.') {
        '.'
    } else {
        '-'
    };
    // Three fields of one to four digits.
    let mut parts = [""; 3];
    let mut n = 0;
    for p in day_part.split(sep) {
        if n == 3 || p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Raw::Unreadable;
        }
        parts[n] = p;
        n += 1;
    }
    if n != 3 {
        return Raw::Unreadable;
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    if parts[0].len() == 4 && parts[1].len() <= 2 && parts[2].len() <= 2 {
        return Date::from_ymd(num(parts[0]) as i32, num(parts[1]), num(parts[2])).map_or(Raw::Unreadable, Raw::Known);
    }
    if parts[2].len() == 4 && parts[0].len() <= 2 && parts[1].len() <= 2 {
        let (a, b, y) = (num(parts[0]), num(parts[1]), num(parts[2]) as i32);
        // Neither order makes a date of it: unreadable whatever the export's order.
        let some = [(b, a), (a, b)].iter().any(|&(m, d)| Date::from_ymd(y, m, d).is_some());
        return if some { Raw::YearLast(a as u8, b as u8, y, sep == '.') } else { Raw::Unreadable };
    }
    Raw::Unreadable
}

/// An Excel serial day number (days since 1899-12-30, a fraction for the time), as a
/// spreadsheet's date column becomes when saved without its format: five digits, so
/// that a year or a count is not taken for one.
fn excel_serial(t: &str) -> Option<Date> {
    if t.len() < 5 || !t.as_bytes()[..5].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let whole = t.split_once('.').map_or(t, |(w, f)| if f.bytes().all(|b| b.is_ascii_digit()) { w } else { "" });
    if whole.len() != 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i32 = whole.parse().ok()?;
    // 1899-12-30, day 0 of Excel's count (its 1900 leap day makes day 60 1900-02-29).
    let d = Date(days - 25_569);
    YEARS.contains(&d.ymd().0).then_some(d)
}

/// Parses a date of one of [`FORMS`], a year-last one in `order`.
pub fn parse_with(text: &str, order: Order) -> Option<Date> {
    raw(text).date(order)
}

/// Parses a date written with the year first (`YYYY-MM-DD`, as on the command line),
/// optionally followed by a time.
pub fn parse(text: &str) -> Option<Date> {
    match raw(text) {
        Raw::Known(d) if excel_serial(text.trim()).is_none() => Some(d),
        _ => None,
    }
}

/// What the year-last dates of an export say about their order: the first line where
/// the first field is above 12 (so day first), where the second is (month first), and
/// where neither is (either), with the text.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// A date whose first field is above 12.
    pub day_first: Option<(u64, String)>,
    /// A date whose second field is above 12.
    pub month_first: Option<(u64, String)>,
    /// A date that reads either way.
    pub either: Option<(u64, String)>,
    /// Dates whose first field is above 12, and whose second is.
    pub told: [u64; 2],
    /// Year-last dates seen.
    pub year_last: u64,
    /// Of them, those written with dots.
    pub dotted: u64,
}

/// Why an export's dates cannot be read without being told their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undecided {
    /// Every year-last date reads as well day first as month first (line, text).
    Either(u64, String),
    /// Some are day first, others month first (each: line, text).
    Both((u64, String), (u64, String)),
}

impl Evidence {
    /// Counts the cell `raw` of `text` at `line`.
    pub fn add(&mut self, raw: Raw, line: u64, text: &[u8]) {
        let Raw::YearLast(a, b, _, dotted) = raw else { return };
        self.year_last += 1;
        self.dotted += u64::from(dotted);
        if a == b {
            // 5/5/2017 is the same date either way.
            return;
        }
        self.told[0] += u64::from(a > 12);
        self.told[1] += u64::from(a <= 12 && b > 12);
        let slot = if a > 12 {
            &mut self.day_first
        } else if b > 12 {
            &mut self.month_first
        } else {
            &mut self.either
        };
        if slot.is_none() {
            *slot = Some((line, String::from_utf8_lossy(text).trim().to_string()));
        }
    }

    /// The order the dates are written in: told by a first field above 12 (day first)
    /// or a second field above 12 (month first), the few dates telling otherwise (at
    /// most 1% of those that tell) being typos, unreadable in that order; dates written
    /// only with dots are day first (no locale writes the month first with dots); with
    /// no year-last date, any order reads them.
    pub fn order(&self) -> Result<Order, Undecided> {
        let [day, month] = self.told;
        let few = |n: u64| n as f64 <= 0.01 * (day + month) as f64;
        match (&self.day_first, &self.month_first) {
            (Some(_), Some(_)) if few(month) => Ok(Order::Dmy),
            (Some(_), Some(_)) if few(day) => Ok(Order::Mdy),
            (Some(d), Some(m)) => Err(Undecided::Both(d.clone(), m.clone())),
            (Some(_), None) => Ok(Order::Dmy),
            (None, Some(_)) => Ok(Order::Mdy),
            (None, None) if self.year_last == 0 => Ok(Order::Ymd),
            (None, None) if self.dotted == self.year_last => Ok(Order::Dmy),
            (None, None) => match &self.either {
                Some((line, text)) => Err(Undecided::Either(*line, text.clone())),
                None => Ok(Order::Mdy),
            },
        }
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
        // The share of its month a date closes: all of it on the last day (a leap
        // February's 29th too), 15 of 30 days on April 15th.
        for (y, m, d, share) in [(2017, 12, 31, 1.0), (2024, 2, 29, 1.0), (2023, 2, 28, 1.0), (2017, 4, 15, 0.5)] {
            assert_eq!(Date::from_ymd(y, m, d).unwrap().month_share(), share, "{y}-{m}-{d}");
        }
        assert_eq!(Date::from_ymd(2024, 2, 1).unwrap().month_share(), 1.0 / 29.0);
        assert_eq!(month_label(Date::from_ymd(2017, 12, 31).unwrap().month_index()), "2017-12");
    }

    #[test]
    fn the_forms_exports_use() {
        let d = Date::from_ymd(2017, 3, 9);
        for text in [
            "2017-03-09",
            "2017/3/9",
            "2017.03.09",
            "2017-03-09T10:00:00Z",
            "2017-03-09T23:30:00.000-05:00",
            "2017-03-09 10:00:00 UTC",
            " 2017-03-09 ",
            "42803",
            "42803.604",
        ] {
            assert_eq!(parse_with(text, Order::Mdy), d, "{text}");
            assert_eq!(parse_with(text, Order::Dmy), d, "{text}");
        }
        for text in ["3/9/2017", "03/09/2017 2:05 PM", "03-09-2017"] {
            assert_eq!(parse_with(text, Order::Mdy), d, "{text}");
        }
        for text in ["9/3/2017", "09.03.2017", "9.3.2017 14:05", "09/03/2017, 14:05"] {
            assert_eq!(parse_with(text, Order::Dmy), d, "{text}");
        }
        assert_eq!(parse_with("3/9/2017", Order::Ymd), None, "year last, when the export is ISO");
        for text in ["", "2017-13-01", "2017-02-30", "March 9, 2017", "17-03-09", "2017-03", "2017", "13/13/2017"] {
            assert_eq!(parse_with(text, Order::Mdy), None, "{text}");
            assert_eq!(parse_with(text, Order::Dmy), None, "{text}");
        }
        // The command line's dates are ISO.
        assert_eq!(parse("2017-03-09"), d);
        assert_eq!(parse("3/9/2017"), None);
        assert_eq!(parse("42803"), None);
    }

    #[test]
    fn the_order_is_told_by_a_field_above_12_or_refused() {
        let evidence = |cells: &[&str]| {
            let mut e = Evidence::default();
            for (i, c) in cells.iter().enumerate() {
                e.add(raw(c), i as u64 + 2, c.as_bytes());
            }
            e.order()
        };
        assert_eq!(evidence(&["2017-03-09", "2017-04-01"]), Ok(Order::Ymd));
        assert_eq!(evidence(&["3/4/2017", "13/4/2017"]), Ok(Order::Dmy));
        assert_eq!(evidence(&["3/4/2017", "4/13/2017"]), Ok(Order::Mdy));
        assert_eq!(evidence(&["3.4.2017", "1.2.2017"]), Ok(Order::Dmy), "dots are day first");
        assert_eq!(evidence(&["3/3/2017", "1/1/2017"]), Ok(Order::Mdy), "the same date either way");
        assert_eq!(evidence(&["3/4/2017", "1/2/2017"]), Err(Undecided::Either(2, "3/4/2017".into())));
        assert_eq!(
            evidence(&["13/4/2017", "4/13/2017"]),
            Err(Undecided::Both((2, "13/4/2017".into()), (3, "4/13/2017".into())))
        );
        // One date in a hundred and more telling otherwise is a typo.
        let mut many = vec!["4/13/2017"; 100];
        many.push("31/1/2017");
        assert_eq!(evidence(&many), Ok(Order::Mdy));
        assert_eq!(Order::parse("dd/mm/yyyy"), Some(Order::Dmy));
        assert_eq!(Order::parse("MDY"), Some(Order::Mdy));
        assert_eq!(Order::parse("ymd"), Some(Order::Ymd));
        assert_eq!(Order::parse("DYM"), None);
    }
}
