//! sopsim: a sales & operations planning simulator.
//!
//! The pipeline, in five lines:
//! 1. [`scenario`] reads a TOML file (plus `--set` overrides) into a validated [`scenario::Scenario`];
//! 2. [`runner`] runs its trials in parallel, each one [`engine::run_trial`];
//! 3. a trial plays the months through gather, demand, supply and reconcile;
//! 4. [`stats`] aggregates every metric and month into means and quantiles;
//! 5. [`report`] turns the results into `monthly.csv`, `summary.json`, charts, `report.html`,
//!    `report.xlsx` and a terminal summary.
//!
//! A blank page starts from [`init`]: a commented scenario with typical figures for a
//! company's stage. A run can also be cut into [`shard`]s whose partial files merge into
//! the same results, and [`serve`] puts a scenario's levers on a local web page for a
//! workshop.
//!
//! Above them, [`app`] holds one file per command: it resolves the command line
//! ([`cli`]) into a configuration, calls the library (the what-if analyses in
//! [`whatif`], [`gather`] for CRM exports) and hands the results to [`report`];
//! failures are an [`error::Error`], whose code is the exit code. The layers below it
//! have errors of their own ([`gather::Error`], [`shard::Error`], [`whatif::Error`],
//! [`serve::Error`], [`init::Error`]), each rendered through [`message`].

#![deny(missing_docs)]
// `!(a < b)` is meant: it is also true when a value is NaN, which must be refused.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod app;
pub mod cli;
pub mod dist;
pub mod engine;
pub mod error;
pub mod format;
pub mod gather;
pub mod hash;
pub mod init;
pub mod message;
pub mod month;
pub mod numbers;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod stats;
pub mod whatif;

pub use error::Error;
