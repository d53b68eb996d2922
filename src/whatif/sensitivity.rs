//! `sopsim sensitivity`: which uncertain inputs move ARR in the judged month, and by how
//! much.
//!
//! Two measures per uncertain once-per-trial input (see `docs/MODEL.md`, 8.4):
//!
//! - its **rank correlation** (Spearman, average ranks for ties) with ARR in the judged
//!   month, over the base run's trials: each trial's draw of the input (the value the
//!   engine used, from [`draw_inputs`]) against that trial's ARR. The same correlation
//!   with ARR at each quarter end gives the per-quarter view.
//! - its **swing**: the mean ARR with the input fixed at its P10 and at its P90, every
//!   other input still uncertain, on the same trials of the same seed (common random
//!   numbers), and the difference `mean(P90) - mean(P10)` with the standard error of the
//!   paired differences.
//!
//! The tornado ranks the inputs by the size of their swing.

use std::time::Instant;

use rayon::prelude::*;

use super::{Error, Setup, judged_month, mean_se, paired, quantile};

use crate::dist::Dist;
use crate::engine::metrics::{Layout, TARGET_HIT, id};
use crate::engine::params::draw_inputs;
use crate::format::visible;
use crate::month::YearMonth;
use crate::runner;
use crate::scenario::Scenario;
use crate::scenario::inputs::{Copula, InputKey, pearson, ranks, uncertain};

/// Trials of each run with an input fixed, unless `--swing-trials` says otherwise.
pub const SWING_TRIALS: u64 = 2_000;
/// The probabilities of an input's low and high ends.
pub const ENDS: (f64, f64) = (0.1, 0.9);
/// Most inputs drawn on the tornado.
pub const TORNADO_INPUTS: usize = 12;
/// Most inputs drawn on the per-quarter chart.
pub const QUARTER_LINES: usize = 6;
/// A month in which ARR is ranked against the inputs: a calendar quarter's end, or the
/// judged month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarter {
    /// Month index.
    pub month: usize,
    /// `2027-Q1` for a quarter's last month; `2027-08` for a judged month that ends none.
    pub label: String,
}

/// The months of the per-quarter view: each month up to `judged` that ends a calendar
/// quarter (March, June, September, December), then `judged` itself if it ends none.
pub fn quarter_ends(start: YearMonth, judged: usize) -> Vec<Quarter> {
    let mut out: Vec<Quarter> = (0..=judged)
        .filter(|&t| start.offset(t as i64).month().is_multiple_of(3))
        .map(|t| Quarter { month: t, label: quarter_label(start.offset(t as i64)) })
        .collect();
    if out.last().is_none_or(|q| q.month != judged) {
        out.push(Quarter { month: judged, label: start.offset(judged as i64).to_string() });
    }
    out
}

/// `2027-Q3` for any month of the third quarter of 2027.
pub fn quarter_label(m: YearMonth) -> String {
    format!("{}-Q{}", m.year(), (m.month() - 1) / 3 + 1)
}

/// `s` with the once-per-trial key `key` fixed at `v` in every trial. A key tied by
/// `[[correlations]]` leaves the copula: its correlations are dropped and the copula is
/// rebuilt from the others (none left: no copula), so its partners keep their own
/// distributions.
pub fn with_constant(s: &Scenario, key: InputKey, v: f64) -> Scenario {
    let mut out = s.clone();
    *key.dist_mut(&mut out) = Dist::constant(v);
    if let Some(k) = s.inputs.iter().position(|i| i.key == key)
        && out.correlations.iter().any(|c| c.between.contains(&k))
    {
        out.correlations.retain(|c| !c.between.contains(&k));
        out.copula = if out.correlations.is_empty() { None } else { Copula::new(&out.correlations) };
    }
    out
}

/// ARR (and the target) with an input fixed at one end, or with nothing fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct End {
    /// Mean ARR in the judged month.
    pub mean: f64,
    /// Its median.
    pub p50: f64,
    /// Share of trials that reach the target; NaN without a target.
    pub p_hit: f64,
}

impl End {
    pub(crate) fn of(arr: &[f64], hit: &[f64]) -> End {
        End { mean: mean_se(arr).0, p50: quantile(arr, 0.5), p_hit: mean_se(hit).0 }
    }
}

