//! The files and terminal text of `sopsim plan`, from what [`crate::whatif::plan`] found.

use crate::error::Error;
use crate::format::{money, percent, percent1, visible, visible_path};
use crate::report::charts::spec::{Band, Chart, Level, Line, Plot, Stroke, Unit, Xy, count};
use crate::report::charts::theme::{GREEN, NAVY, RED, SLATE};
use crate::report::csv::number;
use crate::whatif::plan::*;
use crate::whatif::{Setup, edit};
use std::fmt::Write as _;

pub(crate) const PLAN_HEADER: [&str; 6] =
    ["role", "start", "hires", "open_requisition_by", "cumulative_hires", "ramped_by"];

pub(crate) fn plan_rows(search: &Search<'_>, schedule: &Schedule) -> Vec<Vec<String>> {
    let start = search.base.start;
    let mut rows = Vec::new();
    let mut cumulative = 0;
    for (k, t) in hire_months(schedule) {
        let p = &search.planned[k];
        let role = &search.base.roles[p.role];
        let n = schedule[k][t];
        cumulative += n;
        rows.push(vec![
            role.id.clone(),
            start.offset(t as i64).to_string(),
            n.to_string(),
            start.offset(t as i64 - p.lead).to_string(),
            cumulative.to_string(),
            start.offset(t as i64 + role.ramp_months().saturating_sub(1) as i64).to_string(),
        ]);
    }
    rows
}

pub(crate) fn curve_rows(curve: &[(u32, Measured)]) -> Vec<Vec<String>> {
    curve.iter().map(|(h, m)| vec![h.to_string(), number(m.p), number(m.se)]).collect()
}

/// The scenario as loaded (with its overrides) and the schedule found as the planned
/// roles' hires, as TOML with the file's comments kept.
pub(crate) fn planned_toml(
    setup: &Setup,
    search: &Search<'_>,
    found: &Found,
    overrides: &[String],
) -> Result<String, Error> {
    let mut all = overrides.to_vec();
    for (k, p) in search.planned.iter().enumerate() {
        let role = &search.base.roles[p.role];
        let mut hires: Vec<(i64, u32)> = role.hires.clone();
        hires.extend(found.schedule[k].iter().enumerate().filter(|(_, n)| **n > 0).map(|(t, n)| (t as i64, *n)));
        if hires == setup.scenario().roles[p.role].hires {
            continue;
        }
        let entries: Vec<String> = hires
            .iter()
            .map(|(o, n)| format!("{} = {n}", edit::quoted(&search.base.start.offset(*o).to_string())))
            .collect();
        all.push(format!("roles.{}.hires={{ {} }}", role.id, entries.join(", ")));
    }
    let text = &setup.loaded.sources.file_text;
    let body = edit::apply(text, &all).map_err(|e| Error::Run(format!("cannot write planned.toml: {e}")))?;
    let target = search.base.target.as_ref().map_or(String::new(), |t| {
        format!(
            "{} ARR by {} with {} confidence",
            money(t.arr),
            search.base.start.offset(t.month as i64),
            percent(t.confidence)
        )
    });
    let roles = search.planned.iter().map(|p| search.base.roles[p.role].id.as_str()).collect::<Vec<_>>().join(", ");
    let mut head =
        // Shown with escapes: a line feed in the path would end the comment.
        format!("# Planned by `sopsim plan` ({}) from {}\n", env!("CARGO_PKG_VERSION"), visible_path(&setup.file));
    if found.reached {
        let _ = writeln!(
            head,
            "# The hires of {roles} below reach {target}: P(hit) {} ± {} on {} fresh trials.",
            percent1(found.verified.p),
            percent1(found.verified.se),
            count(setup.trials as f64)
        );
    } else {
        let _ = writeln!(
            head,
            "# No schedule within the limits reaches {target}; this one hires {roles} as fast as allowed: \
             P(hit) {} on the search trials.",
            percent1(found.search.p)
        );
    }
    if !overrides.is_empty() {
        let _ = writeln!(head, "# Overrides applied: {}", overrides.join(" "));
    }
    Ok(format!("{head}{body}"))
}

