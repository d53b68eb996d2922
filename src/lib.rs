//! sopsim: a sales & operations planning simulator.
//!
//! The pipeline, in five lines:
//! 1. [`scenario`] reads a TOML file (plus `--set` overrides) into a validated [`scenario::Scenario`];
//! 2. [`runner`] runs its trials in parallel, each one [`engine::run_trial`];
//! 3. a trial plays the months through gather, demand, supply and reconcile;
//! 4. [`stats`] aggregates every metric and month into means and quantiles;
//! 5. [`report`] turns the results into `monthly.csv`, `summary.json`, charts, `report.html`,
//!    `report.xlsx` and a terminal summary.

#![deny(missing_docs)]
// `!(a < b)` is meant: it is also true when a value is NaN, which must be refused.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod cli;
pub mod dist;
pub mod engine;
pub mod format;
pub mod month;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod stats;

use std::path::{Path, PathBuf};

use cli::{Cli, Command};
use runner::RunConfig;
use scenario::Loaded;

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

/// Loads a scenario with overrides; warnings are printed to stderr unless `quiet`.
pub fn load(file: &Path, overrides: &[String], quiet: bool) -> Result<Loaded, Error> {
    let loaded = scenario::load_file(file, overrides).map_err(|e| Error::Input(e.render()))?;
    if !quiet && !loaded.warnings.is_empty() {
        eprint!("{}", loaded.sources.render_all(&loaded.warnings));
    }
    Ok(loaded)
}

/// The default output folder of a scenario file: `output/<file stem>`.
pub fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Path::new("output").join(report::safe_name(&stem))
}

/// Runs the command line; returns what to print on stdout.
pub fn main_with(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Validate(args) => {
            let loaded = load(&args.file, &args.overrides.set, false)?;
            let s = &loaded.scenario;
            println!(
                "{}: valid ({} months from {}, {} segments, {} roles, {} warnings)",
                args.file.display(),
                s.months,
                s.start,
                s.segments.len(),
                s.roles.len(),
                loaded.warnings.len()
            );
            Ok(())
        }
        Command::Run(args) => {
            let loaded = load(&args.file, &args.overrides.set, args.quiet)?;
            let scenario = &loaded.scenario;
            let config = RunConfig {
                trials: args.trials.unwrap_or(scenario.trials),
                seed: args.seed.unwrap_or(scenario.seed),
                threads: args.threads.map_or(0, usize::from),
                progress: !args.quiet,
            };
            runner::check_memory(scenario, config.trials).map_err(|e| Error::Input(format!("error: {}\n", e.0)))?;
            let results = runner::run(scenario, &config).map_err(|e| Error::Run(e.0))?;
            let file_label = args.file.display().to_string();
            let run = report::Run {
                scenario,
                results: &results,
                file: &file_label,
                sources: &loaded.sources,
                warnings: &loaded.warnings,
            };
            let started = std::time::Instant::now();
            let files = report::outputs(&run, args.formats(), config.threads).map_err(Error::Run)?;
            let out_dir = args.out.unwrap_or_else(|| default_out_dir(&args.file));
            report::write_outputs(&out_dir, &files).map_err(|e| Error::Run(e.0))?;
            if !args.quiet {
                let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
                let dir = out_dir.display().to_string();
                let written =
                    report::text::Written { dir: &dir, files: &names, seconds: started.elapsed().as_secs_f64() };
                print!("{}", report::text::summary(scenario, &results, &written));
            }
            Ok(())
        }
    }
}
