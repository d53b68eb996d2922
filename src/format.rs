//! How numbers and user text read in summaries, reports and charts: `$850K`, `$1.2M`,
//! `73%`, and names with their invisible characters shown as `\u{1b}`.

use std::borrow::Cow;

/// A whole number with its thousands grouped: `1234567` as `1,234,567`.
pub fn thousands(v: u64) -> String {
    grouped(v, ',')
}

/// A whole number with its thousands set apart by `separator`: `1234567` as
/// `1,234,567` (`,`) or `1_234_567` (`_`, as TOML lets people write it).
pub fn grouped(v: u64, separator: char) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Money with a unit suffix and two or three significant figures: `$850K`, `$1.2M`,
/// `$12.4M`, `$1.05B`, `$640`.
pub fn money(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let (scaled, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "K")
    } else {
        return format!("{sign}${a:.0}");
    };
    let text = if scaled >= 100.0 {
        format!("{scaled:.0}")
    } else if scaled >= 10.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.2}")
    };
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    // 999.96K rounds to "1000K": say $1M instead.
    match (text.as_str(), unit) {
        ("1000", "K") => format!("{sign}$1M"),
        ("1000", "M") => format!("{sign}$1B"),
        _ => format!("{sign}${text}{unit}"),
    }
}

/// A share as a whole percentage: `0.731` -> `73%`.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    format!("{:.0}%", v * 100.0)
}

/// A share with one decimal: `0.7314` -> `73.1%`.
pub fn percent1(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    format!("{:.1}%", v * 100.0)
}

/// A rate as a percentage with the figures it needs: whole from 10% (`0.19` is `19%`),
/// one decimal below (`0.00885` is `0.9%`, `0.015` is `1.5%`, `0.02` is `2%`), two
/// significant figures below 0.1% (`0.00045` is `0.045%`).
pub fn rate(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let pct = v * 100.0;
    let a = pct.abs();
    let decimals = if a >= 9.95 || a == 0.0 {
        0
    } else if a >= 0.095 {
        1
    } else {
        // Two significant figures: the first digit is at 10^floor(log10 a).
        (1 - a.log10().floor() as i32).clamp(1, 12) as usize
    };
    let text = format!("{pct:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0%".to_string() } else { format!("{text}%") }
}

/// A quantile of a whole count (people, opportunities) as a whole number: the nearest
/// one, a tie to the lower. A quantile interpolated exactly half-way between two trials'
/// counts (a P50 of 0.5 when as many trials hire no one as hire one or more) is the
/// lower count, which that share of trials do not exceed, never the upper one. `NaN`
/// stays `NaN`.
pub fn whole_count(v: f64) -> f64 {
    // `0.0 +` turns the -0 of `ceil(-0.4)` into 0.
    0.0 + (v - 0.5).ceil()
}

/// A number of people as they are hired: whole numbers, the median first and the
/// P10–P90 range after it, `(median, Some(range))`: `("7", Some("6–8"))`; no range when
/// it is the median alone (`("3", None)`). Each is rounded to the nearest whole number
/// (a quantile between two trials' counts may fall between them), a tie to the lower
/// ([`whole_count`]: a P50 of 0.5 reads `0`).
pub fn people_parts(p10: f64, p50: f64, p90: f64) -> (String, Option<String>) {
    let whole = |v: f64| -> String {
        if !v.is_finite() {
            return "n/a".to_string();
        }
        let r = whole_count(v);
        let text = thousands(r.abs() as u64);
        if r < 0.0 { format!("-{text}") } else { text }
    };
    let (low, mid, high) = (whole(p10), whole(p50), whole(p90));
    let range = (low != mid || high != mid).then(|| format!("{low}–{high}"));
    (mid, range)
}

/// [`people_parts`] on one line: `7 (6–8)`, or `3` when every trial hires as many.
pub fn people(p10: f64, p50: f64, p90: f64) -> String {
    match people_parts(p10, p50, p90) {
        (mid, Some(range)) => format!("{mid} ({range})"),
        (mid, None) => mid,
    }
}

/// Items joined as a sentence lists them: `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// The article before a number written in digits, as the number is read aloud: `an`
/// when it starts with "eight", "eleven" or "eighteen" (`an 81% chance`, `an 11,000`),
/// else `a` (`a 90% chance`).
pub fn a_or_an(number: &str) -> &'static str {
    let digits: String = number.chars().take_while(|c| c.is_ascii_digit() || *c == ',').filter(|c| *c != ',').collect();
    // Read aloud in groups of three from the right: the first group is said first.
    let first = match digits.len() % 3 {
        0 => &digits[..digits.len().min(3)],
        n => &digits[..n],
    };
    if first.starts_with('8') || first == "11" || first == "18" { "an" } else { "a" }
}

