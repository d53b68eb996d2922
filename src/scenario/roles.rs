//! `[[roles]]`: closers, SDRs, support, managers and sales ops; their staffing, ramp,
//! attrition, time to hire, hiring plans and policies.

use std::collections::BTreeMap;

use super::{skill, tree};
use crate::dist::{Dist, Support};
use crate::hash::name_key;
use crate::month::YearMonth;

use super::diag::{Diagnostic, Span};
use super::names::reference;
use super::read::{self, Reader, Tbl};
use super::types::*;

pub(super) fn read_roles(
    r: &mut Reader,
    top: &mut Tbl<'_>,
    segments: &[&str],
    plans: &[&str],
    dating: Option<(YearMonth, usize)>,
) -> Vec<Role> {
    let has_mix =
        top.entries().iter().find(|e| e.key == "demand").is_some_and(
            |d| matches!(&d.node.value, tree::Value::Table(t) if t.iter().any(|e| e.key == "segment_mix")),
        );
    let tables = r.array_of_tables(top, "roles");
    let mut out: Vec<Role> = Vec::new();
    let mut manages = Vec::new();
    let mut all_ids: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for mut t in tables {
        let id = r.name(&mut t, "id", MAX_ID_CHARS);
        if !t.has("id") {
            r.missing(&t, "id", "the role's id, e.g. id = \"ae\"");
        }
        if let Some((id, span)) = &id {
            all_ids.push(id.clone());
            if out.iter().any(|x| &x.id == id) {
                r.error(
                    Diagnostic::error(Some(*span), t.key_path("id"), format!("role `{id}` is defined twice"))
                        .help("give each [[roles]] table its own id"),
                );
            }
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                r.error(
                    Diagnostic::error(Some(*span), t.key_path("id"), format!("role id `{id}` is not a plain word"))
                        .expected("letters, digits, - and _ (it names metrics such as headcount.<id>)"),
                );
            }
        }
        let label = r.label(&mut t, "label", MAX_ID_CHARS);
        if let Some(label) = &label {
            r.unique_label(&t, label, &mut labels, "role");
        }
        let kind = match r.string(&mut t, "kind") {
            Some((k, span)) => {
                let kind = RoleKind::parse(&k);
                if kind.is_none() {
                    let mut d = Diagnostic::error(Some(span), t.key_path("kind"), format!("unknown role kind `{k}`"))
                        .expected(format!("one of: {}", RoleKind::NAMES.join(", ")));
                    d = d.suggest(&k, RoleKind::NAMES);
                    r.error(d);
                }
                kind
            }
            None => {
                if !t.has("kind") {
                    r.missing(&t, "kind", "one of: closer, sdr, support, manager, ops");
                }
                None
            }
        };
        let segment = match r.string(&mut t, "segment") {
            Some((s, span)) => match segments.iter().position(|x| *x == s) {
                Some(i) => Some(Some(i)),
                None => {
                    let mut d =
                        Diagnostic::error(Some(span), t.key_path("segment"), format!("no segment is named `{s}`"))
                            .expected(format!("one of the [[segments]] names: {}", segments.join(", ")));
                    d = d.suggest(&s, segments.iter().copied());
                    r.error(d);
                    None
                }
            },
            None if t.has("segment") => None,
            None if kind == Some(RoleKind::Closer) && segments.len() > 1 => {
                r.missing(&t, "segment", &format!("the segment the closers sell to, one of: {}", segments.join(", ")));
                None
            }
            None if kind == Some(RoleKind::Closer) => Some(Some(0)),
            None if kind == Some(RoleKind::Sdr) && segments.len() > 1 && !has_mix => {
                r.missing(
                    &t,
                    "segment",
                    &format!(
                        "the segment the SDRs' meetings go to (one of: {}), or a [demand] segment_mix to split them",
                        segments.join(", ")
                    ),
                );
                None
            }
            None => Some(None),
        };
        let headcount = r.count(&mut t, "headcount", MAX_PEOPLE);
        let ramp = read_ramp(r, &mut t);
        let attrition = r.dist(&mut t, "annual_attrition", Support::Unit, 1.0);
        let time_to_hire = r.dist(&mut t, "time_to_hire_months", Support::NonNegative, MAX_MONTHS as f64);
        let backfill = r.boolean(&mut t, "backfill");
        if backfill == Some(true) && !t.has("time_to_hire_months") {
            r.missing(
                &t,
                "time_to_hire_months",
                "the months from a departure to the backfill's start, e.g. time_to_hire_months = 2",
            );
        }
        let opportunities = r.dist(&mut t, "opportunities_per_month", Support::NonNegative, MAX_OPPS_PER_REP);
        if opportunities.is_some() {
            r.not_tiny(&t, "opportunities_per_month", MIN_FACTOR, MAX_OPPS_PER_REP, true);
        }
        let meetings = r.dist(&mut t, "meetings_per_month", Support::NonNegative, MAX_OPPS_PER_REP);
        let meeting_to_opportunity = r.dist(&mut t, "meeting_to_opportunity", Support::Unit, 1.0);
        let skill = skill::read_skill(r, &mut t);
        keys_of_kind(
            r,
            &t,
            kind,
            &[
                ("opportunities_per_month", RoleKind::Closer),
                ("skill", RoleKind::Closer),
                ("meetings_per_month", RoleKind::Sdr),
                ("meeting_to_opportunity", RoleKind::Sdr),
            ],
        );
        if kind == Some(RoleKind::Closer) && !t.has("opportunities_per_month") {
            r.missing(
                &t,
                "opportunities_per_month",
                "the opportunities a ramped closer works a month, e.g. opportunities_per_month = 12",
            );
        }
        if kind == Some(RoleKind::Sdr) && !t.has("meetings_per_month") {
            r.missing(&t, "meetings_per_month", "the meetings a ramped SDR sets a month, e.g. meetings_per_month = 20");
        }
        let comp_plan = match r.string(&mut t, "comp_plan") {
            Some((id, span)) => reference(r, span, t.key_path("comp_plan"), "comp plan", &id, plans).map(Some),
            None if t.has("comp_plan") => None,
            None => Some(None),
        };
        let staffing = read_staffing(r, &mut t, kind, backfill);
        let hires = read_dated_counts(r, &mut t, "hires", dating, true);
        let departures = read_dated_counts(r, &mut t, "departures", dating, false);
        let staff_total: u64 =
            headcount.unwrap_or(0) + hires.as_ref().map_or(0, |h| h.iter().map(|(_, n)| u64::from(*n)).sum());
        if staff_total > MAX_PEOPLE {
            r.error(
                Diagnostic::error(
                    Some(t.span),
                    t.path.clone(),
                    format!("the role has {staff_total} people between headcount and hires"),
                )
                .expected(format!("at most {} people per role", read::group_digits(MAX_PEOPLE))),
            );
        }
        r.finish(t);
        let (
            Some((id, _)),
            Some(kind),
            Some(segment),
            Some(ramp),
            Some(hires),
            Some(departures),
            Some(comp_plan),
            Some(staffing),
        ) = (id, kind, segment, ramp, hires, departures, comp_plan, staffing)
        else {
            continue;
        };
        let Some(skill) = skill else { continue };
        manages.push(staffing.manages);
        out.push(Role {
            stream: name_key(&id),
            id,
            label: label.map(|l| l.0),
            kind,
            segment,
            headcount: headcount.unwrap_or(0) as u32,
            ramp,
            annual_attrition: attrition.unwrap_or(Dist::constant(0.0)),
            time_to_hire_months: time_to_hire.unwrap_or(Dist::constant(0.0)),
            opportunities_per_month: opportunities.unwrap_or(Dist::constant(0.0)),
            skill,
            meetings_per_month: meetings.unwrap_or(Dist::constant(0.0)),
            meeting_to_opportunity: meeting_to_opportunity.unwrap_or(Dist::constant(1.0)),
            hires,
            departures: departures.into_iter().map(|(t, n)| (t as usize, n)).collect(),
            backfill: staffing.policy != Policy::Plan,
            policy: staffing.policy,
            comp_plan,
            max_hires_per_month: staffing.max_hires_per_month,
            headcount_budget: staffing.headcount_budget,
            target_utilisation: staffing.target_utilisation,
            arr_per_head: staffing.arr_per_head,
            span_of_control: staffing.span_of_control,
            manages: Vec::new(),
            default_budget: MAX_PEOPLE as u32,
        });
    }
    resolve_manages(r, &mut out, manages, &all_ids);
    out
}

