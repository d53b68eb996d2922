//! Integration tests, in one binary: closed-form checks of the model, the organisation
//! around the closers, the command line, bad input, outputs, properties over any input,
//! and scale (sketched quantiles, shards and their merge).
//! Integration tests, in one binary: closed-form checks of the model, the command line,
//! and the charts, report and workbook.

mod bad;
mod cli;
mod closed_form;
mod model;
mod outputs;
mod props;
mod report;
mod scale;
mod whatif_sensitivity;
