//! The levers of the workshop page: the keys a room changes, grouped as the scenario
//! is (the run, the target, demand, each segment, each role), each with its value as
//! written (the text a `--set` override takes) and a line saying what it means.
//!
//! Keys are the paths `--set` reads: `segments.mid-market.win_rate`, `roles.ae.hires`.
//! What a lever means is read from the validated scenario, so the line follows the
//! variant's value, not the file's.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::dist::Dist;
use crate::format::{money, percent, percent1};
use crate::report::inputs;
use crate::scenario::inputs::{DECLARED, InputKey, Scope};
use crate::scenario::{Loaded, Scenario};

use super::state::{MAX_TRIALS, QUICK_TRIALS};
use crate::format::thousands as digits;

/// The unit of a lever's values, which says how they read in its line.
#[derive(Debug, Clone, Copy)]
enum LeverUnit {
    Percent,
    Money,
    Months,
    Count,
}

impl LeverUnit {
    fn show(self, v: f64) -> String {
        match self {
            LeverUnit::Percent => percent1(v),
            LeverUnit::Money => money(v),
            LeverUnit::Months => format!("{v:.1} months"),
            LeverUnit::Count => format!("{v:.0}"),
        }
    }
}

/// One lever: its key, label, value as written, and what that value means.
#[derive(Default)]
struct Lever {
    key: String,
    label: &'static str,
    hint: String,
    /// A role's planned hires, shown as a row of counts by month.
    hires: Option<Value>,
    /// Whether its values are rates shown as percentages: the page reads `25%` typed
    /// into it as 0.25.
    percent: bool,
}

/// The path of an element of an array of tables: its name or id, or its index when the
/// name cannot stand in a dotted path.
fn element(name: &str, index: usize) -> String {
    if name.is_empty() || name.contains('.') || name.contains('=') { index.to_string() } else { name.to_string() }
}

/// The lever of a rate drawn once per trial: its values read as percentages, and `25%`
/// typed into it is 0.25.
fn rate_lever(key: impl Into<String>, label: &'static str, d: &Dist) -> Lever {
    Lever {
        key: key.into(),
        label,
        hint: spread(d, LeverUnit::Percent, "once per trial"),
        percent: true,
        ..Lever::default()
    }
}

/// The levers of the once-per-trial keys declared with one ([`DECLARED`]) of element
/// `index` of `scope` in `s`, whose path is `path` (`demand`, `segments.smb`): a rate's
/// values read as percentages, any other's as a count.
fn input_levers(s: &Scenario, scope: Scope, index: usize, path: &str) -> Vec<Lever> {
    DECLARED
        .iter()
        .filter(|d| d.scope == scope && (d.drawn)(s, index))
        .filter_map(|d| {
            let label = d.lever?;
            let (key, dist) = (format!("{path}.{}", d.key), InputKey::new(d.kind, index).dist(s));
            Some(if d.rate {
                rate_lever(key, label, dist)
            } else {
                Lever { key, label, hint: spread(dist, LeverUnit::Count, "once per trial"), ..Lever::default() }
            })
        })
        .collect()
}

/// What a distribution's draws look like, in words.
fn spread(d: &Dist, unit: LeverUnit, drawn: &str) -> String {
    if let Some(v) = d.as_constant() {
        return format!("constant: {}", unit.show(v));
    }
    format!(
        "90% of draws {} to {}, mean {}; drawn {drawn}",
        unit.show(d.quantile(0.05)),
        unit.show(d.quantile(0.95)),
        unit.show(d.mean())
    )
}

