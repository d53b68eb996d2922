//! `[[comp_plans]]`: base, variable, quota, accelerators and decelerators, cap.

use std::fmt;

use super::diag::Diagnostic;
use super::names::unique;
use super::read::{Reader, Tbl};
use super::types::*;
use crate::message::Message;

/// Reads `[{ above = 1.0, multiplier = 1.5 }, ...]` (or `below`) into (threshold, multiplier).
fn read_tiers(r: &mut Reader, t: &mut Tbl<'_>, key: &'static str, edge: &'static str) -> Option<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut ok = true;
    if !t.has(key) {
        let _ = t.entry(key);
        return Some(out);
    }
    for mut tier in r.array_of_tables(t, key) {
        let at = r.number(&mut tier, edge, 0.0, 100.0);
        if !tier.has(edge) {
            r.missing(&tier, edge, &format!("the attainment (fraction of quota) the tier applies {edge}, e.g. 1.0"));
        }
        let m = r.number(&mut tier, "multiplier", 0.0, 100.0);
        if !tier.has("multiplier") {
            r.missing(&tier, "multiplier", "the factor on the commission rate in the tier, e.g. 1.5");
        }
        r.finish(tier);
        match (at, m) {
            (Some(a), Some(m)) => out.push((a, m)),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// `[[comp_plans]]`.
pub fn read_comp_plans(r: &mut Reader, top: &mut Tbl<'_>) -> (Vec<CompPlan>, Vec<String>, bool) {
    let mut out = Vec::new();
    let mut ids = Vec::new();
    let mut ok = true;
    for mut t in r.array_of_tables(top, "comp_plans") {
        let id = r.name(&mut t, "id", MAX_ID_CHARS);
        if !t.has("id") {
            r.missing(&t, "id", "the plan's id, which roles name in comp_plan, e.g. id = \"ae\"");
        }
        if let Some((i, span)) = &id {
            unique(r, &mut ids, i, *span, t.key_path("id"), "comp plan");
        }
        let base = r.number(&mut t, "base", 0.0, MAX_MONEY);
        let variable = r.number(&mut t, "variable", 0.0, MAX_MONEY);
        let quota = r.number(&mut t, "quota", 0.0, MAX_MONEY);
        r.not_tiny(&t, "quota", MIN_MONEY, MAX_MONEY, true);
        let accelerators = read_tiers(r, &mut t, "accelerators", "above");
        let decelerators = read_tiers(r, &mut t, "decelerators", "below");
        let cap = r.number(&mut t, "cap", 0.0, 100.0);
        let draw_months = r.count(&mut t, "ramp_draw_months", MAX_MONTHS);
        let draw = r.number(&mut t, "draw", 0.0, MAX_MONEY);
        let year_start = r.count(&mut t, "plan_year_start", 12);
        if year_start == Some(0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("plan_year_start"), "plan_year_start is a calendar month")
                    .expected("a month number from 1 (January) to 12"),
            );
            ok = false;
        }
        let low = match r.table(&mut t, "low_attainment") {
            Some(mut l) => {
                let below = r.number(&mut l, "below", 0.0, 100.0);
                let m = r.number(&mut l, "attrition_multiplier", 0.0, 1_000.0);
                for (key, what) in [
                    ("below", "the attainment under which attrition rises, e.g. 0.5"),
                    ("attrition_multiplier", "the factor on attrition, e.g. 2.0"),
                ] {
                    if !l.has(key) {
                        r.missing(&l, key, what);
                    }
                }
                r.finish(l);
                match (below, m) {
                    (Some(b), Some(m)) => Some(Some((b, m))),
                    _ => None,
                }
            }
            None if t.has("low_attainment") => None,
            None => Some(None),
        };
        let span = t.span;
        let path = t.path.clone();
        r.finish(t);
        let (Some((id, _)), Some(acc), Some(dec), Some(low)) = (id, accelerators, decelerators, low) else {
            ok = false;
            continue;
        };
        let bands = match bands(&acc, &dec) {
            Ok(b) => b,
            Err(e) => {
                r.error(
                    Diagnostic::error(Some(span), format!("{path}.accelerators"), e.to_string())
                        .help("decelerators apply below their threshold, accelerators above theirs, without overlap"),
                );
                ok = false;
                continue;
            }
        };
        let variable = variable.unwrap_or(0.0);
        out.push(CompPlan {
            id,
            base: base.unwrap_or(0.0),
            variable,
            quota: quota.unwrap_or(0.0),
            bands,
            cap: cap.unwrap_or(f64::INFINITY),
            draw_months: draw_months.unwrap_or(0) as u32,
            draw: draw.unwrap_or(variable / 12.0),
            year_start: year_start.map_or(0, |m| m.max(1) as usize - 1),
            low_attainment_attrition: low,
        });
    }
    (out, ids, ok)
}

/// Why a comp plan's tiers make no bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BandsError {
    /// The highest decelerator's threshold is above the lowest accelerator's.
    Overlap {
        /// The decelerator's threshold (`below`).
        decelerator: f64,
        /// The accelerator's threshold (`above`).
        accelerator: f64,
    },
    /// Two accelerators, or two decelerators, start at the same attainment.
    SameStart {
        /// The attainment.
        at: f64,
    },
}

