//! Integration tests, in one binary: closed-form checks of the model and the command line.

mod cli;
mod closed_form;
