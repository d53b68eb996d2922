//! The organisation around the closers: territories, compensation plans, ARR stages and
//! the forecast. Each `read_*` function reads one section, records every problem, and
//! returns only values that passed.

use crate::dist::{Dist, Support};

use super::diag::{Diagnostic, Span, closest};
use super::read::{Reader, Tbl};
use super::{MAX_ID_CHARS, MAX_MONEY, MAX_MONTHS, MIN_FACTOR, MIN_MONEY};

/// Largest number of accounts in one territory.
pub const MAX_ACCOUNTS: u64 = 1_000_000_000;
/// Largest expected number of account opportunities a month in one territory.
pub const MAX_ACCOUNT_OPPS_PER_MONTH: f64 = 1e7;

/// `[[territories]]`: a set of accounts that closers of one segment cover.
#[derive(Debug, Clone)]
pub struct Territory {
    /// Name, unique; names the metric `coverage.<name>`.
    pub name: String,
    /// The hash of the name that keys the territory's random streams.
    pub stream: u64,
    /// Segment index.
    pub segment: usize,
    /// Accounts in the territory.
    pub accounts: u64,
    /// Accounts one closer covers.
    pub accounts_per_rep: f64,
    /// Probability that a covered account opens an opportunity in a month; drawn once per trial.
    pub opportunity_rate: Dist,
}

/// One band of a compensation plan: from an attainment (fraction of quota) up to the
/// next band, the commission rate is multiplied by `multiplier`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Attainment where the band starts (0 for the first).
    pub from: f64,
    /// Multiplier of the base commission rate in the band.
    pub multiplier: f64,
}

/// `[[comp_plans]]`: pay of the people of the roles that reference it.
#[derive(Debug, Clone)]
pub struct CompPlan {
    /// Id, unique.
    pub id: String,
    /// Annual base salary, dollars.
    pub base: f64,
    /// Annual variable pay at 100% of quota, dollars.
    pub variable: f64,
    /// Annual quota of new bookings, dollars (0: no quota; the variable is paid at target).
    pub quota: f64,
    /// Bands of attainment, ascending from 0, each with its rate multiplier.
    pub bands: Vec<Band>,
    /// Most variable pay in a plan year, as a multiple of the (prorated) variable.
    pub cap: f64,
    /// Months of tenure during which variable pay is at least `draw` a month.
    pub draw_months: u32,
    /// Monthly guaranteed variable pay during the draw.
    pub draw: f64,
    /// Calendar month (0 = January) in which the plan year starts.
    pub year_start: usize,
    /// Reps whose attainment to date is below `.0` leave `.1` times as often.
    pub low_attainment_attrition: Option<(f64, f64)>,
}

impl CompPlan {
    /// Commission rate at 100%: variable / quota.
    pub fn rate(&self) -> f64 {
        if self.quota > 0.0 { self.variable / self.quota } else { 0.0 }
    }

    /// Variable pay earned over a plan year for bookings `b` against a plan-year quota
    /// `q` (the annual quota prorated to the rep's ramp and months): the rate times the
    /// integral of the band multiplier over attainment, capped at `cap` times the
    /// prorated variable.
    pub fn variable_earned(&self, b: f64, q: f64) -> f64 {
        if !(b > 0.0 && q > 0.0 && self.quota > 0.0) {
            return 0.0;
        }
        let x = b / q;
        let mut integral = 0.0;
        for (i, band) in self.bands.iter().enumerate() {
            let end = self.bands.get(i + 1).map_or(f64::INFINITY, |n| n.from);
            if x <= band.from {
                break;
            }
            integral += (x.min(end) - band.from) * band.multiplier;
        }
        let prorated_variable = self.variable * q / self.quota;
        (self.rate() * q * integral).min(self.cap * prorated_variable)
    }
}

/// `[[stages]]`: an ARR stage and the sales-ops role it calls for.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Metric key (from `name`, else the role in lower case with `-`).
    pub key: String,
    /// The role it calls for, as written.
    pub role: String,
    /// ARR from which the stage applies.
    pub from_arr: f64,
    /// Consecutive months ARR must stay at or above `from_arr`.
    pub months_above: u32,
    /// Annual cost of the stage's hire.
    pub annual_cost: f64,
    /// Months from reaching the stage to the hire's start; drawn per requisition.
    pub time_to_hire_months: Dist,
}