/// What one uncertain input does to ARR.
#[derive(Debug, Clone, PartialEq)]
pub struct Influence {
    /// Its key path.
    pub path: String,
    /// Which key.
    pub key: InputKey,
    /// Spearman's rank correlation of its draw with ARR in the judged month.
    pub rank_correlation: f64,
    /// The same with ARR at each quarter end (in the order of [`Sensitivity::quarters`]).
    pub by_quarter: Vec<f64>,
    /// Its P10.
    pub low_value: f64,
    /// Its P90.
    pub high_value: f64,
    /// ARR with it fixed at its P10.
    pub at_low: End,
    /// ARR with it fixed at its P90.
    pub at_high: End,
    /// Mean ARR at its P90 minus mean ARR at its P10.
    pub swing: f64,
    /// Standard error of the swing (paired differences on common random numbers).
    pub swing_se: f64,
}

/// The ranking of a scenario's uncertain inputs.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The inputs, largest absolute swing first.
    pub influences: Vec<Influence>,
    /// The months of the per-quarter view; the last is the judged month.
    pub quarters: Vec<Quarter>,
    /// The judged month.
    pub judged: usize,
    /// ARR with nothing fixed, on the swing trials: where the tornado's bars start.
    pub base: End,
    /// ARR with nothing fixed, on all the trials of the base run.
    pub all: End,
    /// Trials of the base run (the rank correlations).
    pub trials: u64,
    /// Trials of each run with an input fixed (the first of the base run's).
    pub swing_trials: u64,
    /// Seconds spent simulating.
    pub seconds: f64,
}

