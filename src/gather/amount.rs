//! Amounts as CRMs write them: `1054`, `$12,500.00`, `USD 1,054.50`, `14.300,00 €`,
//! `1 054,50`, `1'054.50`, `(900.00)`.
//!
//! Whether `,` or `.` is the decimal mark is decided once for the export, from the
//! cells that tell (`12,50`, `1.234,56`, `1.234.567` say comma; `12.50`, `1,234.56`,
//! `1,234,567` say point), since a cell such as `1,500` reads either way. A cell is
//! read before the decision with both of its readings kept; the currency is dropped.

/// A cell's value: read with a decimal point and read with a decimal comma (the same
/// unless the cell is one such as `1,500`), and its currency sign or code, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount<'a> {
    /// The value if the decimal mark is a point.
    pub point: f64,
    /// The value if the decimal mark is a comma.
    pub comma: f64,
    /// What the cell says of the decimal mark, if anything.
    pub tells: Option<Mark>,
    /// The currency sign or code written with it (`$`, `€`, `USD`), if any.
    pub currency: Option<&'a str>,
}

/// The decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `1,234.56`.
    Point,
    /// `1.234,56`.
    Comma,
}

impl Amount<'_> {
    /// The value with the decimal mark `mark`.
    pub fn value(&self, mark: Mark) -> f64 {
        match mark {
            Mark::Point => self.point,
            Mark::Comma => self.comma,
        }
    }

    /// Whether the cell reads otherwise with the other mark.
    pub fn ambiguous(&self) -> bool {
        self.point != self.comma
    }
}

/// Whether `c` can be part of a currency sign or code (`$`, `€`, `USD`, `kr`, `R$`, `zł`).
fn currency_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '$' | '£' | '¥' | '¢' | '.' | '\u{20a0}'..='\u{20cf}')
}

/// Spaces and apostrophes that group thousands (`1 054`, `1'054`).
fn group_char(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'' | '\u{2019}')
}

/// Reads an amount cell (not blank); `None` if it is not a number with at most a
/// currency sign or code.
pub fn parse(text: &str) -> Option<Amount<'_>> {
    let t = text.trim();
    // The common case, a plain number: `1054`, `1054.5`.
    if let Some(plain) = plain(t) {
        return Some(Amount { point: plain, comma: plain, tells: None, currency: None });
    }
    let (mut body, mut negative) = (t, false);
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        (body, negative) = (inner.trim(), true);
    }
    // The number starts at its first digit (or a mark before one); the currency is
    // the letters or signs before or after it, a minus sign on either side of it.
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let start = chars.iter().enumerate().find_map(|(i, &(k, c))| {
        let mark_then_digit = matches!(c, ',' | '.') && chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        (c.is_ascii_digit() || mark_then_digit).then_some(k)
    })?;
    let end = body.rfind(|c: char| c.is_ascii_digit())? + 1;
    let (mut before, after) = (body[..start].trim(), body[end..].trim());
    let number = &body[start..end];
    if let Some(b) = before.strip_prefix('-').or_else(|| before.strip_suffix('-')) {
        (before, negative) = (b.trim(), !negative);
    } else if let Some(b) = before.strip_prefix('+').or_else(|| before.strip_suffix('+')) {
        before = b.trim();
    }
    let currency = match (before.is_empty(), after.is_empty()) {
        (true, true) => None,
        (false, true) => Some(before),
        (true, false) => Some(after),
        (false, false) => return None,
    };
    if let Some(c) = currency
        && (c.chars().count() > 4 || !c.chars().all(currency_char) || c.starts_with('.'))
    {
        return None;
    }
    let digits: String = number.chars().filter(|&c| !group_char(c)).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return None;
    }
    if !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (point, comma, tells) = readings(&digits)?;
    let sign = if negative { -1.0 } else { 1.0 };
    Some(Amount { point: sign * point, comma: sign * comma, tells, currency })
}

