//! `monthly.csv`: every metric and month with its mean and quantiles, long format.

use super::Error;
use crate::runner::RunResults;
use crate::scenario::Scenario;

/// The header, exactly as the contract states it.
pub const HEADER: [&str; 10] = ["metric", "month", "mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95"];

/// The bytes of `monthly.csv`. Numbers are written in their shortest exact form; a cell
/// no trial had a value for (a win rate with no closed deal) has empty fields.
pub fn monthly(scenario: &Scenario, results: &RunResults) -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::Csv { file: None, reason: e.to_string() };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(|e| fail(&e))?;
    let months = results.layout.months;
    for (m, name) in results.layout.names.iter().enumerate() {
        for t in 0..months {
            let month = scenario.start.offset(t as i64).to_string();
            let mut row = vec![name.clone(), month];
            match &results.cells[m * months + t] {
                Some(s) => {
                    row.push(number(s.mean));
                    row.extend(s.quantiles.iter().map(|q| number(*q)));
                }
                None => row.extend(std::iter::repeat_n(String::new(), 8)),
            }
            w.write_record(&row).map_err(|e| fail(&e))?;
        }
    }
    w.into_inner().map_err(|e| fail(&e))
}

/// A CSV file `name` from a header and rows of cells.
pub fn table(name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<super::OutputFile, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::Csv { file: Some(name.to_string()), reason: e.to_string() };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(|e| fail(&e))?;
    for row in rows {
        w.write_record(row).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    Ok(super::OutputFile { name: name.to_string(), bytes })
}

/// A finite number in its shortest round-trip form; `-0` is written `0`.
pub fn number(v: f64) -> String {
    if v == 0.0 { "0".to_string() } else { v.to_string() }
}