impl BandsError {
    /// The error's words.
    pub fn message(&self) -> Message {
        match self {
            BandsError::Overlap { decelerator, accelerator } => {
                Message::new(format!("a decelerator below {decelerator} overlaps an accelerator above {accelerator}"))
            }
            BandsError::SameStart { .. } => Message::new("two tiers start at the same attainment"),
        }
    }
}

impl fmt::Display for BandsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for BandsError {}

/// Bands of attainment from tiers: decelerators `(below, m)` apply under their threshold
/// (the nearest one above the attainment), accelerators `(above, m)` from theirs (the
/// highest one at or below it), 1.0 in between.
pub fn bands(accelerators: &[(f64, f64)], decelerators: &[(f64, f64)]) -> Result<Vec<Band>, BandsError> {
    let mut dec = decelerators.to_vec();
    dec.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = accelerators.to_vec();
    acc.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(d), Some(a)) = (dec.last(), acc.first())
        && d.0 > a.0
    {
        return Err(BandsError::Overlap { decelerator: d.0, accelerator: a.0 });
    }
    if let Some(w) = dec.windows(2).chain(acc.windows(2)).find(|w| w[0].0 == w[1].0) {
        return Err(BandsError::SameStart { at: w[0].0 });
    }
    let mut bands = Vec::new();
    let mut from = 0.0;
    for (below, m) in &dec {
        if *below > from {
            bands.push(Band { from, multiplier: *m });
            from = *below;
        }
    }
    if acc.first().is_none_or(|a| a.0 > from) {
        bands.push(Band { from, multiplier: 1.0 });
    }
    for (above, m) in &acc {
        bands.push(Band { from: *above, multiplier: *m });
    }
    Ok(bands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(acc: &[(f64, f64)], dec: &[(f64, f64)]) -> CompPlan {
        CompPlan {
            id: "ae".into(),
            base: 0.0,
            variable: 100_000.0,
            quota: 500_000.0,
            bands: bands(acc, dec).unwrap(),
            cap: f64::INFINITY,
            draw_months: 0,
            draw: 0.0,
            year_start: 0,
            low_attainment_attrition: None,
        }
    }

    /// docs/REFERENCE.md 2: quota $500K, variable $100K, 1.5x above 100% -> $145K at 130%;
    /// with 0.5x below 50% -> $20K at 40%.
    #[test]
    fn commission_matches_the_published_examples() {
        let acc = plan(&[(1.0, 1.5)], &[]);
        assert!((acc.variable_earned(650_000.0, 500_000.0) - 145_000.0).abs() < 1e-6);
        assert!((acc.variable_earned(500_000.0, 500_000.0) - 100_000.0).abs() < 1e-6);
        let both = plan(&[(1.0, 1.5)], &[(0.5, 0.5)]);
        assert!((both.variable_earned(200_000.0, 500_000.0) - 20_000.0).abs() < 1e-6);
        // At exactly 100%: 0.5 x 0.2 x 250K + 0.2 x 250K = 75K; at 130%, 45K more.
        assert!((both.variable_earned(500_000.0, 500_000.0) - 75_000.0).abs() < 1e-6);
        assert!((both.variable_earned(650_000.0, 500_000.0) - 120_000.0).abs() < 1e-6);
    }

    #[test]
    fn cap_and_proration() {
        let mut p = plan(&[(1.0, 1.5), (1.5, 2.0)], &[]);
        // 200%: 100K + 0.2 x 1.5 x 250K + 0.2 x 2 x 250K = 275K.
        assert!((p.variable_earned(1_000_000.0, 500_000.0) - 275_000.0).abs() < 1e-6);
        p.cap = 2.0;
        assert!((p.variable_earned(1_000_000.0, 500_000.0) - 200_000.0).abs() < 1e-6);
        // A half-year quota: same rate, the cap prorated to half the variable.
        assert!((p.variable_earned(100_000.0, 250_000.0) - 20_000.0).abs() < 1e-6);
        assert!((p.variable_earned(1_000_000.0, 250_000.0) - 100_000.0).abs() < 1e-6);
    }

    #[test]
    fn bands_refuse_overlaps() {
        assert_eq!(
            bands(&[(1.0, 1.5)], &[(1.2, 0.5)]),
            Err(BandsError::Overlap { decelerator: 1.2, accelerator: 1.0 })
        );
        assert_eq!(bands(&[(1.0, 1.5), (1.0, 2.0)], &[]), Err(BandsError::SameStart { at: 1.0 }));
        assert_eq!(
            bands(&[(1.0, 1.5)], &[(1.2, 0.5)]).unwrap_err().to_string(),
            "a decelerator below 1.2 overlaps an accelerator above 1"
        );
        assert_eq!(
            bands(&[(1.0, 1.5)], &[(0.5, 0.5), (0.8, 0.8)]).unwrap(),
            vec![
                Band { from: 0.0, multiplier: 0.5 },
                Band { from: 0.5, multiplier: 0.8 },
                Band { from: 0.8, multiplier: 1.0 },
                Band { from: 1.0, multiplier: 1.5 }
            ]
        );
    }
}
