//! The scenario's keys in words, for charts people read: `segments.mid-market.win_rate`
//! is "Mid-Market win rate (%)", its values `19%` rather than `0.19`. A role or segment
//! is named by its `label` (else its id or name). The key paths stay what `--set`,
//! `--vary` and the CSV files take; this module only names them.

use crate::format::{money, rate};
use crate::month::YearMonth;
use crate::scenario::{KeyPath, Scenario};

use super::charts::spec::Notation;
use crate::format::significant as value;

/// How a key's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A rate or share, written as a fraction and read as a percentage: `0.9%`, `19%`.
    Rate,
    /// Dollars: `$30K`.
    Money,
    /// Any other number, with three significant figures at most: `2.5`, `1,250`.
    Number,
}

impl Reading {
    /// A value of the key as people read it.
    pub fn value(self, v: f64) -> String {
        match self {
            Reading::Rate => rate(v),
            Reading::Money => money(v),
            Reading::Number => value(v),
        }
    }

    /// A value written in a scenario (`0.15`, `30_000`) as people read it, when it is a
    /// number; else as written.
    pub fn written(self, text: &str) -> String {
        crate::whatif::vary::number(text).map_or_else(|| text.to_string(), |v| self.value(v))
    }

    /// The unit of a chart's axis over the key's values.
    pub fn axis(self) -> Notation {
        match self {
            Reading::Rate => Notation::Rate,
            Reading::Money => Notation::Money,
            Reading::Number => Notation::Number,
        }
    }
}

/// A key in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWords {
    /// What it is, as the middle of a sentence writes it: `Mid-Market win rate`,
    /// `monthly churn`.
    pub words: String,
    /// Whether the words start with a name from the scenario (a segment's, a role's),
    /// which is never recased.
    owned: bool,
    /// Its unit, as the workbook writes units (`%`, `$`, `months`, `count/month`); empty
    /// for a word or a month.
    pub unit: &'static str,
    /// How its values read.
    pub reading: Reading,
}

impl KeyWords {
    /// The words as the start of a sentence or a legend writes them: `Monthly churn`,
    /// `Mid-Market win rate`, `smb win rate` (a name stays as written).
    pub fn start(&self) -> String {
        if self.owned { self.words.clone() } else { capitalised(&self.words) }
    }

    /// [`KeyWords::start`] with the unit in brackets, for an axis or a row:
    /// `Mid-Market win rate (%)`, `Monthly churn (%)`.
    pub fn label(&self) -> String {
        if self.unit.is_empty() { self.start() } else { format!("{} ({})", self.start(), self.unit) }
    }
}

