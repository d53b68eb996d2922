//! Validation: what is refused, how it is reported, and what is accepted.

use super::diag::{Diagnostic, Severity};
use super::*;

const BASE: &str = r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "a"
deal_size = 10_000
win_rate = 0.2

[[segments]]
name = "b"
deal_size = 20_000
win_rate = 0.2
"#;

fn errors(text: &str) -> Vec<Diagnostic> {
    match load_str(text, "t.toml", &[]) {
        Ok(_) => Vec::new(),
        Err(e) => e.diags.into_iter().filter(|d| d.severity == Severity::Error).collect(),
    }
}

#[test]
fn an_empty_segment_list_is_refused() {
    let errs = errors("segments = []\n[scenario]\nstart = \"2027-01\"\nmonths = 3\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].message.contains("`segments` is empty"));
}

#[test]
fn sdrs_need_a_segment_or_a_mix_when_there_are_several_segments() {
    let text = format!("{BASE}\n[[roles]]\nid = \"sdr\"\nkind = \"sdr\"\nmeetings_per_month = 10\n");
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].path, "roles.sdr.segment");
    let with_mix = format!(
        "{BASE}\n[demand]\nsegment_mix = {{ a = 0.5, b = 0.5 }}\n[[roles]]\nid = \"sdr\"\nkind = \"sdr\"\nmeetings_per_month = 10\n"
    );
    assert!(errors(&with_mix).is_empty());
}

#[test]
fn large_seeds_are_read_exactly() {
    let text = "[scenario]\nstart = \"2027-01\"\nmonths = 3\nseed = 9007199254740993\n[[segments]]\nname = \"a\"\ndeal_size = 1\nwin_rate = 0.1\n";
    let loaded = load_str(text, "t.toml", &[]).unwrap();
    assert_eq!(loaded.scenario.seed, 9_007_199_254_740_993);
}

#[test]
fn every_problem_is_reported_at_once_in_file_order() {
    let text = r#"
[scenario]
start = "2027-13"
months = 12

[[segments]]
name = "a"
deal_size = -5
win_rate = 1.5
cycle_monts = 2

[[roles]]
id = "ae"
kind = "closer"
opportunities_per_month = 5
annual_attrition = { low = 0.4, high = 0.2 }
"#;
    let errs = errors(text);
    let paths: Vec<&str> = errs.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "scenario.start",
            "segments.a.deal_size",
            "segments.a.win_rate",
            "segments.a.cycle_monts",
            "roles.ae.annual_attrition.high"
        ],
        "{errs:#?}"
    );
    assert_eq!(errs[3].help.as_deref(), Some("did you mean `cycle_months`?"));
}

#[test]
fn a_mix_that_does_not_sum_to_one_is_normalised_with_a_warning() {
    let text = format!(
        "{BASE}\n[demand]\nleads_per_month = 10\nlead_to_opportunity = 0.1\nsegment_mix = {{ a = 3, b = 1 }}\n"
    );
    let loaded = load_str(&text, "t.toml", &[]).unwrap();
    assert_eq!(loaded.scenario.demand.segment_mix, vec![0.75, 0.25]);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].message.contains("sums to 4"));
}

#[test]
fn hires_before_the_start_are_staff_with_tenure_and_late_ones_are_flagged() {
    let text = format!(
        "{BASE}\n[[roles]]\nid = \"ae\"\nkind = \"closer\"\nsegment = \"a\"\nopportunities_per_month = 5\nhires = {{ \"2026-10\" = 2, \"2027-02\" = 1, \"2029-01\" = 4 }}\n"
    );
    let loaded = load_str(&text, "t.toml", &[]).unwrap();
    assert_eq!(loaded.scenario.roles[0].hires, vec![(-3, 2), (1, 1)]);
    assert_eq!(loaded.warnings.len(), 1, "the 2029 hire is after the horizon");
}

#[test]
fn a_role_cannot_have_both_ramp_forms() {
    let text = format!(
        "{BASE}\n[[roles]]\nid = \"ae\"\nkind = \"closer\"\nsegment = \"a\"\nopportunities_per_month = 5\nramp_months = 3\nramp = [0.5]\n"
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("either ramp_months or ramp"));
}

