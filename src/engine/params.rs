//! The values drawn once per trial: the true rates and volumes of this trial's world.
//!
//! Each key has its own stream, keyed by its path, so adding a role or a segment does
//! not change the draws of the others.

use crate::dist::Dist;
use crate::scenario::Scenario;

use super::rng::{Process, name_key, stream};

/// One trial's draws of every once-per-trial key.
#[derive(Debug, Clone)]
pub struct TrialParams {
    /// `company.monthly_churn`.
    pub churn: f64,
    /// `company.monthly_expansion`.
    pub expansion: f64,
    /// `demand.leads_per_month`.
    pub leads_per_month: f64,
    /// `demand.growth_per_month`.
    pub growth_per_month: f64,
    /// `demand.lead_to_opportunity`.
    pub lead_to_opportunity: f64,
    /// `segments.<name>.win_rate`, by segment.
    pub win_rate: Vec<f64>,
    /// Monthly attrition probability `1 - (1 - annual)^(1/12)`, by role.
    pub monthly_attrition: Vec<f64>,
    /// `roles.<id>.opportunities_per_month`, by role.
    pub opportunities_per_month: Vec<f64>,
    /// `roles.<id>.meetings_per_month`, by role.
    pub meetings_per_month: Vec<f64>,
    /// `roles.<id>.meeting_to_opportunity`, by role.
    pub meeting_to_opportunity: Vec<f64>,
    /// `territories.<name>.opportunity_rate`, by territory.
    pub opportunity_rate: Vec<f64>,
    /// `forecast.bias`.
    pub forecast_bias: f64,
    /// `forecast.noise`.
    pub forecast_noise: f64,
}

/// Draws `dist` for key `path` in trial `trial`.
pub fn draw_key(dist: &Dist, path: &str, seed: u64, trial: u64) -> f64 {
    if let Some(v) = dist.as_constant() {
        return v;
    }
    let mut rng = stream(seed, trial, Process::Param, name_key(path), 0);
    dist.sample(&mut rng)
}

/// The monthly probability of leaving for an annual attrition rate.
pub fn monthly_attrition(annual: f64) -> f64 {
    1.0 - (1.0 - annual).powf(1.0 / 12.0)
}

impl TrialParams {
    /// Draws every once-per-trial key of `scenario` for trial `trial`.
    pub fn draw(scenario: &Scenario, seed: u64, trial: u64) -> TrialParams {
        let d = |dist: &Dist, path: &str| draw_key(dist, path, seed, trial);
        let role = |f: &dyn Fn(&crate::scenario::Role) -> (&Dist, &'static str)| -> Vec<f64> {
            scenario
                .roles
                .iter()
                .map(|r| {
                    let (dist, key) = f(r);
                    d(dist, &format!("roles.{}.{key}", r.id))
                })
                .collect()
        };
        TrialParams {
            churn: d(&scenario.company.monthly_churn, "company.monthly_churn"),
            expansion: d(&scenario.company.monthly_expansion, "company.monthly_expansion"),
            leads_per_month: d(&scenario.demand.leads_per_month, "demand.leads_per_month"),
            growth_per_month: d(&scenario.demand.growth_per_month, "demand.growth_per_month"),
            lead_to_opportunity: d(&scenario.demand.lead_to_opportunity, "demand.lead_to_opportunity"),
            win_rate: scenario
                .segments
                .iter()
                .map(|s| d(&s.win_rate, &format!("segments.{}.win_rate", s.name)))
                .collect(),
            monthly_attrition: role(&|r| (&r.annual_attrition, "annual_attrition"))
                .into_iter()
                .map(monthly_attrition)
                .collect(),
            opportunities_per_month: role(&|r| (&r.opportunities_per_month, "opportunities_per_month")),
            meetings_per_month: role(&|r| (&r.meetings_per_month, "meetings_per_month")),
            meeting_to_opportunity: role(&|r| (&r.meeting_to_opportunity, "meeting_to_opportunity")),
            opportunity_rate: scenario
                .territories
                .iter()
                .map(|t| d(&t.opportunity_rate, &format!("territories.{}.opportunity_rate", t.name)))
                .collect(),
            forecast_bias: d(&scenario.forecast.bias, "forecast.bias"),
            forecast_noise: d(&scenario.forecast.noise, "forecast.noise"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_attrition_compounds_to_the_annual_rate() {
        // DOMAIN.md: A = 35% -> 3.53% a month.
        let h = monthly_attrition(0.35);
        assert!((h - 0.0353).abs() < 5e-5, "{h}");
        assert!(((1.0 - h).powi(12) - 0.65).abs() < 1e-12);
    }
}