/// The hiring policy and the keys of one kind of role.
struct Staffing {
    policy: Policy,
    max_hires_per_month: u32,
    headcount_budget: Option<u32>,
    target_utilisation: f64,
    arr_per_head: f64,
    span_of_control: f64,
    /// Managed role ids as written, with where they were written.
    manages: Option<Vec<(String, Span)>>,
}

/// Reads `policy`, its limits, and the keys of support and manager roles.
fn read_staffing(r: &mut Reader, t: &mut Tbl<'_>, kind: Option<RoleKind>, backfill: Option<bool>) -> Option<Staffing> {
    let mut ok = true;
    let policy = match r.string(t, "policy") {
        Some((p, span)) => {
            let policy = match p.as_str() {
                "plan" => Some(Policy::Plan),
                "backfill" => Some(Policy::Backfill),
                "capacity" => Some(Policy::Capacity),
                _ => None,
            };
            if policy.is_none() {
                let mut d = Diagnostic::error(Some(span), t.key_path("policy"), format!("unknown hiring policy `{p}`"))
                    .expected(format!("one of: {}", Policy::NAMES.join(", ")));
                d = d.suggest(&p, Policy::NAMES);
                r.error(d);
            }
            if policy == Some(Policy::Plan) && backfill == Some(true) {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("policy"),
                        "policy = \"plan\" contradicts backfill = true",
                    )
                    .help("use policy = \"backfill\" (backfill = true says the same) or remove backfill"),
                );
            }
            if policy == Some(Policy::Capacity) && matches!(kind, Some(RoleKind::Sdr | RoleKind::Ops)) {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("policy"),
                        "the capacity policy applies to closer, support and manager roles",
                    )
                    .help("an SDR or ops role hires by plan or backfill"),
                );
            }
            policy
        }
        None if t.has("policy") => None,
        None if kind == Some(RoleKind::Manager) => Some(Policy::Capacity),
        None if backfill == Some(true) => Some(Policy::Backfill),
        None => Some(Policy::Plan),
    };
    let needs_tth = policy == Some(Policy::Capacity) && !t.has("time_to_hire_months");
    if needs_tth && kind != Some(RoleKind::Manager) {
        r.missing(t, "time_to_hire_months", "the months from opening a requisition to the start, e.g. 2");
    }
    let max_hires = r.count(t, "max_hires_per_month", MAX_PEOPLE);
    let budget = r.count(t, "headcount_budget", MAX_PEOPLE);
    let utilisation = r.rate(t, "target_utilisation");
    r.not_tiny(t, "target_utilisation", MIN_FACTOR, 1.0, false);
    if utilisation == Some(0.0) {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("target_utilisation"), "target_utilisation must be above 0")
                .expected("the share of capacity the plan aims to use, e.g. 0.85"),
        );
        ok = false;
    }
    for key in ["max_hires_per_month", "headcount_budget", "target_utilisation"] {
        if policy.is_some_and(|p| p != Policy::Capacity)
            && let Some(e) = t.entries().iter().find(|e| e.key == key)
        {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    t.key_path(key),
                    format!("`{key}` applies to policy = \"capacity\""),
                )
                .help("add policy = \"capacity\" or remove the key"),
            );
        }
    }
    let arr_per_head = r.number(t, "arr_per_head", 0.0, MAX_MONEY);
    r.not_tiny(t, "arr_per_head", MIN_MONEY, MAX_MONEY, false);
    let span = r.number(t, "span_of_control", 0.0, MAX_PEOPLE as f64);
    r.not_tiny(t, "span_of_control", MIN_FACTOR, MAX_PEOPLE as f64, false);
    let manages = match t.entry("manages") {
        Some(e) => match &e.node.value {
            tree::Value::Array(items) => {
                let mut names = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        tree::Value::Str(s) => names.push((s.clone(), item.span)),
                        _ => {
                            r.error(
                                Diagnostic::error(
                                    Some(item.span),
                                    format!("{}[{i}]", t.key_path("manages")),
                                    format!("expected a role id, found {}", item.value.type_name()),
                                )
                                .expected("role ids in double quotes, e.g. manages = [\"ae\"]"),
                            );
                            ok = false;
                        }
                    }
                }
                Some(names)
            }
            other => {
                r.error(
                    Diagnostic::error(
                        Some(e.node.span),
                        t.key_path("manages"),
                        format!("expected an array of role ids, found {}", other.type_name()),
                    )
                    .expected("role ids in double quotes, e.g. manages = [\"ae\"]"),
                );
                ok = false;
                None
            }
        },
        None => None,
    };
    keys_of_kind(
        r,
        t,
        kind,
        &[("arr_per_head", RoleKind::Support), ("span_of_control", RoleKind::Manager), ("manages", RoleKind::Manager)],
    );
    if kind == Some(RoleKind::Support) && !t.has("arr_per_head") {
        r.missing(t, "arr_per_head", "the ARR one ramped support person serves, e.g. arr_per_head = 1_500_000");
    }
    if kind == Some(RoleKind::Manager) && !t.has("span_of_control") {
        r.missing(t, "span_of_control", "the people one manager manages, e.g. span_of_control = 7");
    }
    for (key, v) in [("arr_per_head", arr_per_head), ("span_of_control", span)] {
        if v == Some(0.0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path(key), format!("{key} must be above 0"))
                    .expected("a positive number"),
            );
            ok = false;
        }
    }
    let all_ok = ok
        && (max_hires.is_some() || !t.has("max_hires_per_month"))
        && (budget.is_some() || !t.has("headcount_budget"))
        && (utilisation.is_some() || !t.has("target_utilisation"))
        && (arr_per_head.is_some() || !t.has("arr_per_head"))
        && (span.is_some() || !t.has("span_of_control"));
    Some(Staffing {
        policy: policy?,
        max_hires_per_month: max_hires.map_or(u32::MAX, |m| m as u32),
        headcount_budget: budget.map(|b| b as u32),
        target_utilisation: utilisation.unwrap_or(0.85),
        arr_per_head: arr_per_head.unwrap_or(0.0),
        span_of_control: span.unwrap_or(0.0),
        manages,
    })
    .filter(|_| all_ok)
}

