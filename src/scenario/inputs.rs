//! The keys drawn once per trial, and the rank correlations between them.
//!
//! A trial draws each of these keys once: they are this trial's world (its churn, its
//! lead volume, its win rates). [`list`] names them in the order the engine draws them,
//! each with its key path, which keys its random stream; `sensitivity` ranks them and
//! `[[correlations]]` ties some of them together through a Gaussian copula ([`Copula`]).

use crate::dist::Dist;
use crate::hash::name_key;

use super::Scenario;
use super::diag::{Diagnostic, Span};
use super::names::reference;
use super::read::{Reader, Tbl};
use super::tree::Value;

/// Where a once-per-trial key is written: a key of a section, or a key of each element
/// of an array of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `[company]`.
    Company,
    /// `[demand]`.
    Demand,
    /// `[forecast]`.
    Forecast,
    /// Each of `[[segments]]`, by its name.
    Segments,
    /// Each of `[[roles]]`, by its id.
    Roles,
    /// Each of `[[territories]]`, by its name.
    Territories,
}

impl Scope {
    /// The section or array as the scenario writes it.
    pub fn section(self) -> &'static str {
        match self {
            Scope::Company => "company",
            Scope::Demand => "demand",
            Scope::Forecast => "forecast",
            Scope::Segments => "segments",
            Scope::Roles => "roles",
            Scope::Territories => "territories",
        }
    }

    /// The names of the elements of an array scope, in order (one unnamed element for a
    /// section).
    fn elements(self, s: &Scenario) -> Vec<Option<&str>> {
        match self {
            Scope::Company | Scope::Demand | Scope::Forecast => vec![None],
            Scope::Segments => s.segments.iter().map(|g| Some(g.name.as_str())).collect(),
            Scope::Roles => s.roles.iter().map(|r| Some(r.id.as_str())).collect(),
            Scope::Territories => s.territories.iter().map(|t| Some(t.name.as_str())).collect(),
        }
    }
}

/// One once-per-trial key, as [`DECLARED`] declares it.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    /// Which key.
    pub kind: Kind,
    /// Where it is written.
    pub scope: Scope,
    /// Its name in its section or element: `win_rate`.
    pub key: &'static str,
    /// Whether a higher value helps reach the target, for words and charts.
    pub helps: bool,
    /// Its values are rates, read and typed as percentages.
    pub rate: bool,
    /// The label of its lever on the workshop page, if the page edits it.
    pub lever: Option<&'static str>,
    /// Whether it is drawn for element `i` of `s` (a key drawn everywhere: always).
    pub drawn: fn(&Scenario, usize) -> bool,
}

/// Declares the once-per-trial keys, in drawing order: the [`Kind`] of each and its
/// [`Declared`] entry, from one line each.
macro_rules! declare_inputs {
    ($(
        $(#[$doc:meta])*
        $kind:ident: $scope:ident . $key:literal, helps $helps:literal, rate $rate:literal
        $(, lever $lever:literal)? $(, drawn $drawn:path)?;
    )*) => {
        /// Which once-per-trial key an input is (of which element: [`InputKey::index`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($(#[$doc])* $kind,)*
        }

        /// Every once-per-trial key, in drawing order.
        pub const DECLARED: &[Declared] = &[$(
            Declared {
                kind: Kind::$kind,
                scope: Scope::$scope,
                key: $key,
                helps: $helps,
                rate: $rate,
                lever: declare_inputs!(@lever $($lever)?),
                drawn: declare_inputs!(@drawn $($drawn)?),
            },
        )*];
    };
    (@lever $lever:literal) => { Some($lever) };
    (@lever) => { None };
    (@drawn $drawn:path) => { $drawn };
    (@drawn) => { always };
}

declare_inputs! {
    /// `company.monthly_churn`.
    Churn: Company."monthly_churn", helps false, rate true;
    /// `company.monthly_expansion`.
    Expansion: Company."monthly_expansion", helps true, rate true;
    /// `demand.leads_per_month`.
    Leads: Demand."leads_per_month", helps true, rate false, lever "Leads a month";
    /// `demand.growth_per_month`.
    Growth: Demand."growth_per_month", helps true, rate true, lever "Lead growth a month";
    /// `demand.lead_to_opportunity`.
    LeadToOpportunity: Demand."lead_to_opportunity", helps true, rate true, lever "Lead to opportunity";
    /// `segments.<name>.win_rate`.
    WinRate: Segments."win_rate", helps true, rate true, lever "Win rate";
    /// `segments.<name>.stall_rate`, only where a segment's deals may stall (a scenario
    /// without stalls keeps its list).
    StallRate: Segments."stall_rate", helps false, rate true, drawn may_stall;
    /// `roles.<id>.annual_attrition`.
    Attrition: Roles."annual_attrition", helps false, rate true, lever "Attrition a year";
    /// `roles.<id>.opportunities_per_month`.
    OpportunitiesPerMonth: Roles."opportunities_per_month", helps true, rate false;
    /// `roles.<id>.meetings_per_month`.
    MeetingsPerMonth: Roles."meetings_per_month", helps true, rate false;
    /// `roles.<id>.meeting_to_opportunity`.
    MeetingToOpportunity: Roles."meeting_to_opportunity", helps true, rate true;
    /// `territories.<name>.opportunity_rate`.
    OpportunityRate: Territories."opportunity_rate", helps true, rate true;
    /// `forecast.bias`.
    ForecastBias: Forecast."bias", helps true, rate true;
    /// `forecast.noise`.
    ForecastNoise: Forecast."noise", helps true, rate false;
}

