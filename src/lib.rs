//! sopsim: a sales & operations planning simulator.
//!
//! The pipeline, in five lines:
//! 1. [`scenario`] reads a TOML file (plus `--set` overrides) into a validated [`scenario::Scenario`];
//! 2. [`runner`] runs its trials in parallel, each one [`engine::run_trial`];
//! 3. a trial plays the months through gather, demand, supply and reconcile;
//! 4. [`stats`] aggregates every metric and month into means and quantiles;
//! 5. [`report`] turns the results into `monthly.csv`, `summary.json`, charts, `report.html`,
//!    `report.xlsx` and a terminal summary.
//!
//! A run can also be cut into [`shard`]s whose partial files merge into the same results,
//! and [`serve`] puts a scenario's levers on a local web page for a workshop.

#![deny(missing_docs)]
// `!(a < b)` is meant: it is also true when a value is NaN, which must be refused.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod cli;
pub mod dist;
pub mod engine;
pub mod format;
pub mod gather;
pub mod month;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod stats;
pub mod whatif;

use std::path::{Path, PathBuf};

use cli::{Cli, Command, MergeArgs};
use format::{visible, visible_lines, visible_path};
use report::{Formats, Target};
use runner::{RunConfig, RunResults};
use scenario::Loaded;
use shard::{Partial, Shard};

/// Why a command failed, and so its exit code.
#[derive(Debug)]
pub enum Error {
    /// Bad input: the scenario or an override (exit code 2).
    Input(String),
    /// A failure while running or writing (exit code 1).
    Run(String),
}

impl Error {
    /// The process exit code: 2 for bad input, 1 for a failure while running or writing.
    pub fn code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Run(_) => 1,
        }
    }

    /// The message to print.
    pub fn message(&self) -> &str {
        match self {
            Error::Input(m) | Error::Run(m) => m,
        }
    }
}

/// Loads a scenario with overrides and, from `actuals` (`--actuals FILE.csv`), the
/// months that already happened; warnings are printed to stderr unless `quiet`.
pub fn load(file: &Path, overrides: &[String], actuals: Option<&Path>, quiet: bool) -> Result<Loaded, Error> {
    let mut loaded = scenario::load_file(file, overrides).map_err(|e| Error::Input(e.render()))?;
    if !quiet && !loaded.warnings.is_empty() {
        eprint!("{}", visible_lines(&loaded.sources.render_all(&loaded.warnings)));
    }
    if let Some(path) = actuals {
        let months = scenario::actuals::read_csv(path, &loaded.scenario).map_err(Error::Input)?;
        if !quiet && !loaded.scenario.actuals.is_empty() {
            eprintln!("warning: --actuals {} replaces the scenario's [[actuals]]", visible_path(path));
        }
        loaded.scenario.actuals = months;
    }
    Ok(loaded)
}

/// The default output folder of a scenario file: `output/<file stem>`.
pub fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Path::new("output").join(report::safe_name(&stem))
}

/// Where a command writes: its output folder, a shard's partial file, or (`merge`
/// without `--out`) a folder it learns from the parts; `None` for `validate`.
pub fn target(cli: &Cli) -> Option<Target> {
    let what_if = |out: &Option<PathBuf>, file: &Path, what: &str| whatif::out_dir(out.as_deref(), file, what);
    let folder = match &cli.command {
        Command::Run(a) => match &a.partial {
            Some(part) => return Some(Target::File(part.clone())),
            None => a.out.clone().unwrap_or_else(|| default_out_dir(&a.file)),
        },
        Command::Merge(a) => return Some(a.out.clone().map_or(Target::Later, Target::Folder)),
        // `serve` writes no file, and stops on Ctrl-C itself (exit code 0).
        Command::Validate(_) | Command::Serve(_) => return None,
        Command::Gather(a) => return a.out.clone().map(Target::File),
        Command::Backtest(a) => a.out.clone().unwrap_or_else(|| backtest_dir(&a.export.export)),
        Command::Plan(a) => what_if(&a.common.out, &a.file, "plan"),
        Command::Sweep(a) => what_if(&a.common.out, &a.file, "sweep"),
        Command::Sensitivity(a) => what_if(&a.common.out, &a.file, "sensitivity"),
        Command::Compare(a) => a.common.out.clone().unwrap_or_else(|| whatif::compare::default_dir(&a.files)),
    };
    Some(Target::Folder(folder))
}