/// The lever groups of `loaded` (a variant or the file), for the page.
pub fn groups(loaded: &Loaded) -> Value {
    let s = &loaded.scenario;
    let mut out = Vec::new();
    let run = vec![
        Lever {
            key: "scenario.trials".into(),
            label: "Trials",
            hint: format!(
                "{} trials: a first answer on {} of them, then all (at most {} here)",
                digits(s.trials),
                digits(s.trials.min(QUICK_TRIALS)),
                digits(MAX_TRIALS)
            ),
            ..Lever::default()
        },
        Lever {
            key: "scenario.seed".into(),
            label: "Seed",
            hint: "the same seed and trials give the same numbers".into(),
            ..Lever::default()
        },
    ];
    out.push(("Run".to_string(), run));
    if let Some(t) = &s.target {
        out.push((
            "Target".to_string(),
            vec![
                Lever { key: "target.arr".into(), label: "ARR to reach", hint: money(t.arr), ..Lever::default() },
                Lever {
                    key: "target.by".into(),
                    label: "By (YYYY-MM)",
                    hint: format!("ARR at the end of {}", s.start.offset(t.month as i64).short_label()),
                    ..Lever::default()
                },
                Lever {
                    key: "target.confidence".into(),
                    label: "Confidence asked",
                    hint: percent(t.confidence),
                    percent: true,
                    ..Lever::default()
                },
            ],
        ));
    }
    out.push(("Demand".to_string(), input_levers(s, Scope::Demand, 0, "demand")));
    for (i, seg) in s.segments.iter().enumerate() {
        let path = format!("segments.{}", element(&seg.name, i));
        let mut levers = input_levers(s, Scope::Segments, i, &path);
        levers.push(Lever {
            key: format!("{path}.deal_size"),
            label: "Deal size",
            hint: spread(&seg.deal_size, LeverUnit::Money, "per deal"),
            ..Lever::default()
        });
        // A cycle given by month of the quarter (`quarter_cycle_months`) is three
        // tables: no one number to edit.
        if !seg.cycle_by_quarter {
            levers.push(Lever {
                key: format!("{path}.cycle_months"),
                label: "Sales cycle",
                hint: spread(&seg.cycle_months, LeverUnit::Months, "per deal"),
                ..Lever::default()
            });
        }
        out.push((format!("Segment {}", seg.display_name()), levers));
    }
    let written: HashMap<String, String> = inputs::read(&loaded.sources).into_iter().map(|i| (i.key, i.text)).collect();
    for (i, role) in s.roles.iter().enumerate() {
        let path = format!("roles.{}", element(&role.id, i));
        let ramp_key = if written.contains_key(&format!("{path}.ramp")) { "ramp" } else { "ramp_months" };
        let kind = role.kind.name();
        let segment =
            role.segment.and_then(|k| s.segments.get(k)).map_or(String::new(), |g| format!(", {}", g.display_name()));
        let mut levers = vec![
            Lever {
                key: format!("{path}.headcount"),
                label: "On staff at the start",
                hint: format!("{} fully ramped", role.headcount),
                ..Lever::default()
            },
            Lever { key: format!("{path}.{ramp_key}"), label: "Ramp", hint: ramp_hint(&role.ramp), ..Lever::default() },
        ];
        levers.extend(input_levers(s, Scope::Roles, i, &path));
        levers.push(Lever {
            key: format!("{path}.hires"),
            label: "Planned hires (start month)",
            hint: format!("{} planned", role.hires.iter().map(|h| u64::from(h.1)).sum::<u64>()),
            hires: Some(hires_row(s, &role.hires)),
            ..Lever::default()
        });
        out.push((format!("Role {} ({kind}{segment})", role.display_name()), levers));
    }
    let groups: Vec<Value> = out
        .into_iter()
        .map(|(title, levers)| {
            let levers: Vec<Value> = levers
                .into_iter()
                .map(|l| {
                    let text = written.get(&l.key).cloned().unwrap_or_default();
                    json!({ "key": l.key, "label": l.label, "text": text, "hint": l.hint, "hires": l.hires,
                            "percent": l.percent })
                })
                .collect();
            json!({ "title": title, "levers": levers })
        })
        .collect();
    Value::Array(groups)
}

/// The hints of every lever of `loaded`, by key: what the variant's values mean.
pub fn hints(loaded: &Loaded) -> Value {
    let mut out = serde_json::Map::new();
    if let Value::Array(groups) = groups(loaded) {
        for g in groups {
            for l in g["levers"].as_array().into_iter().flatten() {
                if let (Some(k), Some(h)) = (l["key"].as_str(), l.get("hint")) {
                    out.insert(k.to_string(), h.clone());
                }
            }
        }
    }
    Value::Object(out)
}

fn ramp_hint(ramp: &[f64]) -> String {
    if ramp.is_empty() {
        return "productive from the start month".to_string();
    }
    let steps: Vec<String> = ramp.iter().take(8).map(|v| format!("{:.0}%", v * 100.0)).collect();
    let more = if ramp.len() > 8 { ", …" } else { "" };
    format!("{}{more}, then 100% from month {}", steps.join(", "), ramp.len() + 1)
}

/// A role's planned hires as a row: the months from the earliest hire (or the start) to
/// the last month, with the count starting in each.
fn hires_row(s: &Scenario, hires: &[(i64, u32)]) -> Value {
    let first = hires.iter().map(|h| h.0).min().unwrap_or(0).min(0);
    let last = s.months as i64 - 1;
    let mut months = Vec::new();
    let mut labels = Vec::new();
    let mut counts = Vec::new();
    for t in first..=last {
        let m = s.start.offset(t);
        months.push(m.to_string());
        labels.push(m.short_label());
        counts.push(hires.iter().filter(|h| h.0 == t).map(|h| u64::from(h.1)).sum::<u64>());
    }
    json!({ "months": months, "labels": labels, "counts": counts, "start": -first })
}
