//! `sopsim validate`: check a scenario and report every problem; simulate nothing.

use crate::cli::ValidateArgs;
use crate::error::Error;
use crate::format::visible_path;

/// Runs `sopsim validate`.
pub fn main(args: &ValidateArgs) -> Result<(), Error> {
    let loaded = super::load(&args.file, &args.overrides.set, args.overrides.actuals.as_deref(), false)?;
    let s = &loaded.scenario;
    println!(
        "{}: valid ({} months from {}, {}, {}, {})",
        visible_path(&args.file),
        s.months,
        s.start,
        counted(s.segments.len(), "segment"),
        counted(s.roles.len(), "role"),
        counted(loaded.warnings.len(), "warning")
    );
    Ok(())
}

/// `n` of `noun`, plural but for one: `1 segment`, `0 roles`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