/// Ranks the uncertain inputs of the setup's scenario; `swing_trials` is the number of
/// trials of each run with an input fixed (at most the setup's trials).
pub fn analyse(setup: &Setup, swing_trials: u64) -> Result<Sensitivity, Error> {
    let started = Instant::now();
    let s = setup.scenario();
    let ranked = uncertain(s);
    if ranked.is_empty() {
        return Err(Error::NothingToRank { file: setup.file.clone() });
    }
    let judged = judged_month(s);
    let quarters = quarter_ends(s.start, judged);
    let (seed, trials) = (setup.seed, setup.trials);
    let swing_trials = swing_trials.clamp(1, trials);

    // The base run: ARR at each quarter end (the judged month last) and the target.
    let layout = Layout::new(s);
    let mut cells: Vec<usize> = quarters.iter().map(|q| id::ARR * layout.months + q.month).collect();
    let hit_cell = s.target.as_ref().and_then(|_| layout.scalar_cell(TARGET_HIT));
    cells.extend(hit_cell);
    let bar = progress_bar(!setup.quiet, 1 + 2 * ranked.len() as u64);
    let base = runner::per_trial(&setup.pool, s, seed, 0..trials, &cells);
    if let Some(bar) = &bar {
        bar.inc(1);
    }
    let arr_by_quarter: Vec<Vec<f64>> = (0..quarters.len()).map(|q| base.column(q)).collect();
    let hit = if hit_cell.is_some() { base.column(quarters.len()) } else { Vec::new() };
    let arr = &arr_by_quarter[quarters.len() - 1];
    let n = swing_trials as usize;
    let base_end = End::of(&arr[..n], if hit.is_empty() { &[] } else { &hit[..n] });
    let all = End::of(arr, &hit);

    // Each trial's draw of every ranked input, then ranks on both sides.
    let draws: Vec<Vec<f64>> = setup.pool.install(|| {
        (0..trials)
            .into_par_iter()
            .map(|i| {
                let all = draw_inputs(s, seed, i);
                ranked.iter().map(|&k| all[k]).collect()
            })
            .collect()
    });
    let (input_ranks, outcome_ranks) = setup.pool.install(|| {
        let inputs: Vec<Vec<f64>> = (0..ranked.len())
            .into_par_iter()
            .map(|j| ranks(&draws.iter().map(|d| d[j]).collect::<Vec<f64>>()))
            .collect();
        let outcomes: Vec<Vec<f64>> = arr_by_quarter.par_iter().map(|a| ranks(a)).collect();
        (inputs, outcomes)
    });
    drop(draws);

    // The swings, on the first `swing_trials` trials of the same seed.
    let mut influences = Vec::with_capacity(ranked.len());
    for (j, &k) in ranked.iter().enumerate() {
        let input = &s.inputs[k];
        let dist = input.key.dist(s);
        let (low_value, high_value) = (dist.quantile(ENDS.0), dist.quantile(ENDS.1));
        if let Some(bar) = &bar {
            bar.set_message(visible(&input.path).into_owned());
        }
        let low = setup.outcomes(&with_constant(s, input.key, low_value), 0..swing_trials);
        let high = setup.outcomes(&with_constant(s, input.key, high_value), 0..swing_trials);
        if let Some(bar) = &bar {
            bar.inc(2);
        }
        let (at_low, at_high) = (End::of(&low.arr, &low.hit), End::of(&high.arr, &high.hit));
        let by_quarter: Vec<f64> = outcome_ranks.iter().map(|r| pearson(&input_ranks[j], r)).collect();
        influences.push(Influence {
            path: input.path.clone(),
            key: input.key,
            rank_correlation: by_quarter[quarters.len() - 1],
            by_quarter,
            low_value,
            high_value,
            at_low,
            at_high,
            swing: at_high.mean - at_low.mean,
            swing_se: paired(&low.arr, &high.arr).1,
        });
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    influences.sort_by(|a, b| {
        magnitude(b.swing)
            .total_cmp(&magnitude(a.swing))
            .then_with(|| magnitude(b.rank_correlation).total_cmp(&magnitude(a.rank_correlation)))
    });
    Ok(Sensitivity {
        influences,
        quarters,
        judged,
        base: base_end,
        all,
        trials,
        swing_trials,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A progress bar of `runs` runs on stderr, when asked and stderr is a terminal.
pub(crate) fn progress_bar(enabled: bool, runs: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(runs);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} runs [{bar:30}] {eta} {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// `|v|`, NaN counting as the smallest.
pub(crate) fn magnitude(v: f64) -> f64 {
    if v.is_nan() { -1.0 } else { v.abs() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::inputs::Kind;
    use crate::scenario::load_str;

    const SCENARIO: &str = r#"
[scenario]
start = "2027-02"
months = 12

[company]
arr = 1_000_000
monthly_churn = { low = 0.005, high = 0.015 }

[[segments]]
name = "core"
deal_size = 20_000
win_rate = { low = 0.15, high = 0.25 }

[demand]
leads_per_month = { low = 100, high = 200 }
lead_to_opportunity = 0.2

[[roles]]
id = "ae"
kind = "closer"
headcount = 3
opportunities_per_month = 10

[[correlations]]
between = ["demand.leads_per_month", "segments.core.win_rate"]
rank = 0.5

[[correlations]]
between = ["demand.leads_per_month", "company.monthly_churn"]
rank = -0.3
"#;

    #[test]
    fn with_constant_fixes_one_key_and_leaves_its_correlations() {
        let s = load_str(SCENARIO, "t.toml", &[]).unwrap().scenario;
        assert_eq!(uncertain(&s).len(), 3);
        let fixed = with_constant(&s, InputKey::new(Kind::WinRate, 0), 0.2);
        assert_eq!(fixed.segments[0].win_rate.as_constant(), Some(0.2));
        assert_eq!(uncertain(&fixed).len(), 2);
        assert!(fixed.demand.leads_per_month.as_constant().is_none());
        // Leads with churn remains: the copula is rebuilt from that pair alone.
        assert_eq!(fixed.correlations.len(), 1);
        assert_eq!(fixed.copula.as_ref().map(|c| c.members.len()), Some(2));
        // Draws of the fixed key are the constant; the others stay random.
        for trial in 0..20 {
            let d = draw_inputs(&fixed, 3, trial);
            assert_eq!(d[5], 0.2);
        }
        let leads = with_constant(&s, InputKey::new(Kind::Leads, 0), 150.0);
        assert!(leads.correlations.is_empty() && leads.copula.is_none());
        // An uncorrelated key leaves the copula alone, and its draws do not move the others'.
        let growth = with_constant(&s, InputKey::new(Kind::Growth, 0), 0.01);
        assert_eq!(growth.copula, s.copula);
        for trial in 0..20 {
            let (a, b) = (draw_inputs(&s, 3, trial), draw_inputs(&growth, 3, trial));
            assert_eq!(a[0], b[0]);
            assert_eq!(a[2], b[2]);
            assert_eq!(b[3], 0.01);
        }
    }

    #[test]
    fn quarters_are_calendar_quarter_ends_and_the_judged_month() {
        let start = YearMonth::parse("2027-01").unwrap();
        let q = quarter_ends(start, 11);
        let labels: Vec<&str> = q.iter().map(|q| q.label.as_str()).collect();
        assert_eq!(labels, ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]);
        assert_eq!(q.iter().map(|q| q.month).collect::<Vec<_>>(), [2, 5, 8, 11]);
        // A start mid-quarter and a judged month that ends no quarter.
        let q = quarter_ends(YearMonth::parse("2027-02").unwrap(), 6);
        let got: Vec<(usize, &str)> = q.iter().map(|q| (q.month, q.label.as_str())).collect();
        assert_eq!(got, [(1, "2027-Q1"), (4, "2027-Q2"), (6, "2027-08")]);
        assert_eq!(quarter_ends(YearMonth::parse("2027-12").unwrap(), 0)[0].label, "2027-Q4");
        assert_eq!(quarter_ends(start, 0)[0].label, "2027-01");
        assert_eq!(quarter_label(YearMonth::parse("2028-10").unwrap()), "2028-Q4");
    }
}
