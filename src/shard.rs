//! Shards of a run and their partial files, and the merge that turns the parts back
//! into the results of the whole run.
//!
//! `--shard K/N` runs the K-th of N contiguous ranges of trial indexes (1-based K), so
//! each trial draws what it draws in the whole run. Its aggregate (exact sums and
//! counts; every value or a mergeable sketch, chosen from the *whole* run's size) goes
//! to a partial file. Merging the N parts gives the aggregate of the whole run, bit for
//! bit, because an aggregate depends only on the values it holds (see
//! [`stats::aggregate`](crate::stats::aggregate)).
//!
//! A partial file is: 16 magic bytes, a little-endian `u32` format version, a `u64`
//! header length and the header as JSON ([`Header`]: sopsim version, scenario hash and
//! text, seed, trials, shard, layout), the binary aggregate, and a `u64` FNV-1a checksum
//! of everything before it. Parts of different scenarios, seeds, trial counts, format
//! or sopsim versions are refused, as are missing or repeated shards.

mod error;

use crate::hash::Fnv;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::metrics::Layout;
use crate::runner::{self, RunConfig};
use crate::scenario::Loaded;
use crate::scenario::diag::Sources;
use crate::stats::aggregate::{Block, SketchCell, Store};
use crate::stats::sketch::{Sketch, SketchParts};
use crate::stats::sum::ExactSum;
use crate::stats::{Aggregate, Quantiles};

pub use error::{Damage, Error};

/// The version of the partial-file format; parts of another version are refused. It also
/// changes when the draws of a seed change, so that parts whose trials were drawn
/// differently never merge: 2 draws a deal's cycle by inversion (see
/// [`WholeDraw`](crate::dist::WholeDraw)); 3 draws Binomials and lognormal sizes with
/// [`dist::fast`](crate::dist::fast); 4 draws the leads by Poisson thinning with the
/// engine's own Poisson (docs/MODEL.md 3.3).
pub const FORMAT_VERSION: u32 = 4;

/// The first bytes of every partial file.
const MAGIC: &[u8; 16] = b"sopsim-partial\n\0";

