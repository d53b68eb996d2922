//! `sopsim validate`: check a scenario and report every problem; simulate nothing.

use crate::cli::ValidateArgs;
use crate::error::Error;
use crate::format::visible_path;

/// Runs `sopsim validate`.
pub fn main(args: &ValidateArgs) -> Result<(), Error> {
    let loaded = super::load(&args.file, &args.overrides.set, args.overrides.actuals.as_deref(), false)?;
    let s = &loaded.scenario;
    println!(
        "{}: valid ({} months from {}, {} segments, {} roles, {} warnings)",
        visible_path(&args.file),
        s.months,
        s.start,
        s.segments.len(),
        s.roles.len(),
        loaded.warnings.len()
    );
    Ok(())
}