/// Reports each key of `keys` written on a role of another kind than the key's.
fn keys_of_kind(r: &mut Reader, t: &Tbl<'_>, kind: Option<RoleKind>, keys: &[(&str, RoleKind)]) {
    for &(key, wanted) in keys {
        if let (Some(k), Some(e)) = (kind, t.entries().iter().find(|e| e.key == key))
            && k != wanted
        {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    t.key_path(key),
                    format!("`{key}` applies to {} roles only", RoleKind::NAMES[wanted as usize]),
                )
                .help("remove it, or change the role's kind"),
            );
        }
    }
}

/// Resolves each manager role's `manages` to role indices (all closer roles by default);
/// `all_ids` holds every role id written, valid or not.
fn resolve_manages(r: &mut Reader, roles: &mut [Role], manages: Vec<Option<Vec<(String, Span)>>>, all_ids: &[String]) {
    let ids: Vec<String> = roles.iter().map(|x| x.id.clone()).collect();
    let id_refs: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    let closers: Vec<usize> =
        roles.iter().enumerate().filter(|(_, x)| x.kind == RoleKind::Closer).map(|(i, _)| i).collect();
    for (i, names) in manages.into_iter().enumerate() {
        if roles[i].kind != RoleKind::Manager {
            continue;
        }
        roles[i].manages = match names {
            None => closers.clone(),
            Some(names) => names
                .iter()
                .filter_map(|(n, span)| {
                    reference(r, *span, format!("roles.{}.manages", ids[i]), "role", n, &id_refs)?;
                    // A role written but refused has its own error; it is not managed.
                    ids.iter().position(|x| x == n)
                })
                .collect(),
        };
    }
}

