//! `report.html`: one self-contained page a sales leader can read or print. It opens
//! with the answer in a sentence, then hiring needs by role and quarter, ARR by
//! quarter, capacity, territory coverage, cost of sales, ARR stages, the inputs as
//! read and the run's seed, trials and version. Every chart is inline SVG; the page
//! loads nothing from anywhere (no script, no font, no image, no link).

use std::fmt::Write as _;

use crate::format::{and_list, money, people_parts, percent, percent1};
use crate::month::{Period, periods};
use crate::runner::RunResults;
use crate::scenario::{Policy, Role};
use crate::stats::Stats;

use super::Run;
use super::charts::Chart;
use super::charts::build::{OPEN_BOOKINGS, suffixes};
use super::inputs;
use crate::format::{count, whole};

pub use crate::format::html as esc;

/// The opening sentence: the chance of the target and the spread of ARR in its month,
/// or, without a target, the spread of ARR in the last month.
pub fn answer(run: &Run) -> String {
    let (s, r) = (run.scenario, run.results);
    let last = r.layout.months.saturating_sub(1);
    let label = |t: usize| s.start.offset(t as i64).short_label();
    match (&s.target, &r.target) {
        (Some(t), Some(hit)) => {
            let at = r.get("arr", t.month);
            format!(
                "{} chance of reaching {} ARR by {}; P50 {}, P10 {}",
                percent(hit.p_hit),
                money(t.arr),
                label(t.month),
                at.map_or_else(|| "n/a".into(), |a| money(a.p50())),
                at.map_or_else(|| "n/a".into(), |a| money(a.at(0.10)))
            )
        }
        _ => match r.get("arr", last) {
            Some(a) => format!(
                "ARR by {}: P50 {}, P10 {}, P90 {}",
                label(last),
                money(a.p50()),
                money(a.at(0.10)),
                money(a.at(0.90))
            ),
            None => format!("{}: no ARR in this run", s.name),
        },
    }
}

