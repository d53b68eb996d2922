//! The files and terminal text of `sopsim plan`, from what [`crate::whatif::plan`] found.
//! Each opens with the verdict (reached or not, and why), labels the schedule for what it
//! is, and says what it does with the scenario's own hires of the roles planned.

use crate::format::count;
use crate::format::{a_or_an, and_list, money, percent, percent1, visible, visible_path};
use crate::report::Error;
use crate::report::charts::spec::{Band, Chart, Level, Line, Notation, Plot, Stroke, Xy};
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

/// The hires of each role that has some, as a sentence lists them (`5 ae`, `4 ent-ae,
/// 7 mm-ae and 2 smb-ae`), and their total.
fn hire_counts(search: &Search<'_>, schedule: &Schedule) -> (u32, String) {
    let counts: Vec<String> = search
        .planned
        .iter()
        .zip(schedule)
        .map(|(p, months)| (months.iter().sum::<u32>(), visible(search.base.roles[p.role].display_name())))
        .filter(|(n, _)| *n > 0)
        .map(|(n, id)| format!("{n} {id}"))
        .collect();
    (schedule.iter().flatten().sum(), and_list(&counts))
}

/// `$8M ARR by Jun 2028`.
fn target_words(search: &Search<'_>) -> String {
    let s = &search.base;
    s.target
        .as_ref()
        .map_or(String::new(), |t| format!("{} ARR by {}", money(t.arr), s.start.offset(t.month as i64).short_label()))
}

/// The verdict of `plan`, as every output opens with it.
pub(crate) struct Verdict {
    /// Whether the target is reached, with what confidence and by which hires, in one
    /// line (no capital, no full stop).
    pub(crate) line: String,
    /// Why no schedule reaches the confidence, and what to do (`None` when one does).
    pub(crate) why: Option<String>,
}

pub(crate) fn verdict(search: &Search<'_>, found: &Found) -> Verdict {
    let target = target_words(search);
    let asked = percent(search.confidence);
    let (n, counts) = hire_counts(search, &found.schedule);
    let Some(short) = &found.shortfall else {
        let v = found.verified;
        let hiring = if n == 0 {
            "with no hires beyond staff, hires in flight, backfill and policy".to_string()
        } else {
            format!("by hiring {counts}")
        };
        let line = if v.p + 2.0 * v.se < search.confidence {
            // The verification's top-ups ran out (docs/MODEL.md 8.1, step 3).
            format!(
                "falls short of {target} with {asked} confidence: {} on fresh trials {hiring}, though the search \
                 trials reached it",
                percent1(v.p)
            )
        } else {
            format!("reaches {target} with {} {hiring}", confidence_words(v.p, v.se, search.confidence))
        };
        return Verdict { line, why: None };
    };
    let best = percent1(found.search.p);
    let tail = match short.limit {
        Limit::OutOfReach => "no search trial reaches it, whatever the hires".to_string(),
        Limit::Plateau => {
            format!(
                "P(hit) is {} at most, {best} with the best schedule found, hiring {counts}",
                percent1(short.ceiling.p)
            )
        }
        Limit::Limits => format!("P(hit) is {best} at most, with every hire allowed"),
    };
    let line = format!("does not reach {target} with {asked} confidence: {tail}");
    Verdict { line, why: Some(why(search, short, n)) }
}

/// The confidence a reached plan is said to have: `p` on fresh trials (standard error
/// `se`) against the `asked`. Below the asked but within two standard errors of it (the
/// search accepts that), the share and its margin are given to a tenth, so that the line
/// never reads as "79% (80% asked)" without saying why that counts as reaching it.
fn confidence_words(p: f64, se: f64, asked: f64) -> String {
    if p >= asked {
        format!("{} confidence ({} asked)", percent(p), percent(asked))
    } else {
        format!(
            "{} confidence ({} asked: within two standard errors, {:.1} points, on fresh trials)",
            percent1(p),
            percent(asked),
            200.0 * se
        )
    }
}