/// One shard of a run: the `index`-th (1-based) of `count` contiguous trial ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, from 1 to `count`.
    pub index: u64,
    /// How many shards the run is cut into.
    pub count: u64,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N` with `1 <= K <= N`.
    pub fn parse(text: &str) -> Result<Shard, Error> {
        let bad = || Error::NotAShard { text: text.to_string() };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (k.trim().parse::<u64>().map_err(|_| bad())?, n.trim().parse::<u64>().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The trial indexes of this shard in a run of `total` trials:
    /// `floor((K - 1) total / N) .. floor(K total / N)`.
    pub fn trials(&self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count.max(1))) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The scenario as given: enough to load it again at merge time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSource {
    /// The scenario file as named on the command line.
    pub file: String,
    /// Its text.
    pub text: String,
    /// The `--set` overrides, in order.
    pub overrides: Vec<String>,
}

/// The metric layout recorded in a part, to check it against the scenario's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayoutHeader {
    /// Months per trial.
    pub months: usize,
    /// Monthly metric names.
    pub names: Vec<String>,
    /// Per-trial scalar names.
    pub scalars: Vec<String>,
}

impl LayoutHeader {
    fn of(layout: &Layout) -> LayoutHeader {
        LayoutHeader { months: layout.months, names: layout.names.clone(), scalars: layout.scalars.clone() }
    }

    fn cells(&self) -> Option<usize> {
        self.names.len().checked_mul(self.months)?.checked_add(self.scalars.len())
    }
}

/// What a partial file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Version of the program that wrote it.
    pub sopsim_version: String,
    /// FNV-1a hash of the scenario text and overrides (16 hex digits).
    pub scenario_hash: String,
    /// The scenario as given.
    pub scenario: ScenarioSource,
    /// Seed of the run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// Which shard this is.
    pub shard: Shard,
    /// The trial indexes it ran.
    pub first_trial: u64,
    /// One past the last trial index it ran.
    pub end_trial: u64,
    /// `"exact"` or `"sketch"`, as chosen for the whole run.
    pub quantiles: String,
    /// The layout of the trial values.
    pub layout: LayoutHeader,
    /// Worker threads it used.
    pub threads: usize,
    /// Wall-clock seconds it took.
    pub elapsed_seconds: f64,
}

/// A shard's header and aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// What the part is.
    pub header: Header,
    /// Its aggregate.
    pub aggregate: Aggregate,
}

/// The hash of a scenario as given (text and overrides), as 16 hex digits.
pub fn scenario_hash(text: &str, overrides: &[String]) -> String {
    let mut h = Fnv::new();
    h.write(text.as_bytes());
    for o in overrides {
        h.write(&[0]);
        h.write(o.as_bytes());
    }
    format!("{:016x}", h.finish())
}

/// Runs shard `shard` of the run `config` of a loaded scenario, with the quantile mode
/// of the whole run ([`Quantiles::for_run`]). A shard count above the trials is bad
/// input; a run that cannot start is a failure.
pub fn run_shard(loaded: &Loaded, config: &RunConfig, shard: Shard) -> Result<Partial, Error> {
    let quantiles = Quantiles::for_run(config.trials, Layout::new(&loaded.scenario).cells());
    run_shard_with(loaded, config, shard, quantiles)
}

/// [`run_shard`] with the quantile mode given (every shard of a run must use the same).
pub fn run_shard_with(
    loaded: &Loaded,
    config: &RunConfig,
    shard: Shard,
    quantiles: Quantiles,
) -> Result<Partial, Error> {
    let scenario = &loaded.scenario;
    if shard.count > config.trials {
        return Err(Error::TooManyShards { shard, trials: config.trials });
    }
    let range = shard.trials(config.trials);
    let done = runner::simulate(scenario, config, range.clone(), quantiles).map_err(Error::Run)?;
    let Sources { file_name, file_text, overrides } = &loaded.sources;
    Ok(Partial {
        header: Header {
            sopsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_hash: scenario_hash(file_text, overrides),
            scenario: ScenarioSource { file: file_name.clone(), text: file_text.clone(), overrides: overrides.clone() },
            seed: config.seed,
            trials: config.trials,
            shard,
            first_trial: range.start,
            end_trial: range.end,
            quantiles: quantiles.name().to_string(),
            layout: LayoutHeader::of(&done.layout),
            threads: done.threads,
            elapsed_seconds: done.elapsed_seconds,
        },
        aggregate: done.aggregate,
    })
}

/// The whole run merged from its parts.
#[derive(Debug)]
pub struct Merged {
    /// The header of the first shard (scenario, seed, trials, layout).
    pub header: Header,
    /// The aggregate of all trials.
    pub aggregate: Aggregate,
    /// Threads used, summed over the shards.
    pub threads: usize,
    /// Seconds taken, summed over the shards.
    pub elapsed_seconds: f64,
}

/// Merges the parts of one run, given with the names to use in messages. Refuses parts
/// of different runs, versions or layouts, and a set of shards that is not exactly
/// `1..=N` of one `N`.
pub fn merge(parts: Vec<(String, Partial)>) -> Result<Merged, Error> {
    let Some((first_name, first)) = parts.first() else {
        return Err(Error::NothingToMerge);
    };
    let (first_name, reference) = (first_name.clone(), first.header.clone());
    let mut seen: std::collections::BTreeMap<u64, String> = std::collections::BTreeMap::new();
    for (name, part) in &parts {
        let h = &part.header;
        let pair = |name: &str, value: &dyn std::fmt::Display| (name.to_string(), value.to_string());
        let differ = |what: &'static str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| Error::DifferentRuns {
            what,
            part: pair(name, a),
            first: pair(&first_name, b),
        };
        if h.sopsim_version != reference.sopsim_version {
            return Err(Error::Versions {
                part: pair(name, &h.sopsim_version),
                first: pair(&first_name, &reference.sopsim_version),
            });
        }
        if h.scenario_hash != reference.scenario_hash {
            return Err(Error::Scenarios {
                part: pair(name, &h.scenario_hash),
                first: pair(&first_name, &reference.scenario_hash),
            });
        }
        if h.seed != reference.seed {
            return Err(differ("seed", &h.seed, &reference.seed));
        }
        if h.trials != reference.trials {
            return Err(differ("trials", &h.trials, &reference.trials));
        }
        if h.shard.count != reference.shard.count {
            return Err(differ("shard count", &h.shard.count, &reference.shard.count));
        }
        if h.quantiles != reference.quantiles || h.layout != reference.layout {
            return Err(differ("layout or quantiles", &h.quantiles, &reference.quantiles));
        }
        if let Some(other) = seen.insert(h.shard.index, name.clone()) {
            return Err(Error::ShardTwice { shard: h.shard, parts: (other, name.clone()) });
        }
    }
    let count = reference.shard.count;
    let missing = count - seen.len() as u64;
    if missing > 0 {
        let shown: Vec<Shard> =
            (1..=count).filter(|k| !seen.contains_key(k)).take(10).map(|index| Shard { index, count }).collect();
        return Err(Error::ShardsMissing { shown, missing });
    }

    let mut parts: Vec<Partial> = parts.into_iter().map(|(_, p)| p).collect();
    parts.sort_by_key(|p| p.header.shard.index);
    let threads = parts.iter().map(|p| p.header.threads).sum();
    let elapsed_seconds = parts.iter().map(|p| p.header.elapsed_seconds).sum();
    let mut parts = parts.into_iter();
    let Some(Partial { header, mut aggregate }) = parts.next() else {
        return Err(Error::NothingToMerge);
    };
    for part in parts {
        aggregate.merge(part.aggregate).map_err(Error::Merge)?;
    }
    Ok(Merged { header, aggregate, threads, elapsed_seconds })
}

/// Whether `run --partial` may write its part to `path`: nothing is there, or a sopsim
/// partial file is (it is replaced). A symbolic link or a folder is refused, and so,
/// unless `force`, is any other file: it is not sopsim's to replace.
pub fn check_part_path(path: &Path, force: bool) -> Result<(), Error> {
    let path_buf = || path.to_path_buf();
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if meta.file_type().is_symlink() {
        return Err(Error::PartIsLink { path: path_buf() });
    }
    if meta.is_dir() {
        return Err(Error::PartIsFolder { path: path_buf() });
    }
    let mut head = [0u8; MAGIC.len()];
    let is_part = meta.is_file()
        && std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && &head == MAGIC;
    if is_part || (force && meta.is_file()) {
        return Ok(());
    }
    Err(Error::PartNotOurs { path: path_buf() })
}

impl Partial {
    /// The bytes of the partial file.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Vec::new();
        w.extend_from_slice(MAGIC);
        w.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        // A header of plain strings and numbers always serialises.
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        w.extend_from_slice(&(header.len() as u64).to_le_bytes());
        w.extend_from_slice(&header);
        match &self.aggregate.store {
            Store::Exact(blocks) => {
                w.extend_from_slice(&(blocks.len() as u64).to_le_bytes());
                for block in blocks {
                    w.extend_from_slice(&(block.trials as u64).to_le_bytes());
                    put_f64s(&mut w, &block.values);
                }
            }
            Store::Sketch(cells) => {
                for cell in cells {
                    w.extend_from_slice(&cell.count.to_le_bytes());
                    let (partials, special) = cell.sum.parts();
                    put_f64s(&mut w, partials);
                    w.extend_from_slice(&special.to_le_bytes());
                    let p = cell.sketch.parts();
                    for (offset, counts) in [p.positive, p.negative] {
                        w.extend_from_slice(&offset.to_le_bytes());
                        w.extend_from_slice(&(counts.len() as u64).to_le_bytes());
                        counts.iter().for_each(|c| w.extend_from_slice(&c.to_le_bytes()));
                    }
                    for n in [p.zeros, p.positive_infinite, p.negative_infinite] {
                        w.extend_from_slice(&n.to_le_bytes());
                    }
                }
            }
        }
        let mut h = Fnv::new();
        h.write(&w);
        w.extend_from_slice(&h.finish().to_le_bytes());
        w
    }

    /// Reads a partial file's bytes; every inconsistency is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Partial, Damage> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(Damage::NotAPart);
        }
        let mut r = Reader { bytes: &bytes[MAGIC.len()..] };
        let version = u32::from_le_bytes(r.array()?);
        if version != FORMAT_VERSION {
            return Err(Damage::Version(version));
        }
        let Some(body_end) = bytes.len().checked_sub(8) else { return Err(Damage::Truncated) };
        let (content, sum) = bytes.split_at(body_end);
        let mut h = Fnv::new();
        h.write(content);
        if sum != h.finish().to_le_bytes() || content.len() < MAGIC.len() + 4 {
            return Err(Damage::Checksum);
        }
        let mut r = Reader { bytes: &content[MAGIC.len() + 4..] };
        let header_len = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
        let header: Header = serde_json::from_slice(r.take(header_len)?).map_err(|e| Damage::Header(e.to_string()))?;
        let cells = header.layout.cells().ok_or(Damage::Layout)?;
        let quantiles =
            Quantiles::from_name(&header.quantiles).ok_or_else(|| Damage::Quantiles(header.quantiles.clone()))?;
        if header.trials > crate::scenario::MAX_TRIALS {
            return Err(Damage::TooManyTrials(header.trials));
        }
        let shard = header.shard;
        if shard.index == 0 || shard.index > shard.count || shard.count > header.trials.max(1) {
            return Err(Damage::BadShard { shard, trials: header.trials });
        }
        let range = shard.trials(header.trials);
        if (header.first_trial, header.end_trial) != (range.start, range.end) {
            return Err(Damage::Trials { shard, range: (header.first_trial, header.end_trial) });
        }
        let store = match quantiles {
            Quantiles::Exact => {
                let count = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
                let mut blocks = Vec::with_capacity(count.min(r.bytes.len() / 16));
                let mut trials = 0u64;
                for _ in 0..count {
                    let n = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
                    let len = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
                    if Some(len) != n.checked_mul(cells) {
                        return Err(Damage::Block);
                    }
                    trials = trials.saturating_add(n as u64);
                    blocks.push(Block { trials: n, values: r.f64s(len)? });
                }
                if trials != range.end - range.start {
                    return Err(Damage::Values);
                }
                Store::Exact(blocks)
            }
            Quantiles::Sketch => {
                let mut out = Vec::with_capacity(cells.min(r.bytes.len() / 8));
                for _ in 0..cells {
                    let count = r.u64()?;
                    let n = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
                    let partials = r.f64s(n)?;
                    let special = f64::from_le_bytes(r.array()?);
                    let mut store = || -> Result<(i32, Vec<u32>), Damage> {
                        let offset = i32::from_le_bytes(r.array()?);
                        let n = usize::try_from(r.u64()?).map_err(|_| Damage::Truncated)?;
                        Ok((offset, r.u32s(n)?))
                    };
                    let (positive, negative) = (store()?, store()?);
                    let (zeros, positive_infinite, negative_infinite) = (r.u64()?, r.u64()?, r.u64()?);
                    let parts = SketchParts {
                        positive: (positive.0, &positive.1),
                        negative: (negative.0, &negative.1),
                        zeros,
                        positive_infinite,
                        negative_infinite,
                    };
                    let sketch = Sketch::from_parts(&parts).ok_or(Damage::Sketch)?;
                    if sketch.count() != count || count > range.end - range.start {
                        return Err(Damage::SketchCount);
                    }
                    out.push(SketchCell { count, sum: ExactSum::from_parts(&partials, special), sketch });
                }
                Store::Sketch(out)
            }
        };
        if !r.bytes.is_empty() {
            return Err(Damage::Trailing);
        }
        Ok(Partial { header, aggregate: Aggregate { cells, store } })
    }
}

fn put_f64s(w: &mut Vec<u8>, values: &[f64]) {
    w.extend_from_slice(&(values.len() as u64).to_le_bytes());
    values.iter().for_each(|v| w.extend_from_slice(&v.to_le_bytes()));
}

/// Reads little-endian numbers off a byte slice, refusing to read past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Damage> {
        if n > self.bytes.len() {
            return Err(Damage::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Damage> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u64(&mut self) -> Result<u64, Damage> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn words<const N: usize>(&mut self, n: usize) -> Result<impl Iterator<Item = [u8; N]> + 'a, Damage> {
        let bytes = self.take(n.checked_mul(N).ok_or(Damage::Truncated)?)?;
        Ok(bytes.chunks_exact(N).map(|c| {
            let mut a = [0; N];
            a.copy_from_slice(c);
            a
        }))
    }

    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, Damage> {
        Ok(self.words(n)?.map(f64::from_le_bytes).collect())
    }

    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, Damage> {
        Ok(self.words(n)?.map(u32::from_le_bytes).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cut_the_trials_into_contiguous_ranges() {
        let ranges: Vec<Range<u64>> = (1..=4).map(|k| Shard { index: k, count: 4 }.trials(10)).collect();
        assert_eq!(ranges, vec![0..2, 2..5, 5..7, 7..10]);
        assert_eq!(Shard::WHOLE.trials(10), 0..10);
        let big = Shard { index: 3, count: 3 }.trials(u64::MAX);
        assert_eq!(big.end, u64::MAX);
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "2/0", "-1/4", "/", ""] {
            assert_eq!(Shard::parse(bad), Err(Error::NotAShard { text: bad.into() }), "{bad}");
        }
    }

    /// A small part of each quantile mode, as `run_shard` would write it.
    fn small_part(quantiles: Quantiles) -> Partial {
        let layout = LayoutHeader { months: 2, names: vec!["arr".into()], scalars: vec!["target.hit".into()] };
        let mut aggregate = Aggregate::new(3, quantiles);
        aggregate.add_trials(&[1.5, -2.0, 1.0, f64::NAN, 0.0, 0.0, 1.75, -2.25, 1.0]);
        Partial {
            header: Header {
                sopsim_version: env!("CARGO_PKG_VERSION").into(),
                scenario_hash: scenario_hash("x", &[]),
                scenario: ScenarioSource { file: "x.toml".into(), text: "x".into(), overrides: vec![] },
                seed: 1,
                trials: 6,
                shard: Shard { index: 1, count: 2 },
                first_trial: 0,
                end_trial: 3,
                quantiles: quantiles.name().into(),
                layout,
                threads: 1,
                elapsed_seconds: 0.5,
            },
            aggregate,
        }
    }

    /// Regression guard for input that passed the checksum but not the format: every
    /// single-byte change (with the checksum made to match) and every truncation of a
    /// valid part is read as a part or refused with a message, never a panic.
    #[test]
    fn damaged_parts_are_refused_without_panicking() {
        for quantiles in [Quantiles::Exact, Quantiles::Sketch] {
            let bytes = small_part(quantiles).encode();
            assert!(Partial::decode(&bytes).is_ok());
            let body = bytes.len() - 8;
            for at in 0..body {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut damaged = bytes[..body].to_vec();
                    damaged[at] ^= flip;
                    let mut h = Fnv::new();
                    h.write(&damaged);
                    damaged.extend_from_slice(&h.finish().to_le_bytes());
                    let _ = Partial::decode(&damaged);
                }
            }
            for len in 0..bytes.len() {
                assert!(Partial::decode(&bytes[..len]).is_err(), "{len} bytes of {}", bytes.len());
            }
            assert_eq!(Partial::decode(&bytes[..MAGIC.len() - 1]).err(), Some(Damage::NotAPart));
            assert_eq!(Partial::decode(&bytes[..bytes.len() - 1]).err(), Some(Damage::Checksum));
        }
    }

    #[test]
    fn parts_that_are_not_every_shard_of_one_run_do_not_merge() {
        let part = |name: &str| (name.to_string(), small_part(Quantiles::Exact));
        assert!(matches!(merge(vec![]), Err(Error::NothingToMerge)));
        let e = merge(vec![part("a"), part("b")]).unwrap_err();
        assert!(matches!(&e, Error::ShardTwice { shard: Shard { index: 1, count: 2 }, parts } if parts.1 == "b"));
        let e = merge(vec![part("a")]).unwrap_err();
        assert!(
            matches!(&e, Error::ShardsMissing { shown, missing: 1 } if shown[..] == [Shard { index: 2, count: 2 }])
        );
        let mut other = part("b");
        other.1.header.seed = 2;
        let e = merge(vec![part("a"), other]).unwrap_err();
        assert!(matches!(e, Error::DifferentRuns { what: "seed", .. }), "{e:?}");
        assert_eq!(e.to_string(), "b and a are parts of different runs: seed 2 vs 1; merge only the parts of one run");
    }

    #[test]
    fn the_scenario_hash_covers_text_and_overrides() {
        let a = scenario_hash("x = 1", &[]);
        assert_eq!(a.len(), 16);
        assert_ne!(a, scenario_hash("x = 2", &[]));
        assert_ne!(a, scenario_hash("x = 1", &["y=2".into()]));
        assert_ne!(scenario_hash("x = 1", &["ab".into()]), scenario_hash("x = 1", &["a".into(), "b".into()]));
    }
}
