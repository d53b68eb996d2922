//! `summary.json`: the run, the target and its probability, horizon quantiles, hiring
//! needs by role, stage-reach probabilities, cost, quota attainment and forecast accuracy.

use serde_json::{Map, Value, json};

use crate::engine::metrics::{COST_SCALARS, Kind, TARGET_HIT, metric_of};
use crate::engine::params::Realised;
use crate::runner::RunResults;
use crate::scenario::{Scenario, diag::Diagnostic};
use crate::stats::{LEVEL_NAMES, Stats};

/// Statistics as a JSON object `{ count, mean, p05, ..., p95 }`.
pub fn stats_json(s: &Stats) -> Value {
    let mut m = Map::new();
    m.insert("count".into(), json!(s.count));
    m.insert("mean".into(), json!(s.mean));
    for (name, q) in LEVEL_NAMES.iter().zip(s.quantiles) {
        m.insert((*name).into(), json!(q));
    }
    Value::Object(m)
}

/// The bytes of `summary.json`.
pub fn summary(
    scenario: &Scenario,
    file: &str,
    results: &RunResults,
    warnings: &[Diagnostic],
    realised: &Realised,
) -> Result<Vec<u8>, super::Error> {
    let months = results.layout.months;
    let last = months - 1;
    let month_label = |t: usize| scenario.start.offset(t as i64).to_string();

    let target = match (&scenario.target, &results.target) {
        (Some(t), Some(r)) => json!({
            "arr": t.arr,
            "by": month_label(t.month),
            "confidence": t.confidence,
            "p_hit": r.p_hit,
            "p_hit_standard_error": r.standard_error,
            "meets_confidence": r.p_hit >= t.confidence,
            "arr_at_target_month": results.get("arr", t.month).map(stats_json),
        }),
        _ => Value::Null,
    };

    let correlations: Vec<Value> = scenario
        .correlations
        .iter()
        .zip(&realised.values)
        .map(|(c, r)| {
            json!({
                "between": [&scenario.inputs[c.between[0]].path, &scenario.inputs[c.between[1]].path],
                "rank": c.rank,
                "realised": r,
                "trials_read": realised.trials_read,
            })
        })
        .collect();

    let mut horizon = Map::new();
    for name in results.layout.names.iter() {
        // A stock's last month is where the horizon leaves it; the plan's values stop
        // with the actuals.
        let stock = !name.starts_with("plan.") && metric_of(name).is_some_and(|m| m.kind == Kind::Stock);
        if stock && let Some(s) = results.get(name, last) {
            horizon.insert(name.clone(), stats_json(s));
        }
    }
    // Period totals are given per role under `hiring`.
    let scalars = &results.layout.scalars;
    let totals: Map<String, Value> = scalars[..results.layout.first_period_total.min(scalars.len())]
        .iter()
        .filter(|n| n.as_str() != TARGET_HIT && !n.starts_with("attainment.") && !n.starts_with("forecast."))
        .filter(|n| !COST_SCALARS.contains(&n.as_str()))
        .filter_map(|n| Some((n.clone(), stats_json(results.total(n)?))))
        .collect();

    let hiring: Vec<Value> = scenario
        .roles
        .iter()
        .map(|r| {
            let planned: u32 = r.hires.iter().filter(|(o, _)| *o >= 0).map(|(_, n)| *n).sum();
            let hires = results.total(&format!("hires.{}", r.id));
            let by_period = by_period(scenario, results, &format!("hires.{}", r.id), &format!("departures.{}", r.id));
            json!({
                "role": r.id,
                "kind": format!("{:?}", r.kind).to_lowercase(),
                "headcount_at_start": r.headcount + r.hires.iter().filter(|(o, _)| *o < 0).map(|(_, n)| *n).sum::<u32>(),
                "planned_hires": planned,
                "backfill_hires_mean": hires.map(|h| h.mean - f64::from(planned)),
                "hires": hires.map(stats_json),
                "hires_by_period": by_period,
                "departures": results.total(&format!("departures.{}", r.id)).map(stats_json),
                "headcount_at_end": results.get(&format!("headcount.{}", r.id), last).map(stats_json),
                "open_reqs_at_end": results.get(&format!("open_reqs.{}", r.id), last).map(stats_json),
            })
        })
        .collect();

    let stages: Vec<Value> = scenario
        .stages
        .iter()
        .map(|st| {
            let metric = format!("reached.{}", st.key);
            let p: Vec<f64> = (0..months).map(|t| results.get(&metric, t).map_or(0.0, |s| s.mean)).collect();
            let by = |q: f64| p.iter().position(|x| *x >= q).map(month_label);
            json!({
                "role": st.role,
                "key": st.key,
                "from_arr": st.from_arr,
                "months_above": st.months_above,
                "annual_cost": st.annual_cost,
                "reached_at_start": scenario.company.arr >= st.from_arr,
                "p_reached_by_month": (0..months).map(|t| json!({ "month": month_label(t), "p": p[t] })).collect::<Vec<_>>(),
                "month_reached": { "p10": by(0.1), "p50": by(0.5), "p90": by(0.9) },
            })
        })
        .collect();
    let named = |names: &[&str]| -> Map<String, Value> {
        names.iter().filter_map(|n| Some((n.to_string(), stats_json(results.total(n)?)))).collect()
    };
    let forecast = named(&["forecast.mape", "forecast.wape", "forecast.bias"]);
    let cost = named(&COST_SCALARS);
    let attainment = results.histogram("attainment").filter(|h| h.total() > 0.0).map(|h| {
        json!({
            "rep_years": h.total(),
            "share_at_or_above_quota": h.share_at_or_above(1.0),
            "bins": h.lower.iter().zip(&h.counts).map(|(l, c)| json!({ "from": l, "count": c })).collect::<Vec<_>>(),
        })
    });

    let happened = scenario.actuals.len().min(months);
    let actuals = (happened > 0).then(|| {
        let names = super::actuals::headcount_names(scenario);
        let rows = super::actuals::rows(scenario, results, &names);
        json!({
            "months": happened,
            "through": month_label(happened - 1),
            "values": rows.len(),
            "within_plan_p10_p90": rows.iter().filter(|r| r.band() == "P10–P90").count(),
        })
    });
    let doc = json!({
        "sopsim_version": env!("CARGO_PKG_VERSION"),
        "run": {
            "scenario": scenario.name,
            "file": file,
            "start": month_label(0),
            "end": month_label(last),
            "months": months,
            "trials": results.trials,
            "seed": results.seed,
            "threads": results.threads,
            "elapsed_seconds": results.elapsed_seconds,
        },
        "target": target,
        "correlations": correlations,
        "horizon": { "month": month_label(last), "metrics": horizon, "totals": totals },
        "hiring": hiring,
        // Every role's hires and departures by period: the trials' totals over all roles,
        // whose quantiles no sum of the roles' quantiles gives.
        "hiring_by_period": if scenario.roles.is_empty() { Vec::new() } else { by_period(scenario, results, "hires", "departures") },
        "stages": stages,
        "cost": cost,
        "quota_attainment": attainment,
        "forecast_accuracy": forecast,
        "warnings": warnings.iter().map(|w| format!("{}: {}", w.path, w.message)).collect::<Vec<_>>(),
    });
    let mut doc = doc;
    if let (Some(actuals), Some(map)) = (actuals, doc.as_object_mut()) {
        map.insert("actuals".into(), actuals);
    }
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| super::Error::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// One object per period of the reports: its label, first and last months, and the
/// stats of the trials' totals over it of the metrics `hires` and `departures` (a role's,
/// or every role's).
fn by_period(scenario: &Scenario, results: &RunResults, hires: &str, departures: &str) -> Vec<Value> {
    let month_label = |t: usize| scenario.start.offset(t as i64).to_string();
    results
        .layout
        .periods
        .iter()
        .enumerate()
        .map(|(p, period)| {
            json!({
                "period": period.label,
                "from": month_label(period.months.start),
                "to": month_label(period.months.end - 1),
                "hires": results.period_total(hires, p).map(stats_json),
                "departures": results.period_total(departures, p).map(stats_json),
            })
        })
        .collect()
}
