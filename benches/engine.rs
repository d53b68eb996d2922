//! What a trial costs, against what its random draws alone cost; what aggregation
//! costs; and how a run scales from one thread to two.
//!
//! `cargo bench --bench engine` runs, with criterion:
//! - `trial/<scenario>`: one trial of the engine, for each example scenario and a large
//!   generated one (1,000 closers in 20 segments and territories' worth of demand, 200
//!   SDRs, 60 months);
//! - `floor/<scenario>`: the same trials' random draws and nothing else (see
//!   `floor/mod.rs`: same streams, same distributions, same counts, checked against
//!   the engine's own output, from which it also takes the capacity policy's
//!   requisitions and the months stages are reached);
//! - `aggregate/<mode>`: aggregating 10,000 trials of the scale-up example, exact and
//!   sketched, on one thread;
//! - `run/...`: whole runs (trials and aggregation) on one and on two threads.
//!
//! Then it prints a summary measured in one process, each pair of numbers interleaved
//! (engine block, floor block, engine block, ...) so that a machine busy with other
//! work slows both alike: the engine / floor ratio and the costs per rep-month and per
//! opportunity for each scenario (the examples, the core scenario of the NumPy peer in
//! `benches/peers/`, and the large one), what aggregating 10,000 trials costs a trial
//! on the scale-up example and the core peer, and the speed-up from one thread to two.
//! A filter argument (`cargo bench --bench engine -- trial/large`) runs only the matching
//! criterion benches; the summary runs when the filter is empty or `summary`.

mod floor;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use floor::{Floor, Plan};
use sopsim::engine::{Workspace, metrics::Layout, run_trial, run_trial_in};
use sopsim::runner::{self, RunConfig};
use sopsim::scenario::{Scenario, load_file, load_str};
use sopsim::stats::{Aggregate, Quantiles};

const SEED: u64 = 7;

fn example(name: &str) -> Scenario {
    scenario_at(&format!("scenarios/{name}.toml"))
}

/// The scenario of the file at `path`, relative to the crate.
fn scenario_at(path: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    match load_file(&path, &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.render()),
    }
}

/// About 1,000 closers over 20 segments for 60 months, with 200 SDRs and attrition.
fn large() -> Scenario {
    let mut text = String::from(
        "[scenario]\nstart = \"2027-01\"\nmonths = 60\n[company]\narr = 50_000_000\nmonthly_churn = 0.008\n\
         [demand]\nleads_per_month = 60_000\ngrowth_per_month = 0.005\nlead_to_opportunity = 0.1\nsegment_mix = { ",
    );
    let mix: Vec<String> = (0..20).map(|i| format!("s{i} = 0.05")).collect();
    text.push_str(&mix.join(", "));
    text.push_str(" }\n");
    for i in 0..20 {
        text.push_str(&format!(
            "[[segments]]\nname = \"s{i}\"\ndeal_size = {{ dist = \"lognormal\", median = 30_000, p90 = 80_000 }}\n\
             win_rate = {{ low = 0.15, high = 0.28 }}\ncycle_months = {{ dist = \"gamma\", mean = 3, sd = 1.2 }}\n\
             [[roles]]\nid = \"ae{i}\"\nkind = \"closer\"\nsegment = \"s{i}\"\nheadcount = 50\nramp_months = 5\n\
             annual_attrition = 0.3\ntime_to_hire_months = 2\nopportunities_per_month = 6\nbackfill = true\n"
        ));
    }
    text.push_str(
        "[[roles]]\nid = \"sdr\"\nkind = \"sdr\"\nheadcount = 200\nramp_months = 3\nannual_attrition = 0.4\n\
         time_to_hire_months = 1\nmeetings_per_month = 15\nmeeting_to_opportunity = 0.5\nbackfill = true\n",
    );
    match load_str(&text, "large.toml", &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.render()),
    }
}

/// A scenario with the draws of its first trials recorded.
struct Case {
    name: &'static str,
    scenario: Scenario,
    layout: Layout,
    /// Trial indexes `0..trials`.
    trials: u64,
}

impl Case {
    fn new(name: &'static str, scenario: Scenario, trials: u64) -> Case {
        let layout = Layout::new(&scenario);
        Case { name, scenario, layout, trials }
    }