/// `[forecast]`: how the organisation forecasts next month's bookings.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// Relative bias of the reps' forecast (0.1 = 10% optimistic); drawn once per trial.
    pub bias: Dist,
    /// Standard deviation of the log of the monthly forecast noise; drawn once per trial.
    pub noise: Dist,
}

impl Default for Forecast {
    fn default() -> Self {
        Forecast { bias: Dist::constant(0.0), noise: Dist::constant(0.0) }
    }
}

/// Resolves a reference by name, with a "did you mean" for a near miss.
pub fn reference(r: &mut Reader, span: Span, path: String, what: &str, name: &str, names: &[&str]) -> Option<usize> {
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Some(i);
    }
    let expected = if names.is_empty() {
        format!("a {what} defined in the file (there is none)")
    } else {
        format!("one of the {what} names: {}", names.join(", "))
    };
    let mut d = Diagnostic::error(Some(span), path, format!("no {what} is named `{name}`")).expected(expected);
    if let Some(c) = closest(name, names.iter().copied()) {
        d = d.help(format!("did you mean `{c}`?"));
    }
    r.error(d);
    None
}

/// Reports a name used twice in one array of tables.
fn unique(r: &mut Reader, seen: &mut Vec<String>, name: &str, span: Span, path: String, what: &str) {
    if seen.iter().any(|n| n == name) {
        r.error(
            Diagnostic::error(Some(span), path, format!("{what} `{name}` is defined twice"))
                .help(format!("give each {what} its own name")),
        );
    }
    seen.push(name.to_string());
}

/// Whether `name` can name a metric (`coverage.<name>`).
fn plain_word(r: &mut Reader, name: &str, span: Span, path: String) -> bool {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_ ".contains(c));
    if !ok {
        r.error(
            Diagnostic::error(Some(span), path, format!("`{name}` cannot name a metric"))
                .expected("letters, digits, spaces, - and _"),
        );
    }
    ok
}

