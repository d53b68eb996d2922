//! `sopsim sweep`: the command line resolved, the analysis run, its files written.

use std::path::Path;

use crate::cli::SweepArgs;
use crate::error::Error;
use crate::format::{visible_lines, visible_path};
use crate::report::whatif::source_line;
use crate::report::whatif::sweep::*;
use crate::whatif::judged_month;
use crate::whatif::sweep::*;
use crate::whatif::vary::Vary;

use super::{chart_files, write};

/// `sopsim sweep`.
pub fn main(args: &SweepArgs, dir: &Path) -> Result<(), Error> {
    let input = Error::Input;
    if args.vary.len() > 2 {
        return Err(input(format!(
            "sweep varies one or two keys; {} --vary were given (sweep two at a time, or use compare)",
            args.vary.len()
        )));
    }
    let varies: Vec<Vary> = args.vary.iter().map(|a| Vary::parse(a)).collect::<Result<_, _>>()?;
    if varies.len() == 2 && varies[0].key == varies[1].key {
        return Err(input(format!("--vary names {} twice; vary two different keys", varies[0].key)));
    }
    let points: usize = varies.iter().map(|v| v.values.len()).product();
    if points > MAX_POINTS {
        return Err(input(format!("the sweep has {points} points; at most {MAX_POINTS} (fewer values per key)")));
    }
    let setup = super::what_if_setup(&args.file, &args.common, args.common.overrides.set.clone(), |s| {
        s.trials.min(DEFAULT_TRIALS)
    })?;
    let text = &setup.loaded.sources.file_text;
    let file_name = &setup.loaded.sources.file_name;

    // Every point is loaded, and so validated, before any is simulated.
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for vary in &varies {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                vary.values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push(v.clone());
                    c
                })
            })
            .collect();
    }
    let mut scenarios = Vec::with_capacity(combos.len());
    let base = args.common.overrides.set.len();
    for combo in &combos {
        let mut overrides = args.common.overrides.set.clone();
        overrides.extend(varies.iter().zip(combo).map(|(v, value)| format!("{}={value}", v.key)));
        let loaded = crate::scenario::load_str(text, file_name, &overrides).map_err(|e| {
            let which: Vec<String> = varies
                .iter()
                .zip(combo)
                .enumerate()
                .map(|(i, (v, value))| format!("{}={value} (shown as --set #{})", v.key, base + i + 1))
                .collect();
            Error::Input(format!("the sweep's point {} is refused:\n{}", which.join(", "), e.render()))
        })?;
        let mut scenario = loaded.scenario;
        if args.common.overrides.actuals.is_some() {
            // The points vary values, never roles: the actuals read once fit each of them.
            scenario.actuals.clone_from(&setup.loaded.scenario.actuals);
        }
        scenarios.push(scenario);
    }

    let started = std::time::Instant::now();
    let rows: Vec<Point> = combos
        .iter()
        .zip(&scenarios)
        .map(|(combo, scenario)| Point::new(combo.clone(), scenario, &setup.outcomes(scenario, 0..setup.trials)))
        .collect();
    let seconds = started.elapsed().as_secs_f64();

    let base_scenario = setup.scenario();
    let month = crate::report::charts::build::month(base_scenario.start, judged_month(base_scenario));
    let mut files = vec![sweep_csv(&varies, &rows)?];
    let source = source_line(base_scenario, setup.trials, setup.seed);
    let charts = charts(base_scenario, &varies, &rows, &month, &source);
    files.extend(chart_files(&setup.pool, &charts)?);
    write(dir, &files, args.common.force)?;

    if !setup.quiet {
        print!(
            "{}",
            visible_lines(&terminal(base_scenario, &varies, &rows, &month, setup.trials, setup.seed, seconds))
        );
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        println!("  wrote {} to {}", names.join(", "), visible_path(dir));
    }
    Ok(())
}
