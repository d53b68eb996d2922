//! `[[segments]]`: deal size, win rate and cycle of each market segment.

use crate::dist::{Dist, Support, WholeDraw};
use crate::hash::name_key;

use super::diag::{Diagnostic, Span};
use super::read::{Reader, Tbl};
use super::types::*;

/// The valid segments, and the names of all segments (valid or not) for references.
pub(super) fn read_segments(r: &mut Reader, top: &mut Tbl<'_>) -> (Vec<(Segment, Span)>, Vec<String>) {
    let tables = r.array_of_tables(top, "segments");
    if tables.is_empty() {
        match top.entries().iter().find(|e| e.key == "segments") {
            Some(e) => r.error(
                Diagnostic::error(Some(e.node.span), "segments", "`segments` is empty")
                    .expected("at least one [[segments]] table with name, deal_size and win_rate"),
            ),
            None => r.missing(top, "segments", "at least one [[segments]] table with name, deal_size and win_rate"),
        }
    }
    let mut out: Vec<(Segment, Span)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for mut t in tables {
        let name = r.name(&mut t, "name", MAX_ID_CHARS);
        if let Some((n, _)) = &name {
            names.push(n.clone());
        }
        if !t.has("name") {
            r.missing(&t, "name", "the segment's name, e.g. name = \"mid-market\"");
        }
        let label = r.label(&mut t, "label", MAX_ID_CHARS);
        if let Some(label) = &label {
            r.unique_label(&t, label, &mut labels, "segment");
        }
        let deal_size = r.dist(&mut t, "deal_size", Support::NonNegative, MAX_MONEY);
        if deal_size.is_some() {
            r.not_tiny(&t, "deal_size", MIN_MONEY, MAX_MONEY, true);
        }
        if !t.has("deal_size") {
            r.missing(&t, "deal_size", "the new ARR of a won deal, e.g. deal_size = { low = 20_000, high = 60_000 }");
        }
        let win_rate = r.dist(&mut t, "win_rate", Support::Unit, 1.0);
        if !t.has("win_rate") {
            r.missing(&t, "win_rate", "the share of worked opportunities won, e.g. win_rate = 0.2");
        }
        let cycle = r.dist(&mut t, "cycle_months", Support::NonNegative, MAX_MONTHS as f64);
        let cycle_ok = cycle.is_some() || !t.has("cycle_months");
        let stall = r.dist(&mut t, "stall_rate", Support::Unit, 1.0);
        let cycle_ok = cycle_ok && (stall.is_some() || !t.has("stall_rate"));
        let loss_cycle = r.dist(&mut t, "loss_cycle_months", Support::NonNegative, MAX_MONTHS as f64);
        let cycle_ok = cycle_ok && (loss_cycle.is_some() || !t.has("loss_cycle_months"));
        let quarter_cycle = r.dists3(&mut t, "quarter_cycle_months", Support::NonNegative, MAX_MONTHS as f64);
        let cycle_ok = cycle_ok && (quarter_cycle.is_some() || !t.has("quarter_cycle_months"));
        let quarter_loss = r.dists3(&mut t, "quarter_loss_cycle_months", Support::NonNegative, MAX_MONTHS as f64);
        let cycle_ok = cycle_ok && (quarter_loss.is_some() || !t.has("quarter_loss_cycle_months"));
        let cycle_ok = cycle_ok
            && one_of(r, &t, "cycle_months", "quarter_cycle_months")
            && one_of(r, &t, "loss_cycle_months", "quarter_loss_cycle_months");
        let weight = r.number(&mut t, "service_weight", 0.0, 1_000.0);
        let cycle_ok = cycle_ok && (weight.is_some() || !t.has("service_weight"));
        let cohort_noise = r.number(&mut t, "cohort_noise", 0.0, 10.0);
        let cycle_ok = cycle_ok && (cohort_noise.is_some() || !t.has("cohort_noise"));
        if let Some((name, span)) = &name
            && names.iter().filter(|n| *n == name).count() > 1
        {
            r.error(
                Diagnostic::error(Some(*span), t.key_path("name"), format!("segment `{name}` is defined twice"))
                    .help("give each [[segments]] table its own name"),
            );
        }
        let span = t.span;
        r.finish(t);
        if let (Some((name, _)), Some(deal_size), Some(win_rate), true) = (name, deal_size, win_rate, cycle_ok) {
            out.push((
                Segment {
                    stream: name_key(&name),
                    name,
                    label: label.map(|l| l.0),
                    deal_size,
                    win_rate,
                    cycle: WholeDraw::new(cycle.as_ref().unwrap_or(&Dist::constant(0.0)), MAX_MONTHS as u32),
                    cycle_months: cycle.unwrap_or(Dist::constant(0.0)),
                    stall_rate: stall.unwrap_or(Dist::constant(0.0)),
                    cycle_by_quarter: quarter_cycle.is_some(),
                    timed_cycle: quarter_cycle.as_ref().map(whole3),
                    timed_loss_cycle: quarter_loss.as_ref().map(whole3),
                    loss_cycle: loss_cycle.map(|d| {
                        let whole = WholeDraw::new(&d, MAX_MONTHS as u32);
                        (d, whole)
                    }),
                    service_weight: weight.unwrap_or(1.0),
                    cohort_noise: cohort_noise.unwrap_or(0.0),
                },
                span,
            ));
        }
    }
    (out, names)
}

/// Three distributions of months rounded to whole months, as the engine draws them.
fn whole3(d: &[Dist; 3]) -> [WholeDraw; 3] {
    [0, 1, 2].map(|p| WholeDraw::new(&d[p], MAX_MONTHS as u32))
}

/// Whether at most one of the keys `one` (a cycle) and `by_quarter` (the same cycle by
/// month of the quarter) is given; an error if both are.
fn one_of(r: &mut Reader, t: &Tbl<'_>, one: &str, by_quarter: &str) -> bool {
    if !(t.has(one) && t.has(by_quarter)) {
        return true;
    }
    let span = t.entries().iter().find(|e| e.key == by_quarter).map(|e| e.node.span);
    r.error(Diagnostic::error(span, t.key_path(by_quarter), format!("both {one} and {by_quarter} are given")).help(
        format!("{by_quarter} gives the cycle for each month of the quarter in place of {one}: keep one of them"),
    ));
    false
}