    /// The floor and the recorded draws of each trial; `None` (and a message on stderr)
    /// when the replay no longer matches the engine.
    fn plans(&self) -> Option<(Floor<'_>, Vec<Plan>)> {
        let floor = Floor::new(&self.scenario, SEED);
        let mut out = vec![0.0; self.layout.cells()];
        let plans: Result<Vec<Plan>, String> = (0..self.trials)
            .map(|i| {
                run_trial(&self.scenario, &self.layout, SEED, i, &mut out);
                floor.record(i, &out)
            })
            .collect();
        match plans {
            Ok(plans) => Some((floor, plans)),
            Err(message) => {
                eprintln!("{}: no floor: {message}", self.name);
                None
            }
        }
    }

    fn engine_pass(&self, out: &mut [f64]) -> f64 {
        let mut workspace = Workspace::default();
        (0..self.trials)
            .map(|i| {
                run_trial_in(&mut workspace, &self.scenario, &self.layout, SEED, i, out);
                out[0]
            })
            .sum()
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case::new("seed-stage", example("seed-stage"), 256),
        Case::new("scale-up", example("scale-up"), 128),
        Case::new("enterprise", example("enterprise"), 64),
        Case::new("core peer", scenario_at("benches/peers/core.toml"), 256),
        Case::new("large", large(), 8),
    ]
}

fn per_trial(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("trial");
    group.throughput(Throughput::Elements(1));
    for case in cases {
        if case.name == "large" {
            group.sample_size(10);
        }
        let mut out = vec![0.0; case.layout.cells()];
        let mut i = 0u64;
        let mut workspace = Workspace::default();
        group.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| {
                i = (i + 1) % case.trials;
                run_trial_in(&mut workspace, &case.scenario, &case.layout, SEED, i, &mut out);
                out[0]
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Elements(1));
    for case in cases {
        if case.name == "large" {
            group.sample_size(10);
        }
        let Some((floor, plans)) = case.plans() else { continue };
        let mut i = 0;
        group.bench_function(BenchmarkId::from_parameter(case.name), |b| {
            b.iter(|| {
                i = (i + 1) % plans.len();
                floor.draw(&plans[i])
            });
        });
    }
    group.finish();
}

/// 10,000 trials' rows of `s`.
fn rows_of(s: &Scenario) -> (usize, Vec<f64>) {
    let layout = Layout::new(s);
    let cells = layout.cells();
    let mut rows = vec![0.0; 10_000 * cells];
    for (i, out) in rows.chunks_exact_mut(cells).enumerate() {
        run_trial(s, &layout, SEED, i as u64, out);
    }
    (cells, rows)
}

/// Aggregates 10,000 trials of `rows` in chunks of the runner's size and reads the
/// statistics.
fn aggregate(cells: usize, rows: &[f64], quantiles: Quantiles) -> usize {
    let mut a = Aggregate::new(cells, quantiles);
    for chunk in rows.chunks(runner::chunk_trials(cells) as usize * cells) {
        a.add_trials(chunk);
    }
    a.into_stats().len()
}

fn aggregation(c: &mut Criterion) {
    let (cells, rows) = rows_of(&example("scale-up"));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread");
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10).throughput(Throughput::Elements(10_000));
    for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
        group.bench_function(BenchmarkId::new("scale-up-10k", quantiles.name()), |b| {
            b.iter(|| one.install(|| aggregate(cells, &rows, quantiles)));
        });
    }
    group.finish();
}

fn whole_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for (name, scenario, trials) in [("scale-up-10k", example("scale-up"), 10_000), ("large-64", large(), 64)] {
        group.throughput(Throughput::Elements(trials));
        for threads in [1usize, 2] {
            let config = RunConfig { trials, seed: SEED, threads, progress: false };
            group.bench_function(BenchmarkId::new(name, format!("{threads}-threads")), |b| {
                b.iter(|| runner::run(&scenario, &config).map(|r| r.trials));
            });
        }
    }
    group.finish();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(f: impl FnOnce() -> f64) -> f64 {
    let started = Instant::now();
    black_box(f());
    started.elapsed().as_secs_f64()
}

