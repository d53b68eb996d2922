//! Runs the trials of a scenario in parallel and aggregates them as they finish.
//!
//! Each worker thread takes the next few trials (at most [`GRAIN`]), runs them into its
//! buffer and, once the buffer holds a chunk ([`chunk_trials`]: as many trials as fit in
//! [`CHUNK_BYTES`], fewer when a thread has fewer to run), adds it to its own streaming
//! [`Aggregate`]; at the end the workers' aggregates are merged. An aggregate depends
//! only on the values it was given, not on their grouping or order (exact sums,
//! mergeable quantiles), so the numbers depend on the seed and the number of trials
//! only, never on the thread count, and a run cut into shards ([`simulate`] on a range
//! of trials) merges into the same results. Memory is the workers' aggregates and one
//! chunk buffer each, not the trials. [`run_watched`] also keeps a few cells of every
//! trial from the same pass (for paired differences) and can be stopped between the few
//! trials a worker takes at a time.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crate::engine::{
    self,
    metrics::{Layout, TARGET_HIT},
};
use crate::scenario::Scenario;
use crate::stats::aggregate::MergeError;
use crate::stats::{Aggregate, Chunk, Quantiles, Stats};

/// Most trials a worker takes at a time (the unit of parallel work and of stopping): a
/// sixteenth of a chunk of the smallest size, so that the threads finish within a few
/// trials of each other.
pub const GRAIN: u64 = 16;

/// The memory a worker's chunk may take: [`chunk_trials`] holds as many trials' values as
/// fit in it, between [`CHUNK_MIN`] and [`CHUNK`] trials.
pub const CHUNK_BYTES: u64 = 16 << 20;

/// Fewest trials of a full chunk.
pub const CHUNK_MIN: u64 = 256;

/// Most trials of a chunk.
pub const CHUNK: u64 = 2048;

/// The trials of a full chunk of `cells` cells. A chunk's values are added to the
/// aggregate cell by cell, so each cell's quantile state is brought into cache once per
/// chunk: the more trials a chunk holds, the fewer times (a sketched cell's buckets are
/// a few kilobytes, and all of them together do not fit in a core's cache): about 1,600
/// trials instead of 256 take 8% off a sketched run of the core peer scenario, for a
/// buffer of [`CHUNK_BYTES`] a thread.
pub fn chunk_trials(cells: usize) -> u64 {
    (CHUNK_BYTES / (8 * cells.max(1) as u64)).clamp(CHUNK_MIN, CHUNK)
}

/// Trials whose rows a worker holds before writing them into its chunk's columns: eight
/// rows' values of one cell fill a cache line of its column.
const ROWS: usize = 8;

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
    /// How the quantiles were computed (exact, or sketched within a relative error).
    pub quantiles: Quantiles,
}

impl RunResults {
    /// The results of `trials` trials from their merged aggregate; `has_target` tells
    /// whether the scenario has a target (P(hit) is the mean of `target.hit`).
    pub fn from_aggregate(
        layout: Layout,
        aggregate: Aggregate,
        trials: u64,
        seed: u64,
        threads: usize,
        elapsed_seconds: f64,
        has_target: bool,
    ) -> RunResults {
        let quantiles = aggregate.quantiles();
        let cells = aggregate.into_stats();
        let target = has_target.then(|| {
            let p = layout.scalar_cell(TARGET_HIT).and_then(|c| cells[c].as_ref()).map_or(0.0, |s| s.mean);
            TargetResult { p_hit: p, standard_error: (p * (1.0 - p) / trials as f64).sqrt() }
        });
        RunResults { layout, trials, seed, threads, elapsed_seconds, cells, target, quantiles }
    }

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