/// Words, unit and reading of a key of a section (`company`, `demand`, ...) or of an
/// element of an array (`segments`, `roles`, ...), by its leaf; `None` for a key this
/// table does not know.
fn known(section: &str, leaf: &str) -> Option<(&'static str, &'static str, Reading)> {
    use Reading::*;
    Some(match (section, leaf) {
        ("scenario", "months") => ("months simulated", "months", Number),
        ("scenario", "trials") => ("trials", "", Number),
        ("scenario", "seed") => ("seed", "", Number),
        ("scenario", "start") => ("first month", "", Number),
        ("company", "arr") => ("ARR at the start", "$", Money),
        ("company", "monthly_churn") => ("monthly churn", "%", Rate),
        ("company", "monthly_expansion") => ("monthly expansion", "%", Rate),
        ("company", "churn_multiplier_unsupported") => ("churn multiplier without support", "x", Number),
        ("company", "close_noise") => ("close noise", "sd", Number),
        ("target", "arr") => ("target ARR", "$", Money),
        ("target", "by") => ("target month", "", Number),
        ("target", "confidence") => ("confidence asked", "%", Rate),
        ("demand", "leads_per_month") => ("lead volume", "leads/month", Number),
        ("demand", "growth_per_month") => ("lead growth", "%/month", Rate),
        ("demand", "lead_to_opportunity") => ("lead to opportunity", "%", Rate),
        ("demand", "volume_noise") => ("lead volume noise", "sd", Number),
        ("forecast", "bias") => ("forecast bias", "%", Rate),
        ("forecast", "noise") => ("forecast noise", "sd of log", Number),
        ("segments", "deal_size") => ("deal size", "$", Money),
        ("segments", "win_rate") => ("win rate", "%", Rate),
        ("segments", "stall_rate") => ("stall rate", "%", Rate),
        ("segments", "cycle_months") => ("sales cycle", "months", Number),
        ("segments", "loss_cycle_months") => ("cycle of lost deals", "months", Number),
        ("segments", "cohort_noise") => ("cohort noise", "sd", Number),
        ("segments", "service_weight") => ("service weight", "x", Number),
        ("roles", "headcount") => ("on staff at the start", "people", Number),
        ("roles", "ramp_months") => ("ramp", "months", Number),
        ("roles", "annual_attrition") => ("attrition", "%/year", Rate),
        ("roles", "time_to_hire_months") => ("time to hire", "months", Number),
        ("roles", "opportunities_per_month") => ("opportunities per rep", "count/month", Number),
        ("roles", "meetings_per_month") => ("meetings per rep", "count/month", Number),
        ("roles", "meeting_to_opportunity") => ("meeting to opportunity", "%", Rate),
        ("roles", "hires") => ("planned hires", "people", Number),
        ("roles", "departures") => ("planned departures", "people", Number),
        ("roles", "policy") => ("hiring policy", "", Number),
        ("roles", "backfill") => ("backfill", "", Number),
        ("roles", "max_hires_per_month") => ("most hires a month", "people", Number),
        ("roles", "headcount_budget") => ("headcount budget", "people", Number),
        ("roles", "target_utilisation") => ("target utilisation", "%", Rate),
        ("roles", "arr_per_head") => ("ARR served per head", "$", Money),
        ("roles", "span_of_control") => ("span of control", "people", Number),
        ("territories", "accounts") => ("accounts", "count", Number),
        ("territories", "accounts_per_rep") => ("accounts per rep", "count", Number),
        ("territories", "opportunity_rate") => ("opportunity rate", "%/month", Rate),
        ("comp_plans", "base") => ("base salary", "$/year", Money),
        ("comp_plans", "variable") => ("variable at quota", "$/year", Money),
        ("comp_plans", "quota") => ("quota", "$/year", Money),
        ("comp_plans", "draw") => ("draw", "$/month", Money),
        ("comp_plans", "cap") => ("cap", "x variable", Number),
        ("stages", "from_arr") => ("from ARR", "$", Money),
        ("stages", "annual_cost") => ("cost", "$/year", Money),
        ("stages", "time_to_hire_months") => ("time to hire", "months", Number),
        _ => return None,
    })
}

/// The words of a part below a key: `low end`, `median`, `Mar 2027` (a month of `hires`).
fn below(part: &str) -> String {
    match part {
        "low" => "low end".to_string(),
        "high" => "high end".to_string(),
        "p90" => "P90".to_string(),
        "sd" => "sd".to_string(),
        _ => YearMonth::parse(part).map_or_else(|| part.to_string(), YearMonth::short_label),
    }
}

/// The name people read for element `part` of array `section` of `s` (a role's or
/// segment's label, else the name or id as written; an index names the element it
/// indexes).
fn element(s: &Scenario, section: &str, part: &str) -> String {
    let by_index = |n: usize| part.parse::<usize>().ok().filter(|i| *i < n);
    match section {
        "segments" => match s.segments.iter().find(|g| g.name == part) {
            Some(g) => g.display_name().to_string(),
            None => by_index(s.segments.len()).map_or(part.to_string(), |i| s.segments[i].display_name().to_string()),
        },
        "roles" => match s.roles.iter().find(|r| r.id == part) {
            Some(r) => r.display_name().to_string(),
            None => by_index(s.roles.len()).map_or(part.to_string(), |i| s.roles[i].display_name().to_string()),
        },
        "territories" => match by_index(s.territories.len()) {
            Some(i) if !s.territories.iter().any(|t| t.name == part) => s.territories[i].name.clone(),
            _ => part.to_string(),
        },
        _ => part.to_string(),
    }
}

