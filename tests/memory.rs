//! Peak memory of a run, measured by a counting allocator: a binary of its own, because
//! the allocator counts every allocation of the process and the integration tests run
//! in parallel threads.
//!
//! With sketched quantiles, memory does not grow with the number of trials: the peak of
//! a run of 8 x 4,096 trials is at most 1.5 times that of 4,096 trials (the sketches
//! widen a little as rarer values arrive; the values themselves are never kept). With exact
//! quantiles, the peak is the values themselves (8 bytes per trial and cell) plus what
//! a sketched run of the same scenario needs, within a factor 1.5.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use sopsim::runner::{self, RunConfig};
use sopsim::stats::Quantiles;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One closer, one segment, 12 months: a few microseconds a trial.
const SMALL: &str = r#"
[scenario]
start = "2027-01"
months = 12
[company]
arr = 1_000_000
monthly_churn = { low = 0.005, high = 0.015 }
[target]
arr = 1_500_000
[[segments]]
name = "mid"
deal_size = { dist = "lognormal", median = 30_000, p90 = 80_000 }
win_rate = { low = 0.15, high = 0.28 }
cycle_months = { dist = "gamma", mean = 2, sd = 1 }
[demand]
leads_per_month = { low = 150, high = 250 }
lead_to_opportunity = 0.1
[[roles]]
id = "ae"
kind = "closer"
segment = "mid"
headcount = 3
ramp_months = 3
annual_attrition = 0.3
time_to_hire_months = 2
opportunities_per_month = 6
backfill = true
"#;

/// Peak heap bytes above what was live before, of a run of `trials` trials.
fn peak_of(trials: u64, quantiles: Quantiles) -> usize {
    let loaded = sopsim::scenario::load_str(SMALL, "small.toml", &[]).expect("the scenario loads");
    let config = RunConfig { trials, seed: 3, threads: 2, progress: false };
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let results = runner::run_with(&loaded.scenario, &config, quantiles).expect("the run starts");
    assert_eq!(results.trials, trials);
    drop(results);
    PEAK.load(Ordering::Relaxed) - before
}

#[test]
fn memory_does_not_grow_with_trials_beyond_the_budget() {
    let cells = {
        let loaded = sopsim::scenario::load_str(SMALL, "small.toml", &[]).expect("the scenario loads");
        sopsim::engine::metrics::Layout::new(&loaded.scenario).cells()
    };
    // Warm up: the thread pool's and the allocator's own first allocations.
    peak_of(500, Quantiles::Sketch);

    // The smaller run is the smallest whose chunks are full on two threads (the runner
    // gives a thread no larger chunk than its share of the trials): a chunk's buffer is
    // part of the fixed budget, so both runs hold the same buffers and differ in trials
    // only.
    let base = 2 * runner::chunk_trials(cells);
    let small = peak_of(base, Quantiles::Sketch);
    let large = peak_of(8 * base, Quantiles::Sketch);
    eprintln!("sketched: {small} bytes at {base} trials, {large} bytes at {} trials ({cells} cells)", 8 * base);
    assert!(large as f64 <= 1.5 * small as f64, "sketched peak grew from {small} to {large} bytes with 8x the trials");

    let trials = 8 * base as usize;
    let exact = peak_of(trials as u64, Quantiles::Exact);
    let values = trials * cells * 8;
    eprintln!("exact: {exact} bytes at {trials} trials, of which values {values}");
    assert!(exact >= values, "exact quantiles keep every value");
    assert!(
        (exact as f64) <= 1.5 * (values + large) as f64,
        "exact peak {exact} bytes is more than 1.5 x (values {values} + sketched run {large})"
    );
}