/// A key drawn for every element.
fn always(_: &Scenario, _: usize) -> bool {
    true
}

/// Whether segment `i`'s deals may stall.
fn may_stall(s: &Scenario, i: usize) -> bool {
    s.segments[i].stall_rate.as_constant() != Some(0.0)
}

/// The distribution of `$key` (an [`InputKey`]) in the scenario `$s`, taken with `$r`
/// (`&` or `&mut`): one match for both.
macro_rules! dist_of {
    ($s:expr, $key:expr, $($r:tt)+) => {{
        let (s, i) = ($s, $key.index);
        match $key.kind {
            Kind::Churn => $($r)+ s.company.monthly_churn,
            Kind::Expansion => $($r)+ s.company.monthly_expansion,
            Kind::Leads => $($r)+ s.demand.leads_per_month,
            Kind::Growth => $($r)+ s.demand.growth_per_month,
            Kind::LeadToOpportunity => $($r)+ s.demand.lead_to_opportunity,
            Kind::WinRate => $($r)+ s.segments[i].win_rate,
            Kind::StallRate => $($r)+ s.segments[i].stall_rate,
            Kind::Attrition => $($r)+ s.roles[i].annual_attrition,
            Kind::OpportunitiesPerMonth => $($r)+ s.roles[i].opportunities_per_month,
            Kind::MeetingsPerMonth => $($r)+ s.roles[i].meetings_per_month,
            Kind::MeetingToOpportunity => $($r)+ s.roles[i].meeting_to_opportunity,
            Kind::OpportunityRate => $($r)+ s.territories[i].opportunity_rate,
            Kind::ForecastBias => $($r)+ s.forecast.bias,
            Kind::ForecastNoise => $($r)+ s.forecast.noise,
        }
    }};
}

impl Kind {
    /// Its declaration.
    pub fn declared(self) -> &'static Declared {
        // `declare_inputs!` writes the kinds and their declarations in one order.
        &DECLARED[self as usize]
    }
}

/// Which once-per-trial key an input is: its kind and, for a key of each segment, role
/// or territory, the element's index (0 for a section's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputKey {
    /// Which key.
    pub kind: Kind,
    /// Of which element.
    pub index: usize,
}

impl InputKey {
    /// The key `kind` of element `index` (0 for a section's key).
    pub fn new(kind: Kind, index: usize) -> InputKey {
        InputKey { kind, index }
    }

    /// The key's distribution in `scenario`.
    pub fn dist(self, s: &Scenario) -> &Dist {
        dist_of!(s, self, &)
    }

    /// The key's distribution in `scenario`, to change it.
    pub fn dist_mut(self, s: &mut Scenario) -> &mut Dist {
        dist_of!(s, self, &mut)
    }

    /// Whether a higher value of the key helps reach the target, for words and charts.
    pub fn helps(self) -> bool {
        self.kind.declared().helps
    }
}

/// A key drawn once per trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Which key.
    pub key: InputKey,
    /// Its key path, e.g. `segments.mid-market.win_rate`.
    pub path: String,
    /// The entity that keys its random stream (a hash of the path).
    pub stream: u64,
}

/// Every once-per-trial key of a scenario, constants included, in drawing order: each
/// declared key ([`DECLARED`]) of each element of its scope where it is drawn.
pub fn list(s: &Scenario) -> Vec<Input> {
    let mut out = Vec::new();
    for d in DECLARED {
        for (i, name) in d.scope.elements(s).into_iter().enumerate() {
            if !(d.drawn)(s, i) {
                continue;
            }
            let path = match name {
                Some(name) => format!("{}.{name}.{}", d.scope.section(), d.key),
                None => format!("{}.{}", d.scope.section(), d.key),
            };
            out.push(Input { key: InputKey::new(d.kind, i), stream: name_key(&path), path });
        }
    }
    out
}

