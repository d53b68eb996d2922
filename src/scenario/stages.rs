//! `[[stages]]`: the sales-ops roles an ARR stage needs; the defaults of docs/REFERENCE.md 1.

use crate::dist::{Dist, Support};

use super::diag::Diagnostic;
use super::names::{plain_word, unique};
use super::read::{Reader, Tbl};
use super::types::*;

/// The stages of docs/REFERENCE.md 1, used when the file has no `[[stages]]`.
pub fn default_stages() -> Vec<Stage> {
    [
        (0.0, "technical sales-ops analyst", 85_000.0),
        (1_000_000.0, "sales effectiveness manager", 150_000.0),
        (10_000_000.0, "sales-ops director", 230_000.0),
    ]
    .into_iter()
    .map(|(from_arr, role, annual_cost)| Stage {
        key: slug(role),
        role: role.to_string(),
        from_arr,
        months_above: 3,
        annual_cost,
        time_to_hire_months: Dist::constant(3.0),
    })
    .collect()
}

/// `sales effectiveness manager` -> `sales-effectiveness-manager`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `[[stages]]`, sorted by `from_arr`; the defaults when absent.
pub fn read_stages(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Vec<Stage>> {
    if !top.has("stages") {
        let _ = top.entry("stages");
        return Some(default_stages());
    }
    let mut out: Vec<Stage> = Vec::new();
    let mut keys = Vec::new();
    let mut ok = true;
    for mut t in r.array_of_tables(top, "stages") {
        let from = r.number(&mut t, "from_arr", 0.0, MAX_MONEY);
        if !t.has("from_arr") {
            r.missing(&t, "from_arr", "the ARR from which the stage applies, e.g. from_arr = 1_000_000");
        }
        let role = r.name(&mut t, "role", MAX_ID_CHARS);
        if !t.has("role") {
            r.missing(&t, "role", "the sales-ops role the stage calls for, e.g. role = \"sales-ops director\"");
        }
        let name = r.name(&mut t, "name", MAX_ID_CHARS);
        let months = r.count(&mut t, "months_above", MAX_MONTHS);
        let cost = r.number(&mut t, "annual_cost", 0.0, MAX_MONEY);
        let time_to_hire = r.dist(&mut t, "time_to_hire_months", Support::NonNegative, MAX_MONTHS as f64);
        let key = match (&name, &role) {
            (Some((n, span)), _) => plain_word(r, n, *span, t.key_path("name")).then(|| slug(n)),
            (None, Some((role, span))) => {
                let k = slug(role);
                if k.is_empty() {
                    r.error(
                        Diagnostic::error(Some(*span), t.key_path("role"), "the role has no letter or digit")
                            .help("name the role, or give the stage a name = \"...\""),
                    );
                    None
                } else {
                    Some(k)
                }
            }
            _ => None,
        };
        if let Some(k) = &key {
            unique(r, &mut keys, k, t.span, t.path.clone(), "stage");
        }
        let time_to_hire_ok = time_to_hire.is_some() || !t.has("time_to_hire_months");
        let cost_ok = cost.is_some() || !t.has("annual_cost");
        let months_ok = months.is_some() || !t.has("months_above");
        r.finish(t);
        match (from, role, key, time_to_hire_ok && cost_ok && months_ok) {
            (Some(from_arr), Some((role, _)), Some(key), true) => out.push(Stage {
                key,
                role,
                from_arr,
                months_above: months.unwrap_or(3) as u32,
                annual_cost: cost.unwrap_or(0.0),
                time_to_hire_months: time_to_hire.unwrap_or(Dist::constant(3.0)),
            }),
            _ => ok = false,
        }
    }
    out.sort_by(|a, b| a.from_arr.total_cmp(&b.from_arr));
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("sales effectiveness manager"), "sales-effectiveness-manager");
        assert_eq!(slug(" Sales-Ops  Director!"), "sales-ops-director");
    }
}