pub(crate) fn curve_chart(search: &Search<'_>, found: &Found) -> Chart {
    let x: Vec<f64> = found.curve.iter().map(|(h, _)| f64::from(*h)).collect();
    let p: Vec<f64> = found.curve.iter().map(|(_, m)| m.p).collect();
    let se: Vec<f64> = found.curve.iter().map(|(_, m)| m.se).collect();
    let (low, high) = super::two_se(&p, &se);
    let n: u32 = found.schedule.iter().flatten().sum();
    let roles = search.planned.iter().map(|p| search.base.roles[p.role].id.as_str()).collect::<Vec<_>>().join(" + ");
    let title = if found.reached {
        format!("{n} {roles} hires give a {} chance of the target", percent(found.search.p))
    } else {
        format!("No schedule within the limits reaches {} confidence", percent(search.confidence))
    };
    let target = search.base.target.as_ref();
    Chart {
        name: "plan_p_hit",
        title,
        subtitle: format!(
            "P(hit {} by {}) against hires started as early as allowed; ±2 standard errors shaded",
            target.map_or(String::new(), |t| money(t.arr)),
            target.map_or(String::new(), |t| search.base.start.offset(t.month as i64).short_label())
        ),
        source: super::source_line(&search.base, search.trials.end - search.trials.start, search.setup.seed),
        plot: Plot::Xy(Xy {
            x_unit: Unit::Count,
            x_whole: true,
            x_label: format!("{roles} hires"),
            y_unit: Unit::Percent,
            y_label: "P(hit)".into(),
            x,
            bands: vec![Band { label: "±2 SE".into(), color: SLATE, opacity: 0.35, low, high }],
            lines: vec![Line { label: "P(hit)".into(), color: NAVY, stroke: Stroke::Solid, values: p }],
            levels: vec![Level {
                value: search.confidence,
                label: format!("{} confidence", percent(search.confidence)),
                color: if found.reached { GREEN } else { RED },
            }],
            mark: found.reached.then(|| (f64::from(n), format!("{n} hires"))),
            y_max: Some(1.0),
        }),
    }
}

pub(crate) fn summary(search: &Search<'_>, found: &Found, seconds: f64) -> String {
    let s = &search.base;
    let mut out = String::new();
    let target = s.target.as_ref();
    let _ = writeln!(
        out,
        "{}: plan to reach {} ARR by {} with {} confidence",
        visible(&s.name),
        target.map_or(String::new(), |t| money(t.arr)),
        target.map_or(String::new(), |t| s.start.offset(t.month as i64).short_label()),
        percent(search.confidence)
    );
    let n: u32 = found.schedule.iter().flatten().sum();
    if n == 0 && found.reached {
        let _ = writeln!(out, "  no hires needed beyond staff, backfill and policy");
    }
    for (k, p) in search.planned.iter().enumerate() {
        let role = &s.roles[p.role];
        let months: Vec<String> = (0..=search.last)
            .filter(|&t| found.schedule[k][t] > 0)
            .map(|t| {
                format!(
                    "{} in {} (open by {})",
                    found.schedule[k][t],
                    s.start.offset(t as i64).short_label(),
                    s.start.offset(t as i64 - p.lead).short_label()
                )
            })
            .collect();
        let total: u32 = found.schedule[k].iter().sum();
        if total > 0 {
            let _ = writeln!(out, "  hire {total} {}: {}", role.id, months.join(", "));
        }
    }
    if found.reached {
        let _ = writeln!(
            out,
            "  P(hit) {} ± {} on {} fresh trials (search {} on {} trials)",
            percent1(found.verified.p),
            percent1(found.verified.se),
            count(search.setup.trials as f64),
            percent1(found.search.p),
            count((search.trials.end - search.trials.start) as f64)
        );
    }
    if let Some(w) = found.without_last {
        let _ = writeln!(out, "  without the last hire: P(hit) {} on the fresh trials", percent1(w.p));
    }
    let _ = writeln!(out, "  the scenario's own plan: P(hit) {} on the search trials", percent1(found.own_plan.p));
    let (cost, se) = found.cost;
    if search.planned.iter().any(|p| s.roles[p.role].comp_plan.is_some()) {
        let _ = writeln!(out, "  comp cost of the planned hires over the horizon: {} (± {})", money(cost), money(se));
    } else {
        let _ = writeln!(out, "  comp cost: not modelled (no comp plan for the planned roles)");
    }
    let _ = writeln!(out, "  {} schedules evaluated in {seconds:.1} s", search.evaluations);
    out
}