/// Whether the command line says `--force`.
fn force(cli: &Cli) -> bool {
    match &cli.command {
        Command::Run(a) => a.force,
        Command::Merge(a) => a.force,
        Command::Validate(_) | Command::Serve(_) => false,
        Command::Gather(a) => a.force,
        Command::Backtest(a) => a.force,
        Command::Plan(a) => a.common.force,
        Command::Sweep(a) => a.common.force,
        Command::Sensitivity(a) => a.common.force,
        Command::Compare(a) => a.common.force,
    }
}

/// Refuses, before anything is simulated, a command whose outputs would replace what
/// sopsim did not write (see [`report::folder`] and [`shard::check_part_path`]); the
/// writers check again when they write.
fn check_target(cli: &Cli) -> Result<(), Error> {
    match target(cli) {
        Some(Target::Folder(dir)) => report::folder::check(&dir, force(cli)).map(|_| ()).map_err(|r| Error::Input(r.0)),
        Some(Target::File(path)) if matches!(cli.command, Command::Gather(_)) => {
            gather_out_check(&path, force(cli)).map_err(Error::Input)
        }
        Some(Target::File(part)) => shard::check_part_path(&part, force(cli)).map_err(Error::Input),
        Some(Target::Later) | None => Ok(()),
    }
}

impl From<report::WriteError> for Error {
    fn from(e: report::WriteError) -> Error {
        match e {
            report::WriteError::Refused(m) => Error::Input(m),
            report::WriteError::Failed(m) => Error::Run(m),
        }
    }
}

/// Runs the command line; returns what to print on stdout.
pub fn main_with(cli: Cli) -> Result<(), Error> {
    check_target(&cli)?;
    match cli.command {
        Command::Validate(args) => {
            let loaded = load(&args.file, &args.overrides.set, args.overrides.actuals.as_deref(), false)?;
            let s = &loaded.scenario;
            println!(
                "{}: valid ({} months from {}, {} segments, {} roles, {} warnings)",
                visible_path(&args.file),
                s.months,
                s.start,
                s.segments.len(),
                s.roles.len(),
                loaded.warnings.len()
            );
            Ok(())
        }
        Command::Run(args) => {
            if let (Some(shard), None) = (args.shard, &args.partial) {
                // clap lets `--out` silence the requirement, as it conflicts with `--partial`.
                return Err(Error::Input(format!(
                    "error: --shard {shard} runs part of the trials; it needs --partial FILE to write them to \
                     (then `sopsim merge` writes the outputs)\n"
                )));
            }
            let loaded = load(&args.file, &args.overrides.set, args.overrides.actuals.as_deref(), args.quiet)?;
            let scenario = &loaded.scenario;
            let config = RunConfig {
                trials: args.trials.unwrap_or(scenario.trials),
                seed: args.seed.unwrap_or(scenario.seed),
                threads: args.threads.map_or(0, usize::from),
                progress: !args.quiet,
            };
            if let Some(path) = &args.partial {
                let shard = args.shard.unwrap_or(Shard::WHOLE);
                return write_partial(&loaded, &config, shard, path, args.force, args.quiet);
            }
            let results = runner::run(scenario, &config).map_err(|e| Error::Run(e.0))?;
            let formats = args.formats();
            let out_dir = args.out.unwrap_or_else(|| default_out_dir(&args.file));
            let file_label = args.file.display().to_string();
            let out = Out { dir: &out_dir, force: args.force, quiet: args.quiet };
            write_results(&loaded, &file_label, &results, &out, formats, config.threads)
        }
        Command::Merge(args) => merge(args),
        Command::Gather(args) => gather(&args),
        Command::Backtest(args) => backtest(&args),
        Command::Plan(args) => whatif::plan::main(&args),
        Command::Sweep(args) => whatif::sweep::main(&args),
        Command::Compare(args) => whatif::compare::main(&args),
        Command::Sensitivity(args) => whatif::sensitivity::main(&args),
        Command::Serve(args) => serve::main(&args),
    }
}

/// Where and how a run's outputs are written.
struct Out<'a> {
    /// The output folder.
    dir: &'a Path,
    /// `--force`: write into a folder that holds files sopsim did not write.
    force: bool,
    /// Print nothing on success.
    quiet: bool,
}

/// Writes a run's outputs into `out.dir` (whole or not at all) and prints the summary
/// unless `quiet`: the same files for a run and for a merge of its shards.
fn write_results(
    loaded: &Loaded,
    file_label: &str,
    results: &RunResults,
    out: &Out,
    formats: Formats,
    threads: usize,
) -> Result<(), Error> {
    let scenario = &loaded.scenario;
    let started = std::time::Instant::now();
    let (files, realised) = run_files(loaded, file_label, results, formats, threads)?;
    report::write_outputs(out.dir, &files, out.force)?;
    if !out.quiet {
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        let dir = visible_path(out.dir);
        let written = report::text::Written { dir: &dir, files: &names, seconds: started.elapsed().as_secs_f64() };
        print!("{}", visible_lines(&report::text::summary(scenario, results, &realised, &written)));
    }
    Ok(())
}