/// Whether `c` is kept out of what a user reads: a C0 control (U+0000 to U+001F), DEL,
/// a C1 control (U+0080 to U+009F), a bidirectional control (U+061C, U+200E, U+200F,
/// U+202A to U+202E, U+2066 to U+2069), a line or paragraph separator (U+2028, U+2029)
/// or one of the non-characters XML 1.0 forbids (U+FFFE, U+FFFF). Such a character
/// moves the cursor, recolours or clears a terminal, reorders the text around it, or
/// makes an SVG, page or workbook unreadable.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// A name, key path or other one-line text from the user, with every hidden character
/// (see [`is_hidden`], line feeds and tabs included) written as a visible escape such as
/// `\u{1b}` or `\u{202e}`. Text without one comes back as it is, unallocated. What is
/// escaped is plain ASCII, so escaping twice changes nothing.
pub fn visible(s: &str) -> Cow<'_, str> {
    escaped(s, |_| false)
}

/// Multi-line text for a terminal (a summary, an error with its source line): as
/// [`visible`], except that line feeds and tabs are kept.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    escaped(s, |c| c == '\n' || c == '\t')
}

/// A file or folder path as a user reads it: [`visible`] of its lossy UTF-8 form.
pub fn visible_path(path: &std::path::Path) -> String {
    visible(&path.to_string_lossy()).into_owned()
}

