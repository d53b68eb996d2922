//! `sopsim run`: simulate a scenario and write its outputs, or (`--partial`) one
//! shard's partial file.

use std::path::Path;

use crate::cli::RunArgs;
use crate::error::Error;
use crate::format::{visible, visible_lines, visible_path};
use crate::report::{self, Formats, Target};
use crate::runner::{self, RunConfig, RunResults};
use crate::scenario::Loaded;
use crate::shard::{self, Shard};

/// Where and how a run's outputs are written.
pub struct Out<'a> {
    /// The output folder.
    pub dir: &'a Path,
    /// `--force`: write into a folder that holds files sopsim did not write.
    pub force: bool,
    /// Print nothing on success.
    pub quiet: bool,
}

/// Runs `sopsim run` into `target`: the output folder, or the `--partial` file.
pub fn main(args: RunArgs, target: Target) -> Result<(), Error> {
    if let (Some(shard), None) = (args.shard, &args.partial) {
        // clap lets `--out` silence the requirement, as it conflicts with `--partial`.
        return Err(Error::Input(format!(
            "--shard {shard} runs part of the trials; it needs --partial FILE to write them to \
             (then `sopsim merge` writes the outputs)"
        )));
    }
    let loaded = super::load(
        &args.file,
        &args.common.overrides.set,
        args.common.overrides.actuals.as_deref(),
        args.common.quiet,
    )?;
    let scenario = &loaded.scenario;
    let config = RunConfig {
        trials: args.common.trials.unwrap_or(scenario.trials),
        seed: args.common.seed.unwrap_or(scenario.seed),
        threads: args.common.threads.map_or(0, usize::from),
        progress: !args.common.quiet,
    };
    let dir = match target {
        Target::File(path) => {
            let shard = args.shard.unwrap_or(Shard::WHOLE);
            return write_partial(&loaded, &config, shard, &path, args.common.force, args.common.quiet);
        }
        Target::Folder(dir) => dir,
        Target::Later => return Err(Error::Run("a run's output folder is known before it runs".into())),
    };
    let results = runner::run(scenario, &config)?;
    let file_label = args.file.display().to_string();
    let out = Out { dir: &dir, force: args.common.force, quiet: args.common.quiet };
    write_results(&loaded, &file_label, &results, &out, args.formats(), config.threads)
}

/// Writes a run's outputs into `out.dir` (whole or not at all) and prints the summary
/// unless `quiet`: the same files for a run and for a merge of its shards.
pub fn write_results(
    loaded: &Loaded,
    file_label: &str,
    results: &RunResults,
    out: &Out,
    formats: Formats,
    threads: usize,
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let (files, realised) = report::run_files(loaded, file_label, results, formats, threads)?;
    report::write_outputs(out.dir, &files, out.force)?;
    if !out.quiet {
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        let dir = visible_path(out.dir);
        let written = report::text::Written { dir: &dir, files: &names, seconds: started.elapsed().as_secs_f64() };
        print!("{}", visible_lines(&report::text::summary(&loaded.scenario, results, &realised, &written)));
    }
    Ok(())
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
    shard::check_part_path(path, force)?;
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