/// Why no schedule reaches the confidence, from what limits it, and what to do.
fn why(search: &Search<'_>, short: &Shortfall, n: u32) -> String {
    let s = &search.base;
    let target = s.target.as_ref();
    let month = target.map_or(String::new(), |t| s.start.offset(t.month as i64).short_label());
    let allowed = format!("{} {} allowed", count(f64::from(short.most)), hires_word(short.most));
    let what = match short.limit {
        Limit::OutOfReach => format!(
            "not one of the {} search trials reaches {}, even with all {allowed} (the highest ARR by {month} is {})",
            count((search.trials.end - search.trials.start) as f64),
            target.map_or(String::new(), |t| money(t.arr)),
            money(short.highest_arr)
        ),
        Limit::Plateau => {
            format!("P(hit) stops rising at {n} {}: all {allowed} give {}", hires_word(n), percent1(short.ceiling.p))
        }
        Limit::Limits => {
            let limits: Vec<String> = search
                .planned
                .iter()
                .map(|p| {
                    format!(
                        "{} {} a month from {}",
                        p.cap,
                        visible(s.roles[p.role].display_name()),
                        s.start.offset(p.earliest as i64).short_label()
                    )
                })
                .collect();
            format!("P(hit) still rises with the last of the {allowed} ({})", and_list(&limits))
        }
    };
    // Demand beyond capacity is lost (docs/MODEL.md 3): with little lost, the team works
    // what demand brings, and more people cannot sell much more.
    let demand_bound = short.unworked.is_finite() && short.unworked < UNWORKED_AT_MOST;
    let capacity = if !short.unworked.is_finite() {
        String::new()
    } else if demand_bound {
        format!(
            "; with every hire allowed the team works {} of the opportunities demand brings by {month}",
            percent1(1.0 - short.unworked)
        )
    } else {
        format!(
            "; {} of the opportunities demand brings by {month} go unworked even with every hire allowed",
            percent1(short.unworked)
        )
    };
    // Short of capacity where more of these hires do not help: others must work what
    // goes unworked. Short of capacity with no trial hitting: the limits on hiring bind.
    let advice = match (short.limit, demand_bound) {
        (Limit::Limits, _) | (Limit::OutOfReach, false) => {
            ": raise --max-per-month, move the target, or plan more roles"
        }
        (_, true) => {
            ", so demand and win rates limit the target, not headcount: look at them (sopsim sensitivity ranks \
             the inputs) or move the target"
        }
        (Limit::Plateau, false) => {
            ", so other roles limit the target: plan them too (--role), or look at demand and win rates (sopsim \
             sensitivity ranks the inputs)"
        }
    };
    format!("{what}{capacity}{advice}")
}

/// The share of opportunities unworked, with every hire allowed, below which demand and
/// not capacity is said to limit the target: working them all would add at most a
/// tenth to bookings.
const UNWORKED_AT_MOST: f64 = 0.1;

/// `1 in Nov 2026, 2 in Mar 2027`.
fn months_list(search: &Search<'_>, hires: &[(i64, u32)]) -> String {
    let start = search.base.start;
    hires.iter().map(|(t, n)| format!("{n} in {}", start.offset(*t).short_label())).collect::<Vec<_>>().join(", ")
}

/// One line per planned role with hires in the scenario or the schedule: what the
/// schedule keeps, drops and adds of the scenario's own (`ae (9): keeps ...; drops
/// ...; adds ...`).
pub(crate) fn change_lines(search: &Search<'_>, changes: &[HireChanges]) -> Vec<String> {
    let mut out = Vec::new();
    for c in changes {
        if c.own.is_empty() && c.added.is_empty() {
            continue;
        }
        let id = visible(search.base.roles[search.planned[c.planned].role].display_name());
        let own: u32 = c.own.iter().map(|(_, n)| n).sum();
        let own = if own == 0 { "none".to_string() } else { own.to_string() };
        let clauses: Vec<String> = if c.dropped.is_empty() && c.added.is_empty() {
            vec![format!("keeps all {own}")]
        } else {
            [("keeps", &c.kept), ("drops", &c.dropped), ("adds", &c.added)]
                .into_iter()
                .filter(|(_, list)| !list.is_empty())
                .map(|(verb, list)| format!("{verb} {}", months_list(search, list)))
                .collect()
        };
        out.push(format!("{id} ({own}): {}", clauses.join("; ")));
    }
    out
}

/// The scenario as loaded (with its overrides) and the schedule found as the planned
/// roles' hires, as TOML with the file's comments kept, headed by the verdict and what
/// the schedule does with the scenario's own hires.
pub(crate) fn planned_toml(
    setup: &Setup,
    search: &Search<'_>,
    found: &Found,
    changes: &[HireChanges],
    overrides: &[String],
) -> Result<String, Error> {
    let mut all = overrides.to_vec();
    for (k, p) in search.planned.iter().enumerate() {
        let role = &search.base.roles[p.role];
        let hires = role_hires(search, k, &found.schedule);
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
    let body = edit::apply(text, &all).map_err(Error::Planned)?;
    let mut head =
        // Shown with escapes: a line feed in the path would end the comment.
        format!("# Planned by `sopsim plan` ({}) from {}\n", env!("CARGO_PKG_VERSION"), visible_path(&setup.file));
    let verdict = verdict(search, found);
    match &verdict.why {
        None => {
            let mut line = verdict.line.clone();
            line[..1].make_ascii_uppercase();
            let _ = writeln!(
                head,
                "# {line}: P(hit) {} ± {} on {} fresh trials.",
                percent1(found.verified.p),
                percent1(found.verified.se),
                count(setup.trials as f64)
            );
        }
        Some(why) => {
            let _ = writeln!(
                head,
                "# This schedule does not reach {} with {} confidence: it is the best found, P(hit) {} on the \
                 search trials.\n# Why: {why}.",
                target_words(search),
                percent(search.confidence),
                percent1(found.search.p)
            );
        }
    }
    let lines = change_lines(search, changes);
    if !lines.is_empty() {
        let _ = writeln!(head, "# The scenario's own hires, and what this file does with them:");
        for line in lines {
            let _ = writeln!(head, "#   {line}");
        }
    }
    if !overrides.is_empty() {
        let _ = writeln!(head, "# Overrides applied: {}", overrides.join(" "));
    }
    Ok(format!("{head}{body}"))
}

/// `1 hire`, `5 hires`.
fn hires_word(n: u32) -> &'static str {
    if n == 1 { "hire" } else { "hires" }
}

