//! Scale: sketched quantiles against exact ones, shards that merge into one run, and the
//! refusal of parts that do not belong together.
//!
//! The sketch's tolerance is its documented bound, [`RELATIVE_ERROR`] (2^-8 of the
//! exact value), derived from its bucket widths, not tuned to a seed. Counts, means and
//! merged results are compared bit for bit.

use std::path::Path;
use std::process::Command;

use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;
use sopsim::runner::{self, RunConfig, RunResults};
use sopsim::scenario::{self, Loaded};
use sopsim::shard::{self, Damage, Error, Partial, Shard};
use sopsim::stats::sketch::RELATIVE_ERROR;
use sopsim::stats::{Aggregate, LEVELS, Quantiles, Stats, describe};
use statrs::distribution::{Continuous, ContinuousCDF};

fn scale_up(overrides: &[String]) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-up.toml");
    scenario::load_file(&path, overrides).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn config(trials: u64, seed: u64, threads: usize) -> RunConfig {
    RunConfig { trials, seed, threads, progress: false }
}

/// Asserts that every quantile of `got` is within the sketch bound of `exact`'s.
fn assert_within_bound(what: &str, got: &Stats, exact: &Stats) {
    for (level, (g, e)) in LEVELS.iter().zip(got.quantiles.iter().zip(exact.quantiles)) {
        assert!((g - e).abs() <= RELATIVE_ERROR * e.abs(), "{what} at {level}: sketch {g}, exact {e}");
    }
}

fn assert_bits_equal(what: &str, a: &RunResults, b: &RunResults) {
    assert_eq!(a.cells.len(), b.cells.len(), "{what}: cells");
    for (c, (x, y)) in a.cells.iter().zip(&b.cells).enumerate() {
        match (x, y) {
            (Some(x), Some(y)) => {
                assert_eq!(x.count, y.count, "{what}: count of cell {c}");
                assert_eq!(x.mean.to_bits(), y.mean.to_bits(), "{what}: mean of cell {c}");
                for (p, q) in x.quantiles.iter().zip(y.quantiles) {
                    assert_eq!(p.to_bits(), q.to_bits(), "{what}: quantiles of cell {c}");
                }
            }
            (None, None) => {}
            _ => panic!("{what}: cell {c} exists in one result only"),
        }
    }
    let (p, q) = (a.target.as_ref().unwrap(), b.target.as_ref().unwrap());
    assert_eq!(p.p_hit.to_bits(), q.p_hit.to_bits(), "{what}: P(hit)");
}

/// A known distribution: 200,000 lognormal deal sizes (median $30K, P90 $80K) and
/// 200,000 normal values below zero, sketched. Each sketched quantile is within
/// `RELATIVE_ERROR` of the exact type-7 quantile of the same values, and the exact and
/// sketched quantiles agree with the distribution's own quantile `F^-1(q)` within 4
/// Monte Carlo standard errors of a sample quantile, `sqrt(q (1 - q) / n) / f(F^-1(q))`,
/// plus the sketch bound (14 levels, each failing by chance with probability ~6e-5).
#[test]
fn sketched_quantiles_are_within_their_bound_of_exact_ones_on_a_known_distribution() {
    const N: usize = 200_000;
    let sigma = (80_000.0f64 / 30_000.0).ln() / 1.281_551_565_544_600_4;
    let lognormal = LogNormal::new(30_000f64.ln(), sigma).unwrap();
    let normal = Normal::new(-5_000.0, 1_000.0).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(6_001);
    let mut rows = Vec::with_capacity(2 * N);
    for _ in 0..N {
        rows.push(lognormal.sample(&mut rng));
        rows.push(normal.sample(&mut rng));
    }
    let mut sketch = Aggregate::new(2, Quantiles::Sketch);
    rows.chunks(128).for_each(|c| sketch.add_trials(c));
    let sketched = sketch.into_stats();

    // The distribution's quantile F^-1(q) and density there, by column.
    let reference = |c: usize, q: f64| -> (f64, f64) {
        if c == 0 {
            let d = statrs::distribution::LogNormal::new(30_000f64.ln(), sigma).unwrap();
            let x = d.inverse_cdf(q);
            (x, d.pdf(x))
        } else {
            let d = statrs::distribution::Normal::new(-5_000.0, 1_000.0).unwrap();
            let x = d.inverse_cdf(q);
            (x, d.pdf(x))
        }
    };
    for (c, name) in ["lognormal", "normal"].into_iter().enumerate() {
        let mut column: Vec<f64> = rows.iter().skip(c).step_by(2).copied().collect();
        let exact = describe(&mut column).unwrap();
        let got = sketched[c].as_ref().unwrap();
        assert_eq!((got.count, got.mean.to_bits()), (exact.count, exact.mean.to_bits()), "{name}: count and mean");
        assert_within_bound(name, got, &exact);
        for (i, q) in LEVELS.iter().enumerate() {
            let (x, density) = reference(c, *q);
            let se = (q * (1.0 - q) / N as f64).sqrt() / density;
            let tolerance = 4.0 * se + RELATIVE_ERROR * x.abs();
            assert!((exact.quantiles[i] - x).abs() <= 4.0 * se, "{name} exact P{q}: {} vs {x}", exact.quantiles[i]);
            assert!((got.quantiles[i] - x).abs() <= tolerance, "{name} sketch P{q}: {} vs {x}", got.quantiles[i]);
        }
    }
}

