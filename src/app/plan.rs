//! `sopsim plan`: the command line resolved, the analysis run, its files written.

use std::collections::HashMap;
use std::path::Path;

use crate::cli::PlanArgs;
use crate::error::Error;
use crate::format::{percent, visible_lines, visible_path};
use crate::report::whatif::plan::*;
use crate::scenario::{Policy, RoleKind};
use crate::whatif::edit;
use crate::whatif::plan::*;

use super::{chart_files, csv_file, write};

/// Runs `sopsim plan`.
pub fn main(args: &PlanArgs, dir: &Path) -> Result<(), Error> {
    let input = Error::Input;
    let mut overrides = args.common.overrides.set.clone();
    if let Some(arr) = args.target_arr {
        overrides.push(format!("target.arr={arr}"));
    }
    if let Some(by) = &args.by {
        overrides.push(format!("target.by={}", edit::quoted(by)));
    }
    if let Some(c) = args.confidence {
        if !(c > 0.0 && c < 1.0) {
            return Err(input(format!("--confidence {c} is not a probability strictly between 0 and 1")));
        }
        overrides.push(format!("target.confidence={c}"));
    }
    let setup = super::what_if_setup(&args.file, &args.common, overrides.clone(), |s| s.trials)?;
    let scenario = setup.scenario();
    let Some(target) = scenario.target.clone() else {
        return Err(input(format!(
            "{} has no [target]: plan needs one, or --target-arr (and --by) on the command line",
            visible_path(&args.file)
        )));
    };
    let roles: Vec<usize> = if args.roles.is_empty() {
        // Closers hired by plan; those under the capacity policy hire for themselves.
        let closers = |policy_too: bool| -> Vec<usize> {
            let roles = scenario.roles.iter().enumerate();
            roles
                .filter(|(_, r)| r.kind == RoleKind::Closer && (policy_too || r.policy != Policy::Capacity))
                .map(|(i, _)| i)
                .collect()
        };
        let mut chosen = closers(false);
        if chosen.is_empty() {
            chosen = closers(true);
        }
        let closers = chosen;
        if closers.is_empty() {
            return Err(input("the scenario has no closer role to plan; name one with --role".to_string()));
        }
        closers
    } else {
        let ids: Vec<&str> = scenario.roles.iter().map(|r| r.id.as_str()).collect();
        let mut out = Vec::new();
        for id in &args.roles {
            match ids.iter().position(|r| r == id) {
                Some(i) if !out.contains(&i) => out.push(i),
                Some(_) => {}
                None => {
                    let hint = crate::scenario::diag::did_you_mean(id, ids.iter().copied())
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    return Err(input(format!("--role {id}: no role has this id (roles: {}){hint}", ids.join(", "))));
                }
            }
        }
        out
    };
    let confidence = target.confidence;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(input(format!(
            "target.confidence = {confidence}: plan needs a confidence strictly between 0 and 1 (e.g. --confidence 0.8)"
        )));
    }
    let last = target.month;
    let mut planned = Vec::new();
    for &r in &roles {
        let role = &scenario.roles[r];
        let lead = role.time_to_hire_months.quantile(confidence).max(0.0).ceil() as i64;
        let cap = args.max_per_month.unwrap_or(if role.max_hires_per_month == u32::MAX {
            DEFAULT_MAX_PER_MONTH
        } else {
            role.max_hires_per_month
        });
        let earliest = lead as usize;
        if earliest > last {
            return Err(input(format!(
                "role {}: a requisition opened in {} fills by {} (time to hire at {} confidence), after the target \
                 month {}; no hire can help",
                role.id,
                scenario.start,
                scenario.start.offset(lead),
                percent(confidence),
                scenario.start.offset(last as i64)
            )));
        }
        planned.push(Planned { role: r, earliest, cap, lead });
    }

    let search_trials = args.search_trials.unwrap_or(DEFAULT_SEARCH_TRIALS);
    // Hires starting before a new requisition could fill are in flight: they stay.
    let mut base = scenario.clone();
    for p in &planned {
        base.roles[p.role].hires.retain(|(o, _)| *o < p.earliest as i64);
    }
    let mut search = Search {
        setup: &setup,
        base,
        planned,
        last,
        confidence,
        trials: 0..search_trials,
        cache: HashMap::new(),
        evaluations: 0,
    };
    let started = std::time::Instant::now();
    let found = find(&mut search, setup.trials);
    let seconds = started.elapsed().as_secs_f64();

    let out_dir = dir;
    let changes = hire_changes(&search, &found.schedule, scenario);
    let mut files = vec![
        csv_file("plan.csv", &PLAN_HEADER, &plan_rows(&search, &found.schedule))?,
        csv_file("search.csv", &["hires", "p_hit", "p_hit_se"], &curve_rows(&found.curve))?,
    ];
    let planned_toml = planned_toml(&setup, &search, &found, &changes, &overrides)?;
    files.push(crate::report::OutputFile { name: "planned.toml".into(), bytes: planned_toml.into_bytes() });
    let chart = curve_chart(&search, &found);
    files.extend(chart_files(&setup.pool, &[chart])?);
    write(out_dir, &files, args.common.force)?;
    if !setup.quiet {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        print!("{}", visible_lines(&summary(&search, &found, &changes, seconds)));
        println!("wrote {} in {}", names.join(", "), visible_path(out_dir));
    }
    // No schedule reaches the confidence: exit code 1, with the verdict the terminal
    // opened with (the only words printed under --quiet).
    match verdict(&search, &found) {
        Verdict { why: None, .. } => Ok(()),
        Verdict { line, why: Some(why) } => Err(Error::Run(format!(
            "{line}; {why} (the files in {} show the best schedule found)\n",
            visible_path(out_dir)
        ))),
    }
}
