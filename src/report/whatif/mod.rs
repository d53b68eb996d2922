//! The files and terminal text of the what-if commands (`plan`, `sweep`, `compare`,
//! `sensitivity`): their CSV tables, charts and summaries, made from the result structs
//! of [`crate::whatif`]. The files are written by `app` through the one atomic writer,
//! [`crate::report::write_outputs`].

pub mod compare;
pub mod plan;
pub mod sensitivity;
pub mod sweep;

use crate::scenario::Scenario;

/// Probabilities `p` plus and minus two standard errors `se`, kept within [0, 1]: the
/// band (or whiskers) drawn around P(hit).
pub fn two_se(p: &[f64], se: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let low = p.iter().zip(se).map(|(p, s)| (p - 2.0 * s).max(0.0)).collect();
    let high = p.iter().zip(se).map(|(p, s)| (p + 2.0 * s).min(1.0)).collect();
    (low, high)
}

/// The source line of a what-if chart.
pub fn source_line(scenario: &Scenario, trials: u64, seed: u64) -> String {
    format!(
        "sopsim {} · {} · {} trials · seed {}",
        env!("CARGO_PKG_VERSION"),
        scenario.name,
        crate::format::count(trials as f64),
        seed
    )
}
