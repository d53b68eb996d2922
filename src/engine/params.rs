//! The values drawn once per trial: the true rates and volumes of this trial's world.
//!
//! Each key has its own stream, keyed by its path, so adding a role or a segment does
//! not change the draws of the others; `[[correlations]]` tie some keys through a
//! Gaussian copula (see [`crate::scenario::inputs::Copula`]).

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::dist::{Dist, standard_normal_cdf};
use crate::scenario::Scenario;
use crate::scenario::inputs::{Kind, spearman};

use super::rng::{Process, name_key, stream};

/// One trial's draws of every once-per-trial key.
#[derive(Debug, Clone, Default)]
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
    /// `segments.<name>.stall_rate`, by segment (0 where deals do not stall).
    pub stall_rate: Vec<f64>,
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

/// Trial `trial`'s draw of every once-per-trial key of `scenario`, in the order of
/// [`Scenario::inputs`]. A key outside any correlation is drawn from its own stream;
/// the correlated keys take a standard normal from their own streams, mixed by the
/// copula, and read their distribution's quantile at its probability.
pub fn draw_inputs(scenario: &Scenario, seed: u64, trial: u64) -> Vec<f64> {
    let mut values = Vec::new();
    draw_inputs_into(scenario, seed, trial, &mut values);
    values
}

/// [`draw_inputs`] into `values` (cleared first), reusing its capacity.
fn draw_inputs_into(scenario: &Scenario, seed: u64, trial: u64, values: &mut Vec<f64>) {
    let correlated = |k: usize| scenario.copula.as_ref().is_some_and(|c| c.members.contains(&k));
    values.clear();
    values.extend(scenario.inputs.iter().enumerate().map(|(k, input)| {
        let dist = input.key.dist(scenario);
        match dist.as_constant() {
            Some(v) => v,
            None if correlated(k) => f64::NAN,
            None => dist.sample(&mut stream(seed, trial, Process::Param, input.stream, 0)),
        }
    }));
    if let Some(copula) = &scenario.copula {
        let z: Vec<f64> = copula
            .members
            .iter()
            .map(|&k| {
                let mut rng = stream(seed, trial, Process::Param, scenario.inputs[k].stream, 0);
                rng.sample::<f64, _>(StandardNormal)
            })
            .collect();
        let mut x = vec![0.0; z.len()];
        copula.mix(&z, &mut x);
        for (&k, x) in copula.members.iter().zip(x) {
            values[k] = scenario.inputs[k].key.dist(scenario).quantile(standard_normal_cdf(x));
        }
    }
}

/// Most trials whose draws [`realised_correlations`] reads.
pub const REALISED_TRIALS: u64 = 100_000;

/// The rank correlations a run's trials realised, one per `[[correlations]]` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Realised {
    /// Spearman's correlation of each entry's two keys, in entry order.
    pub values: Vec<f64>,
    /// Trials read: the first `min(trials, REALISED_TRIALS)`.
    pub trials_read: u64,
}

/// A run without correlations.
pub static NO_CORRELATIONS: Realised = Realised { values: Vec::new(), trials_read: 0 };

/// The rank correlation each `[[correlations]]` entry reached over the first
/// `min(trials, REALISED_TRIALS)` trials of a run seeded `seed`.
pub fn realised_correlations(scenario: &Scenario, seed: u64, trials: u64) -> Realised {
    use rayon::prelude::*;
    if scenario.correlations.is_empty() {
        return Realised::default();
    }
    let n = trials.min(REALISED_TRIALS);
    let keys: Vec<usize> = scenario.copula.as_ref().map_or_else(Vec::new, |c| c.members.clone());
    let draws: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let all = draw_inputs(scenario, seed, i);
            keys.iter().map(|&k| all[k]).collect()
        })
        .collect();
    let column = |k: usize| -> Vec<f64> {
        let at = keys.iter().position(|m| *m == k).unwrap_or(0);
        draws.iter().map(|d| d[at]).collect()
    };
    let values = scenario.correlations.iter().map(|c| spearman(&column(c.between[0]), &column(c.between[1]))).collect();
    Realised { values, trials_read: n }
}

impl TrialParams {
    /// Draws every once-per-trial key of `scenario` for trial `trial`.
    pub fn draw(scenario: &Scenario, seed: u64, trial: u64) -> TrialParams {
        let mut p = TrialParams::default();
        p.redraw(scenario, seed, trial, &mut Vec::new());
        p
    }

