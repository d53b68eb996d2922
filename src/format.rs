//! How numbers read in summaries, reports and charts: `$850K`, `$1.2M`, `73%`.

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

#[cfg(test)]
mod tests {
    use super::*;

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