#[test]
fn binary_garbage_and_empty_files_get_an_error_not_a_panic() {
    for text in ["", "\u{0}\u{1}\u{2}", "[[[", "a = ", "[scenario]\nstart = 2027-01-01T00:00:00\nmonths = 1e400\n"] {
        let result = load_str(text, "t.toml", &[]);
        assert!(result.is_err(), "{text:?} should be refused");
    }
}

#[test]
fn organisation_references_are_resolved_with_suggestions() {
    let text = format!(
        r#"{BASE}
[[roles]]
id = "ae"
kind = "closer"
segment = "a"
opportunities_per_month = 5
comp_plan = "ea"
policy = "capacty"

[[roles]]
id = "mgr"
kind = "manager"
span_of_control = 7
manages = ["ae", "sdr"]

[[territories]]
name = "East"
segment = "aa"
accounts = 100
accounts_per_rep = 10

[[comp_plans]]
id = "ae"
base = 1
"#
    );
    let errs = errors(&text);
    let at =
        |path: &str| errs.iter().find(|d| d.path == path).unwrap_or_else(|| panic!("no error at {path}: {errs:?}"));
    assert!(at("roles.ae.comp_plan").help.as_deref().is_some_and(|h| h.contains("`ae`")));
    assert!(at("roles.ae.policy").help.as_deref().is_some_and(|h| h.contains("`capacity`")));
    assert!(at("roles.mgr.manages").message.contains("`sdr`"));
    assert!(at("territories.East.segment").help.as_deref().is_some_and(|h| h.contains("`a`")));
    assert_eq!(errs.len(), 4, "{errs:?}");
}

#[test]
fn comp_plans_and_stages_are_range_checked() {
    let text = format!(
        r#"{BASE}
[[comp_plans]]
id = "x"
quota = 100
variable = 10
accelerators = [ {{ above = 1.0, multiplier = 1.5 }} ]
decelerators = [ {{ below = 1.2, multiplier = 0.5 }} ]
plan_year_start = 0

[[stages]]
from_arr = -5
role = "analyst"

[[stages]]
from_arr = 10
role = "  "

[forecast]
bias = -1.5
"#
    );
    let errs = errors(&text);
    let paths: Vec<&str> = errs.iter().map(|d| d.path.as_str()).collect();
    for want in [
        "comp_plans.x.accelerators",
        "comp_plans.x.plan_year_start",
        "stages[0].from_arr",
        "stages[1].role",
        "forecast.bias",
    ] {
        assert!(paths.contains(&want), "no error at {want}: {paths:?}");
    }
}

#[test]
fn capacity_keys_need_the_capacity_policy_and_kinds_their_keys() {
    let text = format!(
        r#"{BASE}
[[roles]]
id = "ae"
kind = "closer"
segment = "a"
opportunities_per_month = 5
max_hires_per_month = 2
arr_per_head = 1_000_000

[[roles]]
id = "csm"
kind = "support"
policy = "capacity"
"#
    );
    let errs = errors(&text);
    let paths: Vec<&str> = errs.iter().map(|d| d.path.as_str()).collect();
    for want in [
        "roles.ae.max_hires_per_month",
        "roles.ae.arr_per_head",
        "roles.csm.arr_per_head",
        "roles.csm.time_to_hire_months",
    ] {
        assert!(paths.contains(&want), "no error at {want}: {paths:?}");
    }
}

