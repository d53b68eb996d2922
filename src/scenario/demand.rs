//! `[demand]`: inbound leads, their growth, seasonality, mix and conversion.

use crate::dist::{Dist, Support};

use super::diag::Diagnostic;
use super::read::{self, Reader, Tbl};
use super::types::*;

pub(super) fn read_demand(r: &mut Reader, top: &mut Tbl<'_>, segments: &[&str]) -> Option<Demand> {
    let default_mix = || if segments.len() == 1 { vec![1.0] } else { vec![0.0; segments.len()] };
    let Some(mut t) = r.table(top, "demand") else {
        return Some(Demand {
            leads_per_month: Dist::constant(0.0),
            growth_per_month: Dist::constant(0.0),
            seasonality: [1.0; 12],
            segment_mix: default_mix(),
            lead_to_opportunity: Dist::constant(0.0),
            volume_noise: 0.0,
        });
    };
    let leads = r.dist(&mut t, "leads_per_month", Support::NonNegative, MAX_LEADS_PER_MONTH);
    let growth = r.dist(&mut t, "growth_per_month", Support::Real, 1.0);
    let conv = r.dist(&mut t, "lead_to_opportunity", Support::Unit, 1.0);
    if t.has("leads_per_month") && !t.has("lead_to_opportunity") {
        r.missing(
            &t,
            "lead_to_opportunity",
            "the share of leads that become opportunities, e.g. lead_to_opportunity = 0.08",
        );
    }
    let mut ok = (leads.is_some() || !t.has("leads_per_month"))
        && (growth.is_some() || !t.has("growth_per_month"))
        && (conv.is_some() || !t.has("lead_to_opportunity"));
    if let Some(g) = &growth
        && g.as_constant().is_some_and(|g| g <= -1.0)
    {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("growth_per_month"), "growth_per_month must be above -1")
                .expected("a monthly growth rate above -1, e.g. 0.02 for 2% a month"),
        );
        ok = false;
    }
    let mut seasonality = [1.0; 12];
    let factors = r.numbers(&mut t, "seasonality", 0.0, 100.0);
    if factors.is_some() {
        r.not_tiny(&t, "seasonality", MIN_FACTOR, 100.0, true);
    }
    if let Some((values, span)) = factors {
        if values.len() == 12 {
            seasonality.copy_from_slice(&values);
        } else {
            r.error(
                Diagnostic::error(
                    Some(span),
                    t.key_path("seasonality"),
                    format!("seasonality has {} factors", values.len()),
                )
                .expected("12 factors, January first"),
            );
            ok = false;
        }
    } else if t.has("seasonality") {
        ok = false;
    }
    let mut mix = default_mix();
    match r.table(&mut t, "segment_mix") {
        Some(m) => {
            let mut seen = vec![false; segments.len()];
            for e in m.entries() {
                let path = m.key_path(&e.key);
                let Some(idx) = segments.iter().position(|s| *s == e.key) else {
                    let mut d = Diagnostic::error(
                        Some(e.key_span),
                        path,
                        format!("segment_mix names `{}`, which is not a segment", e.key),
                    )
                    .expected(format!("one of the [[segments]] names: {}", segments.join(", ")));
                    d = d.suggest(&e.key, segments.iter().copied());
                    r.error(d);
                    ok = false;
                    continue;
                };
                match r.number_node(&e.node, path, 0.0, 1e9) {
                    Some(v) => {
                        mix[idx] = v;
                        seen[idx] = true;
                    }
                    None => ok = false,
                }
            }
            let sum: f64 = mix.iter().sum();
            if ok && sum <= 0.0 {
                r.error(
                    Diagnostic::error(Some(m.span), m.path.clone(), "segment_mix gives no lead to any segment")
                        .expected("shares that sum to 1, e.g. { \"mid-market\" = 0.7, smb = 0.3 }"),
                );
                ok = false;
            } else if ok && (sum - 1.0).abs() > 1e-6 {
                r.warn(
                    Some(m.span),
                    m.path.clone(),
                    format!("segment_mix sums to {sum}, not 1; the shares are divided by {sum}"),
                );
                mix.iter_mut().for_each(|x| *x /= sum);
            }
            m.accept_all();
        }
        None if t.has("segment_mix") => ok = false,
        None => {
            if segments.len() > 1 && t.has("leads_per_month") {
                r.missing(
                    &t,
                    "segment_mix",
                    "the share of leads per segment, e.g. segment_mix = { \"mid-market\" = 0.7, smb = 0.3 }",
                );
                ok = false;
            }
        }
    }
    let noise = r.number(&mut t, "volume_noise", 0.0, 10.0);
    ok &= noise.is_some() || !t.has("volume_noise");
    r.finish(t);
    ok.then(|| Demand {
        leads_per_month: leads.unwrap_or(Dist::constant(0.0)),
        growth_per_month: growth.unwrap_or(Dist::constant(0.0)),
        seasonality,
        segment_mix: mix,
        lead_to_opportunity: conv.unwrap_or(Dist::constant(0.0)),
        volume_noise: noise.unwrap_or(0.0),
    })
}

/// Refuses a lead volume that compounds beyond what can be simulated by the horizon.
pub(super) fn check_lead_volume(r: &mut Reader, top: &Tbl<'_>, d: &Demand, months: usize) {
    let growth = d.growth_per_month.mean().max(0.0);
    let peak_season = d.seasonality.iter().copied().fold(0.0, f64::max);
    let at_horizon = d.leads_per_month.mean() * (1.0 + growth).powf(months as f64 - 1.0) * peak_season;
    if !(at_horizon <= MAX_LEADS_PER_MONTH) {
        let span = top.entries().iter().find(|e| e.key == "demand").map(|e| e.key_span);
        r.error(
            Diagnostic::error(
                span,
                "demand.growth_per_month",
                format!(
                    "expected leads reach {at_horizon:.3e} a month by the last month, beyond what can be simulated"
                ),
            )
            .expected(format!("at most {} expected leads a month", read::group_digits(MAX_LEADS_PER_MONTH as u64)))
            .help("lower growth_per_month or leads_per_month, or shorten the horizon"),
        );
    }
}
