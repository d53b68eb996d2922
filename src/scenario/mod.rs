//! The scenario: reading a TOML file into a validated [`Scenario`].
//!
//! `tree` parses the text keeping spans, `read` offers typed getters that collect every
//! problem, `names` resolves references between sections, and `load` runs the pipeline;
//! `key_path` names a key as `--set`, `--vary` and the what-ifs write it;
//! `plausible` warns of valid values that are likely not what was meant.
//! One file per section of docs/MODEL.md 4 holds its schema: which keys exist, their
//! ranges, defaults and sampling levels, and the references to other sections
//! (`company`, `target`, `segments`, `demand`, `roles`, `territories`, `comp_plans`,
//! `stages`, `forecast`, `inputs` for correlations, `pipeline`, `actuals`; `skill` for
//! a role's skill). The validated types are in `types`. A [`Scenario`] is only built
//! when no error was found, so the engine never sees a bad value.

pub mod actuals;
mod comp_plans;
mod company;
mod demand;
pub mod diag;
mod forecast;
pub mod inputs;
pub mod key_path;
mod load;
mod names;
pub mod pipeline;
mod plausible;
mod read;
mod read_dist;
mod roles;
mod segments;
pub mod skill;
mod stages;
mod target;
mod territories;
pub mod tree;
mod types;

pub use key_path::{KeyPath, Override};
pub use load::{LoadError, Loaded, load_file, load_str, load_tree};
pub use types::*;

#[cfg(test)]
mod tests;
