//! A closer role's `skill`: multipliers each person draws once at hire. Checked against
//! closed forms: a constant productivity multiplier scales capacity exactly; a spread of
//! win-rate multipliers keeps the mean wins and adds the between-rep variance of a
//! binomial mixture. Tolerances are `Z` standard errors (see `closed_form.rs`).

use crate::closed_form::{Trials, Z, load};

fn scenario(skill: &str) -> String {
    format!(
        r#"
[scenario]
start = "2027-01"
months = 3

[[segments]]
name = "mm"
deal_size = 1_000
win_rate = 0.4

[demand]
leads_per_month = 100_000
lead_to_opportunity = 1

[[roles]]
id = "ae"
kind = "closer"
segment = "mm"
headcount = 4
opportunities_per_month = 20
{skill}
"#
    )
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
}

/// Half the productivity: 4 reps work 4 x 20 x 0.5 = 40 opportunities a month, exactly.
#[test]
fn a_productivity_multiplier_scales_what_reps_work() {
    let s = load(&scenario("skill = { productivity = 0.5 }"));
    let trials = Trials::simulate(&s, 2, 50);
    for t in 0..3 {
        assert!(trials.month("opportunities.worked", t).iter().all(|&w| w == 40.0), "month {t}");
    }
}

/// Win-rate multipliers uniform on [0, 2] around a win rate of 0.4: each rep's rate is
/// p = 0.4 m, E[p] = 0.4, var(p) = 0.16 / 3. Wins of 4 reps working 20 deals each are
/// a binomial mixture: mean 32, variance 4 x 20 x E[p (1 - p)] + 4 x 20^2 x var(p)
/// = 14.93 + 85.33 = 100.27 (19.2 without the spread). 2 checks on 4,000 trials; the
/// variance's standard error is estimated from the sample's fourth moment.
#[test]
fn a_spread_of_win_rates_keeps_the_mean_and_adds_the_between_rep_variance() {
    let s = load(&scenario(r#"skill = { win_rate = { dist = "uniform", min = 0, max = 2 } }"#));
    let n = 4000;
    let trials = Trials::simulate(&s, 7, n);
    let won = trials.month("deals.won", 0);
    let (mean, var) = mean_var(&won);
    let mean_se = (100.27f64 / n as f64).sqrt();
    assert!((mean - 32.0).abs() < Z * mean_se, "mean wins {mean} against 32 ± {}", Z * mean_se);
    let m4 = won.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64;
    let var_se = ((m4 - var * var) / n as f64).sqrt();
    assert!((var - 100.27).abs() < Z * var_se, "variance {var} against 100.27 ± {}", Z * var_se);
    // A person keeps the skill drawn at hire: month 1 repeats month 0's spread, and the
    // wins of the two months are correlated through it.
    let next = trials.month("deals.won", 1);
    let (m1, _) = mean_var(&next);
    let cov = won.iter().zip(&next).map(|(a, b)| (a - mean) * (b - m1)).sum::<f64>() / (n as f64 - 1.0);
    assert!(cov > 40.0, "the between-rep part (about 85) is shared by the months: {cov}");
}

/// Without a skill the draws are the engine's as before (the same bytes), and a constant
/// multiplier of 1 draws nothing: the runs are equal, trial by trial.
#[test]
fn a_skill_of_one_changes_nothing() {
    let plain = load(&scenario(""));
    let one = load(&scenario("skill = { productivity = 1, win_rate = 1 }"));
    let (a, b) = (Trials::simulate(&plain, 4, 100), Trials::simulate(&one, 4, 100));
    let bits = |t: &Trials| t.values.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    assert!(bits(&a) == bits(&b), "a skill of 1 changed the trials");
}