/// A plain number of digits with at most one `.` not followed by exactly three digits
/// (`1.500` could be fifteen hundred).
fn plain(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let dot = b.iter().position(|&c| c == b'.');
    let ok = !b.is_empty()
        && digits + usize::from(dot.is_some()) + usize::from(b[0] == b'-') == b.len()
        && dot.is_none_or(|k| b.len() - k - 1 != 3 && k > usize::from(b[0] == b'-'));
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Both readings of digits with `,` and `.` in them, and what they tell of the mark.
fn readings(d: &str) -> Option<(f64, f64, Option<Mark>)> {
    let commas = d.matches(',').count();
    let points = d.matches('.').count();
    let number = |s: String| s.parse::<f64>().ok().filter(|v| v.is_finite());
    let without = |c: char| d.chars().filter(|&x| x != c).collect::<String>();
    let decimal = |sep: char, thousands: char| {
        number(d.chars().filter(|&x| x != thousands).map(|x| if x == sep { '.' } else { x }).collect())
    };
    let after = |sep: char| d.rsplit(sep).next().map_or(0, str::len);
    match (commas, points) {
        (0, 0) => number(d.to_string()).map(|v| (v, v, None)),
        (_, 0) if commas > 1 => number(without(',')).map(|v| (v, v, Some(Mark::Point))),
        (0, _) if points > 1 => number(without('.')).map(|v| (v, v, Some(Mark::Comma))),
        (1, 0) if after(',') == 3 => Some((number(without(','))?, decimal(',', '.')?, None)),
        (1, 0) => decimal(',', '.').map(|v| (v, v, Some(Mark::Comma))),
        (0, 1) if after('.') == 3 => Some((decimal('.', ',')?, number(without('.'))?, None)),
        (0, 1) => decimal('.', ',').map(|v| (v, v, Some(Mark::Point))),
        _ => {
            // Both: the last one is the decimal mark, and there is one of it.
            let last_comma = d.rfind(',')?;
            let last_point = d.rfind('.')?;
            if last_comma > last_point && commas == 1 {
                decimal(',', '.').map(|v| (v, v, Some(Mark::Comma)))
            } else if last_point > last_comma && points == 1 {
                decimal('.', ',').map(|v| (v, v, Some(Mark::Point)))
            } else {
                None
            }
        }
    }
}

/// The export's decimal mark: the one its cells tell most often; where none tells,
/// `hint` (from the currency, the date order or the delimiter). Also whether the
/// cells told.
pub fn mark(told_point: u64, told_comma: u64, hint: Mark) -> (Mark, bool) {
    match told_point.cmp(&told_comma) {
        std::cmp::Ordering::Greater => (Mark::Point, true),
        std::cmp::Ordering::Less => (Mark::Comma, true),
        std::cmp::Ordering::Equal => (hint, told_point > 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, mark: Mark) -> Option<f64> {
        parse(text).map(|a| a.value(mark))
    }

    #[test]
    fn amounts_as_crms_write_them() {
        for (text, value) in [
            ("1054", 1054.0),
            ("1054.5", 1054.5),
            ("$12,500.00", 12500.0),
            ("USD 1,054.50", 1054.5),
            ("12 €", 12.0),
            ("1,234,567", 1_234_567.0),
            ("1'054.50", 1054.5),
            ("CHF 1’054.50", 1054.5),
            ("(900.00)", -900.0),
            ("-$1,200.00", -1200.0),
            ("$-1,200.00", -1200.0),
            ("US$ 99", 99.0),
            ("0", 0.0),
        ] {
            assert_eq!(read(text, Mark::Point), Some(value), "{text}");
        }
        for (text, value) in [
            ("14.300,00 €", 14300.0),
            ("1.234.567", 1_234_567.0),
            ("1 054,50", 1054.5),
            ("12,5", 12.5),
            ("EUR 1.500", 1500.0),
            ("99,90 zł", 99.9),
            ("1\u{202f}054,50 kr", 1054.5),
        ] {
            assert_eq!(read(text, Mark::Comma), Some(value), "{text}");
        }
        for text in ["n/a", "inf", "NaN", "1e400", "12 apples", "$", "-", "1,2,3.4.5", "1.234,56.7", "$1 200 USD"] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn a_cell_that_reads_either_way_waits_for_the_exports_mark() {
        let a = parse("1,500").unwrap();
        assert!(a.ambiguous() && a.tells.is_none());
        assert_eq!((a.value(Mark::Point), a.value(Mark::Comma)), (1500.0, 1.5));
        let b = parse("1.500").unwrap();
        assert_eq!((b.value(Mark::Point), b.value(Mark::Comma)), (1.5, 1500.0));
        assert_eq!(parse("12,50").unwrap().tells, Some(Mark::Comma));
        assert_eq!(parse("$12,500.00").unwrap().tells, Some(Mark::Point));
        assert_eq!(parse("$12,500.00").unwrap().currency, Some("$"));
        assert_eq!(mark(3, 1, Mark::Comma), (Mark::Point, true));
        assert_eq!(mark(0, 0, Mark::Comma), (Mark::Comma, false));
        assert_eq!(mark(0, 0, Mark::Point), (Mark::Point, false));
    }
}