pub(crate) fn curve_chart(search: &Search<'_>, found: &Found) -> Chart {
    let x: Vec<f64> = found.curve.iter().map(|(h, _)| f64::from(*h)).collect();
    let p: Vec<f64> = found.curve.iter().map(|(_, m)| m.p).collect();
    let se: Vec<f64> = found.curve.iter().map(|(_, m)| m.se).collect();
    let (low, high) = super::two_se(&p, &se);
    let (n, counts) = hire_counts(search, &found.schedule);
    let roles: Vec<String> =
        search.planned.iter().map(|p| search.base.roles[p.role].display_name().to_string()).collect();
    let asked = percent(search.confidence);
    let title = match &found.shortfall {
        None => {
            let chance = percent(found.verified.p);
            let article = a_or_an(&chance);
            if n == 0 {
                format!("Without new hires, {article} {chance} chance of the target")
            } else {
                let gives = if n == 1 { "gives" } else { "give" };
                format!("{counts} {} {gives} {article} {chance} chance of the target", hires_word(n))
            }
        }
        Some(short) => match short.limit {
            Limit::OutOfReach => format!("No schedule reaches {asked} confidence: no trial reaches the target"),
            Limit::Plateau => {
                format!("No schedule reaches {asked} confidence: P(hit) stops rising at {}", percent(short.ceiling.p))
            }
            Limit::Limits => {
                format!("No schedule reaches {asked} confidence: {} with every hire allowed", percent(found.search.p))
            }
        },
    };
    let mark = match &found.shortfall {
        None => Some((f64::from(n), format!("{n} {}", hires_word(n)))),
        Some(_) if n > 0 => Some((f64::from(n), format!("best found: {n} {}", hires_word(n)))),
        Some(_) => None,
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
            x_notation: Notation::Count,
            x_whole: true,
            x_label: format!("{} hires", and_list(&roles)),
            y_notation: Notation::Percent,
            y_label: "P(hit)".into(),
            x,
            bands: vec![Band { label: "±2 SE".into(), color: SLATE, opacity: 0.35, low, high }],
            lines: vec![Line { label: "P(hit)".into(), color: NAVY, stroke: Stroke::Solid, values: p }],
            levels: vec![Level {
                value: search.confidence,
                label: format!("{asked} confidence"),
                color: if found.reached { GREEN } else { RED },
            }],
            mark,
            y_max: Some(1.0),
        }),
    }
}

/// The terminal text: the verdict first, then the schedule labelled for what it is, the
/// scenario's own hires and what the schedule does with them, and the evidence.
pub(crate) fn summary(search: &Search<'_>, found: &Found, changes: &[HireChanges], seconds: f64) -> String {
    let s = &search.base;
    let mut out = String::new();
    let verdict = verdict(search, found);
    let _ = writeln!(out, "{}: {}", visible(&s.name), verdict.line);
    if let Some(why) = &verdict.why {
        let _ = writeln!(out, "  why: {why}");
    }
    let n: u32 = found.schedule.iter().flatten().sum();
    let label = if found.reached { "the schedule found" } else { "the best schedule found, which does not reach it" };
    let _ = writeln!(out, "  {label}:");
    if n == 0 && found.reached {
        let _ = writeln!(out, "    no new hires");
    } else if n == 0 {
        let _ = writeln!(out, "    no new hires: with or without them, no search trial reaches the target");
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
            let _ = writeln!(out, "    hire {total} {}: {}", visible(role.display_name()), months.join(", "));
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
    let lines = change_lines(search, changes);
    if !lines.is_empty() {
        let _ = writeln!(out, "  the scenario's own hires, and what planned.toml does with them:");
        for line in lines {
            let _ = writeln!(out, "    {line}");
        }
    }
    let _ = writeln!(out, "  the scenario's own plan: P(hit) {} on the search trials", percent1(found.own_plan.p));
    let (cost, se) = found.cost;
    if search.planned.iter().any(|p| s.roles[p.role].comp_plan.is_some()) {
        let _ = writeln!(out, "  comp cost of the planned hires over the horizon: {} (± {})", money(cost), money(se));
    } else {
        let _ = writeln!(out, "  comp cost: not modelled (no comp plan for the planned roles)");
    }
    let stopped = if found.reached { "" } else { ": the search stopped once every hire allowed fell short" };
    let _ = writeln!(out, "  {} schedules evaluated in {seconds:.1} s{stopped}", search.evaluations);
    out
}

#[cfg(test)]
mod tests {
    use super::confidence_words;

    #[test]
    fn a_plan_just_below_the_confidence_asked_says_why_it_counts() {
        assert_eq!(confidence_words(0.82, 0.004, 0.8), "82% confidence (80% asked)");
        assert_eq!(
            confidence_words(0.796, 0.004, 0.8),
            "79.6% confidence (80% asked: within two standard errors, 0.8 points, on fresh trials)"
        );
    }
}
