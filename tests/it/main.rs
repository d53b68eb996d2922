//! Integration tests, in one binary: closed-form checks of the model, the organisation
//! around the closers, and the command line.

mod bad;
mod cli;
mod closed_form;
mod model;
mod outputs;
mod props;
