//! Integration tests, in one binary: closed-form checks of the model, the command line,
//! and the charts, report and workbook.

mod cli;
mod closed_form;
mod report;
