//! The load pipeline: a file or text, with `--set` overrides, parsed ([`super::tree`]),
//! read section by section (one file each), cross-checked, and returned as a validated
//! [`Scenario`] or as every problem found. A tree built in memory (a scenario `gather`
//! fits) is read and checked the same way.

use std::path::Path;

use super::{actuals, inputs, pipeline, plausible, tree};

use super::comp_plans::read_comp_plans;
use super::company::read_company;
use super::demand::{check_lead_volume, read_demand};
use super::diag::{Diagnostic, Severity, SourceId, Sources, Span};
use super::forecast::read_forecast;
use super::read::{Reader, Tbl};
use super::roles::{bound_staff_months, read_roles};
use super::segments::read_segments;
use super::stages::read_stages;
use super::target::read_target;
use super::territories::read_territories;
use super::types::*;

/// Failure to load a scenario: the diagnostics and the sources to render them.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The texts the diagnostics point into.
    pub sources: Sources,
    /// What was found (errors and warnings).
    pub diags: Vec<Diagnostic>,
}

impl LoadError {
    /// All diagnostics rendered for a terminal, with a closing count.
    pub fn render(&self) -> String {
        let errors = self.diags.iter().filter(|d| d.severity == Severity::Error).count();
        let mut out = self.sources.render_all(&self.diags);
        out.push_str(&format!(
            "{}: {} error{} found; nothing was simulated\n",
            crate::format::visible(&self.sources.file_name),
            errors,
            if errors == 1 { "" } else { "s" }
        ));
        out
    }
}

/// A scenario that passed validation, with its warnings and the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Warnings to show the user.
    pub warnings: Vec<Diagnostic>,
    /// The sources, to render the warnings.
    pub sources: Sources,
}

/// Reads and validates a scenario file with `--set` overrides.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        sources: Sources { file_name: name.clone(), ..Sources::default() },
        diags: vec![
            Diagnostic::error(None, "", format!("cannot read the scenario file: {e}"))
                .help("check the path; scenarios live in scenarios/*.toml"),
        ],
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(LoadError {
                sources: Sources {
                    file_name: name,
                    file_text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    overrides: overrides.to_vec(),
                },
                diags: vec![
                    Diagnostic::error(Some(Span::file(at..at + 1)), "", "the file is not UTF-8 text")
                        .expected("a TOML text file"),
                ],
            });
        }
    };
    load_str(&text, &name, overrides)
}

/// Reads and validates scenario text; `file_name` is used in messages.
pub fn load_str(text: &str, file_name: &str, overrides: &[String]) -> Result<Loaded, LoadError> {
    let sources =
        Sources { file_name: file_name.to_string(), file_text: text.to_string(), overrides: overrides.to_vec() };
    let fail = |diags: Vec<Diagnostic>| LoadError { sources: sources.clone(), diags };
    let mut root = tree::parse(text, SourceId::File).map_err(fail)?;
    let mut r = Reader { diags: tree::apply_overrides(&mut root, overrides) };
    let scenario = build(&mut r, &root, &stem_of(file_name));
    let mut diags = r.diags;
    diags.sort_by_key(|d| {
        let src = d.span.map_or(usize::MAX, |s| match s.source {
            SourceId::File => 0,
            SourceId::Override(i) => i + 1,
        });
        (src, d.span.map_or(0, |s| s.start))
    });
    checked(scenario, diags, sources)
}

/// Reads and validates a scenario built in memory as a tree (as `gather` fits one), by
/// the same reading, defaults and checks as a file's text; `name` names it in messages.
/// With no text to point into, a diagnostic names its key path alone.
pub fn load_tree(root: &tree::Node, name: &str) -> Result<Loaded, LoadError> {
    let mut r = Reader::default();
    let scenario = build(&mut r, root, &stem_of(name));
    let diags = r.diags.into_iter().map(|d| Diagnostic { span: None, ..d }).collect();
    checked(scenario, diags, Sources { file_name: name.to_string(), ..Sources::default() })
}

