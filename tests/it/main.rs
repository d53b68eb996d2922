//! Integration tests, in one binary: closed-form checks of the model, the command line,
//! and scale (sketched quantiles, shards and their merge).

mod cli;
mod closed_form;
mod scale;
