//! `sopsim backtest`: gather at each cutoff, simulate, compare with what happened.

use std::path::Path;

use crate::cli::BacktestArgs;
use crate::error::Error;
use crate::format::{visible, visible_lines, visible_path};
use crate::gather;
use crate::report;
use crate::runner;

use super::gather::{date_arg, fiscal_year_start, read_export, read_options};

/// Runs `sopsim backtest` into `dir`: the tables, charts and summary.
pub fn main(args: &BacktestArgs, dir: &Path) -> Result<(), Error> {
    let read = read_options(&args.export)?;
    let mut cutoffs = Vec::new();
    for text in &args.cutoffs {
        cutoffs.push(date_arg("--cutoff", text)?);
    }
    let as_of = args.as_of.as_deref().map(|text| date_arg("--as-of", text)).transpose()?;
    cutoffs.sort();
    cutoffs.dedup();
    let (file, bytes) = read_export(&args.export.export)?;
    let options = gather::backtest::Options {
        read,
        cutoffs,
        rolling: args.rolling,
        as_of,
        months: args.months,
        fiscal_year_start: fiscal_year_start(&args.export),
        trials: args.trials,
        seed: args.seed,
    };
    let bt = gather::backtest::backtest(&file, &bytes, &options)?;
    let source = format!(
        "sopsim {} · back-test of {} · {} trials · seed {}",
        env!("CARGO_PKG_VERSION"),
        visible(&file),
        args.trials,
        args.seed
    );
    let mut files = report::backtest::tables(&bt)?;
    let pool = runner::thread_pool(0)?;
    files.extend(report::chart_files(&pool, &report::backtest::charts(&bt, &source))?);
    report::write_outputs(dir, &files, args.force)?;
    if !args.quiet {
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        print!("{}", visible_lines(&report::backtest::text(&bt, &file, &visible_path(dir), &names)));
    }
    Ok(())
}
