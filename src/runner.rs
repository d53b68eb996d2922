//! Runs the trials of a scenario in parallel and aggregates them.
//!
//! Trials are cut into fixed chunks that rayon spreads over a pool of the requested
//! size; each trial writes its own buffer, chunks are collected in index order, and
//! every statistic is computed from values in trial order. So the numbers depend on
//! the seed and the number of trials only, never on the thread count.

use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{
    self,
    metrics::{Layout, TARGET_HIT},
};
use crate::scenario::Scenario;
use crate::stats::{self, Stats};

/// Trials per unit of parallel work (and per tick of the progress bar).
const CHUNK: u64 = 64;

/// How to run: resolved from the command line and the scenario.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Number of trials.
    pub trials: u64,
    /// Seed of the run.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// The P(hit) of the target.
#[derive(Debug, Clone)]
pub struct TargetResult {
    /// Share of trials whose ARR in the target month is at least the target.
    pub p_hit: f64,
    /// Its Monte Carlo standard error, `sqrt(p (1 - p) / trials)`.
    pub standard_error: f64,
}

/// Aggregated results of a run.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// Metric names and months.
    pub layout: Layout,
    /// Trials run.
    pub trials: u64,
    /// Seed used.
    pub seed: u64,
    /// Threads used.
    pub threads: usize,
    /// Wall-clock seconds of simulation and aggregation.
    pub elapsed_seconds: f64,
    /// Statistics by cell in the layout's order: monthly metrics metric-major
    /// (`metric * months + t`), then per-trial scalars; `None` where no trial had a value.
    pub cells: Vec<Option<Stats>>,
    /// P(hit) of the target, if the scenario has one.
    pub target: Option<TargetResult>,
}

impl RunResults {
    /// The histogram pooled from per-trial scalars named `<prefix>.<lower edge>`
    /// (e.g. `attainment.0.5` counts each trial's observations from 0.5 up to the next
    /// edge); `None` when the layout has no such scalars or no trial had a value.
    pub fn histogram(&self, prefix: &str) -> Option<Histogram> {
        let mut bins: Vec<(f64, f64)> = Vec::new();
        for name in &self.layout.scalars {
            let Some(edge) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else { continue };
            let Ok(edge) = edge.parse::<f64>() else { continue };
            let count = self.total(name).map_or(0.0, |s| (s.mean * s.count as f64).round());
            bins.push((edge, count));
        }
        if bins.is_empty() {
            return None;
        }
        bins.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(Histogram { lower: bins.iter().map(|b| b.0).collect(), counts: bins.iter().map(|b| b.1).collect() })
    }

    /// Statistics of a metric in month `t`.
    pub fn get(&self, metric: &str, t: usize) -> Option<&Stats> {
        let m = self.layout.index(metric)?;
        self.cells[m * self.layout.months + t].as_ref()
    }

    /// Statistics of a per-trial scalar (a horizon total such as `bookings` or
    /// `hires.ae`, see [`Layout::scalars`]).
    pub fn total(&self, name: &str) -> Option<&Stats> {
        self.cells[self.layout.scalar_cell(name)?].as_ref()
    }
}

/// A distribution pooled over all trials, from per-trial bin counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Lower edge of each bin; bin `k` holds values in `[lower[k], lower[k + 1])` and the
    /// last bin everything from its edge up.
    pub lower: Vec<f64>,
    /// Observations in each bin, summed over all trials.
    pub counts: Vec<f64>,
}

impl Histogram {
    /// All observations.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    /// Share of observations at or above `x` (exact when `x` is a bin edge).
    pub fn share_at_or_above(&self, x: f64) -> f64 {
        let total = self.total();
        if total <= 0.0 {
            return f64::NAN;
        }
        let above: f64 = self.lower.iter().zip(&self.counts).filter(|(l, _)| **l >= x).map(|(_, c)| c).sum();
        above / total
    }
}

/// A run that could not start.
#[derive(Debug)]
pub struct RunError(pub String);

/// Largest memory the runner may hold for per-trial values (exact quantiles keep them all).
pub const MEMORY_BUDGET_BYTES: u64 = 6 << 30;

/// Refuses a run whose per-trial values would not fit in [`MEMORY_BUDGET_BYTES`].
pub fn check_memory(scenario: &Scenario, trials: u64) -> Result<(), RunError> {
    let cells = Layout::new(scenario).cells() as u64;
    let needed = trials.saturating_mul(cells).saturating_mul(8);
    if needed <= MEMORY_BUDGET_BYTES {
        return Ok(());
    }
    Err(RunError(format!(
        "{trials} trials of this scenario would hold {:.1} GiB of values, above the {} GiB budget of exact \
         quantiles; run fewer trials (the Monte Carlo error shrinks with the square root of the trials)",
        needed as f64 / f64::from(1u32 << 30),
        MEMORY_BUDGET_BYTES >> 30
    )))
}

/// Runs `config.trials` trials of `scenario` and aggregates them.
pub fn run(scenario: &Scenario, config: &RunConfig) -> Result<RunResults, RunError> {
    check_memory(scenario, config.trials)?;
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|e| RunError(format!("cannot start {} worker threads: {e}", config.threads)))?;
    let threads = pool.current_num_threads();
    let layout = Layout::new(scenario);
    let cells = layout.cells();
    let trials = config.trials;
    let bar = progress_bar(config.progress, trials);

    let chunks: Vec<Vec<f64>> = pool.install(|| {
        (0..trials.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let first = c * CHUNK;
                let last = (first + CHUNK).min(trials);
                let mut buf = vec![0.0; (last - first) as usize * cells];
                for (i, out) in (first..last).zip(buf.chunks_exact_mut(cells)) {
                    engine::run_trial(scenario, &layout, config.seed, i, out);
                }
                if let Some(bar) = &bar {
                    bar.inc(last - first);
                }
                buf
            })
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let trial_values = |cell: usize| -> Vec<f64> {
        chunks.iter().flat_map(|chunk| chunk.chunks_exact(cells).map(move |trial| trial[cell])).collect()
    };
    let stats_cells: Vec<Option<Stats>> =
        pool.install(|| (0..cells).into_par_iter().map(|cell| stats::describe(&mut trial_values(cell))).collect());

    let target = scenario.target.as_ref().map(|_| {
        let p = layout.scalar_cell(TARGET_HIT).and_then(|c| stats_cells[c].as_ref()).map_or(0.0, |s| s.mean);
        TargetResult { p_hit: p, standard_error: (p * (1.0 - p) / trials as f64).sqrt() }
    });

    Ok(RunResults {
        layout,
        trials,
        seed: config.seed,
        threads,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        cells: stats_cells,
        target,
    })
}

fn progress_bar(enabled: bool, trials: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(trials);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} trials [{bar:30}] {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}