/// The scale-up example, 1,000 trials, run with exact and with sketched quantiles: every
/// cell has the same count and the same mean bit for bit, and quantiles within the
/// bound (every metric of the example is non-negative, so the bound applies to each).
/// Whole-number metrics below 512 (headcount, hires, departures, requisitions) come back
/// exactly.
#[test]
fn sketched_runs_keep_counts_and_means_exact_and_quantiles_within_the_bound() {
    let loaded = scale_up(&[]);
    let s = &loaded.scenario;
    let exact = runner::run_with(s, &config(1_000, 21, 2), Quantiles::Exact).unwrap();
    let sketched = runner::run_with(s, &config(1_000, 21, 2), Quantiles::Sketch).unwrap();
    assert_eq!((exact.quantiles, sketched.quantiles), (Quantiles::Exact, Quantiles::Sketch));
    let mut whole_numbers = 0;
    for (c, (e, g)) in exact.cells.iter().zip(&sketched.cells).enumerate() {
        let (Some(e), Some(g)) = (e, g) else {
            assert_eq!(e.is_none(), g.is_none(), "cell {c}");
            continue;
        };
        assert_eq!((g.count, g.mean.to_bits()), (e.count, e.mean.to_bits()), "cell {c}");
        assert_within_bound(&format!("cell {c}"), g, e);
        let name = exact.layout.names.get(c / exact.layout.months).map_or("", String::as_str);
        if ["headcount.", "hires.", "departures.", "open_reqs."].iter().any(|p| name.starts_with(p)) {
            assert_eq!(g.quantiles, e.quantiles, "{name}: whole numbers come back exactly");
            whole_numbers += 1;
        }
    }
    assert!(whole_numbers > 100);
}

/// Runs `shards` shards of a run through their partial files (encoded and decoded) and
/// merges them.
fn merged(loaded: &Loaded, run: &RunConfig, shards: u64, quantiles: Quantiles) -> RunResults {
    let parts = (1..=shards)
        .map(|index| {
            let part = shard::run_shard_with(loaded, run, Shard { index, count: shards }, quantiles).unwrap();
            let bytes = part.encode();
            let decoded = Partial::decode(&bytes).unwrap();
            assert!(decoded.encode() == bytes, "a part reads back as written");
            (format!("part{index}"), decoded)
        })
        .rev()
        .collect();
    let m = shard::merge(parts).unwrap();
    RunResults::from_aggregate(
        runner_layout(loaded),
        m.aggregate,
        m.header.trials,
        m.header.seed,
        m.threads,
        m.elapsed_seconds,
        loaded.scenario.target.is_some(),
    )
}

fn runner_layout(loaded: &Loaded) -> sopsim::engine::metrics::Layout {
    sopsim::engine::metrics::Layout::new(&loaded.scenario)
}

/// Four shards of 1,000 trials (250 each, run on one thread in chunks of 31 trials),
/// written to partial files, read back and merged in reverse order, equal one run of all
/// trials on two threads (in chunks of 62): counts, means, every quantile and P(hit), bit
/// for bit, with exact quantiles and with sketched ones (sketches merge exactly).
#[test]
fn four_shards_merged_equal_one_run() {
    let loaded = scale_up(&[]);
    for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
        let one = runner::run_with(&loaded.scenario, &config(1_000, 33, 2), quantiles).unwrap();
        let four = merged(&loaded, &config(1_000, 33, 1), 4, quantiles);
        assert_eq!((four.trials, four.quantiles), (1_000, quantiles));
        assert_bits_equal(quantiles.name(), &four, &one);
    }
}

/// Two shards of a 200-trial run, as partial files.
fn two_parts(overrides: &[String], seed: u64, trials: u64) -> Vec<(String, Partial)> {
    let loaded = scale_up(overrides);
    (1..=2)
        .map(|index| {
            let p = shard::run_shard(&loaded, &config(trials, seed, 1), Shard { index, count: 2 }).unwrap();
            (format!("part{index}"), p)
        })
        .collect()
}

