//! The cost of one trial of each example scenario and of a large generated one, and of
//! a whole run (trials plus aggregation) of the scale-up example.
//!
//! `cargo bench --bench engine`; criterion reports time per trial. Divide by the
//! scenario's rep-months (printed once at the start) for the cost per rep-month.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sopsim::engine::{metrics::Layout, run_trial};
use sopsim::runner::{RunConfig, run};
use sopsim::scenario::{Scenario, load_file, load_str};

fn example(name: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    match load_file(&path, &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.render()),
    }
}

/// About 1,000 closers over 20 segments for 60 months, with SDRs and attrition.
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

fn rep_months(s: &Scenario) -> u64 {
    s.roles.iter().map(|r| u64::from(r.headcount) + r.hires.iter().map(|h| u64::from(h.1)).sum::<u64>()).sum::<u64>()
        * s.months as u64
}

fn per_trial(c: &mut Criterion) {
    let mut group = c.benchmark_group("trial");
    for (name, scenario) in [
        ("seed-stage", example("seed-stage")),
        ("scale-up", example("scale-up")),
        ("enterprise", example("enterprise")),
        ("large", large()),
    ] {
        let layout = Layout::new(&scenario);
        let mut out = vec![0.0; layout.cells()];
        eprintln!("{name}: about {} rep-months per trial", rep_months(&scenario));
        group.throughput(Throughput::Elements(1));
        let mut trial = 0u64;
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                trial += 1;
                run_trial(&scenario, &layout, 7, trial, &mut out);
                out[0]
            })
        });
    }
    group.finish();
}

fn whole_run(c: &mut Criterion) {
    let scenario = example("scale-up");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for threads in [1usize, 2] {
        let config = RunConfig { trials: 10_000, seed: 7, threads, progress: false };
        group.bench_function(BenchmarkId::new("scale-up-10k", format!("{threads}-threads")), |b| {
            b.iter(|| run(&scenario, &config).map(|r| r.trials))
        });
    }
    group.finish();
}

criterion_group!(benches, per_trial, whole_run);
criterion_main!(benches);
