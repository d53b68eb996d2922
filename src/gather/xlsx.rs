//! XLSX exports (Salesforce's formatted reports, HubSpot's exports): the first sheet,
//! or the one named with `--sheet`, read with calamine and handed to the CSV reader as
//! one line per sheet row, so that a row's line is its row number in the spreadsheet.
//!
//! Cells become text as a CSV export would write them: a date as Excel stores it (a
//! serial day, whatever its display format) becomes `YYYY-MM-DD`, a number its shortest
//! decimal form, a line break inside a cell a space.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::Error;

/// Whether `bytes` are a ZIP archive, as every XLSX file is.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The sheet `sheet` (default: the first) of the XLSX `bytes` of `file`, as CSV.
pub fn to_csv(file: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Vec<u8>, Error> {
    let file_name = || file.to_string();
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| Error::NotXlsx { file: file_name(), reason: e.to_string() })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s || n.trim().eq_ignore_ascii_case(s.trim()))
            .cloned()
            .ok_or_else(|| Error::UnknownSheet { file: file_name(), sheet: s.to_string(), sheets: names.clone() })?,
        None => names.first().cloned().ok_or_else(|| Error::NoSheet { file: file_name() })?,
    };
    let range = book.worksheet_range(&name).map_err(|e| Error::UnreadableSheet {
        file: file_name(),
        sheet: name.clone(),
        reason: e.to_string(),
    })?;
    let unwritten = |reason: String| Error::SheetToCsv { file: file_name(), reason };
    let mut out = Vec::with_capacity(bytes.len() * 2);
    // Rows above the used range are blank lines, so that line numbers are row numbers.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    out.extend(std::iter::repeat_n(b'\n', first_row as usize));
    {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        for row in range.rows() {
            let mut fields: Vec<String> = vec![String::new(); first_col as usize];
            fields.extend(row.iter().map(cell));
            if fields.iter().all(String::is_empty) {
                // A blank row: one blank field (the CSV reader skips it).
                writer.write_record([""]).map_err(|e| unwritten(e.to_string()))?;
                continue;
            }
            writer.write_record(&fields).map_err(|e| unwritten(e.to_string()))?;
        }
        writer.flush().map_err(|e| unwritten(e.to_string()))?;
    }
    Ok(out)
}

/// A cell as a CSV export writes it.
fn cell(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.replace(['\r', '\n'], " "),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
