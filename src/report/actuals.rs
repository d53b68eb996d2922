//! Plan against actual, for a run with `[[actuals]]`: each value the actuals give beside
//! the plan's own forecast of it (the `plan.*` metrics: the scenario's trials before
//! anything happened), as `plan_vs_actual.csv` and a section of `report.html`.

use std::fmt::Write as _;

use super::OutputFile;
use crate::format::count;
use crate::format::html as esc;
use crate::format::money;
use crate::runner::RunResults;
use crate::scenario::Scenario;
use crate::stats::Stats;

/// One value that happened, against the plan's forecast of it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The metric as named in `monthly.csv` (`arr`, `bookings`, `pipeline`, `headcount.<role>`).
    pub metric: &'a str,
    /// Month index.
    pub month: usize,
    /// What happened.
    pub actual: f64,
    /// The plan's forecast of it (`None`: no trial had a value).
    pub plan: Option<&'a Stats>,
}

impl Row<'_> {
    /// Where the actual fell: below the plan's P10, inside its P10–P90, or above its P90.
    pub fn band(&self) -> &'static str {
        match self.plan {
            Some(p) if self.actual < p.at(0.10) => "below P10",
            Some(p) if self.actual > p.at(0.90) => "above P90",
            Some(_) => "P10–P90",
            None => "",
        }
    }
}

/// Every value the actuals give, metric by metric (ARR, bookings, pipeline, then
/// headcount by role), month by month.
pub fn rows<'a>(scenario: &'a Scenario, results: &'a RunResults, names: &'a [String]) -> Vec<Row<'a>> {
    let mut out = Vec::new();
    let happened = &scenario.actuals[..scenario.actuals.len().min(results.layout.months)];
    let mut add = |metric: &'a str, value: &dyn Fn(usize) -> Option<f64>| {
        for t in 0..happened.len() {
            if let Some(actual) = value(t) {
                out.push(Row { metric, month: t, actual, plan: results.get(&format!("plan.{metric}"), t) });
            }
        }
    };
    add("arr", &|t| happened[t].arr);
    add("bookings", &|t| happened[t].bookings);
    add("pipeline", &|t| happened[t].pipeline);
    for (r, name) in names.iter().enumerate() {
        add(name, &|t| happened[t].headcount[r].map(f64::from));
    }
    out
}

/// The `headcount.<role>` metric names, by role.
pub fn headcount_names(scenario: &Scenario) -> Vec<String> {
    scenario.roles.iter().map(|r| format!("headcount.{}", r.id)).collect()
}

/// `plan_vs_actual.csv`: metric, month, actual, the plan's mean and quantiles, and the
/// band the actual fell in.
pub fn csv(scenario: &Scenario, results: &RunResults) -> Result<OutputFile, super::Error> {
    let names = headcount_names(scenario);
    let cell = |v: f64| if v.is_finite() { super::csv::number(v) } else { String::new() };
    let rows: Vec<Vec<String>> = rows(scenario, results, &names)
        .iter()
        .map(|r| {
            let mut row = vec![r.metric.to_string(), scenario.start.offset(r.month as i64).to_string(), cell(r.actual)];
            match r.plan {
                Some(p) => {
                    row.push(cell(p.mean));
                    row.extend(p.quantiles.iter().map(|q| cell(*q)));
                }
                None => row.extend(std::iter::repeat_n(String::new(), 8)),
            }
            row.push(r.band().replace('–', "-"));
            row
        })
        .collect();
    let header = [
        "metric",
        "month",
        "actual",
        "plan_mean",
        "plan_p05",
        "plan_p10",
        "plan_p25",
        "plan_p50",
        "plan_p75",
        "plan_p90",
        "plan_p95",
        "band",
    ];
    super::csv::table("plan_vs_actual.csv", &header, &rows)
}

/// The "Plan against actual" section of `report.html` (empty without actuals).
pub fn html(scenario: &Scenario, results: &RunResults) -> String {
    if scenario.actuals.is_empty() {
        return String::new();
    }
    let names = headcount_names(scenario);
    let rows = rows(scenario, results, &names);
    let happened = scenario.actuals.len().min(results.layout.months);
    let label = |t: usize| scenario.start.offset(t as i64).short_label();
    let inside = rows.iter().filter(|r| r.band() == "P10–P90").count();
    let mut h = String::from("<h2>Plan against actual</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{} to {} happened: the forecast above goes on from the real state at the end of {} \
         (ARR, headcount and pipeline as far as the actuals give them). Below, each actual against the plan's own \
         forecast of it, made before anything happened; {inside} of {} actuals fell inside the plan's P10–P90.</p>",
        label(0),
        label(happened - 1),
        label(happened - 1),
        rows.len()
    );
    let mut metrics: Vec<&str> = rows.iter().map(|r| r.metric).collect();
    metrics.dedup();
    for metric in metrics {
        let format: fn(f64) -> String = if metric.starts_with("headcount.") { count } else { money };
        let _ = writeln!(h, "<h3>{}</h3>\n<table>", esc(&super::labels::label(metric, scenario)));
        h.push_str(
            "<thead><tr><th>Month</th><th>Actual</th><th>Plan P10</th><th>Plan P50</th><th>Plan P90</th>\
             <th>Against the plan</th></tr></thead>\n<tbody>\n",
        );
        for r in rows.iter().filter(|r| r.metric == metric) {
            let q = |level: f64| r.plan.map_or_else(|| "n/a".to_string(), |p| format(p.at(level)));
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                label(r.month),
                format(r.actual),
                q(0.10),
                q(0.50),
                q(0.90),
                r.band()
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h
}