/// The inputs of `s` that are uncertain (not constants): the ones a sensitivity ranks
/// and a correlation may tie.
pub fn uncertain(s: &Scenario) -> Vec<usize> {
    s.inputs.iter().enumerate().filter(|(_, i)| i.key.dist(s).as_constant().is_none()).map(|(k, _)| k).collect()
}

/// `[[correlations]]`: a rank correlation asked between two inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// The two inputs, by index in [`Scenario::inputs`].
    pub between: [usize; 2],
    /// Spearman's rank correlation asked, in (-1, 1).
    pub rank: f64,
}

/// The Gaussian copula of the correlated inputs: each member's standard normal draw
/// (from its own stream) is mixed by the Cholesky factor of the normal correlations
/// `2 sin(pi rho / 6)`, which give rank correlation `rho`; the member's value is then
/// its distribution's quantile at the mixed normal's probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Copula {
    /// The correlated inputs, by index in [`Scenario::inputs`].
    pub members: Vec<usize>,
    /// Lower-triangular Cholesky factor, row-major, `members.len()` squared.
    pub factor: Vec<f64>,
}

/// A `[[correlations]]` element as written, before its keys are resolved.
#[derive(Debug, Clone)]
pub struct WrittenCorrelation {
    /// The two key paths with their places in the file.
    between: Vec<(String, Span)>,
    /// The rank correlation asked.
    rank: f64,
    /// Where the element is, and its key path.
    span: Span,
    path: String,
}