/// `[[territories]]`.
pub fn read_territories(r: &mut Reader, top: &mut Tbl<'_>, segments: &[&str]) -> Option<Vec<Territory>> {
    let mut out = Vec::new();
    let mut names = Vec::new();
    let mut ok = true;
    for mut t in r.array_of_tables(top, "territories") {
        let name = r.name(&mut t, "name", MAX_ID_CHARS);
        if !t.has("name") {
            r.missing(&t, "name", "the territory's name, e.g. name = \"NA East\"");
        }
        if let Some((n, span)) = &name {
            unique(r, &mut names, n, *span, t.key_path("name"), "territory");
            ok &= plain_word(r, n, *span, t.key_path("name"));
        }
        let segment = match r.string(&mut t, "segment") {
            Some((s, span)) => reference(r, span, t.key_path("segment"), "segment", &s, segments),
            None if t.has("segment") => None,
            None if segments.len() == 1 => Some(0),
            None => {
                r.missing(
                    &t,
                    "segment",
                    &format!("the segment whose closers cover it, one of: {}", segments.join(", ")),
                );
                None
            }
        };
        let accounts = r.count(&mut t, "accounts", MAX_ACCOUNTS);
        if !t.has("accounts") {
            r.missing(&t, "accounts", "the number of accounts in the territory, e.g. accounts = 1_800");
        }
        if accounts == Some(0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("accounts"), "a territory needs at least one account")
                    .expected(format!("a whole number from 1 to {}", super::read::group_digits(MAX_ACCOUNTS))),
            );
        }
        let per_rep = r.number(&mut t, "accounts_per_rep", 0.0, MAX_ACCOUNTS as f64);
        r.not_tiny(&t, "accounts_per_rep", MIN_FACTOR, MAX_ACCOUNTS as f64, false);
        if !t.has("accounts_per_rep") {
            r.missing(&t, "accounts_per_rep", "the accounts one closer covers, e.g. accounts_per_rep = 150");
        }
        if per_rep == Some(0.0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("accounts_per_rep"), "accounts_per_rep must be above 0")
                    .expected("a positive number of accounts"),
            );
        }
        let rate = r.dist(&mut t, "opportunity_rate", Support::Unit, 1.0);
        let rate_ok = rate.is_some() || !t.has("opportunity_rate");
        if let (Some(a), Some(d)) = (accounts, &rate)
            && a as f64 * d.mean() > MAX_ACCOUNT_OPPS_PER_MONTH
        {
            r.error(
                Diagnostic::error(
                    Some(t.span),
                    t.key_path("opportunity_rate"),
                    format!(
                        "{:.3e} account opportunities a month is beyond what can be simulated",
                        a as f64 * d.mean()
                    ),
                )
                .expected(format!("accounts x opportunity_rate of at most {MAX_ACCOUNT_OPPS_PER_MONTH:e}")),
            );
            ok = false;
        }
        r.finish(t);
        match (name, segment, accounts, per_rep, rate_ok) {
            (Some((name, _)), Some(segment), Some(accounts), Some(per_rep), true) if accounts > 0 && per_rep > 0.0 => {
                out.push(Territory {
                    stream: crate::engine::rng::name_key(&name),
                    name,
                    segment,
                    accounts,
                    accounts_per_rep: per_rep,
                    opportunity_rate: rate.unwrap_or(Dist::constant(0.0)),
                })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Reads `[{ above = 1.0, multiplier = 1.5 }, ...]` (or `below`) into (threshold, multiplier).
fn read_tiers(r: &mut Reader, t: &mut Tbl<'_>, key: &'static str, edge: &'static str) -> Option<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut ok = true;
    if !t.has(key) {
        let _ = t.entry(key);
        return Some(out);
    }
    for mut tier in r.array_of_tables(t, key) {
        let at = r.number(&mut tier, edge, 0.0, 100.0);
        if !tier.has(edge) {
            r.missing(&tier, edge, &format!("the attainment (fraction of quota) the tier applies {edge}, e.g. 1.0"));
        }
        let m = r.number(&mut tier, "multiplier", 0.0, 100.0);
        if !tier.has("multiplier") {
            r.missing(&tier, "multiplier", "the factor on the commission rate in the tier, e.g. 1.5");
        }
        r.finish(tier);
        match (at, m) {
            (Some(a), Some(m)) => out.push((a, m)),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// `[[comp_plans]]`.
pub fn read_comp_plans(r: &mut Reader, top: &mut Tbl<'_>) -> (Vec<CompPlan>, Vec<String>, bool) {
    let mut out = Vec::new();
    let mut ids = Vec::new();
    let mut ok = true;
    for mut t in r.array_of_tables(top, "comp_plans") {
        let id = r.name(&mut t, "id", MAX_ID_CHARS);
        if !t.has("id") {
            r.missing(&t, "id", "the plan's id, which roles name in comp_plan, e.g. id = \"ae\"");
        }
        if let Some((i, span)) = &id {
            unique(r, &mut ids, i, *span, t.key_path("id"), "comp plan");
        }
        let base = r.number(&mut t, "base", 0.0, MAX_MONEY);
        let variable = r.number(&mut t, "variable", 0.0, MAX_MONEY);
        let quota = r.number(&mut t, "quota", 0.0, MAX_MONEY);
        r.not_tiny(&t, "quota", MIN_MONEY, MAX_MONEY, true);
        let accelerators = read_tiers(r, &mut t, "accelerators", "above");
        let decelerators = read_tiers(r, &mut t, "decelerators", "below");
        let cap = r.number(&mut t, "cap", 0.0, 100.0);
        let draw_months = r.count(&mut t, "ramp_draw_months", MAX_MONTHS);
        let draw = r.number(&mut t, "draw", 0.0, MAX_MONEY);
        let year_start = r.count(&mut t, "plan_year_start", 12);
        if year_start == Some(0) {
            r.error(
                Diagnostic::error(Some(t.span), t.key_path("plan_year_start"), "plan_year_start is a calendar month")
                    .expected("a month number from 1 (January) to 12"),
            );
            ok = false;
        }
        let low = match r.table(&mut t, "low_attainment") {
            Some(mut l) => {
                let below = r.number(&mut l, "below", 0.0, 100.0);
                let m = r.number(&mut l, "attrition_multiplier", 0.0, 1_000.0);
                for (key, what) in [
                    ("below", "the attainment under which attrition rises, e.g. 0.5"),
                    ("attrition_multiplier", "the factor on attrition, e.g. 2.0"),
                ] {
                    if !l.has(key) {
                        r.missing(&l, key, what);
                    }
                }
                r.finish(l);
                match (below, m) {
                    (Some(b), Some(m)) => Some(Some((b, m))),
                    _ => None,
                }
            }
            None if t.has("low_attainment") => None,
            None => Some(None),
        };
        let span = t.span;
        let path = t.path.clone();
        r.finish(t);
        let (Some((id, _)), Some(acc), Some(dec), Some(low)) = (id, accelerators, decelerators, low) else {
            ok = false;
            continue;
        };
        let bands = match bands(&acc, &dec) {
            Ok(b) => b,
            Err(msg) => {
                r.error(
                    Diagnostic::error(Some(span), format!("{path}.accelerators"), msg)
                        .help("decelerators apply below their threshold, accelerators above theirs, without overlap"),
                );
                ok = false;
                continue;
            }
        };
        let variable = variable.unwrap_or(0.0);
        out.push(CompPlan {
            id,
            base: base.unwrap_or(0.0),
            variable,
            quota: quota.unwrap_or(0.0),
            bands,
            cap: cap.unwrap_or(f64::INFINITY),
            draw_months: draw_months.unwrap_or(0) as u32,
            draw: draw.unwrap_or(variable / 12.0),
            year_start: year_start.map_or(0, |m| m.max(1) as usize - 1),
            low_attainment_attrition: low,
        });
    }
    (out, ids, ok)
}

/// Bands of attainment from tiers: decelerators `(below, m)` apply under their threshold
/// (the nearest one above the attainment), accelerators `(above, m)` from theirs (the
/// highest one at or below it), 1.0 in between.
pub fn bands(accelerators: &[(f64, f64)], decelerators: &[(f64, f64)]) -> Result<Vec<Band>, String> {
    let mut dec = decelerators.to_vec();
    dec.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut acc = accelerators.to_vec();
    acc.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(d), Some(a)) = (dec.last(), acc.first())
        && d.0 > a.0
    {
        return Err(format!("a decelerator below {} overlaps an accelerator above {}", d.0, a.0));
    }
    if dec.windows(2).any(|w| w[0].0 == w[1].0) || acc.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err("two tiers start at the same attainment".to_string());
    }
    let mut bands = Vec::new();
    let mut from = 0.0;
    for (below, m) in &dec {
        if *below > from {
            bands.push(Band { from, multiplier: *m });
            from = *below;
        }
    }
    if acc.first().is_none_or(|a| a.0 > from) {
        bands.push(Band { from, multiplier: 1.0 });
    }
    for (above, m) in &acc {
        bands.push(Band { from: *above, multiplier: *m });
    }
    Ok(bands)
}

/// The stages of DOMAIN.md, used when the file has no `[[stages]]`.
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
        let tth = r.dist(&mut t, "time_to_hire_months", Support::NonNegative, MAX_MONTHS as f64);
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
        let tth_ok = tth.is_some() || !t.has("time_to_hire_months");
        let cost_ok = cost.is_some() || !t.has("annual_cost");
        let months_ok = months.is_some() || !t.has("months_above");
        r.finish(t);
        match (from, role, key, tth_ok && cost_ok && months_ok) {
            (Some(from_arr), Some((role, _)), Some(key), true) => out.push(Stage {
                key,
                role,
                from_arr,
                months_above: months.unwrap_or(3) as u32,
                annual_cost: cost.unwrap_or(0.0),
                time_to_hire_months: tth.unwrap_or(Dist::constant(3.0)),
            }),
            _ => ok = false,
        }
    }
    out.sort_by(|a, b| a.from_arr.total_cmp(&b.from_arr));
    ok.then_some(out)
}

/// `[forecast]`.
pub fn read_forecast(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Forecast> {
    let Some(mut t) = r.table(top, "forecast") else {
        return (!top.has("forecast")).then(Forecast::default);
    };
    let bias = r.dist(&mut t, "bias", Support::Real, 10.0);
    let noise = r.dist(&mut t, "noise", Support::NonNegative, 5.0);
    let mut ok = (bias.is_some() || !t.has("bias")) && (noise.is_some() || !t.has("noise"));
    if let Some(b) = &bias
        && b.mean() <= -1.0
    {
        r.error(
            Diagnostic::error(Some(t.span), t.key_path("bias"), "a bias of -100% or less forecasts nothing")
                .expected("a relative bias above -1, e.g. 0.1 for 10% optimistic"),
        );
        ok = false;
    }
    r.finish(t);
    ok.then(|| Forecast { bias: bias.unwrap_or(Dist::constant(0.0)), noise: noise.unwrap_or(Dist::constant(0.0)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(acc: &[(f64, f64)], dec: &[(f64, f64)]) -> CompPlan {
        CompPlan {
            id: "ae".into(),
            base: 0.0,
            variable: 100_000.0,
            quota: 500_000.0,
            bands: bands(acc, dec).unwrap(),
            cap: f64::INFINITY,
            draw_months: 0,
            draw: 0.0,
            year_start: 0,
            low_attainment_attrition: None,
        }
    }

    /// DOMAIN.md: quota $500K, variable $100K, 1.5x above 100% -> $145K at 130%;
    /// with 0.5x below 50% -> $20K at 40%.
    #[test]
    fn commission_matches_the_published_examples() {
        let acc = plan(&[(1.0, 1.5)], &[]);
        assert!((acc.variable_earned(650_000.0, 500_000.0) - 145_000.0).abs() < 1e-6);
        assert!((acc.variable_earned(500_000.0, 500_000.0) - 100_000.0).abs() < 1e-6);
        let both = plan(&[(1.0, 1.5)], &[(0.5, 0.5)]);
        assert!((both.variable_earned(200_000.0, 500_000.0) - 20_000.0).abs() < 1e-6);
        // At exactly 100%: 0.5 x 0.2 x 250K + 0.2 x 250K = 75K; at 130%, 45K more.
        assert!((both.variable_earned(500_000.0, 500_000.0) - 75_000.0).abs() < 1e-6);
        assert!((both.variable_earned(650_000.0, 500_000.0) - 120_000.0).abs() < 1e-6);
    }

    #[test]
    fn cap_and_proration() {
        let mut p = plan(&[(1.0, 1.5), (1.5, 2.0)], &[]);
        // 200%: 100K + 0.2 x 1.5 x 250K + 0.2 x 2 x 250K = 275K.
        assert!((p.variable_earned(1_000_000.0, 500_000.0) - 275_000.0).abs() < 1e-6);
        p.cap = 2.0;
        assert!((p.variable_earned(1_000_000.0, 500_000.0) - 200_000.0).abs() < 1e-6);
        // A half-year quota: same rate, the cap prorated to half the variable.
        assert!((p.variable_earned(100_000.0, 250_000.0) - 20_000.0).abs() < 1e-6);
        assert!((p.variable_earned(1_000_000.0, 250_000.0) - 100_000.0).abs() < 1e-6);
    }

    #[test]
    fn bands_refuse_overlaps() {
        assert!(bands(&[(1.0, 1.5)], &[(1.2, 0.5)]).is_err());
        assert_eq!(
            bands(&[(1.0, 1.5)], &[(0.5, 0.5), (0.8, 0.8)]).unwrap(),
            vec![
                Band { from: 0.0, multiplier: 0.5 },
                Band { from: 0.5, multiplier: 0.8 },
                Band { from: 0.8, multiplier: 1.0 },
                Band { from: 1.0, multiplier: 1.5 }
            ]
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("sales effectiveness manager"), "sales-effectiveness-manager");
        assert_eq!(slug(" Sales-Ops  Director!"), "sales-ops-director");
    }
}
