//! `sopsim compare`: the command line resolved, the analysis run, its files written.

use std::path::{Path, PathBuf};

use crate::cli::CompareArgs;
use crate::error::Error;
use crate::format::{visible_lines, visible_path};
use crate::report::whatif::compare::*;
use crate::runner::{self, RunConfig};
use crate::whatif::compare::*;

use super::{chart_files, write};

/// The default output folder: `output/compare-<stemA>-vs-<stemB>[-vs-...]`.
pub fn default_dir(files: &[PathBuf]) -> PathBuf {
    let stems: Vec<String> =
        files.iter().map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()).collect();
    Path::new("output").join(crate::report::safe_name(&format!("compare-{}", stems.join("-vs-"))))
}

/// `sopsim compare`.
pub fn main(args: &CompareArgs, dir: &Path) -> Result<(), Error> {
    let input = Error::Input;
    if args.files.len() < 2 {
        return Err(input("compare needs two scenario files or more".to_string()));
    }
    let common = &args.common;
    let mut loaded = Vec::with_capacity(args.files.len());
    for file in &args.files {
        loaded.push(super::load(file, &common.overrides.set, common.overrides.actuals.as_deref(), common.quiet)?);
    }
    let first = &loaded[0].scenario;
    for (file, l) in args.files.iter().zip(&loaded).skip(1) {
        let s = &l.scenario;
        if (s.start, s.months) != (first.start, first.months) {
            return Err(input(format!(
                "{} runs {} months from {} but {} runs {} months from {}; compare needs the same horizon \
                 (set scenario.start and scenario.months alike, e.g. with --set)",
                visible_path(&args.files[0]),
                first.months,
                first.start,
                visible_path(file),
                s.months,
                s.start
            )));
        }
    }
    let trials = common.trials.unwrap_or(first.trials);
    let seed = common.seed.unwrap_or(first.seed);
    let threads = common.threads.map_or(0, usize::from);
    let pool = runner::thread_pool(threads)?;
    let config = RunConfig { trials, seed, threads, progress: false };

    let started = std::time::Instant::now();
    let mut sides = Vec::with_capacity(loaded.len());
    for (file, l) in args.files.iter().zip(loaded) {
        let outcomes = crate::whatif::outcomes(&pool, &l.scenario, seed, 0..trials);
        let results = runner::run(&l.scenario, &config)?;
        sides.push(Side { file: file.clone(), loaded: l, outcomes, results });
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows: Vec<Row> = sides.iter().map(|s| row(&sides[0].outcomes, &s.outcomes)).collect();

    let mut files = vec![compare_csv(&sides, &rows)?];

    let texts: Vec<&str> = sides.iter().map(|s| s.loaded.sources.file_text.as_str()).collect();
    let diffs = input_differences(&texts).map_err(|e| Error::Run(format!("cannot read the scenarios' keys: {e}")))?;
    files.push(inputs_diff_csv(&sides, &diffs)?);

    let source = format!(
        "sopsim {} · {} · {} trials · seed {}",
        env!("CARGO_PKG_VERSION"),
        sides.iter().map(Side::stem).collect::<Vec<_>>().join(" vs "),
        crate::format::count(trials as f64),
        seed
    );
    let charts = charts(&sides, &rows, &source);
    files.extend(chart_files(&pool, &charts)?);
    write(dir, &files, args.common.force)?;

    if !common.quiet {
        print!("{}", visible_lines(&terminal(&sides, &rows, &diffs, trials, seed, seconds)));
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        println!("  wrote {} to {}", names.join(", "), visible_path(dir));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_folder_names_every_file() {
        let files = [PathBuf::from("scenarios/a.toml"), PathBuf::from("b c.toml")];
        assert_eq!(default_dir(&files), Path::new("output/compare-a-vs-b_c"));
    }
}