/// The files of a run in `formats` (see [`report::outputs`]), as `run` and `merge`
/// write them, and the rank correlations the trials realised.
pub fn run_files(
    loaded: &Loaded,
    file_label: &str,
    results: &RunResults,
    formats: Formats,
    threads: usize,
) -> Result<(Vec<report::OutputFile>, engine::params::Realised), Error> {
    let scenario = &loaded.scenario;
    let realised = engine::params::realised_correlations(scenario, results.seed, results.trials);
    let run = report::Run {
        scenario,
        results,
        file: file_label,
        sources: &loaded.sources,
        warnings: &loaded.warnings,
        realised: &realised,
    };
    let files = report::outputs(&run, formats, threads).map_err(Error::Run)?;
    Ok((files, realised))
}

/// `run --partial`: runs one shard and writes its partial file.
fn write_partial(
    loaded: &Loaded,
    config: &RunConfig,
    shard: Shard,
    path: &Path,
    force: bool,
    quiet: bool,
) -> Result<(), Error> {
    let part = shard::run_shard(loaded, config, shard)?;
    shard::check_part_path(path, force).map_err(Error::Input)?;
    report::write_file(path, &part.encode())?;
    if !quiet {
        let h = &part.header;
        println!(
            "{}: shard {} = trials {}..{} of {}, seed {}; wrote {} in {:.2} s on {} threads",
            visible(&loaded.scenario.name),
            h.shard,
            h.first_trial,
            h.end_trial,
            h.trials,
            h.seed,
            visible_path(path),
            h.elapsed_seconds,
            h.threads
        );
    }
    Ok(())
}

