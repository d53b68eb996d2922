//! The words of each output metric, with its unit, for readers of the workbook: the
//! metric ids stay the contract of `monthly.csv` and `summary.json`; this module only
//! names them for people.

use crate::engine::metrics::{self, Kind};
use crate::scenario::Scenario;

/// The label of a fixed or open-pipeline metric, by id.
fn fixed(id: &str) -> Option<&'static str> {
    Some(match id {
        "arr" => "ARR at month end ($)",
        "bookings" => "New bookings ($/month)",
        "churned_arr" => "Churned ARR ($/month)",
        "expansion_arr" => "Expansion ARR ($/month)",
        "pipeline" => "Open pipeline at month end ($)",
        "weighted_pipeline" => "Weighted open pipeline at month end ($)",
        "leads" => "Inbound leads (count/month)",
        "meetings" => "SDR meetings (count/month)",
        "opportunities.demand" => "Opportunities demanded (count/month)",
        "opportunities.capacity" => "Opportunities the closers can work (count/month)",
        "opportunities.worked" => "Opportunities worked (count/month)",
        "opportunities.lost" => "Opportunities lost for want of capacity (count/month)",
        "deals.won" => "Deals won (count/month)",
        "deals.closed" => "Deals closed, won or lost (count/month)",
        "win_rate" => "Win rate of the month's closes (%)",
        "opportunities.uncovered" => "Opportunities lost to uncovered accounts (count/month)",
        "comp_cost" => "Compensation cost, all roles with a comp plan ($/month)",
        "ops_cost" => "Cost of the ARR stages' hires ($/month)",
        "cost_of_sales" => "Cost of sales: sales pay / new bookings (%)",
        "quota_attainment_rate" => "Ramped quota carriers at or above quota (%)",
        "forecast" => "Bookings forecast, made the month before ($/month)",
        "forecast_error" => "Forecast error: |forecast - bookings| / bookings (%)",
        "support.coverage" => "Support coverage: capacity / load (%)",
        "kpi.win_rate" => "KPI: win rate, last 12 months (%)",
        "kpi.cycle_months" => "KPI: sales cycle (months)",
        "kpi.deal_size" => "KPI: average won deal ($)",
        "kpi.pipeline_coverage" => "KPI: pipeline coverage of the ARR gap to target (x)",
        "kpi.sales_velocity" => "KPI: sales velocity ($/day)",
        "kpi.meetings_per_sdr" => "KPI: meetings per SDR (count/month)",
        "kpi.selling_time" => "KPI: selling time: worked / capacity (%)",
        "kpi.opportunities_per_rep" => "KPI: opportunities worked per ramped closer (count/month)",
        "bookings.open_pipeline" => "New bookings from the open pipeline ($/month)",
        _ => return None,
    })
}

/// The label of a per-role metric, by its stem, for the role shown as `role`.
fn per_role(stem: &str, role: &str) -> Option<String> {
    Some(match stem {
        "headcount" => format!("Headcount, {role} (people)"),
        "ramped" => format!("Ramped capacity, {role} (FTE)"),
        "hires" => format!("Hires, {role} (people/month)"),
        "departures" => format!("Departures, {role} (people/month)"),
        "open_reqs" => format!("Open requisitions at month end, {role} (count)"),
        "needed" => format!("Heads needed ahead, {role} (people)"),
        "capacity_gap" => format!("Capacity gap ahead, {role} (people)"),
        "comp_cost" => format!("Compensation cost, {role} ($/month)"),
        _ => return None,
    })
}

/// The label of metric `id` of a run of `scenario`: words and the unit, in brackets
/// (`$`, `$/month`, `$/day`, `%`, `count/month`, `people`, `months`, `x`). An id this
/// module does not know is returned as it is.
pub fn label(id: &str, scenario: &Scenario) -> String {
    if let Some(words) = fixed(id) {
        return words.to_string();
    }
    if id == "stage" {
        return stage(scenario);
    }
    if let Some(planned) = id.strip_prefix("plan.") {
        return format!("Plan: {}", label(planned, scenario));
    }
    if let Some(t) = id.strip_prefix("coverage.") {
        return format!("Territory coverage, {t} (%)");
    }
    if let Some(s) = id.strip_prefix("reached.") {
        return format!("Stage {s} reached (100% = yes)");
    }
    if let Some((stem, role)) = id.split_once('.')
        && let Some(words) = per_role(stem, scenario.role_name(role))
    {
        return words;
    }
    id.to_string()
}

/// The label of `stage`: the index of the highest stage reached, with the stages' names.
fn stage(scenario: &Scenario) -> String {
    let names: Vec<String> = scenario.stages.iter().enumerate().map(|(i, s)| format!("{i} = {}", s.key)).collect();
    if names.is_empty() {
        "Highest ARR stage reached (-1 = none; no stages)".to_string()
    } else {
        format!("Highest ARR stage reached (-1 = none, {})", names.join(", "))
    }
}

/// Whether metric `id` is a count whose values are whole in each trial (people, deals,
/// opportunities), as opposed to a ratio of counts or a ramp-weighted FTE.
pub fn counts_whole(id: &str) -> bool {
    let id = id.strip_prefix("plan.").unwrap_or(id);
    if metrics::unit_of(id) != metrics::Unit::Count || id == "stage" {
        return id == "stage";
    }
    if let Some(m) = metrics::FIXED.iter().find(|m| m.name == id) {
        return m.kind != Kind::Ratio;
    }
    let stem = id.split('.').next().unwrap_or(id);
    stem != "ramped" && metrics::PER_ROLE.iter().any(|m| m.name == stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::{FIXED, OPEN};

    #[test]
    fn every_fixed_metric_has_words_and_a_unit() {
        for m in FIXED.iter().chain(OPEN) {
            if m.name == "stage" {
                continue;
            }
            let words = fixed(m.name).unwrap_or_else(|| panic!("{} has no label", m.name));
            assert!(words.ends_with(')') && words.contains(' ') && words != m.name, "{words}");
        }
        for m in metrics::PER_ROLE {
            assert!(per_role(m.name, "ae").is_some(), "{}", m.name);
        }
    }

    #[test]
    fn whole_counts_are_people_deals_and_opportunities() {
        for id in ["leads", "deals.won", "hires.ae", "headcount.sdr", "stage", "plan.headcount.ae"] {
            assert!(counts_whole(id), "{id}");
        }
        for id in ["arr", "win_rate", "kpi.cycle_months", "kpi.pipeline_coverage", "ramped.ae", "reached.x"] {
            assert!(!counts_whole(id), "{id}");
        }
    }
}
