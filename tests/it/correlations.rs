//! `[[correlations]]`: the rank correlation asked is the one the trials draw, each
//! key keeps its own distribution, and keys outside a correlation draw as before.

use sopsim::engine::params::{draw_inputs, realised_correlations};
use sopsim::scenario::Scenario;
use sopsim::scenario::inputs::spearman;

use crate::closed_form::{Trials, Z, load};

const BASE: &str = r#"
[scenario]
start = "2027-01"
months = 12

[company]
arr = 1_000_000
monthly_churn = { low = 0.005, high = 0.02 }

[[segments]]
name = "mm"
deal_size = 10_000
win_rate = { low = 0.15, high = 0.30 }
cycle_months = 0

[demand]
leads_per_month = { low = 300, high = 600 }
lead_to_opportunity = 0.5

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 100
opportunities_per_month = 20
"#;

fn with(correlations: &str) -> Scenario {
    load(&format!("{BASE}\n{correlations}"))
}

fn index(s: &Scenario, path: &str) -> usize {
    s.inputs.iter().position(|i| i.path == path).unwrap()
}

fn column(s: &Scenario, seed: u64, n: u64, k: usize) -> Vec<f64> {
    (0..n).map(|i| draw_inputs(s, seed, i)[k]).collect()
}

#[test]
fn the_rank_correlation_asked_is_realised() {
    // Over 10,000 trials the sample Spearman correlation has a standard error of about
    // (1 - rho^2) / sqrt(n) <= 0.01, so 0.03 (the tolerance asked for) is 3 or more of them.
    let s = with(
        r#"
[[correlations]]
between = ["demand.leads_per_month", "segments.mm.win_rate"]
rank = 0.7

[[correlations]]
between = ["company.monthly_churn", "demand.leads_per_month"]
rank = -0.4
"#,
    );
    let realised = realised_correlations(&s, 11, 10_000);
    assert_eq!(realised.trials_read, 10_000);
    let realised = realised.values;
    assert!((realised[0] - 0.7).abs() < 0.03, "{realised:?}");
    assert!((realised[1] + 0.4).abs() < 0.03, "{realised:?}");
    // A pair not asked for is independent in the copula (a zero in its matrix), though
    // both keys are tied to a third.
    let (win, churn) = (index(&s, "segments.mm.win_rate"), index(&s, "company.monthly_churn"));
    let got = spearman(&column(&s, 11, 10_000, churn), &column(&s, 11, 10_000, win));
    assert!(got.abs() < 0.03, "{got}");
}

#[test]
fn each_correlated_key_keeps_its_distribution() {
    // The share of draws at or below the key's own p-quantile is Binomial(n, p) / n.
    let s = with("[[correlations]]\nbetween = [\"demand.leads_per_month\", \"segments.mm.win_rate\"]\nrank = 0.8\n");
    let n = 20_000;
    for path in ["demand.leads_per_month", "segments.mm.win_rate"] {
        let k = index(&s, path);
        let dist = s.inputs[k].key.dist(&s);
        let draws = column(&s, 5, n, k);
        for p in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let q = dist.quantile(p);
            let share = draws.iter().filter(|x| **x <= q).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((share - p).abs() < Z * se, "{path} at {p}: {share}");
        }
    }
}

#[test]
fn keys_outside_a_correlation_draw_as_before() {
    let plain = load(BASE);
    let tied = with("[[correlations]]\nbetween = [\"demand.leads_per_month\", \"segments.mm.win_rate\"]\nrank = 0.5\n");
    let churn = index(&plain, "company.monthly_churn");
    assert_eq!(column(&plain, 3, 500, churn), column(&tied, 3, 500, churn), "common random numbers");
}

#[test]
fn correlated_demand_and_win_rate_widen_the_spread_of_bookings() {
    // Bookings scale with leads x win rate (capacity is ample): the variance of a product
    // grows with the correlation of its factors. With coefficients of variation near 0.2
    // each, rho = 0.9 raises the log-variance by about 2 rho cv cv = 0.07 over the
    // independent case's 0.08, and rho = -0.9 lowers it as much: far beyond the
    // sampling error of a variance over 4,000 trials (about sqrt(2 / n) = 2% of it).
    let var = |s: &Scenario| {
        let t = Trials::simulate(s, 9, 4_000);
        let total: Vec<f64> = (0..t.n).map(|i| t.path(i, "bookings").iter().sum::<f64>().ln()).collect();
        let m = total.iter().sum::<f64>() / total.len() as f64;
        total.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (total.len() - 1) as f64
    };
    let corr = |rho: f64| {
        with(&format!(
            "[[correlations]]\nbetween = [\"demand.leads_per_month\", \"segments.mm.win_rate\"]\nrank = {rho}\n"
        ))
    };
    let (low, none, high) = (var(&corr(-0.9)), var(&load(BASE)), var(&corr(0.9)));
    assert!(low < 0.8 * none && none < 0.8 * high, "{low} {none} {high}");
}
