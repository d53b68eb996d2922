//! `[[pipeline]]`: the opportunities already open when the simulation starts, by
//! segment and age. Each entry is read, checked and returned only if it passed.

use super::diag::Diagnostic;
use super::names::reference;
use super::read::{Reader, Tbl};
use super::{MAX_MONTHS, read::group_digits};

/// Most open opportunities the starting pipeline may hold, over all entries: the
/// engine draws each one, as it draws each worked opportunity.
pub const MAX_PIPELINE: u64 = 10_000_000;

/// One `[[pipeline]]` entry: `count` opportunities of a segment open at the start, each
/// created `age_months` whole months before the month before the start.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenDeals {
    /// Index of the segment.
    pub segment: usize,
    /// Whole months from the month each was created to the month before the start (0:
    /// created in the month before the start).
    pub age_months: u32,
    /// How many.
    pub count: u64,
    /// The entry's index, which keys its random stream.
    pub stream: u64,
}

/// Reads `[[pipeline]]` (optional, any number of entries).
pub fn read_pipeline(r: &mut Reader, top: &mut Tbl<'_>, segments: &[&str]) -> Option<Vec<OpenDeals>> {
    let mut out = Vec::new();
    let mut ok = true;
    let mut total = 0u64;
    for (k, mut t) in r.array_of_tables(top, "pipeline").into_iter().enumerate() {
        let segment = match r.string(&mut t, "segment") {
            Some((s, span)) => reference(r, span, t.key_path("segment"), "segment", &s, segments),
            None if t.has("segment") => None,
            None if segments.len() == 1 => Some(0),
            None => {
                r.missing(&t, "segment", &format!("the segment of the open deals, one of: {}", segments.join(", ")));
                None
            }
        };
        let age = r.count(&mut t, "age_months", MAX_MONTHS);
        if !t.has("age_months") {
            r.missing(&t, "age_months", "months since the deals were created, e.g. age_months = 2");
        }
        let count = r.count(&mut t, "count", MAX_PIPELINE);
        if !t.has("count") {
            r.missing(&t, "count", "the number of open deals of this age, e.g. count = 40");
        }
        match (segment, age, count) {
            (Some(segment), Some(age), Some(count)) => {
                total = total.saturating_add(count);
                out.push(OpenDeals { segment, age_months: age as u32, count, stream: k as u64 });
            }
            _ => ok = false,
        }
        if total > MAX_PIPELINE {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("count"), "the starting pipeline holds too many deals")
                    .expected(format!("at most {} open deals over all entries", group_digits(MAX_PIPELINE))),
            );
            ok = false;
            break;
        }
        r.finish(t);
    }
    ok.then_some(out)
}
