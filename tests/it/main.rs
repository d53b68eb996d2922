//! Integration tests, in one binary: closed-form checks of the model, the organisation
//! around the closers, the command line and the scenarios `init` writes, bad input,
//! outputs, the charts, report and workbook, properties over any input, scale (sketched
//! quantiles, shards and their merge), the what-if commands and the workshop server.

mod actuals;
mod bad;
mod bounds;
mod cli;
mod closed_form;
mod common_numbers;
mod correlations;
mod forecast;
mod gather;
mod gather_crm;
mod gather_fiscal;
mod gather_fuzz;
mod hires;
mod init;
mod labels;
mod model;
mod names;
mod outputs;
mod pinned;
mod pipeline;
mod props;
mod report;
mod resolution;
mod scale;
mod serve;
mod skill;
mod whatif_plan;
mod whatif_sensitivity;
mod whatif_sweep;
mod workbook;