fn read_ramp(r: &mut Reader, t: &mut Tbl<'_>) -> Option<Vec<f64>> {
    let months = r.count(t, "ramp_months", MAX_RAMP_MONTHS);
    let curve = r.numbers(t, "ramp", 0.0, 1.0);
    match (t.has("ramp_months"), t.has("ramp")) {
        (true, true) => {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("ramp"), "give either ramp_months or ramp, not both")
                    .help("ramp_months = 4 means 0.25, 0.5, 0.75, then 1.0; ramp = [...] lists the first months"),
            );
            None
        }
        (true, false) => months.map(|m| (1..m).map(|k| k as f64 / m as f64).collect()),
        (false, true) => {
            let (curve, span) = curve?;
            if curve.len() as u64 > MAX_RAMP_MONTHS {
                r.error(
                    Diagnostic::error(
                        Some(span),
                        t.key_path("ramp"),
                        format!("the ramp curve has {} months", curve.len()),
                    )
                    .expected(format!("at most {MAX_RAMP_MONTHS} months")),
                );
                return None;
            }
            Some(curve)
        }
        (false, false) => Some(Vec::new()),
    }
}

fn read_dated_counts(
    r: &mut Reader,
    t: &mut Tbl<'_>,
    key: &'static str,
    dating: Option<(YearMonth, usize)>,
    before_start_ok: bool,
) -> Option<Vec<(i64, u32)>> {
    let Some(m) = r.table(t, key) else {
        return if t.has(key) { None } else { Some(Vec::new()) };
    };
    let mut merged: BTreeMap<i64, u32> = BTreeMap::new();
    let mut ok = true;
    for e in m.entries() {
        let path = m.key_path(&e.key);
        let month = r.parse_month(&e.key, e.key_span, path.clone());
        let count = r.count_node(&e.node, path.clone(), MAX_PEOPLE);
        let (Some(month), Some(count), Some((start, months))) = (month, count, dating) else {
            ok = false;
            continue;
        };
        let idx = month.months_since(start);
        if idx < 0 && !before_start_ok {
            r.error(
                Diagnostic::error(
                    Some(e.key_span),
                    path,
                    format!("a planned departure in {month}, before the start ({start})"),
                )
                .help("leave people who left before the start out of headcount"),
            );
            ok = false;
            continue;
        }
        if idx < -(MAX_RAMP_MONTHS as i64) * 10 {
            r.error(
                Diagnostic::error(Some(e.key_span), path, format!("{month} is more than 100 years before the start"))
                    .help("people hired long ago belong in headcount"),
            );
            ok = false;
            continue;
        }
        if idx >= months as i64 {
            r.warn(
                Some(e.key_span),
                path,
                format!(
                    "{month} is after the last simulated month ({}); this entry has no effect",
                    start.offset(months as i64 - 1)
                ),
            );
            continue;
        }
        *merged.entry(idx).or_insert(0) += count as u32;
    }
    m.accept_all();
    ok.then(|| merged.into_iter().collect())
}