    /// Statistics of the trials' totals of monthly metric `metric` (`hires.ae`) over
    /// period `p` of [`Layout::periods`]: each trial's sum over the period's months, so
    /// its quantiles are those of the sums (not sums of the months' quantiles).
    pub fn period_total(&self, metric: &str, p: usize) -> Option<&Stats> {
        self.total(&engine::metrics::period_total(metric, self.layout.periods.get(p)?))
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

/// Why a run could not start or finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The worker threads cannot start.
    Threads {
        /// The threads asked for (0: one per core).
        count: usize,
        /// The system's words.
        reason: String,
    },
    /// The run was stopped before it finished.
    Stopped,
    /// The workers' aggregates do not merge (a bug).
    Merge(MergeError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Threads { count, reason } => write!(f, "cannot start {count} worker threads: {reason}"),
            RunError::Stopped => f.write_str("the run was stopped"),
            RunError::Merge(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RunError {}

/// The aggregate of a range of trials of a run, before statistics are read from it.
#[derive(Debug)]
pub struct Simulated {
    /// Metric names and months.
    pub layout: Layout,
    /// The aggregate of the trials.
    pub aggregate: Aggregate,
    /// The trials run (indexes in the whole run).
    pub trials: Range<u64>,
    /// Threads used.
    pub threads: usize,
    /// Wall-clock seconds of simulation and aggregation.
    pub elapsed_seconds: f64,
}

/// Runs `config.trials` trials of `scenario` and aggregates them. Quantiles are exact
/// when the run's values fit the budget ([`Quantiles::for_run`]), else sketched.
pub fn run(scenario: &Scenario, config: &RunConfig) -> Result<RunResults, RunError> {
    let quantiles = Quantiles::for_run(config.trials, Layout::new(scenario).cells());
    run_with(scenario, config, quantiles)
}

/// [`run`] with the quantile mode given.
pub fn run_with(scenario: &Scenario, config: &RunConfig, quantiles: Quantiles) -> Result<RunResults, RunError> {
    let started = Instant::now();
    let pool = pool(config.threads)?;
    let (part, _) =
        simulate_on(&pool, scenario, config, 0..config.trials, quantiles, &Watch::NONE)?.ok_or(RunError::Stopped)?;
    Ok(results_of(&pool, scenario, config, part, started))
}

/// The results of a whole run's aggregate, timed from `started`.
fn results_of(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    config: &RunConfig,
    part: Simulated,
    started: Instant,
) -> RunResults {
    let threads = part.threads;
    let results = pool.install(|| {
        RunResults::from_aggregate(
            part.layout,
            part.aggregate,
            config.trials,
            config.seed,
            threads,
            0.0,
            scenario.target.is_some(),
        )
    });
    RunResults { elapsed_seconds: started.elapsed().as_secs_f64(), ..results }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads { count: threads, reason: e.to_string() })
}

/// Runs the trials `trials` (indexes in the whole run, so each draws what it draws in
/// any run with the same seed) of `scenario` and aggregates them with `quantiles`.
pub fn simulate(
    scenario: &Scenario,
    config: &RunConfig,
    trials: Range<u64>,
    quantiles: Quantiles,
) -> Result<Simulated, RunError> {
    let (part, _) = simulate_on(&pool(config.threads)?, scenario, config, trials, quantiles, &Watch::NONE)?
        .ok_or(RunError::Stopped)?;
    Ok(part)
}

/// What a watched run ([`run_watched`]) does beyond aggregating: the cells of each trial
/// it keeps, and when it stops early.
pub struct Watch<'a> {
    /// Cells to keep of every trial, as indexes in the layout's trial buffer.
    pub keep: &'a [usize],
    /// Asked before each few trials; `true` stops the run.
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

impl Watch<'_> {
    /// Keeps nothing and never stops.
    pub const NONE: Watch<'static> = Watch { keep: &[], stop: &|| false };
}

/// [`run`] on `pool`, keeping the cells `watch.keep` of every trial (in trial order, as
/// [`per_trial`] gives them) from the same trials that make the aggregates, so that one
/// pass gives both. `Ok(None)` when `watch.stop` stopped it; it is asked between the
/// few trials a worker takes at a time, so a run stops within a few trials of being asked.
pub fn run_watched(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    config: &RunConfig,
    watch: &Watch,
) -> Result<Option<(RunResults, PerTrial)>, RunError> {
    let started = Instant::now();
    let quantiles = Quantiles::for_run(config.trials, Layout::new(scenario).cells());
    let Some((part, kept)) = simulate_on(pool, scenario, config, 0..config.trials, quantiles, watch)? else {
        return Ok(None);
    };
    let results = results_of(pool, scenario, config, part, started);
    Ok(Some((results, PerTrial { cells: watch.keep.to_vec(), trials: 0..config.trials, values: kept })))
}

/// The kept cells of a few consecutive trials, from the first trial's index.
type KeptTrials = (u64, Vec<f64>);

/// The trials `trials` simulated and aggregated, with the cells `watch.keep` of each in
/// trial order; `None` when `watch.stop` stopped the run.
fn simulate_on(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    config: &RunConfig,
    trials: Range<u64>,
    quantiles: Quantiles,
    watch: &Watch,
) -> Result<Option<(Simulated, Vec<f64>)>, RunError> {
    let started = Instant::now();
    let threads = pool.current_num_threads();
    let layout = Layout::new(scenario);
    let cells = layout.cells();
    let count = trials.end.saturating_sub(trials.start);
    let bar = progress_bar(config.progress, count);
    // The aggregate does not depend on how trials are grouped, so the chunk size is free
    // to follow the run: no more than a thread's share of the trials.
    let chunk_size = chunk_trials(cells).min(count.div_ceil(threads as u64)).max(1) as usize;
    // Trials are handed out a few at a time (at most [`GRAIN`], fewer when a run is too
    // small to give every thread 128 turns), so that the threads finish within a few trials
    // of each other; a thread adds the trials it ran to its aggregate a whole chunk at a
    // time (the trials of a chunk need not be consecutive).
    let grain = (count / (threads as u64 * 128)).clamp(1, GRAIN);
    let next = AtomicU64::new(trials.start);
    let stopped = AtomicBool::new(false);
    let keep = watch.keep;

    let parts: Vec<(Aggregate, Vec<KeptTrials>)> = pool.broadcast(|_| {
        let mut aggregate = Aggregate::new(cells, quantiles);
        let mut kept = Vec::new();
        // Each trial writes its row among the last eight, which then go into the chunk
        // (see `stats::Chunk`); a full chunk is added to the aggregate.
        let mut rows = vec![0.0; ROWS * cells];
        let mut chunk = Chunk::new(cells, chunk_size);
        let mut in_rows = 0;
        // The worker's trial buffers, reused from one trial to the next.
        let mut workspace = engine::Workspace::default();
        let add = |aggregate: &mut Aggregate, chunk: &mut Chunk| {
            let trials = chunk.len();
            chunk.add_to(aggregate);
            if let Some(bar) = &bar {
                bar.inc(trials as u64);
            }
        };
        loop {
            if (watch.stop)() {
                stopped.store(true, Ordering::Relaxed);
                break;
            }
            let first = next.fetch_add(grain, Ordering::Relaxed);
            if first >= trials.end {
                break;
            }
            let mut values = Vec::with_capacity(if keep.is_empty() { 0 } else { grain as usize * keep.len() });
            for i in first..(first + grain).min(trials.end) {
                let row = &mut rows[in_rows * cells..(in_rows + 1) * cells];
                engine::run_trial_in(&mut workspace, scenario, &layout, config.seed, i, row);
                values.extend(keep.iter().map(|&c| row[c]));
                in_rows += 1;
                if in_rows == ROWS || chunk.len() + in_rows == chunk_size {
                    chunk.push(&rows[..in_rows * cells]);
                    in_rows = 0;
                }
                if chunk.is_full() {
                    add(&mut aggregate, &mut chunk);
                }
            }
            if !keep.is_empty() {
                kept.push((first, values));
            }
        }
        chunk.push(&rows[..in_rows * cells]);
        add(&mut aggregate, &mut chunk);
        (aggregate, kept)
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if stopped.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let (aggregates, kept): (Vec<Aggregate>, Vec<Vec<KeptTrials>>) = parts.into_iter().unzip();
    let mut aggregates = aggregates.into_iter();
    let mut aggregate = aggregates.next().unwrap_or_else(|| Aggregate::new(cells, quantiles));
    for part in aggregates {
        aggregate.merge(part).map_err(RunError::Merge)?;
    }
    // Each worker kept the trials it ran; put them back in trial order.
    let mut kept: Vec<KeptTrials> = kept.into_iter().flatten().collect();
    kept.sort_unstable_by_key(|(first, _)| *first);
    let kept = kept.into_iter().flat_map(|(_, v)| v).collect();
    let part = Simulated { layout, aggregate, trials, threads, elapsed_seconds: started.elapsed().as_secs_f64() };
    Ok(Some((part, kept)))
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

/// Per-trial values of some cells of a run, for what needs each trial rather than
/// aggregates (paired comparisons, rank correlations, goal-seek on common random
/// numbers).
#[derive(Debug, Clone)]
pub struct PerTrial {
    /// Cells picked, as indexes in the layout's trial buffer.
    pub cells: Vec<usize>,
    /// Trials run, in index order.
    pub trials: Range<u64>,
    /// `values[i * cells.len() + k]`: cell `cells[k]` of the `i`-th trial.
    pub values: Vec<f64>,
}

impl PerTrial {
    /// Number of trials.
    pub fn len(&self) -> usize {
        self.values.len() / self.cells.len().max(1)
    }

    /// Whether no trial was run.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The `k`-th picked cell of every trial, in trial order.
    pub fn column(&self, k: usize) -> Vec<f64> {
        let n = self.cells.len();
        self.values.iter().skip(k).step_by(n.max(1)).copied().collect()
    }
}

/// Runs the trials `trials` of `scenario` on `pool` and keeps the cells `cells` of each
/// (see [`Layout`] for cell indexes), in trial order. The values depend on the seed and
/// trial indexes only, not on the threads.
pub fn per_trial(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    seed: u64,
    trials: Range<u64>,
    cells: &[usize],
) -> PerTrial {
    use rayon::prelude::*;
    let layout = Layout::new(scenario);
    let width = layout.cells();
    let count = trials.end.saturating_sub(trials.start);
    let chunk = (count / (pool.current_num_threads() as u64 * 8)).clamp(1, CHUNK_MIN);
    let starts: Vec<u64> = (trials.start..trials.end).step_by(chunk as usize).collect();
    let parts: Vec<Vec<f64>> = pool.install(|| {
        starts
            .par_iter()
            .map_init(engine::Workspace::default, |workspace, &first| {
                let last = (first + chunk).min(trials.end);
                let mut buf = vec![0.0; width];
                let mut out = Vec::with_capacity((last - first) as usize * cells.len());
                for i in first..last {
                    engine::run_trial_in(workspace, scenario, &layout, seed, i, &mut buf);
                    out.extend(cells.iter().map(|&c| buf[c]));
                }
                out
            })
            .collect()
    });
    PerTrial { cells: cells.to_vec(), trials, values: parts.concat() }
}

/// A pool of `threads` worker threads (0: one per core).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    pool(threads)
}