/// Reads `[[correlations]]` as written: `between` (two key paths) and `rank`; their keys
/// are resolved by [`resolve`] once the scenario is built.
pub fn read_correlations(r: &mut Reader, top: &mut Tbl<'_>) -> Option<Vec<WrittenCorrelation>> {
    let mut out = Vec::new();
    let mut ok = true;
    for mut t in r.array_of_tables(top, "correlations") {
        let rank = r.number(&mut t, "rank", -1.0, 1.0);
        if !t.has("rank") {
            r.missing(&t, "rank", "the rank correlation between the two keys, e.g. rank = 0.6");
        }
        if let (Some(v), Some(e)) = (rank, t.entries().iter().find(|e| e.key == "rank"))
            && v.abs() >= 1.0
        {
            {
                r.error(
                    Diagnostic::error(
                        Some(e.node.span),
                        t.key_path("rank"),
                        format!("a rank correlation of {v} makes one key a function of the other"),
                    )
                    .expected("a number strictly between -1 and 1")
                    .help("use 0.99 (or -0.99) for keys that move almost as one"),
                );
                ok = false;
            }
        }
        let mut between = Vec::new();
        match t.entry("between") {
            Some(e) => match &e.node.value {
                Value::Array(items) if items.len() == 2 => {
                    for (i, item) in items.iter().enumerate() {
                        match &item.value {
                            Value::Str(s) => between.push((s.clone(), item.span)),
                            other => {
                                r.error(
                                    Diagnostic::error(
                                        Some(item.span),
                                        format!("{}[{i}]", t.key_path("between")),
                                        format!("expected a key path, found {}", other.type_name()),
                                    )
                                    .expected("key paths in double quotes, e.g. \"demand.leads_per_month\""),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                other => {
                    r.error(
                        Diagnostic::error(
                            Some(e.node.span),
                            t.key_path("between"),
                            format!("expected two key paths, found {}", other.display()),
                        )
                        .expected("an array of two key paths, e.g. between = [\"demand.leads_per_month\", \"segments.smb.win_rate\"]"),
                    );
                    ok = false;
                }
            },
            None => r.missing(
                &t,
                "between",
                "the two keys to correlate, e.g. between = [\"demand.leads_per_month\", \"segments.smb.win_rate\"]",
            ),
        }
        let (span, path) = (t.span, t.path.clone());
        r.finish(t);
        match rank {
            Some(rank) if between.len() == 2 => out.push(WrittenCorrelation { between, rank, span, path }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Resolves the written correlations against the scenario's once-per-trial keys and
/// builds their copula; errors name the key and the keys that may be correlated.
pub fn resolve(
    r: &mut Reader,
    s: &Scenario,
    written: &[WrittenCorrelation],
) -> Option<(Vec<Correlation>, Option<Copula>)> {
    let names: Vec<&str> = s.inputs.iter().map(|i| i.path.as_str()).collect();
    let mut out = Vec::new();
    let mut ok = true;
    for w in written {
        let mut between = [0; 2];
        for (k, (path, span)) in w.between.iter().enumerate() {
            let at = format!("{}.between[{k}]", w.path);
            match reference(r, *span, at.clone(), "once-per-trial key", path, &names) {
                Some(i) if s.inputs[i].key.dist(s).as_constant().is_some() => {
                    r.error(
                        Diagnostic::error(
                            Some(*span),
                            at,
                            format!("`{path}` is a constant, so it cannot be correlated"),
                        )
                        .help("give it a range, e.g. { low = ..., high = ... }, or remove this correlation"),
                    );
                    ok = false;
                }
                Some(i) => between[k] = i,
                None => ok = false,
            }
        }
        if ok && between[0] == between[1] {
            r.error(
                Diagnostic::error(Some(w.span), w.path.clone(), "a key is correlated with itself")
                    .help("name two different keys in between"),
            );
            ok = false;
        }
        if ok
            && out.iter().any(|c: &Correlation| {
                let mut a = c.between;
                a.sort_unstable();
                let mut b = between;
                b.sort_unstable();
                a == b
            })
        {
            r.error(
                Diagnostic::error(Some(w.span), w.path.clone(), "this pair of keys is correlated twice")
                    .help("keep one [[correlations]] entry per pair"),
            );
            ok = false;
        }
        out.push(Correlation { between, rank: w.rank });
    }
    if !ok {
        return None;
    }
    if out.is_empty() {
        return Some((out, None));
    }
    match Copula::new(&out) {
        Some(c) => Some((out, Some(c))),
        None => {
            r.error(
                Diagnostic::error(
                    written.first().map(|w| w.span),
                    "correlations",
                    "these correlations cannot all hold at once (their matrix is not positive definite)",
                )
                .help("weaken some of them: for example a with b and b with c both strongly positive imply a with c positive"),
            );
            None
        }
    }
}

/// The normal (Pearson) correlation whose Gaussian copula has rank correlation `rank`.
pub fn normal_correlation(rank: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rank / 6.0).sin()
}

impl Copula {
    /// The copula of `correlations`, or `None` if their matrix is not positive definite
    /// (the correlations cannot all hold at once).
    pub fn new(correlations: &[Correlation]) -> Option<Copula> {
        let mut members: Vec<usize> = correlations.iter().flat_map(|c| c.between).collect();
        members.sort_unstable();
        members.dedup();
        let n = members.len();
        let at = |input: usize| members.iter().position(|m| *m == input).unwrap_or(0);
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            m[i * n + i] = 1.0;
        }
        for c in correlations {
            let (a, b) = (at(c.between[0]), at(c.between[1]));
            let r = normal_correlation(c.rank);
            m[a * n + b] = r;
            m[b * n + a] = r;
        }
        let factor = cholesky(&m, n)?;
        Some(Copula { members, factor })
    }

    /// Mixes independent standard normals `z` (one per member) into correlated ones.
    pub fn mix(&self, z: &[f64], out: &mut [f64]) {
        let n = self.members.len();
        for (i, o) in out.iter_mut().enumerate().take(n) {
            *o = (0..=i).map(|j| self.factor[i * n + j] * z[j]).sum();
        }
    }
}

/// The lower Cholesky factor of the symmetric `n x n` matrix `m`, or `None` if it is
/// not positive definite.
fn cholesky(m: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = m[i * n + i] - s;
                if !(d > 1e-10) {
                    return None;
                }
                l[i * n + j] = d.sqrt();
            } else {
                l[i * n + j] = (m[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Spearman's rank correlation of two samples (average ranks for ties); NaN when either
/// is constant or they are shorter than two.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    pearson(&rx, &ry)
}

/// Pearson's correlation; NaN when either sample is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return f64::NAN;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx > 0.0 && syy > 0.0 { sxy / (sxx * syy).sqrt() } else { f64::NAN }
}

/// Ranks from 1, ties sharing their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[order[k]] = rank;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_correlation_inverts_the_rank_correlation_of_a_gaussian_copula() {
        // Kruskal (1958): rho_s = (6 / pi) asin(r / 2).
        for rho in [-0.9, -0.3, 0.0, 0.5, 0.7, 0.99] {
            let r = normal_correlation(rho);
            assert!(((6.0 / std::f64::consts::PI) * (r / 2.0).asin() - rho).abs() < 1e-12);
        }
    }

    #[test]
    fn cholesky_reproduces_the_matrix_and_refuses_impossible_ones() {
        let m = [1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0];
        let l = cholesky(&m, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                assert!((v - m[i * 3 + j]).abs() < 1e-12);
            }
        }
        // a with b and b with c strongly positive, a with c strongly negative: impossible.
        let bad = [1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0];
        assert!(cholesky(&bad, 3).is_none());
    }

    #[test]
    fn spearman_uses_average_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 25.0, 100.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }
}
