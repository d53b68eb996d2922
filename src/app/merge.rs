//! `sopsim merge`: the partial files of every shard of a run into the run's outputs.

use std::path::Path;

use crate::cli::MergeArgs;
use crate::engine;
use crate::error::Error;
use crate::report::Formats;
use crate::runner::RunResults;
use crate::scenario;
use crate::shard::{self, Partial};

use super::run::{Out, write_results};

/// Reads and checks every part, merges them and writes the whole run's outputs.
pub fn main(args: MergeArgs) -> Result<(), Error> {
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {name}: {e}")))?;
        let part = Partial::decode(&bytes).map_err(|damage| shard::Error::Damaged { file: name.clone(), damage })?;
        parts.push((name, part));
    }
    let merged = shard::merge(parts)?;
    let source = &merged.header.scenario;
    let loaded = scenario::load_str(&source.text, &source.file, &source.overrides)
        .map_err(|e| Error::Input(format!("the scenario stored in the parts no longer loads:\n{}", e.render())))?;
    let scenario = &loaded.scenario;
    let layout = engine::metrics::Layout::new(scenario);
    let h = &merged.header;
    if (&layout.names, &layout.scalars, layout.months) != (&h.layout.names, &h.layout.scalars, h.layout.months) {
        return Err(Error::Input(format!(
            "the parts' metrics do not match those of their scenario in this sopsim ({}); merge with the \
             version that wrote them",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let (trials, seed) = (h.trials, h.seed);
    let results = RunResults::from_aggregate(
        layout,
        merged.aggregate,
        trials,
        seed,
        merged.threads,
        merged.elapsed_seconds,
        scenario.target.is_some(),
    );
    // Without --out, the folder of the scenario the parts were run from.
    let out_dir = args.out.unwrap_or_else(|| super::default_out_dir(Path::new(&source.file)));
    let out = Out { dir: &out_dir, force: args.force, quiet: args.quiet };
    write_results(&loaded, &source.file, &results, &out, Formats::ALL, 0)
}