/// `merge`: reads and checks every part, merges them and writes the whole run's outputs.
fn merge(args: MergeArgs) -> Result<(), Error> {
    let input = |m: String| Error::Input(format!("error: {m}\n"));
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| input(format!("cannot read {name}: {e}")))?;
        let part = Partial::decode(&bytes).map_err(|e| input(format!("{name}: {e}")))?;
        parts.push((name, part));
    }
    let merged = shard::merge(parts).map_err(input)?;
    let source = &merged.header.scenario;
    let loaded = scenario::load_str(&source.text, &source.file, &source.overrides)
        .map_err(|e| input(format!("the scenario stored in the parts no longer loads:\n{}", e.render())))?;
    let scenario = &loaded.scenario;
    let layout = engine::metrics::Layout::new(scenario);
    let h = &merged.header;
    if (&layout.names, &layout.scalars, layout.months) != (&h.layout.names, &h.layout.scalars, h.layout.months) {
        return Err(input(format!(
            "the parts' metrics do not match those of their scenario in this sopsim ({}); merge with the \
             version that wrote them",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let (trials, seed) = (h.trials, h.seed);
    let results = RunResults::from_aggregate(
        layout,
        merged.aggregate,
        trials,
        seed,
        merged.threads,
        merged.elapsed_seconds,
        scenario.target.is_some(),
    );
    let out_dir = args.out.unwrap_or_else(|| default_out_dir(Path::new(&source.file)));
    let out = Out { dir: &out_dir, force: args.force, quiet: args.quiet };
    write_results(&loaded, &source.file, &results, &out, Formats::ALL, 0)
}

/// The first line of every scenario `gather` writes, by which it knows its own files.
const GATHERED: &str = "# Gathered by `sopsim gather`";

/// Whether `gather --out` may write `path`: nothing there, or a scenario it gathered
/// before; a link, a folder and (without `force`) any other file are refused.
fn gather_out_check(path: &Path, force: bool) -> Result<(), String> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    let refuse = |why: &str, help: &str| {
        Err(format!("error: --out {} {why}\n   = help: {help}; nothing was written\n", path.display()))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link; sopsim writes a new file there", "give the path of the file itself");
    }
    if !meta.is_file() {
        return refuse("is not a file", "give the path of a .toml file");
    }
    let ours = std::fs::read(path).is_ok_and(|b| b.starts_with(GATHERED.as_bytes()));
    if ours || force {
        return Ok(());
    }
    refuse("exists and was not written by `sopsim gather`", "choose another file, or add --force to replace it")
}

/// `gather`: fits a scenario from an export, checks that it loads, and writes it.
fn gather(args: &cli::GatherArgs) -> Result<(), Error> {
    let input = |m: String| Error::Input(format!("error: {m}\n"));
    let read = read_options(&args.export)?;
    let as_of = match &args.as_of {
        Some(text) => Some(
            gather::date::parse(text)
                .ok_or_else(|| input(format!("--as-of {text}: expected a date written YYYY-MM-DD")))?,
        ),
        None => None,
    };
    let (file, bytes) = read_export(&args.export.export)?;
    let options = gather::Options { read, as_of, months: args.months };
    let gathered = gather::gather(&file, &bytes, &options).map_err(|e| Error::Input(e.0))?;
    let name = args.out.as_ref().map_or("gathered.toml".to_string(), |p| p.display().to_string());
    if let Err(e) = scenario::load_str(&gathered.toml, &name, &[]) {
        return Err(Error::Run(format!(
            "the gathered scenario does not load, which is a fault of sopsim gather:\n{}",
            e.render()
        )));
    }
    if !args.quiet {
        for line in gathered.warnings.iter().chain(&gathered.summary) {
            eprintln!("{}", visible_lines(line));
        }
    }
    match &args.out {
        Some(path) => {
            gather_out_check(path, args.force).map_err(Error::Input)?;
            report::write_file(path, gathered.toml.as_bytes())?;
            if !args.quiet {
                eprintln!(
                    "wrote {} (as of {}); run it with `sopsim run {}`",
                    path.display(),
                    gathered.as_of,
                    path.display()
                );
            }
        }
        None => print!("{}", gathered.toml),
    }
    Ok(())
}

/// How to read an export, from the command line.
fn read_options(args: &cli::ExportArgs) -> Result<gather::read::ReadOptions, Error> {
    let input = |m: String| Error::Input(format!("error: {m}\n"));
    let mut maps = Vec::new();
    for m in &args.maps {
        let Some((column, role)) = m.rsplit_once('=') else {
            return Err(input(format!("--map {m}: expected COLUMN=ROLE, e.g. --map \"Closing Date=close\"")));
        };
        let Some(role) = gather::read::Role::parse(role) else {
            return Err(input(format!(
                "--map {m}: `{role}` is not a role; expected one of id, owner, stage, created, close, amount, segment"
            )));
        };
        maps.push((column.to_string(), role));
    }
    if let Some(column) = &args.segment_by {
        maps.push((column.clone(), gather::read::Role::Segment));
    }
    Ok(gather::read::ReadOptions { maps, won: args.won.clone(), lost: args.lost.clone() })
}

/// The export's name as given and its bytes.
fn read_export(path: &Path) -> Result<(String, Vec<u8>), Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Input(format!("error: cannot read {file}: {e}\n")))?;
    Ok((file, bytes))
}

/// The default folder of `backtest`: `output/<export stem>-backtest`.
fn backtest_dir(export: &Path) -> PathBuf {
    whatif::out_dir(None, export, "backtest")
}

/// `backtest`: gathers at each cutoff, simulates, compares with the export, and writes
/// the tables, charts and summary.
fn backtest(args: &cli::BacktestArgs) -> Result<(), Error> {
    let read = read_options(&args.export)?;
    let mut cutoffs = Vec::new();
    for text in &args.cutoffs {
        let date = gather::date::parse(text)
            .ok_or_else(|| Error::Input(format!("error: --cutoff {text}: expected a date written YYYY-MM-DD\n")))?;
        cutoffs.push(date);
    }
    cutoffs.sort();
    cutoffs.dedup();
    let (file, bytes) = read_export(&args.export.export)?;
    let options = gather::backtest::Options {
        read,
        cutoffs,
        rolling: args.rolling,
        months: args.months,
        trials: args.trials,
        seed: args.seed,
    };
    let bt = gather::backtest::backtest(&file, &bytes, &options).map_err(|e| Error::Input(e.0))?;
    let source = format!(
        "sopsim {} · back-test of {} · {} trials · seed {}",
        env!("CARGO_PKG_VERSION"),
        visible(&file),
        args.trials,
        args.seed
    );
    let mut files = report::backtest::tables(&bt).map_err(Error::Run)?;
    let pool = runner::thread_pool(0).map_err(|e| Error::Run(e.0))?;
    files.extend(whatif::chart_files(&pool, &report::backtest::charts(&bt, &source))?);
    let dir = args.out.clone().unwrap_or_else(|| backtest_dir(&args.export.export));
    report::write_outputs(&dir, &files, args.force)?;
    if !args.quiet {
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        print!("{}", visible_lines(&report::backtest::text(&bt, &file, &visible_path(&dir), &names)));
    }
    Ok(())
}
