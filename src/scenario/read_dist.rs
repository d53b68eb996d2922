//! Reading a distribution where a scenario key takes one: a number (a constant), a
//! `{ low, high }` 90% interval, or a named distribution with its parameters
//! (`{ dist = "lognormal", median = ..., p90 = ... }`), each checked against the key's
//! support and range with the same diagnostics as every other value ([`Reader`]).

use crate::dist::{Dist, NAMED, Support};
use crate::numbers::{interval_percent_help, percent_help};

use super::diag::{Diagnostic, Span};
use super::read::{Reader, Tbl, as_fraction, number_of, type_mismatch};
use super::tree::{Node, Value};

impl Reader {
    /// An uncertain number: a constant, a `{ low, high }` 90% interval or a named
    /// distribution, with values in `support` and at most `max`.
    pub fn dist(&mut self, t: &mut Tbl<'_>, key: &'static str, support: Support, max: f64) -> Option<Dist> {
        let e = t.entry(key)?;
        self.dist_node(&e.node, t.key_path(key), support, max)
    }

    /// A node holding an uncertain number.
    pub fn dist_node(&mut self, node: &Node, path: String, support: Support, max: f64) -> Option<Dist> {
        let lo = match support {
            Support::Real => -max,
            _ => 0.0,
        };
        let hi = match support {
            Support::Unit => 1.0,
            _ => max,
        };
        match &node.value {
            Value::Int(_) | Value::Float(_) => self.value_node(node, path, lo, hi, support).map(Dist::constant),
            Value::Table(_) => {
                let mut t = Tbl::of(self, node, path.clone())?;
                let result = if t.has("dist") {
                    self.named_dist(&mut t, support, lo, hi)
                } else if t.has("low") || t.has("high") {
                    let (low, high) = if support == Support::Unit {
                        // `{ low = 14, high = 24 }` is answered as a whole.
                        let fix = interval_as_fractions(&t);
                        (
                            self.rate_fixed(&mut t, "low", fix.as_deref()),
                            self.rate_fixed(&mut t, "high", fix.as_deref()),
                        )
                    } else {
                        (self.number(&mut t, "low", lo, hi), self.number(&mut t, "high", lo, hi))
                    };
                    match (low, high) {
                        (Some(low), Some(high)) => self.built(Dist::interval(low, high, support), &t, node.span),
                        (None, _) if !t.has("low") => {
                            self.missing(&t, "low", "the 5th percentile of a 90% interval");
                            None
                        }
                        (_, None) if !t.has("high") => {
                            self.missing(&t, "high", "the 95th percentile of a 90% interval");
                            None
                        }
                        _ => None,
                    }
                } else {
                    self.error(
                        Diagnostic::error(
                            Some(node.span),
                            path.clone(),
                            "an uncertain value needs `low` and `high`, or `dist`",
                        )
                        .expected("a number, { low = a, high = b } (a 90% interval) or { dist = \"lognormal\", ... }"),
                    );
                    t.known.extend(["low", "high", "dist"]);
                    None
                };
                self.finish(t);
                result
            }
            _ => {
                let d = type_mismatch(node, path, "a number, { low = a, high = b } or { dist = \"...\", ... }");
                self.error(if support == Support::Unit { as_fraction(d, node, None) } else { d });
                None
            }
        }
    }

