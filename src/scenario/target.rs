//! `[target]`: the ARR to reach, by when, and the confidence asked.

use crate::month::YearMonth;

use super::diag::Diagnostic;
use super::read::{Reader, Tbl};
use super::types::*;

pub(super) fn read_target(r: &mut Reader, top: &mut Tbl<'_>, start: YearMonth, months: usize) -> Option<Target> {
    let mut t = r.table(top, "target")?;
    let arr = r.number(&mut t, "arr", 0.0, MAX_MONEY);
    r.not_tiny(&t, "arr", MIN_MONEY, MAX_MONEY, true);
    if !t.has("arr") {
        r.missing(&t, "arr", "the ARR to reach, e.g. arr = 8_000_000");
    }
    let month = match t.entry("by") {
        Some(e) => {
            let m = r.month_text(&e.node, t.key_path("by"));
            m.and_then(|m| {
                let idx = m.months_since(start);
                if (0..months as i64).contains(&idx) {
                    Some(idx as usize)
                } else {
                    r.error(
                        Diagnostic::error(
                            Some(e.node.span),
                            t.key_path("by"),
                            format!("{m} is outside the simulated months"),
                        )
                        .expected(format!("a month from {start} to {}", start.offset(months as i64 - 1))),
                    );
                    None
                }
            })
        }
        None => Some(months - 1),
    };
    let confidence = r.rate(&mut t, "confidence");
    let conf_ok = confidence.is_some() || !t.has("confidence");
    r.finish(t);
    Some(Target { arr: arr?, month: month?, confidence: if conf_ok { confidence.unwrap_or(0.8) } else { return None } })
}
