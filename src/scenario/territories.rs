//! `[[territories]]`: accounts that the closers of one segment cover.

use crate::dist::{Dist, Support};

use super::diag::Diagnostic;
use super::names::{plain_word, reference, unique};
use super::read::{Reader, Tbl};
use super::types::*;

/// Largest number of accounts in one territory.
pub const MAX_ACCOUNTS: u64 = 1_000_000_000;
/// Largest expected number of account opportunities a month in one territory.
pub const MAX_ACCOUNT_OPPS_PER_MONTH: f64 = 1e7;

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
                    stream: crate::hash::name_key(&name),
                    name,
                    segment,
                    accounts,
                    accounts_per_rep: per_rep,
                    opportunity_rate: rate.unwrap_or(Dist::constant(0.0)),
                });
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