/// Refuses roles whose people, times the months, exceed [`MAX_STAFF_MONTHS`], and gives
/// each capacity role without a budget an equal share of the staff left.
///
/// A role has at most `headcount + hires` people on staff (a backfill replaces a leaver),
/// and under the capacity policy at most `max(budget, headcount) + hires`.
pub(super) fn bound_staff_months(r: &mut Reader, top: &Tbl<'_>, roles: &mut [Role], months: u64) {
    let written = |role: &Role| {
        let hires: u64 = role.hires.iter().map(|(_, n)| u64::from(*n)).sum();
        let budget = match (role.policy, role.headcount_budget) {
            (Policy::Capacity, Some(b)) => u64::from(b).saturating_sub(u64::from(role.headcount)),
            _ => 0,
        };
        u64::from(role.headcount) + hires + budget
    };
    let people: u64 = roles.iter().map(written).sum();
    if people * months > MAX_STAFF_MONTHS {
        let span = top.entries().iter().find(|e| e.key == "roles").map(|e| e.key_span);
        r.error(
            Diagnostic::error(
                span,
                "roles",
                format!(
                    "the roles can have {} people on staff for {months} months, {} person-months a trial, beyond what can be simulated",
                    read::group_digits(people),
                    read::group_digits(people * months)
                ),
            )
            .expected(format!(
                "at most {} person-months: people on staff (headcount, hires, budgets) times months",
                read::group_digits(MAX_STAFF_MONTHS)
            ))
            .help("shorten the horizon, or lower headcount, hires or headcount_budget"),
        );
        return;
    }
    let unbudgeted = roles.iter().filter(|x| x.policy == Policy::Capacity && x.headcount_budget.is_none()).count();
    if unbudgeted == 0 {
        return;
    }
    let share = (MAX_STAFF_MONTHS / months - people) / unbudgeted as u64;
    for role in roles.iter_mut().filter(|x| x.policy == Policy::Capacity && x.headcount_budget.is_none()) {
        role.default_budget = (u64::from(role.headcount) + share).min(MAX_PEOPLE) as u32;
    }
}