/// Merging refuses what does not make one run: a missing or repeated shard, parts of
/// another scenario, seed, trial count, program version or file-format version, and
/// damaged, truncated or foreign files; each with a message that names the problem.
#[test]
fn merging_refuses_parts_that_do_not_make_one_run() {
    let good = two_parts(&[], 5, 200);
    assert!(shard::merge(good.clone()).is_ok());
    let refused = |parts: Vec<(String, Partial)>| shard::merge(parts).expect_err("refused");
    let e = refused(vec![good[0].clone()]);
    assert!(matches!(&e, Error::ShardsMissing { shown, missing: 1 } if shown[..] == [Shard { index: 2, count: 2 }]));
    assert!(e.to_string().contains("shards missing: 2/2"), "{e}");
    let e = refused(vec![good[0].clone(), good[0].clone()]);
    assert!(matches!(&e, Error::ShardTwice { shard: Shard { index: 1, count: 2 }, .. }), "{e:?}");
    let other = two_parts(&["demand.growth_per_month=0.02".to_string()], 5, 200);
    let e = refused(vec![good[0].clone(), other[1].clone()]);
    assert!(matches!(e, Error::Scenarios { .. }), "{e:?}");
    let e = refused(vec![good[0].clone(), two_parts(&[], 6, 200)[1].clone()]);
    assert!(matches!(&e, Error::DifferentRuns { what: "seed", part, first } if part.1 == "6" && first.1 == "5"));
    assert!(e.to_string().contains("seed 6 vs 5"), "{e}");
    let e = refused(vec![good[0].clone(), two_parts(&[], 5, 300)[1].clone()]);
    assert!(matches!(&e, Error::DifferentRuns { what: "trials", part, .. } if part.1 == "300"), "{e:?}");
    let mut newer = good[1].clone();
    newer.1.header.sopsim_version = "99.0.0".into();
    let newer = (newer.0, Partial::decode(&newer.1.encode()).unwrap());
    let e = refused(vec![good[0].clone(), newer]);
    assert!(matches!(&e, Error::Versions { part, .. } if part.1 == "99.0.0"), "{e:?}");

    let bytes = good[1].1.encode();
    let unreadable = |bytes: &[u8]| Partial::decode(bytes).expect_err("unreadable");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    assert_eq!(unreadable(&flipped), Damage::Checksum);
    assert_eq!(unreadable(&bytes[..bytes.len() - 100]), Damage::Checksum);
    assert_eq!(unreadable(&bytes[..10]), Damage::NotAPart);
    assert_eq!(unreadable(b"[scenario]\nstart = \"2027-01\"\n"), Damage::NotAPart);
    let mut future = bytes.clone();
    future[16..20].copy_from_slice(&99u32.to_le_bytes());
    assert_eq!(unreadable(&future), Damage::Version(99));
    assert!(unreadable(&future).to_string().contains("format version 99"));
}

fn sopsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sopsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary starts")
}

/// The command line: three shards written with `run --shard K/3 --partial`, merged with
/// `merge`, give the same `monthly.csv` bytes as one run, and the same `summary.json`
/// but for the run's threads and seconds. A merge with a shard missing, a bad `--shard`
/// (0/3, more shards than trials) and `--shard` without `--partial` exit 2 and write
/// nothing.
#[test]
fn sharded_command_line_runs_merge_into_the_files_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let file = "scenarios/scale-up.toml";
    let common = ["--trials", "500", "--seed", "9", "--quiet"];
    let one = sopsim(&[&["run", file, "--out", &d("one")][..], &common].concat());
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    for k in 1..=3 {
        let (shard, part) = (format!("{k}/3"), d(&format!("p{k}.part")));
        let o = sopsim(&[&["run", file, "--shard", &shard, "--partial", &part][..], &common].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = sopsim(&["merge", &d("p3.part"), &d("p1.part"), &d("p2.part"), "--out", &d("merged"), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |dir: &str, f: &str| std::fs::read_to_string(Path::new(&d(dir)).join(f)).unwrap();
    assert_eq!(read("merged", "monthly.csv"), read("one", "monthly.csv"));
    let json = |dir: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
        v["run"]["threads"] = serde_json::Value::Null;
        v["run"]["elapsed_seconds"] = serde_json::Value::Null;
        v
    };
    assert_eq!(json("merged"), json("one"));

    let o = sopsim(&["merge", &d("p1.part"), &d("p2.part"), "--out", &d("partial-merge")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards missing: 3/3"));
    assert!(!Path::new(&d("partial-merge")).exists(), "nothing is written");
    for bad in [&["--shard", "0/3"][..], &["--shard", "4/4", "--trials", "3"]] {
        let o = sopsim(&[&["run", file, "--partial", &d("bad.part")][..], bad].concat());
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(!Path::new(&d("bad.part")).exists(), "{bad:?}: nothing is written");
    }
    let o = sopsim(&["run", file, "--shard", "1/3", "--out", &d("no-partial")]);
    assert_eq!(o.status.code(), Some(2), "--shard needs --partial");
    assert!(!Path::new(&d("no-partial")).exists());
}