const STYLE: &str = r#"
:root { --ink: #1a1a1a; --muted: #5f5f5f; --navy: #1f4e79; --rule: #dcdcdc; --red: #c0392b; --green: #2e8b57; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; line-height: 1.45; font-size: 15px; }
header { border-bottom: 3px solid var(--navy); padding-bottom: 14px; margin-bottom: 8px; }
.kicker { color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: 13px; margin: 0 0 6px; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 8px; }
.verdict { font-size: 17px; margin: 0; }
.verdict.below { color: var(--red); }
.verdict.meets { color: var(--green); }
h2 { font-size: 21px; color: var(--navy); border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin: 34px 0 10px;
  break-after: avoid; page-break-after: avoid; }
p.note { color: var(--muted); margin: 4px 0 10px; break-after: avoid; page-break-after: avoid; }
figure { margin: 14px 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; margin: 8px 0 14px; font-variant-numeric: tabular-nums; font-size: 14px;
  break-inside: avoid; page-break-inside: avoid; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
td { vertical-align: top; }
th { color: var(--muted); font-weight: 600; border-bottom: 2px solid #b8b8b8; white-space: normal; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; }
small { color: var(--muted); }
table.inputs th, table.inputs td { white-space: normal; text-align: left; }
table.inputs td { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
table.inputs td:first-child { white-space: nowrap; }
.set { color: var(--red); font-family: inherit; }
footer { margin-top: 36px; border-top: 1px solid var(--rule); padding-top: 10px; color: var(--muted); font-size: 13px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h1 { font-size: 22pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// The bytes of `report.html`; `charts` are the run's charts with their SVG.
pub fn report(run: &Run, charts: &[(&Chart, &str)]) -> Vec<u8> {
    let (s, r) = (run.scenario, run.results);
    let months = r.layout.months;
    let last = months.saturating_sub(1);
    let label = |t: usize| s.start.offset(t as i64).short_label();
    let mut placed = vec![false; charts.len()];
    let mut figure = |name: &str| -> String {
        match charts.iter().position(|(c, _)| c.name == name) {
            Some(i) => {
                placed[i] = true;
                inline_svg(charts[i].0, charts[i].1)
            }
            None => String::new(),
        }
    };

    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — sopsim report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&s.name)
    );
    let _ = write!(
        h,
        "<header>\n<p class=\"kicker\">{} · {} to {}</p>\n<h1>{}</h1>\n{}</header>\n",
        esc(&s.name),
        label(0),
        label(last),
        esc(&answer(run)),
        verdict(run)
    );
    h.push_str(&figure("arr_fan"));
    h.push_str(&super::actuals::html(s, r));

    h.push_str("<h2>Hiring needs</h2>\n");
    h.push_str(&hiring_table(run));
    h.push_str(&figure("hires"));
    h.push_str(&figure("headcount"));

    h.push_str("<h2>ARR and bookings</h2>\n");
    h.push_str(&arr_table(run));
    h.push_str(&figure("arr_spread"));
    h.push_str(&figure("bookings"));
    h.push_str(&figure("bookings_split"));

    h.push_str("<h2>Capacity and demand</h2>\n");
    h.push_str(&capacity_note(r));
    h.push_str(&figure("capacity"));

    h.push_str("<h2>Territory coverage</h2>\n");
    h.push_str(&coverage_table(run));
    h.push_str(&figure("coverage"));

    h.push_str("<h2>Cost of sales</h2>\n");
    h.push_str(&cost_table(run));
    h.push_str(&figure("attainment"));

    h.push_str("<h2>ARR stages</h2>\n");
    h.push_str(&stages_table(run));
    h.push_str(&figure("stages"));

    let rest: Vec<String> =
        charts.iter().zip(&placed).filter(|(_, p)| !**p).map(|((c, svg), _)| inline_svg(c, svg)).collect();
    if !rest.is_empty() {
        h.push_str("<h2>More charts</h2>\n");
        rest.iter().for_each(|f| h.push_str(f));
    }

    h.push_str(&inputs_table(run));
    let _ = write!(
        h,
        "<footer>sopsim {} · seed {} · {} trials · {} months from {} · scenario file {}. \
         The same seed and trials give the same numbers on any machine and thread count.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        r.seed,
        count(r.trials as f64),
        months,
        label(0),
        esc(run.file)
    );
    h.into_bytes()
}

fn verdict(run: &Run) -> String {
    let (Some(t), Some(hit)) = (&run.scenario.target, &run.results.target) else {
        return "<p class=\"verdict\">No ARR target in this scenario.</p>\n".to_string();
    };
    let (class, word) = if hit.p_hit >= t.confidence { ("meets", "Meets") } else { ("below", "Below") };
    format!(
        "<p class=\"verdict {class}\">{word} the {} confidence the plan asks for (P(hit) {} ± {:.1} points).</p>\n",
        percent(t.confidence),
        percent1(hit.p_hit),
        hit.standard_error * 100.0
    )
}

/// The chart's SVG, without its XML namespace and fixed size (implied in HTML, set by
/// the page), labelled with its title for screen readers.
fn inline_svg(chart: &Chart, svg: &str) -> String {
    let body = match (svg.find("<svg"), svg.find('>')) {
        (Some(open), Some(close)) if open < close => &svg[close + 1..],
        _ => svg,
    };
    format!(
        "<figure>\n<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">{}</figure>\n",
        super::charts::WIDTH,
        super::charts::HEIGHT,
        esc(&chart.title),
        body.trim_end()
    )
}

/// Sum of the means of `metric` over a period's months: the expected total (means add).
fn period_mean(r: &RunResults, metric: &str, p: &Period) -> f64 {
    p.months.clone().map(|t| r.get(metric, t).map_or(0.0, |s| s.mean)).sum()
}

/// A table row of cells already escaped.
fn row(cells: &[String]) -> String {
    format!("<tr>{}</tr>\n", cells.iter().map(|c| format!("<td>{c}</td>")).collect::<String>())
}

/// A table header of cells already escaped.
fn head(cells: &[String]) -> String {
    format!("<thead><tr>{}</tr></thead>\n", cells.iter().map(|c| format!("<th>{c}</th>")).collect::<String>())
}

fn spread(s: Option<&Stats>, f: fn(f64) -> String) -> [String; 3] {
    match s {
        Some(s) => [f(s.at(0.10)), f(s.p50()), f(s.at(0.90))],
        None => ["n/a".into(), "n/a".into(), "n/a".into()],
    }
}

fn hiring_table(run: &Run) -> String {
    let (s, r) = (run.scenario, run.results);
    if s.roles.is_empty() {
        return "<p class=\"note\">No roles in this scenario.</p>\n".to_string();
    }
    let last = r.layout.months.saturating_sub(1);
    let mut t = String::from(
        "<p class=\"note\">People hired by role and period: the median trial's hires (P50) and, beneath, the \
         range of the middle 80% of trials (P10–P90), each trial's own total for the period. Every start \
         counts: planned hires, backfills of departures and the requisitions the capacity policy opens; under \
         each role, where its hires come from. All roles: each trial's hires over every role, so its P50 need \
         not be the sum of the roles' P50s. The expected (mean) hires by month are in monthly.csv and the \
         workbook.</p>\n",
    );
    let at_end = format!("Headcount {}", s.start.offset(last as i64).short_label());
    let role_head =
        |role: &Role| format!("{}<br><small>{}</small>", esc(role.display_name()), hires_from(role, s.months));
    t.push_str(&people_table(run, "hires", role_head, Some((at_end, last))));
    t.push_str(&departures_table(run));
    t
}

/// People leaving by role and period, in whole people as the hires are; a note alone
/// when 95% of trials see no one leave.
fn departures_table(run: &Run) -> String {
    let r = run.results;
    let Some(all) = r.total("departures") else {
        return String::new();
    };
    if all.at(0.95) <= 0.0 {
        return "<p class=\"note\">Departures: no one leaves in 95% of trials.</p>\n".to_string();
    }
    let mut t = String::from(
        "<p class=\"note\">People leaving by role and period, as the hires: P50 and, beneath, P10–P90 of each \
         trial's own total; planned departures and attrition (with a comp plan, more of it below quota). The \
         mean departures by month are in monthly.csv and the workbook.</p>\n",
    );
    t.push_str(&people_table(run, "departures", |role| esc(role.display_name()), None));
    t
}

/// A table of people by role and period for the per-role flow `stem` (`hires`): each
/// cell the P50 of the trials' totals and the P10–P90 beneath, a Total column of the
/// horizon, with `headcount` (its header and month) a last column of each role's
/// headcount then, and a last row of each trial's total over every role.
fn people_table(
    run: &Run,
    stem: &str,
    role_head: impl Fn(&Role) -> String,
    headcount: Option<(String, usize)>,
) -> String {
    let (s, r) = (run.scenario, run.results);
    let periods = &r.layout.periods;
    let mut t = String::from("<table>\n");
    let mut header = vec!["Role".to_string()];
    header.extend(periods.iter().map(|p| esc(&p.label)));
    header.push("Total".into());
    header.extend(headcount.iter().map(|(name, _)| esc(name)));
    t.push_str(&head(&header));
    t.push_str("<tbody>\n");
    let cell = |st: Option<&Stats>| match st.map(|st| people_parts(st.at(0.10), st.p50(), st.at(0.90))) {
        Some((mid, Some(range))) => format!("{mid}<br><small>{range}</small>"),
        Some((mid, None)) => mid,
        None => "n/a".into(),
    };
    for role in &s.roles {
        let metric = format!("{stem}.{}", role.id);
        let mut cells = vec![role_head(role)];
        cells.extend((0..periods.len()).map(|p| cell(r.period_total(&metric, p))));
        cells.push(cell(r.total(&metric)));
        if let Some((_, month)) = &headcount {
            cells.push(cell(r.get(&format!("headcount.{}", role.id), *month)));
        }
        t.push_str(&row(&cells));
    }
    if s.roles.len() > 1 {
        let mut cells = vec!["<b>All roles</b>".to_string()];
        cells.extend((0..periods.len()).map(|p| cell(r.period_total(stem, p))));
        cells.push(cell(r.total(stem)));
        cells.extend(headcount.iter().map(|_| String::new()));
        t.push_str(&row(&cells));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// Where a role's hires come from within a horizon of `months`: `planned starts and
/// backfills`.
fn hires_from(role: &Role, months: usize) -> String {
    let planned = role.hires.iter().any(|&(t, n)| n > 0 && (0..months as i64).contains(&t));
    let mut from = Vec::new();
    if planned {
        from.push("planned starts");
    }
    if role.policy != Policy::Plan {
        from.push("backfills");
    }
    if role.policy == Policy::Capacity {
        from.push("the capacity policy");
    }
    if from.is_empty() { "no hires planned".to_string() } else { and_list(&from) }
}

fn arr_table(run: &Run) -> String {
    let (s, r) = (run.scenario, run.results);
    if r.layout.index("arr").is_none() {
        return String::new();
    }
    let periods = periods(s.start, r.layout.months);
    let open = r.layout.index(OPEN_BOOKINGS).is_some();
    let mut t = String::from(
        "<p class=\"note\">ARR at the end of each period and new bookings within it (P10, P50, P90 of the \
         trials; bookings per period are means, which add up)",
    );
    t.push_str(if open {
        ", and the part of them from the deals open at the start.</p>\n<table>\n"
    } else {
        ".</p>\n<table>\n"
    });
    let mut header: Vec<String> = ["Period", "End month", "ARR P10", "ARR P50", "ARR P90", "Bookings (mean)"]
        .into_iter()
        .map(String::from)
        .collect();
    if open {
        header.push("From the open pipeline (mean)".into());
    }
    t.push_str(&head(&header));
    t.push_str("<tbody>\n");
    for p in &periods {
        let end = p.months.end - 1;
        let [p10, p50, p90] = spread(r.get("arr", end), money);
        let booked = money(period_mean(r, "bookings", p));
        let mut cells = vec![esc(&p.label), s.start.offset(end as i64).short_label(), p10, p50, p90, booked];
        if open {
            // Months of actual bookings have no split.
            let split = p.months.clone().all(|t| r.get(OPEN_BOOKINGS, t).is_some());
            cells.push(if split { money(period_mean(r, OPEN_BOOKINGS, p)) } else { "n/a".into() });
        }
        t.push_str(&row(&cells));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn capacity_note(r: &RunResults) -> String {
    match (r.total("opportunities.lost"), r.total("bookings")) {
        (Some(lost), _) => format!(
            "<p class=\"note\">Opportunities demanded, worked by the closers on hand, and lost for lack of \
             capacity: {} lost over the horizon (P50; P10 {}, P90 {}).</p>\n",
            whole(lost.p50()),
            whole(lost.at(0.10)),
            whole(lost.at(0.90))
        ),
        _ => String::new(),
    }
}

fn coverage_table(run: &Run) -> String {
    let (s, r) = (run.scenario, run.results);
    let territories = suffixes(&r.layout.names, "coverage");
    if territories.is_empty() {
        return "<p class=\"note\">No territories in this scenario.</p>\n".to_string();
    }
    let periods = periods(s.start, r.layout.months);
    let mut t = String::from(
        "<p class=\"note\">Share of each territory's accounts covered by a rep at the end of each period: \
         P50, with P10 below it.</p>\n<table>\n",
    );
    let mut header = vec!["Territory".to_string()];
    header.extend(periods.iter().map(|p| esc(&p.label)));
    t.push_str(&head(&header));
    t.push_str("<tbody>\n");
    for name in &territories {
        let metric = format!("coverage.{name}");
        let mut cells = vec![esc(name)];
        cells.extend(periods.iter().map(|p| match r.get(&metric, p.months.end - 1) {
            Some(s) => format!("{}<br><small>P10 {}</small>", percent(s.p50()), percent(s.at(0.10))),
            None => "n/a".into(),
        }));
        t.push_str(&row(&cells));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn cost_table(run: &Run) -> String {
    let r = run.results;
    let comp = r.total("comp_cost");
    let ratio = r.total("cost_of_sales");
    if comp.is_none() && ratio.is_none() && r.layout.index("comp_cost").is_none() {
        return "<p class=\"note\">No compensation plans in this scenario: no cost of sales.</p>\n".to_string();
    }
    let mut t = String::from(
        "<p class=\"note\">Sales compensation paid over the horizon, and cost of sales (compensation / new \
         bookings), across trials.</p>\n<table>\n",
    );
    t.push_str(&head(&[String::new(), "P10".into(), "P50".into(), "P90".into()]));
    t.push_str("<tbody>\n");
    if let Some(c) = comp {
        let [a, b, c] = spread(Some(c), money);
        t.push_str(&row(&["Compensation cost".into(), a, b, c]));
    }
    if let Some(b) = r.total("bookings") {
        let [a, m, c] = spread(Some(b), money);
        t.push_str(&row(&["New bookings".into(), a, m, c]));
    }
    if let Some(x) = ratio {
        let [a, b, c] = spread(Some(x), percent);
        t.push_str(&row(&["Cost of sales".into(), a, b, c]));
    }
    t.push_str("</tbody>\n</table>\n");
    if r.layout.index("comp_cost").is_some() {
        let periods = periods(run.scenario.start, r.layout.months);
        let mut header = vec!["Compensation cost (mean)".to_string()];
        header.extend(periods.iter().map(|p| esc(&p.label)));
        t.push_str("<table>\n");
        t.push_str(&head(&header));
        let mut cells = vec!["all roles".to_string()];
        cells.extend(periods.iter().map(|p| money(period_mean(r, "comp_cost", p))));
        t.push_str(&format!("<tbody>\n{}</tbody>\n</table>\n", row(&cells)));
    }
    t
}

fn stages_table(run: &Run) -> String {
    let (s, r) = (run.scenario, run.results);
    let stages = suffixes(&r.layout.names, "reached");
    if stages.is_empty() {
        return "<p class=\"note\">No ARR stages in this run.</p>\n".to_string();
    }
    let last = r.layout.months.saturating_sub(1);
    let mut t = String::from(
        "<p class=\"note\">The chance that ARR has reached each stage by the last month, and the first month \
         by which it has reached it in at least half of the trials.</p>\n<table>\n",
    );
    t.push_str(&head(&["Stage".into(), "Chance by the end".into(), "Likely (50%) by".into()]));
    t.push_str("<tbody>\n");
    for name in &stages {
        let metric = format!("reached.{name}");
        let chance = r.get(&metric, last).map_or_else(|| "n/a".into(), |s| percent(s.mean));
        let when = (0..r.layout.months)
            .find(|t| r.get(&metric, *t).is_some_and(|s| s.mean >= 0.5))
            .map_or_else(|| "not within the horizon".into(), |t| s.start.offset(t as i64).short_label());
        t.push_str(&row(&[esc(name), chance, when]));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn inputs_table(run: &Run) -> String {
    let rows = inputs::read(run.sources);
    let mut t = format!("<h2>Inputs as read</h2>\n<p class=\"note\">From {}", esc(run.file));
    if !run.sources.overrides.is_empty() {
        t.push_str(", with the command line's <span class=\"set\">--set</span> values marked");
    }
    t.push_str(".</p>\n");
    if !run.warnings.is_empty() {
        t.push_str("<ul>\n");
        for w in run.warnings {
            let _ = writeln!(t, "<li>warning: {}: {}</li>", esc(&w.path), esc(&w.message));
        }
        t.push_str("</ul>\n");
    }
    t.push_str("<table class=\"inputs\">\n");
    t.push_str(&head(&["Key".into(), "Value".into()]));
    t.push_str("<tbody>\n");
    for i in &rows {
        let mark = if i.overridden { " <span class=\"set\">--set</span>" } else { "" };
        let _ = writeln!(t, "<tr><td>{}</td><td>{}{mark}</td></tr>", esc(&i.key), esc(&i.text));
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<b>\"R&D\" 'x'</b>"), "&lt;b&gt;&quot;R&amp;D&quot; &#39;x&#39;&lt;/b&gt;");
        assert_eq!(esc("a\u{1b}[1m<\u{202e}"), "a\\u{1b}[1m&lt;\\u{202e}");
    }
}