    fn named_dist(&mut self, t: &mut Tbl<'_>, support: Support, lo: f64, hi: f64) -> Option<Dist> {
        let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
        let (name, name_span) = self.string(t, "dist")?;
        let Some((_, param_sets)) = NAMED.iter().find(|(n, _)| *n == name) else {
            let mut d =
                Diagnostic::error(Some(name_span), t.key_path("dist"), format!("unknown distribution `{name}`"))
                    .expected(format!("one of: {}", names.join(", ")));
            d = d.suggest(&name, names.iter().copied());
            self.error(d);
            // Keep the parameters quiet: the name is the problem.
            t.known.extend(["mean", "sd", "median", "p90", "min", "mode", "max", "alpha", "beta"]);
            return None;
        };
        if name == "empirical" {
            let Some((values, _)) = self.values(t, "values", lo, hi, support) else {
                if !t.has("values") {
                    self.missing(t, "values", "the values seen, e.g. values = [1.5, 2, 3.5, 8]");
                }
                return None;
            };
            return self.built(Dist::empirical(&values, support), t, t.span);
        }
        if name == "discrete" {
            let values = self.values(t, "values", lo, hi, support);
            let weights = self.values(t, "weights", 0.0, f64::MAX, Support::NonNegative);
            if !t.has("values") {
                self.missing(t, "values", "the values it takes, e.g. values = [0, 1, 2, 3]");
            }
            if !t.has("weights") {
                self.missing(t, "weights", "the chance of each value, e.g. weights = [0.4, 0.3, 0.2, 0.1]");
            }
            let ((values, _), (weights, _)) = (values?, weights?);
            return self.built(Dist::discrete(&values, &weights, support), t, t.span);
        }
        let mut values: Vec<(&'static str, f64)> = Vec::new();
        let mut all_read = true;
        for set in *param_sets {
            for p in *set {
                if t.has(p) && !values.iter().any(|(q, _)| q == p) {
                    // Parameters such as sd or p90 may exceed the key's range; only
                    // finiteness and sign are checked here, the distribution checks the rest.
                    let lo_p = if support == Support::Real || *p == "mean" || *p == "mode" { lo } else { 0.0 };
                    let hi_p = if matches!(*p, "sd" | "alpha" | "beta" | "p90") { f64::MAX } else { hi };
                    match self.value(t, p, lo_p, hi_p, support) {
                        Some(v) => values.push((p, v)),
                        None => all_read = false,
                    }
                } else {
                    t.known.push(p);
                }
            }
        }
        if !all_read {
            return None;
        }
        let get = |p: &str| values.iter().find(|(q, _)| *q == p).map(|(_, v)| *v);
        let built = Dist::named(&name, &get, support);
        if let Err(e) = &built
            && e.param.is_none()
            && e.message.contains("needs the parameter")
        {
            let sets: Vec<String> = param_sets.iter().map(|s| s.join(", ")).collect();
            self.error(
                Diagnostic::error(Some(t.span), t.path.clone(), e.message.clone())
                    .expected(format!("`{name}` takes {}", sets.join(" or "))),
            );
            return None;
        }
        self.built(built, t, t.span)
    }

    fn built(&mut self, built: Result<Dist, crate::dist::DistError>, t: &Tbl<'_>, span: Span) -> Option<Dist> {
        match built {
            Ok(d) => Some(d),
            Err(e) => {
                let (span, path) = match e.param.and_then(|p| t.entries.iter().find(|x| x.key == p)) {
                    Some(entry) => (entry.node.span, t.key_path(&entry.key)),
                    None => (span, t.path.clone()),
                };
                self.error(Diagnostic::error(Some(span), path, e.message));
                None
            }
        }
    }

    /// An array of exactly three uncertain numbers, one for each month of the fiscal
    /// quarter (`quarter_cycle_months`).
    pub fn dists3(&mut self, t: &mut Tbl<'_>, key: &'static str, support: Support, max: f64) -> Option<[Dist; 3]> {
        let e = t.entry(key)?;
        let expected = "three distributions, for deals worked in the first, second and third month of the quarter, \
             e.g. [{ low = 1, high = 3 }, { low = 1, high = 4 }, { low = 0.5, high = 2 }]";
        let Value::Array(items) = &e.node.value else {
            self.type_error(&e.node, t.key_path(key), expected);
            return None;
        };
        let path = t.key_path(key);
        if items.len() != 3 {
            self.error(
                Diagnostic::error(Some(e.node.span), path, format!("{key} has {} items", items.len()))
                    .expected(expected.to_string()),
            );
            return None;
        }
        let d: Vec<Option<Dist>> =
            items.iter().enumerate().map(|(i, n)| self.dist_node(n, format!("{path}[{i}]"), support, max)).collect();
        match <[Option<Dist>; 3]>::try_from(d) {
            Ok([Some(a), Some(b), Some(c)]) => Some([a, b, c]),
            _ => None,
        }
    }
}

/// The help for an interval of a rate whose ends are both percentages:
/// `{ low = 14, high = 24 }` -> "did you mean { low = 0.14, high = 0.24 } (14% to 24%)?".
fn interval_as_fractions(t: &Tbl<'_>) -> Option<String> {
    let end = |key: &str| {
        let e = t.entries.iter().find(|e| e.key == key)?;
        number_of(&e.node).filter(|v| percent_help(*v).is_some())
    };
    Some(interval_percent_help(end("low")?, end("high")?))
}
