//! `sopsim sensitivity`: the command line resolved, the analysis run, its files written.

use std::path::Path;
use std::time::Instant;

use crate::cli::SensitivityArgs;
use crate::error::Error;
use crate::format::{visible_lines, visible_path};
use crate::report::whatif::sensitivity::*;
use crate::report::whatif::source_line;
use crate::whatif::sensitivity::*;

use super::{chart_files, write};

/// `sopsim sensitivity FILE`.
pub fn main(args: &SensitivityArgs, dir: &Path) -> Result<(), Error> {
    let setup = super::what_if_setup(&args.file, &args.common, args.common.overrides.set.clone(), |s| s.trials)?;
    let swing_trials = args.swing_trials.unwrap_or(SWING_TRIALS);
    let found = analyse(&setup, swing_trials)?;
    let started = Instant::now();
    let s = setup.scenario();
    let source = source_line(s, found.trials, setup.seed);
    let mut files = vec![ranking_csv(&found)?, quarters_csv(&found)?];
    let charts = [tornado_chart(s, &found, &source), quarters_chart(s, &found, &source)];
    files.extend(chart_files(&setup.pool, &charts)?);
    write(dir, &files, args.common.force)?;
    if !setup.quiet {
        print!("{}", visible_lines(&summary(s, &found, setup.seed)));
        println!(
            "\n  wrote {} files to {} in {:.2} s (simulation {:.2} s)",
            files.len(),
            visible_path(dir),
            found.seconds + started.elapsed().as_secs_f64(),
            found.seconds
        );
    }
    Ok(())
}