/// The name a scenario without one takes: its file's stem.
fn stem_of(file_name: &str) -> String {
    Path::new(file_name).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The scenario read, if no error was found; else every problem.
fn checked(scenario: Option<Scenario>, diags: Vec<Diagnostic>, sources: Sources) -> Result<Loaded, LoadError> {
    match scenario {
        Some(scenario) if !diags.iter().any(|d| d.severity == Severity::Error) => {
            Ok(Loaded { scenario, warnings: diags, sources })
        }
        _ => Err(LoadError { sources, diags }),
    }
}

fn build(r: &mut Reader, root: &tree::Node, stem: &str) -> Option<Scenario> {
    let mut top = Tbl::of(r, root, "")?;

    let (name, start, months, trials, seed) = match r.table(&mut top, "scenario") {
        Some(mut t) => {
            let name = r.name(&mut t, "name", MAX_NAME_CHARS).map(|(s, _)| s);
            let start = r.month(&mut t, "start");
            if !t.has("start") {
                r.missing(&t, "start", "the first month, e.g. start = \"2027-01\"");
            }
            let months = r.count_from(&mut t, "months", 1, MAX_MONTHS);
            if !t.has("months") {
                r.missing(&t, "months", "the number of months to simulate, e.g. months = 24");
            }
            let trials = r.count_from(&mut t, "trials", 1, MAX_TRIALS);
            let seed = r.count(&mut t, "seed", u64::MAX);
            let trials = if t.has("trials") { trials } else { Some(10_000) };
            r.finish(t);
            (name.unwrap_or_else(|| stem.to_string()), start, months, trials, seed.unwrap_or(1))
        }
        None => {
            if !top.has("scenario") {
                r.missing(&top, "scenario", "a [scenario] table with start and months");
            }
            (stem.to_string(), None, None, None, 1)
        }
    };

    let company = read_company(r, &mut top);
    let (segments, all_names) = read_segments(r, &mut top);
    let seg_names: Vec<&str> = all_names.iter().map(String::as_str).collect();
    let demand = read_demand(r, &mut top, &seg_names);
    // Roles are checked even when the start or horizon is invalid; their dates are
    // then checked for form only.
    let dating = start.zip(months.map(|m| m as usize));
    let (comp_plans, plan_ids, plans_ok) = read_comp_plans(r, &mut top);
    let plan_refs: Vec<&str> = plan_ids.iter().map(String::as_str).collect();
    let mut roles = read_roles(r, &mut top, &seg_names, &plan_refs, dating);
    if let Some(months) = months {
        bound_staff_months(r, &top, &mut roles, months);
    }
    let territories = read_territories(r, &mut top, &seg_names);
    let open_deals = pipeline::read_pipeline(r, &mut top, &seg_names);
    let role_ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let actuals = actuals::read_actuals(r, &mut top, dating, &role_ids);
    let stages = read_stages(r, &mut top);
    let forecast = read_forecast(r, &mut top);
    let correlations = inputs::read_correlations(r, &mut top);
    let target = match (start, months) {
        (Some(start), Some(months)) => read_target(r, &mut top, start, months as usize),
        _ => {
            let _ = top.entry("target");
            None
        }
    };
    if let (Some(d), Some(months)) = (&demand, months) {
        check_lead_volume(r, &top, d, months as usize);
    }
    r.finish(top);

    if r.has_errors() {
        return None;
    }
    let mut scenario = Scenario {
        name,
        start: start?,
        months: months? as usize,
        trials: trials?,
        seed,
        company: company?,
        target,
        segments: segments.into_iter().map(|(s, _)| s).collect(),
        demand: demand?,
        roles,
        territories: territories?,
        pipeline: open_deals?,
        actuals: actuals?,
        comp_plans: plans_ok.then_some(comp_plans)?,
        stages: stages?,
        forecast: forecast?,
        inputs: Vec::new(),
        correlations: Vec::new(),
        copula: None,
    };
    if let Some(q) = &scenario.company.quarter_timing {
        for segment in scenario.segments.iter_mut().filter(|s| !s.cycle_by_quarter) {
            segment.timed_cycle = Some(q.timed(&segment.cycle));
        }
    }
    scenario.inputs = inputs::list(&scenario);
    (scenario.correlations, scenario.copula) = inputs::resolve(r, &scenario, &correlations?)?;
    plausible::check(r, root, &scenario);
    Some(scenario)
}