/// Key path `path` of scenario `s` in words: `segments.mid-market.win_rate` is
/// "Mid-Market win rate" in `%` read as a rate; `roles.ae.hires.2027-03` "Mid-Market AE
/// planned hires, Mar 2027". A key this module does not know keeps its path as its
/// words (read as a number).
pub fn words(path: &str, s: &Scenario) -> KeyWords {
    let as_written = || KeyWords { words: path.to_string(), owned: true, unit: "", reading: Reading::Number };
    let Some(key) = KeyPath::parse(path) else { return as_written() };
    let parts = key.parts();
    let arrays = ["segments", "roles", "territories", "comp_plans", "stages"];
    let (owner, leaf, rest) = match parts {
        [section, element_part, leaf, rest @ ..] if arrays.contains(&section.as_str()) => {
            (Some(element(s, section, element_part)), leaf.as_str(), rest)
        }
        [_, leaf, rest @ ..] => (None, leaf.as_str(), rest),
        _ => return as_written(),
    };
    let Some((what, unit, reading)) = known(&parts[0], leaf) else { return as_written() };
    let owned = owner.is_some();
    let mut words = match owner {
        Some(owner) => format!("{owner} {what}"),
        None => what.to_string(),
    };
    for part in rest {
        words.push_str(", ");
        words.push_str(&below(part));
    }
    KeyWords { words, owned, unit, reading }
}

/// `what` with its first letter in upper case.
fn capitalised(what: &str) -> String {
    let mut chars = what.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
start = "2027-01"
months = 12

[[segments]]
name = "mid-market"
label = "Mid-Market"
deal_size = 30_000
win_rate = 0.2

[[segments]]
name = "smb"
deal_size = 9_000
win_rate = 0.25

[demand]
leads_per_month = 300
lead_to_opportunity = 0.1
segment_mix = { "mid-market" = 0.6, smb = 0.4 }

[[roles]]
id = "mm-ae"
label = "Mid-Market AE"
kind = "closer"
segment = "mid-market"
opportunities_per_month = 10
annual_attrition = 0.3

[[territories]]
name = "NA East"
segment = "mid-market"
accounts = 1_000
accounts_per_rep = 100
"#;

    fn scenario() -> Scenario {
        crate::scenario::load_str(TEXT, "keys.toml", &[]).unwrap().scenario
    }

    #[test]
    fn keys_read_in_words_with_their_units() {
        let s = scenario();
        let label = |path: &str| words(path, &s).label();
        assert_eq!(label("segments.mid-market.win_rate"), "Mid-Market win rate (%)");
        assert_eq!(label("segments.1.win_rate"), "smb win rate (%)");
        assert_eq!(label("segments.mid-market.deal_size.median"), "Mid-Market deal size, median ($)");
        assert_eq!(label("roles.mm-ae.annual_attrition"), "Mid-Market AE attrition (%/year)");
        assert_eq!(label("roles.0.hires.2027-03"), "Mid-Market AE planned hires, Mar 2027 (people)");
        assert_eq!(label("roles.mm-ae.policy"), "Mid-Market AE hiring policy");
        assert_eq!(label("company.monthly_churn"), "Monthly churn (%)");
        assert_eq!(label("demand.growth_per_month"), "Lead growth (%/month)");
        assert_eq!(label("territories.NA East.opportunity_rate"), "NA East opportunity rate (%/month)");
        assert_eq!(label("target.arr"), "Target ARR ($)");
        assert_eq!(words("company.monthly_churn", &s).words, "monthly churn", "in the middle of a sentence");
        assert_eq!(words("segments.smb.win_rate", &s).start(), "smb win rate", "a name stays as written");
        // Keys this module does not know keep their path.
        assert_eq!(label("demand.seasonality"), "demand.seasonality");
        assert_eq!(label("nonsense"), "nonsense");
    }

    #[test]
    fn values_read_as_their_key_reads() {
        let s = scenario();
        let read = |path: &str, v: f64| words(path, &s).reading.value(v);
        assert_eq!(read("company.monthly_churn", 0.00885), "0.9%");
        assert_eq!(read("segments.smb.win_rate", 0.19), "19%");
        assert_eq!(read("segments.smb.deal_size", 30_000.0), "$30K");
        assert_eq!(read("demand.leads_per_month", 289.4), "289");
        assert_eq!(words("segments.smb.win_rate", &s).reading.written("0.15"), "15%");
        assert_eq!(words("roles.mm-ae.policy", &s).reading.written("capacity"), "capacity");
        assert_eq!(words("segments.smb.win_rate", &s).reading.axis(), Notation::Rate);
    }
}
