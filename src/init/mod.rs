//! The scenarios `sopsim init` writes: one commented template per company stage.
//!
//! Each template is a whole scenario kept beside this module as TOML (`seed.toml`,
//! `scale-up.toml`, `enterprise.toml`), every key with a line saying what it means, its
//! unit and a typical range for the stage; it loads as it is, for a plan starting in
//! [`TEMPLATE_START`]. [`scenario`] moves its months (`scenario.start`, `target.by`, the
//! roles' `hires` and `departures`) to the start asked, keeping every comment and the
//! layout. This module neither reads the clock nor writes a file: the command does.

mod error;

use toml_edit::{DocumentMut, InlineTable, Item, Key};

use crate::month::YearMonth;

pub use error::{Error, Template};

/// The month every template starts in; [`scenario`] moves its months from there.
pub const TEMPLATE_START: &str = "2027-01";

/// A company's stage, by ARR, as the staffing matrix of docs/REFERENCE.md 1 has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Under $1M ARR: founders selling with their first AEs.
    Seed,
    /// $1M to $10M ARR: mid-market and SMB teams, SDRs, CSMs, a manager.
    ScaleUp,
    /// $10M ARR and above: enterprise and mid-market teams, several managers.
    Enterprise,
}

impl Stage {
    /// Every stage, smallest first.
    pub const ALL: [Stage; 3] = [Stage::Seed, Stage::ScaleUp, Stage::Enterprise];

    /// The name `--stage` takes.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Seed => "seed",
            Stage::ScaleUp => "scale-up",
            Stage::Enterprise => "enterprise",
        }
    }

    /// The stage in words, as in "a seed-stage plan".
    pub fn words(self) -> &'static str {
        match self {
            Stage::Seed => "seed-stage",
            Stage::ScaleUp => "scale-up",
            Stage::Enterprise => "enterprise",
        }
    }

    /// The template, for a start in [`TEMPLATE_START`].
    pub fn template(self) -> &'static str {
        match self {
            Stage::Seed => include_str!("seed.toml"),
            Stage::ScaleUp => include_str!("scale-up.toml"),
            Stage::Enterprise => include_str!("enterprise.toml"),
        }
    }
}

/// The stage's template with its months moved to a plan starting in `start`; an error
/// says why it cannot be (a month past the calendar the scenarios accept).
pub fn scenario(stage: Stage, start: YearMonth) -> Result<String, Error> {
    let from = YearMonth::parse(TEMPLATE_START).ok_or(Template::Start)?;
    shift(stage.template(), start.months_since(from))
}

/// `text` with every month it names moved by `delta` months.
fn shift(text: &str, delta: i64) -> Result<String, Error> {
    if delta == 0 {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| Template::NotToml(e.to_string()))?;
    let months = doc.get("scenario").and_then(|s| s.get("months")).and_then(Item::as_integer).unwrap_or(1);
    if let Some(start) = doc.get_mut("scenario").and_then(|s| s.get_mut("start")) {
        let first = shift_value(start, delta)?;
        // The whole horizon must stay on the calendar, not only the months written.
        let last = first.offset(months - 1);
        if YearMonth::new(last.year(), last.month()).is_none() {
            return Err(Error::PastCalendar { last });
        }
    }
    if let Some(by) = doc.get_mut("target").and_then(|t| t.get_mut("by")) {
        shift_value(by, delta)?;
    }
    if let Some(roles) = doc.get_mut("roles").and_then(Item::as_array_of_tables_mut) {
        for role in roles.iter_mut() {
            for key in ["hires", "departures"] {
                if let Some(table) = role.get_mut(key) {
                    let table = table.as_inline_table_mut().ok_or(Template::NotInline(key))?;
                    shift_keys(table, delta)?;
                }
            }
        }
    }
    Ok(doc.to_string())
}

/// Moves a `"YYYY-MM"` string value, keeping its comment and spacing; the month it becomes.
fn shift_value(item: &mut Item, delta: i64) -> Result<YearMonth, Error> {
    let value = item.as_value_mut().ok_or(Template::NotAValue)?;
    let month = moved(value.as_str().unwrap_or_default(), delta)?;
    let decor = value.decor().clone();
    *value = month.to_string().into();
    *value.decor_mut() = decor;
    Ok(month)
}