#[test]
fn names_and_ids_longer_than_their_limit_are_refused() {
    let one = |key: &str, extra: &str, long: &str| -> Vec<Diagnostic> {
        let text = format!(
            "[scenario]\nname = \"{}\"\nstart = \"2027-01\"\nmonths = 12\n\n[[segments]]\nname = \"{}\"\n\
             deal_size = 10_000\nwin_rate = 0.2\n{extra}",
            if key == "scenario.name" { long } else { "Plan" },
            if key == "segments.name" { long } else { "a" },
        );
        errors(&text)
    };
    let cases = [
        ("scenario.name", "", MAX_NAME_CHARS),
        ("segments.name", "", MAX_ID_CHARS),
        ("roles.id", "[[roles]]\nid = \"LONG\"\nkind = \"closer\"\nopportunities_per_month = 10\n", MAX_ID_CHARS),
        ("territories.name", "[[territories]]\nname = \"LONG\"\naccounts = 100\naccounts_per_rep = 50\n", MAX_ID_CHARS),
        ("comp_plans.id", "[[comp_plans]]\nid = \"LONG\"\nbase = 1\n", MAX_ID_CHARS),
        ("stages.role", "[[stages]]\nfrom_arr = 0\nrole = \"LONG\"\n", MAX_ID_CHARS),
        ("stages.name", "[[stages]]\nfrom_arr = 0\nrole = \"ops\"\nname = \"LONG\"\n", MAX_ID_CHARS),
    ];
    for (key, extra, max) in cases {
        // Characters are counted, not bytes; ids, territory and stage names are plain words.
        let letter =
            if matches!(key, "roles.id" | "territories.name" | "stages.role" | "stages.name") { "a" } else { "é" };
        let (fits, too_long) = (letter.repeat(max), letter.repeat(max + 1));
        let fits = one(key, &extra.replace("LONG", &fits), &fits);
        assert!(fits.is_empty(), "{key}: {max} characters are accepted: {fits:?}");
        let errs = one(key, &extra.replace("LONG", &too_long), &too_long);
        let limit = format!("at most {max} characters");
        assert!(errs.iter().any(|d| d.expected.as_deref() == Some(&limit)), "{key}: {errs:?}");
        let (section, field) = key.split_once('.').unwrap_or_default();
        let at = |d: &&Diagnostic| d.path.starts_with(section) && d.path.ends_with(field);
        assert!(errs.iter().filter(|d| d.expected.as_deref() == Some(&limit)).all(|d| at(&d)), "{key}: {errs:?}");
    }
}

#[test]
fn labels_name_roles_and_segments_and_default_to_their_ids() {
    let text = format!(
        "{BASE}\n[[roles]]\nid = \"ae\"\nlabel = \"Mid-Market AE\"\nkind = \"closer\"\nsegment = \"a\"\n\
         opportunities_per_month = 10\n[[roles]]\nid = \"sdr\"\nkind = \"sdr\"\nsegment = \"b\"\nmeetings_per_month = 10\n"
    )
    .replace("name = \"a\"\n", "name = \"a\"\nlabel = \"Mid-Market\"\n");
    let s = load_str(&text, "t.toml", &[]).unwrap().scenario;
    assert_eq!((s.roles[0].display_name(), s.roles[1].display_name()), ("Mid-Market AE", "sdr"));
    assert_eq!((s.segments[0].display_name(), s.segments[1].display_name()), ("Mid-Market", "b"));
    assert_eq!((s.role_name("ae"), s.role_name("sdr"), s.role_name("nobody")), ("Mid-Market AE", "sdr", "nobody"));
    assert_eq!((s.segment_name("a"), s.segment_name("b")), ("Mid-Market", "b"));
    // A label as long as a name may be, and no longer.
    let long = |n: usize| text.replace("Mid-Market AE", &"é".repeat(n));
    assert!(errors(&long(MAX_ID_CHARS)).is_empty());
    let errs = errors(&long(MAX_ID_CHARS + 1));
    assert!(errs.len() == 1 && errs[0].path == "roles.ae.label", "{errs:?}");
}

#[test]
fn a_tree_built_in_memory_loads_as_its_text_does_and_its_errors_name_the_key() {
    let text = format!("{BASE}\n[company]\nquarter_timing = [0.8, 1.0, 1.2]\n");
    let root = tree::parse(&text, diag::SourceId::File).unwrap();
    let from_tree = load_tree(&root, "t.toml").unwrap_or_else(|e| panic!("{}", e.render())).scenario;
    let from_text = load_str(&text, "t.toml", &[]).unwrap().scenario;
    // Derived values too: the segments' cycles timed by the quarter.
    assert!(from_tree.segments[0].timed_cycle.is_some());
    assert_eq!(format!("{from_tree:?}"), format!("{from_text:?}"));
    let bad = tree::parse(&BASE.replace("win_rate = 0.2\n", "win_rate = 2\n"), diag::SourceId::File).unwrap();
    let e = load_tree(&bad, "t.toml").unwrap_err();
    assert!(e.diags.iter().all(|d| d.span.is_none()) && e.diags[0].path == "segments.a.win_rate", "{:?}", e.diags);
    assert!(e.render().contains("  --> t.toml\n   = key: segments.a.win_rate\n"), "{}", e.render());
}