/// Engine against floor, interleaved; costs per rep-month and per opportunity.
fn summary_trials(cases: &[Case]) {
    println!(
        "\n| scenario | engine / trial | floor / trial | engine / floor | per rep-month | per opportunity | rep-months | opportunities |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let Some((floor, plans)) = case.plans() else {
            println!("| {} | | | no floor: the replay diverges from the engine (see stderr) | | | | |", case.name);
            continue;
        };
        let mut out = vec![0.0; case.layout.cells()];
        let n = case.trials as f64;
        // Block size: at least 50 ms of engine work.
        let one_pass = time(|| case.engine_pass(&mut out));
        let passes = (0.05 / one_pass).ceil().max(1.0) as usize;
        let (mut engine, mut draws, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..15 {
            let e = time(|| (0..passes).map(|_| case.engine_pass(&mut out)).sum()) / (passes as f64 * n);
            let f = time(|| (0..passes).flat_map(|_| plans.iter().map(|p| floor.draw(p))).sum()) / (passes as f64 * n);
            engine.push(e);
            draws.push(f);
            ratios.push(e / f);
        }
        let (e, f) = (median(engine), median(draws));
        let rep_months = plans.iter().map(|p| p.rep_months).sum::<f64>() / n;
        let opportunities = plans.iter().map(|p| p.opportunities).sum::<f64>() / n;
        println!(
            "| {} | {} | {} | {:.2} | {} | {} | {:.0} | {:.0} |",
            case.name,
            duration(e),
            duration(f),
            median(ratios),
            duration(e / rep_months),
            duration(e / opportunities.max(1.0)),
            rep_months,
            opportunities
        );
    }
}

/// One thread against two, interleaved, on whole runs.
fn summary_threads() {
    println!("\n| run | 1 thread | 2 threads | speed-up |");
    println!("|---|---:|---:|---:|");
    for (name, scenario, trials, rounds) in
        [("large, 128 trials", large(), 128, 5), ("scale-up, 10,000 trials", example("scale-up"), 10_000, 7)]
    {
        let (mut one, mut two, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let run = |threads| {
                let config = RunConfig { trials, seed: SEED, threads, progress: false };
                time(|| runner::run(&scenario, &config).map_or(0.0, |r| r.elapsed_seconds))
            };
            let (a, b) = (run(1), run(2));
            one.push(a);
            two.push(b);
            ratios.push(a / b);
        }
        println!("| {name} | {} | {} | {:.2}x |", duration(median(one)), duration(median(two)), median(ratios));
    }
}

/// Aggregation per trial against the engine per trial, on the scale-up example and the
/// core peer scenario.
fn summary_aggregation(cases: &[Case]) {
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread");
    println!("\n| aggregation of 10,000 trials | per trial | share of a trial |");
    println!("|---|---:|---:|");
    for case in cases.iter().filter(|c| c.name == "scale-up" || c.name == "core peer") {
        let (cells, rows) = rows_of(&case.scenario);
        let mut out = vec![0.0; case.layout.cells()];
        for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
            let (mut agg, mut ratios) = (Vec::new(), Vec::new());
            for _ in 0..7 {
                let a = time(|| one.install(|| aggregate(cells, &rows, quantiles)) as f64) / 10_000.0;
                let e = time(|| case.engine_pass(&mut out)) / case.trials as f64;
                agg.push(a);
                ratios.push(a / e);
            }
            println!(
                "| {}, {} | {} | {:.1}% |",
                case.name,
                quantiles.name(),
                duration(median(agg)),
                100.0 * median(ratios)
            );
        }
    }
}

fn duration(seconds: f64) -> String {
    let d = Duration::from_secs_f64(seconds.max(0.0));
    match seconds {
        s if s >= 1.0 => format!("{:.2} s", d.as_secs_f64()),
        s if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
        s if s >= 1e-6 => format!("{:.2} µs", s * 1e6),
        s => format!("{:.1} ns", s * 1e9),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned().unwrap_or_default();
    let cases = cases();
    let mut c = Criterion::default().configure_from_args();
    per_trial(&mut c, &cases);
    aggregation(&mut c);
    whole_runs(&mut c);
    c.final_summary();
    if benchmarking && (filter.is_empty() || "summary".contains(filter.as_str())) {
        println!("\nSummary (medians of interleaved rounds; seed {SEED}, {} cores)", num_cores());
        summary_trials(&cases);
        summary_aggregation(&cases);
        summary_threads();
    }
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
