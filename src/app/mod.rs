//! The commands: each resolves its command line into what the library needs (the
//! scenario with its overrides, a run's configuration, the output folder), calls the
//! library, and hands the results to [`report`](crate::report) to write and print.
//!
//! One file per command. The output folder of every command is decided here, once, by
//! [`target`]; `main` learns from it what an interrupt leaves behind, and the commands
//! are given it. Nothing below this module reads the command line.

mod backtest;
mod compare;
mod gather;
mod init;
mod merge;
mod plan;
mod run;
mod sensitivity;
mod serve;
mod sweep;
mod validate;

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, Common};
use crate::error::Error;
use crate::format::{visible_lines, visible_path};
use crate::report::{self, OutputFile, Target};
use crate::scenario::{self, Loaded, Scenario};
use crate::shard;
use crate::whatif::Setup;

/// Runs the command line.
pub fn main_with(cli: Cli) -> Result<(), Error> {
    let target = target(&cli);
    check_target(&cli, target.as_ref())?;
    match (cli.command, target) {
        (Command::Init(args), _) => init::main(&args),
        (Command::Validate(args), _) => validate::main(&args),
        (Command::Serve(args), _) => serve::main(&args),
        (Command::Merge(args), _) => merge::main(args),
        (Command::Gather(args), _) => gather::main(&args),
        (Command::Run(args), Some(target)) => run::main(args, target),
        (Command::Backtest(args), Some(Target::Folder(dir))) => backtest::main(&args, &dir),
        (Command::Plan(args), Some(Target::Folder(dir))) => plan::main(&args, &dir),
        (Command::Sweep(args), Some(Target::Folder(dir))) => sweep::main(&args, &dir),
        (Command::Compare(args), Some(Target::Folder(dir))) => compare::main(&args, &dir),
        (Command::Sensitivity(args), Some(Target::Folder(dir))) => sensitivity::main(&args, &dir),
        (command, _) => Err(Error::Run(format!("no output folder was decided for {command:?}"))),
    }
}

/// Where a command writes: its output folder, a shard's partial file, `gather`'s
/// scenario file, or (`merge` without `--out`) a folder it learns from the parts;
/// `None` when it writes nothing.
pub fn target(cli: &Cli) -> Option<Target> {
    let what_if = |out: &Option<PathBuf>, file: &Path, what: &str| out.clone().unwrap_or_else(|| beside(file, what));
    let folder = match &cli.command {
        Command::Run(a) => match &a.partial {
            Some(part) => return Some(Target::File(part.clone())),
            None => a.common.out.clone().unwrap_or_else(|| default_out_dir(&a.file)),
        },
        Command::Merge(a) => return Some(a.out.clone().map_or(Target::Later, Target::Folder)),
        // `serve` writes no file, and stops on Ctrl-C itself (exit code 0).
        Command::Validate(_) | Command::Serve(_) => return None,
        Command::Gather(a) => return a.out.clone().map(Target::File),
        Command::Init(a) => return Some(Target::File(a.file.clone())),
        Command::Backtest(a) => what_if(&a.out, &a.export.export, "backtest"),
        Command::Plan(a) => what_if(&a.common.out, &a.file, "plan"),
        Command::Sweep(a) => what_if(&a.common.out, &a.file, "sweep"),
        Command::Sensitivity(a) => what_if(&a.common.out, &a.file, "sensitivity"),
        Command::Compare(a) => a.common.out.clone().unwrap_or_else(|| compare::default_dir(&a.files)),
    };
    Some(Target::Folder(folder))
}

/// The default output folder of a scenario file: `output/<file stem>`.
pub fn default_out_dir(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Path::new("output").join(report::safe_name(&stem))
}

/// The default folder of a command that analyses `file`: `output/<file stem>-<what>`,
/// beside the run's.
fn beside(file: &Path, what: &str) -> PathBuf {
    let base = default_out_dir(file);
    let leaf = base.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    base.with_file_name(format!("{leaf}-{what}"))
}

/// Whether the command line says `--force`.
fn force(cli: &Cli) -> bool {
    match &cli.command {
        Command::Run(a) => a.common.force,
        Command::Merge(a) => a.force,
        Command::Validate(_) | Command::Serve(_) => false,
        Command::Gather(a) => a.force,
        Command::Init(a) => a.force,
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
fn check_target(cli: &Cli, target: Option<&Target>) -> Result<(), Error> {
    match target {
        Some(Target::Folder(dir)) => Ok(report::folder::check(dir, force(cli)).map(|_| ())?),
        Some(Target::File(path)) if matches!(cli.command, Command::Gather(_)) => gather::out_check(path, force(cli)),
        Some(Target::File(path)) if matches!(cli.command, Command::Init(_)) => init::out_check(path, force(cli)),
        Some(Target::File(part)) => Ok(shard::check_part_path(part, force(cli))?),
        Some(Target::Later) | None => Ok(()),
    }
}

/// Loads a scenario with overrides and, from `actuals` (`--actuals FILE.csv`), the
/// months that already happened; warnings are printed to stderr unless `quiet`.
pub fn load(file: &Path, overrides: &[String], actuals: Option<&Path>, quiet: bool) -> Result<Loaded, Error> {
    let mut loaded = scenario::load_file(file, overrides)?;
    if !quiet && !loaded.warnings.is_empty() {
        eprint!("{}", visible_lines(&loaded.sources.render_all(&loaded.warnings)));
    }
    if let Some(path) = actuals {
        let months = scenario::actuals::read_csv(path, &loaded.scenario)?;
        if !quiet && !loaded.scenario.actuals.is_empty() {
            eprintln!("warning: --actuals {} replaces the scenario's [[actuals]]", visible_path(path));
        }
        loaded.scenario.actuals = months;
    }
    Ok(loaded)
}

/// Loads `file` for a what-if command with `overrides` (its `--set` and any it adds);
/// `trials` is `--trials`, else `default_trials` of the scenario.
fn what_if_setup(
    file: &Path,
    args: &Common,
    overrides: Vec<String>,
    default_trials: impl Fn(&Scenario) -> u64,
) -> Result<Setup, Error> {
    let loaded = load(file, &overrides, args.overrides.actuals.as_deref(), args.quiet)?;
    let scenario = &loaded.scenario;
    let trials = args.trials.unwrap_or_else(|| default_trials(scenario));
    let seed = args.seed.unwrap_or(scenario.seed);
    let pool = crate::runner::thread_pool(args.threads.map_or(0, usize::from))?;
    Ok(Setup { loaded, file: file.to_path_buf(), seed, trials, pool, quiet: args.quiet })
}

/// The charts as `.svg` and `.png` files, drawn on `pool`'s threads.
fn chart_files(pool: &rayon::ThreadPool, charts: &[report::charts::Chart]) -> Result<Vec<OutputFile>, Error> {
    Ok(report::chart_files(pool, charts)?)
}

/// A CSV file from a header and rows.
fn csv_file(name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<OutputFile, Error> {
    Ok(report::csv::table(name, header, rows)?)
}

/// Writes `files` into `dir`, whole or not at all; `force` as [`report::write_outputs`].
fn write(dir: &Path, files: &[OutputFile], force: bool) -> Result<(), Error> {
    Ok(report::write_outputs(dir, files, force)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_folders_sit_beside_the_run_folder() {
        assert_eq!(beside(Path::new("scenarios/scale-up.toml"), "plan"), Path::new("output/scale-up-plan"));
        assert_eq!(default_out_dir(Path::new("scenarios/scale-up.toml")), Path::new("output/scale-up"));
    }
}