/// Moves the `"YYYY-MM"` keys of an inline table, in order, keeping their spacing.
fn shift_keys(table: &mut InlineTable, delta: i64) -> Result<(), Error> {
    let labels: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let mut entries = Vec::with_capacity(labels.len());
    for label in &labels {
        entries.push(table.remove_entry(label).ok_or(Template::KeyVanished)?);
    }
    for (old, value) in entries {
        let month = moved(old.get(), delta)?;
        let mut key =
            Key::parse(&format!("\"{month}\"")).ok().and_then(|mut keys| keys.pop()).ok_or(Template::NotAKey)?;
        *key.leaf_decor_mut() = old.leaf_decor().clone();
        table.insert_formatted(&key, value);
    }
    Ok(())
}

fn moved(label: &str, delta: i64) -> Result<YearMonth, Error> {
    let month = YearMonth::parse(label).ok_or_else(|| Template::NotAMonth(label.to_string()))?;
    let to = month.offset(delta);
    YearMonth::new(to.year(), to.month()).ok_or_else(|| Error::OffCalendar { label: label.to_string(), to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    fn month(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    /// Where the quoted `"YYYY-MM"` strings of a text start (at the month, after the quote).
    fn quoted_months(text: &str) -> Vec<usize> {
        let b = text.as_bytes();
        (1..b.len().saturating_sub(7))
            .filter(|&i| {
                b[i - 1] == b'"' && b[i + 7] == b'"' && text.get(i..i + 7).and_then(YearMonth::parse).is_some()
            })
            .collect()
    }

    #[test]
    fn every_template_loads_as_it_is_without_a_warning() {
        for stage in Stage::ALL {
            let loaded = scenario::load_str(stage.template(), stage.name(), &[])
                .unwrap_or_else(|e| panic!("{}: {}", stage.name(), e.render()));
            assert!(loaded.warnings.is_empty(), "{}: {}", stage.name(), loaded.sources.render_all(&loaded.warnings));
            assert_eq!(loaded.scenario.start, month(TEMPLATE_START), "{}", stage.name());
            assert!(loaded.scenario.target.is_some(), "{}: a plan has a target", stage.name());
        }
    }

    #[test]
    fn at_the_templates_start_the_text_is_the_template() {
        for stage in Stage::ALL {
            assert_eq!(scenario(stage, month(TEMPLATE_START)).unwrap(), stage.template());
        }
    }

    /// Every month a template names moves, and nothing else changes: a year later, the
    /// text is the template with each quoted month's year one more.
    #[test]
    fn a_later_start_moves_every_month_and_keeps_the_comments() {
        for stage in Stage::ALL {
            let template = stage.template();
            let moved = scenario(stage, month(TEMPLATE_START).offset(12)).unwrap();
            let mut expected = template.to_string();
            for at in quoted_months(template) {
                let later = month(&template[at..at + 7]).offset(12).to_string();
                expected.replace_range(at..at + 7, &later);
            }
            assert!(quoted_months(template).len() >= 3, "{}", stage.name());
            assert_eq!(moved, expected, "{}", stage.name());

            let loaded = scenario::load_str(&moved, stage.name(), &[]).unwrap();
            assert_eq!(loaded.scenario.start, month("2028-01"));
            assert!(loaded.warnings.is_empty(), "{}", stage.name());
        }
    }

    #[test]
    fn an_odd_start_moves_months_across_years() {
        let text = scenario(Stage::Seed, month("2031-11")).unwrap();
        let loaded = scenario::load_str(&text, "seed", &[]).unwrap();
        let s = &loaded.scenario;
        assert_eq!(s.start, month("2031-11"));
        // The template's target month is its 12th (2027-12), the first hire in its 3rd.
        assert_eq!(s.target.as_ref().unwrap().month, 11);
        assert!(text.contains("hires = { \"2032-01\" = 1, \"2032-05\" = 1 }"), "{text}");
    }

    #[test]
    fn a_start_whose_plan_runs_off_the_calendar_is_refused() {
        let e = scenario(Stage::ScaleUp, month("2999-06")).unwrap_err();
        assert_eq!(e, Error::PastCalendar { last: month("2999-06").offset(23) });
        assert!(e.to_string().contains("past the last month"), "{e}");
        assert!(scenario(Stage::ScaleUp, month("2977-01")).is_ok());
    }
}