fn escaped(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let shown = |c: char| !is_hidden(c) || keep(c);
    let Some(first) = s.find(|c: char| !shown(c)) else { return Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if shown(c) {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    Cow::Owned(out)
}

/// Text made safe for HTML, its control and bidirectional characters shown as escapes
/// ([`visible`]): every user string reaches the page through here.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A count with thousands separators and at most one decimal: `1,250`, `2.5`.
pub fn count(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let rounded = (v * 10.0).round() / 10.0;
    let whole = rounded.trunc().abs() as u64;
    let mut digits = whole.to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let tenth = ((rounded.abs() - whole as f64) * 10.0).round() as u64;
    if tenth == 0 { format!("{sign}{digits}{grouped}") } else { format!("{sign}{digits}{grouped}.{tenth}") }
}

/// A number of people or opportunities, to the nearest whole one: `19.1` -> `19`; a tie
/// to the lower, as [`whole_count`] (a P50 of `0.5` -> `0`).
pub fn whole(v: f64) -> String {
    count(whole_count(v))
}

/// A value of an input with three significant figures at most: `0.0065`, `0.19`, `289`,
/// `1,250`.
pub fn significant(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let digits = 2 - v.abs().log10().floor() as i32;
    if digits <= 0 {
        return count(v.round());
    }
    let text = format!("{v:.*}", digits as usize);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number with at most `digits` decimals, trailing zeros dropped: `0.25`, `3`.
pub fn decimals(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A share as a percentage with at most one decimal, a trailing zero dropped: `51.3%`,
/// `17%` (where [`percent1`] writes `17.0%`).
pub fn percent_up_to_1(v: f64) -> String {
    format!("{}%", decimals(100.0 * v, 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000), "1,000");
        assert_eq!(super::thousands(12_000_000), "12,000,000");
    }

    use super::*;

    #[test]
    fn input_values_read_with_three_figures() {
        assert_eq!(significant(0.0065), "0.0065");
        assert_eq!(significant(0.19), "0.19");
        assert_eq!(significant(0.123_456), "0.123");
        assert_eq!(significant(289.4), "289");
        assert_eq!(significant(1250.0), "1,250");
        assert_eq!(significant(12.34), "12.3");
        assert_eq!(significant(-0.05), "-0.05");
        assert_eq!(significant(0.0), "0");
    }

    #[test]
    fn counts_read_with_separators_and_one_decimal_at_most() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(12.0), "12");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(count(1250.0), "1,250");
        assert_eq!(count(1_234_567.04), "1,234,567");
        assert_eq!(count(-3.25), "-3.3");
        assert_eq!(count(f64::NAN), "n/a");
        assert_eq!(whole(19.1), "19");
        assert_eq!(whole(2.5), "2", "a tie between two counts is the lower");
        assert_eq!(whole(2.51), "3");
    }

    #[test]
    fn lists_and_articles_read_as_sentences() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["5 ae"]), "5 ae");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        for (n, article) in [("81%", "an"), ("8%", "an"), ("11%", "an"), ("18%", "an"), ("800", "an"), ("18,000", "an")]
        {
            assert_eq!(a_or_an(n), article, "{n}");
        }
        for (n, article) in [("90%", "a"), ("1%", "a"), ("100%", "a"), ("180", "a"), ("1,800", "a"), ("", "a")] {
            assert_eq!(a_or_an(n), article, "{n}");
        }
    }

    #[test]
    fn rates_read_as_percentages_with_the_figures_they_need() {
        for (v, text) in [
            (0.19, "19%"),
            (0.25, "25%"),
            (0.00885, "0.9%"),
            (0.015, "1.5%"),
            (0.02, "2%"),
            (0.006, "0.6%"),
            (0.0995, "10%"),
            (0.00045, "0.045%"),
            (0.001, "0.1%"),
            (1.0, "100%"),
            (0.0, "0%"),
            (-0.05, "-5%"),
            (-0.0001, "-0.01%"),
        ] {
            assert_eq!(rate(v), text, "{v}");
        }
        assert_eq!(rate(f64::NAN), "n/a");
    }

    #[test]
    fn people_are_whole_the_median_first() {
        assert_eq!(people(6.0, 7.0, 8.0), "7 (6–8)");
        assert_eq!(people(3.0, 3.0, 3.0), "3");
        assert_eq!(people(0.0, 0.0, 0.0), "0");
        // Interpolated quantiles round to the nearest person.
        assert_eq!(people(5.9, 6.6, 8.4), "7 (6–8)");
        assert_eq!(people(2.6, 3.2, 3.4), "3");
        assert_eq!(people(-0.2, 0.0, 1_234.0), "0 (0–1,234)");
        assert_eq!(people_parts(1.0, 2.0, 4.0), ("2".to_string(), Some("1–4".to_string())));
        assert_eq!(people(f64::NAN, f64::NAN, f64::NAN), "n/a");
    }

    #[test]
    fn a_quantile_half_way_between_two_counts_is_the_lower() {
        // Two trials, one hiring no one and one hiring one: the type-7 P50 is 0.5, and
        // half the trials hire no one.
        let mut two = vec![0.0, 1.0];
        let s = crate::stats::describe(&mut two).unwrap();
        assert_eq!(s.p50(), 0.5);
        assert_eq!(people(s.at(0.10), s.p50(), s.at(0.90)), "0 (0–1)");
        assert_eq!(people(0.0, 0.5, 0.5), "0");
        assert_eq!(people(5.5, 6.5, 7.5), "6 (5–7)");
        for (v, w) in [(0.49, 0.0), (0.5, 0.0), (0.51, 1.0), (1.5, 1.0), (2.0, 2.0), (-0.4, 0.0), (1e6 + 0.5, 1e6)] {
            assert_eq!(whole_count(v).to_bits(), f64::to_bits(w), "{v}");
        }
        assert!(whole_count(f64::NAN).is_nan());
    }

    #[test]
    fn hidden_characters_are_shown_as_escapes() {
        assert_eq!(visible("a\u{0}b\u{1}c\u{1b}[31m"), "a\\u{0}b\\u{1}c\\u{1b}[31m");
        assert_eq!(visible("tab\there\nline\r"), "tab\\u{9}here\\u{a}line\\u{d}");
        assert_eq!(visible("del\u{7f} c1\u{85}\u{9b}"), "del\\u{7f} c1\\u{85}\\u{9b}");
        assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
        let bidi = ["\u{61c}", "\u{200e}", "\u{200f}", "\u{202a}", "\u{202d}", "\u{2066}", "\u{2069}"];
        for c in bidi {
            assert!(!visible(c).contains(c), "{c:?} is escaped");
        }
        assert_eq!(visible("\u{2028}\u{2029}"), "\\u{2028}\\u{2029}");
        assert_eq!(visible("\u{fffe}\u{ffff}"), "\\u{fffe}\\u{ffff}");
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        for s in ["Seed stage 2027", "", "NA East / R&D <b> \"q\" \\u{1b}", "Zürich 東京 ±5% — ok", "👩‍💻 team"]
        {
            assert!(matches!(visible(s), Cow::Borrowed(_)), "{s}");
            assert_eq!(visible(s), s);
        }
        // Neighbours of the hidden ranges stay.
        for c in ['\u{20}', '\u{7e}', '\u{a0}', '\u{61b}', '\u{200d}', '\u{202f}', '\u{2065}', '\u{206a}', '\u{fffd}'] {
            assert_eq!(visible(&c.to_string()), c.to_string(), "{c:?}");
        }
    }

    #[test]
    fn terminal_text_keeps_its_lines_and_tabs() {
        assert_eq!(visible_lines("a\tb\nc\u{1b}[2J\r\n"), "a\tb\nc\\u{1b}[2J\\u{d}\n");
        let once = visible("x\u{0}y\u{202e}");
        assert_eq!(visible(&once), once, "escaping twice changes nothing");
    }

    #[test]
    fn money_reads_like_a_slide() {
        assert_eq!(money(850_000.0), "$850K");
        assert_eq!(money(1_200_000.0), "$1.2M");
        assert_eq!(money(8_000_000.0), "$8M");
        assert_eq!(money(8_630_000.0), "$8.63M");
        assert_eq!(money(12_400_000.0), "$12.4M");
        assert_eq!(money(1_050_000_000.0), "$1.05B");
        assert_eq!(money(640.0), "$640");
        assert_eq!(money(999_990.0), "$1M");
        assert_eq!(money(-30_000.0), "-$30K");
        assert_eq!(percent(0.731), "73%");
        assert_eq!(percent1(0.7314), "73.1%");
    }
}
