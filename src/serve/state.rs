//! What the workshop server holds: the scenario file as read at the start, the worker
//! threads, the one run slot and its queue, the runs already made, and each page's
//! latest change (so that a newer change stops the run in flight).
//!
//! A variant is the file with a list of `key.path=value` overrides, loaded exactly as
//! `--set` loads them. Runs keep each trial's outcome beside the aggregates (one pass,
//! [`runner::run_watched`]), so any two runs on the same trials and seed give a paired
//! difference as `sopsim compare` computes it. Nothing here touches the disk after the
//! file is read.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::message;
use crate::runner::{self, RunConfig, RunResults, Watch};
use crate::scenario::diag::SourceId;
use crate::scenario::{self, Loaded, Override};
use crate::whatif::{OutcomeCells, Outcomes};

use super::Error;

/// Trials of the first, quick answer to a change (fewer when the scenario has fewer).
pub const QUICK_TRIALS: u64 = 500;
/// Most trials a run from the page may have.
pub const MAX_TRIALS: u64 = 200_000;
/// Most trials times months a run from the page may have (200,000 trials of 5 years).
pub const MAX_TRIAL_MONTHS: u64 = 12_000_000;
/// Most planned people (on staff at the start and hired, over all roles) times months
/// times trials a run from the page may have: about half a minute of work on two cores.
/// The validator allows staff that takes a trial tens of milliseconds
/// ([`scenario::MAX_STAFF_MONTHS`]); the page refuses what would hold the run slot for
/// minutes.
pub const MAX_PERSON_MONTH_TRIALS: u64 = 5_000_000_000;
/// Most overrides in one request.
pub const MAX_OVERRIDES: usize = 500;
/// Requests that may wait for the run slot while a run is in it; more are refused (503).
pub const QUEUE: usize = 4;
/// Runs kept for reuse (a baseline, the variants just tried).
const KEPT_RUNS: usize = 8;
/// Pages whose latest change is tracked.
const MAX_SESSIONS: usize = 256;

/// A variant refused: the message the command line gives, and which overrides it
/// points at (by their index in the request).
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The rendered diagnostics, exactly as `sopsim run FILE --set ...` prints them.
    pub message: String,
    /// Indexes of the overrides the diagnostics point into.
    pub overrides: Vec<usize>,
}

/// A run made: the variant as loaded, its aggregates and each trial's outcome.
#[derive(Debug)]
pub struct Computed {
    /// The variant.
    pub loaded: Loaded,
    /// The aggregated results, as `sopsim run` would give them for these trials and seed.
    pub results: RunResults,
    /// Each trial's outcome, in trial order, for paired differences.
    pub outcomes: Outcomes,
}

/// Which run: a variant's overrides on trials `0..trials` with `seed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKey {
    /// The overrides, in order.
    pub overrides: Vec<String>,
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
}

/// Why a run gave no result.
#[derive(Debug)]
pub enum Stopped {
    /// A newer change, the page going away, or the server stopping.
    Cancelled,
    /// The run failed.
    Failed(String),
}

/// When a run stops early: a page's newer change, its request dropped, the server closing.
#[derive(Clone)]
pub struct Stop {
    latest: Option<(Arc<AtomicU64>, u64)>,
    dropped: Arc<AtomicBool>,
    closing: Arc<AtomicBool>,
}

impl Stop {
    /// Whether the run should stop now.
    pub fn now(&self) -> bool {
        self.closing.load(Ordering::Relaxed)
            || self.dropped.load(Ordering::Relaxed)
            || self.latest.as_ref().is_some_and(|(latest, mine)| latest.load(Ordering::Relaxed) > *mine)
    }
}

