//! `summary.json`: the run, the target and its probability, horizon quantiles and
//! hiring needs by role.

use serde_json::{Map, Value, json};

use crate::engine::metrics::TARGET_HIT;
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
) -> Result<Vec<u8>, String> {
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

    let mut horizon = Map::new();
    for name in results.layout.names.iter() {
        let stock = name == "arr"
            || name == "pipeline"
            || name == "weighted_pipeline"
            || name.starts_with("headcount.")
            || name.starts_with("ramped.")
            || name.starts_with("open_reqs.");
        if stock && let Some(s) = results.get(name, last) {
            horizon.insert(name.clone(), stats_json(s));
        }
    }
    let totals: Map<String, Value> = results
        .layout
        .scalars
        .iter()
        .filter(|n| n.as_str() != TARGET_HIT)
        .filter_map(|n| Some((n.clone(), stats_json(results.total(n)?))))
        .collect();

    let hiring: Vec<Value> = scenario
        .roles
        .iter()
        .map(|r| {
            let planned: u32 = r.hires.iter().filter(|(o, _)| *o >= 0).map(|(_, n)| *n).sum();
            let hires = results.total(&format!("hires.{}", r.id));
            json!({
                "role": r.id,
                "kind": format!("{:?}", r.kind).to_lowercase(),
                "headcount_at_start": r.headcount + r.hires.iter().filter(|(o, _)| *o < 0).map(|(_, n)| *n).sum::<u32>(),
                "planned_hires": planned,
                "backfill_hires_mean": hires.map(|h| h.mean - f64::from(planned)),
                "hires": hires.map(stats_json),
                "departures": results.total(&format!("departures.{}", r.id)).map(stats_json),
                "headcount_at_end": results.get(&format!("headcount.{}", r.id), last).map(stats_json),
                "open_reqs_at_end": results.get(&format!("open_reqs.{}", r.id), last).map(stats_json),
            })
        })
        .collect();

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
        "horizon": { "month": month_label(last), "metrics": horizon, "totals": totals },
        "hiring": hiring,
        "warnings": warnings.iter().map(|w| format!("{}: {}", w.path, w.message)).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}