    /// [`TrialParams::draw`] in place, reusing the vectors' capacity (and `inputs`', the
    /// draws in the order of [`Scenario::inputs`]).
    pub(crate) fn redraw(&mut self, scenario: &Scenario, seed: u64, trial: u64, inputs: &mut Vec<f64>) {
        let (roles, segments, territories) =
            (scenario.roles.len(), scenario.segments.len(), scenario.territories.len());
        let zeros = |v: &mut Vec<f64>, n: usize| {
            v.clear();
            v.resize(n, 0.0);
        };
        let p = self;
        (p.churn, p.expansion, p.leads_per_month, p.growth_per_month, p.lead_to_opportunity) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        (p.forecast_bias, p.forecast_noise) = (0.0, 0.0);
        zeros(&mut p.win_rate, segments);
        zeros(&mut p.stall_rate, segments);
        for v in [
            &mut p.monthly_attrition,
            &mut p.opportunities_per_month,
            &mut p.meetings_per_month,
            &mut p.meeting_to_opportunity,
        ] {
            zeros(v, roles);
        }
        zeros(&mut p.opportunity_rate, territories);
        draw_inputs_into(scenario, seed, trial, inputs);
        for (input, &v) in scenario.inputs.iter().zip(inputs.iter()) {
            let i = input.key.index;
            match input.key.kind {
                Kind::Churn => p.churn = v,
                Kind::Expansion => p.expansion = v,
                Kind::Leads => p.leads_per_month = v,
                Kind::Growth => p.growth_per_month = v,
                Kind::LeadToOpportunity => p.lead_to_opportunity = v,
                Kind::WinRate => p.win_rate[i] = v,
                Kind::StallRate => p.stall_rate[i] = v,
                Kind::Attrition => p.monthly_attrition[i] = monthly_attrition(v),
                Kind::OpportunitiesPerMonth => p.opportunities_per_month[i] = v,
                Kind::MeetingsPerMonth => p.meetings_per_month[i] = v,
                Kind::MeetingToOpportunity => p.meeting_to_opportunity[i] = v,
                Kind::OpportunityRate => p.opportunity_rate[i] = v,
                Kind::ForecastBias => p.forecast_bias = v,
                Kind::ForecastNoise => p.forecast_noise = v,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::inputs::{DECLARED, list};

    /// Every declared once-per-trial key reaches a trial: in the enterprise example
    /// (segments, closer and SDR roles, territories, a forecast) with stalls, each key of
    /// every kind is listed, and moving it alone moves the trial's draws and what the
    /// trial computes. A key declared but left out of the list, listed but read into no
    /// slot, or read into a slot the engine never uses, fails.
    #[test]
    fn every_declared_key_is_drawn_into_the_trial() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/enterprise.toml")).unwrap();
        let stalls = ["segments.smb.stall_rate=0.1".to_string()];
        let mut s = crate::scenario::load_str(&text, "enterprise.toml", &stalls).unwrap().scenario;
        let inputs = list(&s);
        // As loaded, against each key alone at a constant of 0.5 (far from any of its
        // draws here): for every kind of key, the trial's outputs move for one key of it
        // at least (a role's key moves nothing for a role of another kind: a closer's
        // opportunities for an SDR).
        let loaded = outputs(&s);
        let mut moving = Vec::new();
        for input in &inputs {
            let mut moved = s.clone();
            *input.key.dist_mut(&mut moved) = Dist::constant(0.5);
            if outputs(&moved) != loaded {
                moving.push(input.key.kind);
            }
        }
        for d in DECLARED {
            assert!(moving.contains(&d.kind), "{:?} is drawn but changes no output of a trial", d.kind);
        }
        for d in DECLARED {
            assert!(inputs.iter().any(|i| i.key.kind == d.kind), "{:?} is declared but never listed", d.kind);
        }
        // Each key at a constant of its own, so that a trial's draws are known.
        for (k, input) in inputs.iter().enumerate() {
            *input.key.dist_mut(&mut s) = Dist::constant(0.01 + 0.001 * k as f64);
        }
        let before = format!("{:?}", TrialParams::draw(&s, 1, 0));
        for (k, input) in inputs.iter().enumerate() {
            let mut moved = s.clone();
            *input.key.dist_mut(&mut moved) = Dist::constant(0.5 + 0.001 * k as f64);
            let after = format!("{:?}", TrialParams::draw(&moved, 1, 0));
            assert_ne!(before, after, "{} is listed but moves nothing in the trial", input.path);
        }
    }

    /// The bits of every output of trials 0 to 3 of `s`.
    fn outputs(s: &Scenario) -> Vec<u64> {
        let layout = crate::engine::metrics::Layout::new(s);
        let mut out = vec![0.0; layout.cells()];
        let mut bits = Vec::new();
        for trial in 0..4 {
            crate::engine::run_trial(s, &layout, 1, trial, &mut out);
            bits.extend(out.iter().map(|v| v.to_bits()));
        }
        bits
    }

    #[test]
    fn monthly_attrition_compounds_to_the_annual_rate() {
        // docs/REFERENCE.md 2: A = 35% -> 3.53% a month.
        let h = monthly_attrition(0.35);
        assert!((h - 0.0353).abs() < 5e-5, "{h}");
        assert!(((1.0 - h).powi(12) - 0.65).abs() < 1e-12);
    }
}