/// Sets its flag when dropped: a request whose page went away stops its run.
pub struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The server's state, shared by every request.
pub struct Workshop {
    /// The scenario file's name as given, as messages and the report name it.
    pub file: String,
    /// The file's text, read once at the start.
    pub text: String,
    /// The file as loaded, without overrides.
    pub base: Loaded,
    pool: rayon::ThreadPool,
    threads: usize,
    slot: Arc<Semaphore>,
    waiting: AtomicUsize,
    kept: Mutex<VecDeque<(RunKey, Arc<Computed>)>>,
    sessions: Mutex<HashMap<String, Arc<AtomicU64>>>,
    closing: Arc<AtomicBool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Workshop {
    /// Reads and validates the scenario file (errors as the command line gives them;
    /// warnings printed unless `quiet`) and starts `threads` worker threads (0: one per core).
    pub fn load(file: &Path, threads: usize, quiet: bool) -> Result<Workshop, Error> {
        let base = scenario::load_file(file, &[])?;
        if !quiet && !base.warnings.is_empty() {
            eprint!("{}", crate::format::visible_lines(&base.sources.render_all(&base.warnings)));
        }
        check_work(&base)?;
        let pool = runner::thread_pool(threads).map_err(|e| Error::Threads(e.to_string()))?;
        Ok(Workshop {
            file: file.display().to_string(),
            text: base.sources.file_text.clone(),
            threads: pool.current_num_threads(),
            base,
            pool,
            slot: Arc::new(Semaphore::new(1)),
            waiting: AtomicUsize::new(0),
            kept: Mutex::new(VecDeque::new()),
            sessions: Mutex::new(HashMap::new()),
            closing: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Worker threads of the runs.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The file with `overrides`, validated as `--set` is: a refusal carries the same
    /// message, and the page's own bounds on the work of a run.
    pub fn variant(&self, overrides: &[String]) -> Result<Loaded, Refusal> {
        if overrides.len() > MAX_OVERRIDES {
            return Err(Refusal {
                message: message::error(&Error::TooManyOverrides(overrides.len())),
                overrides: Vec::new(),
            });
        }
        let loaded = scenario::load_str(&self.text, &self.file, overrides).map_err(|e| {
            let mut at: Vec<usize> = e
                .diags
                .iter()
                .filter_map(|d| match d.span.map(|s| s.source) {
                    Some(SourceId::Override(i)) => Some(i),
                    _ => None,
                })
                .collect();
            at.sort_unstable();
            at.dedup();
            Refusal { message: e.render(), overrides: at }
        })?;
        check_work(&loaded).map_err(|e| {
            let key = |o: &String| Override::parse(o).map_or(o.trim(), |s| s.path).to_string();
            let sizes = |k: &str| {
                ["scenario.trials", "scenario.months"].contains(&k)
                    || (k.starts_with("roles.") && (k.ends_with(".headcount") || k.contains(".hires")))
            };
            let at = overrides.iter().rposition(|o| sizes(&key(o)));
            Refusal { message: message::error(&e), overrides: at.into_iter().collect() }
        })?;
        Ok(loaded)
    }

    /// A stop for a request of page `session` with change number `generation`: it fires
    /// when the page sends a newer change, when the request is dropped (the flag given
    /// back), or when the server stops. `None` when a newer change already arrived.
    pub fn stop_for(&self, session: Option<&str>, generation: u64) -> Option<(Stop, DropFlag)> {
        let latest = match session {
            Some(id) => {
                let mut sessions = lock(&self.sessions);
                if sessions.len() >= MAX_SESSIONS && !sessions.contains_key(id) {
                    // Forget the pages with no run in flight.
                    sessions.retain(|_, v| Arc::strong_count(v) > 1);
                }
                let latest = sessions.entry(id.to_string()).or_insert_with(|| Arc::new(AtomicU64::new(0))).clone();
                let before = latest.fetch_max(generation, Ordering::Relaxed);
                if before > generation {
                    return None;
                }
                Some((latest, generation))
            }
            None => None,
        };
        let dropped = Arc::new(AtomicBool::new(false));
        let stop = Stop { latest, dropped: dropped.clone(), closing: self.closing.clone() };
        Some((stop, DropFlag(dropped)))
    }

    /// Waits for the run slot; `None` when [`QUEUE`] requests already wait.
    pub async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = self.slot.clone().try_acquire_owned() {
            return Some(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= QUEUE {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let permit = self.slot.clone().acquire_owned().await.ok();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit
    }

    /// Stops every run and refuses new ones: the server is closing.
    pub fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
        self.slot.close();
    }

    /// A run made before with this key, if still kept.
    pub fn kept(&self, key: &RunKey) -> Option<Arc<Computed>> {
        lock(&self.kept).iter().find(|(k, _)| k == key).map(|(_, c)| c.clone())
    }

    /// The run of `loaded` (the variant of `key.overrides`) on the key's trials and seed:
    /// kept from before, or made now on the worker threads (blocking; hold the slot).
    pub fn compute(&self, key: &RunKey, loaded: Loaded, stop: &Stop) -> Result<Arc<Computed>, Stopped> {
        if let Some(c) = self.kept(key) {
            return Ok(c);
        }
        let which = OutcomeCells::of(&loaded.scenario);
        let config = RunConfig { trials: key.trials, seed: key.seed, threads: self.threads, progress: false };
        let stop_now = || stop.now();
        let watch = Watch { keep: &which.cells, stop: &stop_now };
        let (results, data) = runner::run_watched(&self.pool, &loaded.scenario, &config, &watch)
            .map_err(|e| Stopped::Failed(e.to_string()))?
            .ok_or(Stopped::Cancelled)?;
        let outcomes = Outcomes::from_trials(&which, &data);
        let computed = Arc::new(Computed { loaded, results, outcomes });
        let mut kept = lock(&self.kept);
        if kept.len() >= KEPT_RUNS {
            kept.pop_front();
        }
        kept.push_back((key.clone(), computed.clone()));
        Ok(computed)
    }
}

/// Refuses a run whose trials, or trials times months, exceed what the page runs.
fn check_work(loaded: &Loaded) -> Result<(), Error> {
    let s = &loaded.scenario;
    if s.trials > MAX_TRIALS {
        return Err(Error::TooManyTrials { file: loaded.sources.file_name.clone(), trials: s.trials });
    }
    let work = s.trials.saturating_mul(s.months as u64);
    if work > MAX_TRIAL_MONTHS {
        return Err(Error::TooManyTrialMonths { trials: s.trials, months: s.months });
    }
    let people: u64 =
        s.roles.iter().map(|r| u64::from(r.headcount) + r.hires.iter().map(|h| u64::from(h.1)).sum::<u64>()).sum();
    let work = work.saturating_mul(people);
    if work > MAX_PERSON_MONTH_TRIALS {
        return Err(Error::TooMuchWork { trials: s.trials, months: s.months, people });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_fires_on_a_newer_change_of_its_page_only() {
        let w = Workshop::load(Path::new("scenarios/seed-stage.toml"), 1, true).unwrap();
        let (mine, _a) = w.stop_for(Some("page"), 3).unwrap();
        let (other, _b) = w.stop_for(Some("other"), 1).unwrap();
        let (none, dropped) = w.stop_for(None, 0).unwrap();
        assert!(!mine.now() && !other.now() && !none.now());
        assert!(w.stop_for(Some("page"), 2).is_none(), "an older change is not run");
        let _newer = w.stop_for(Some("page"), 4).unwrap();
        assert!(mine.now() && !other.now() && !none.now());
        drop(dropped);
        assert!(none.now(), "a dropped request stops its run");
        w.close();
        assert!(other.now(), "closing stops every run");
    }
}
