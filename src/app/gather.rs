//! `sopsim gather`: fit a scenario from a CRM export, check that it loads, write it.

use std::path::Path;

use crate::cli::{ExportArgs, GatherArgs};
use crate::error::Error;
use crate::format::visible_lines;
use crate::gather::{self, read::ColumnRole, read::ReadOptions};
use crate::message::Message;
use crate::report;
use crate::scenario;

/// The first line of every scenario `gather` writes, by which it knows its own files.
const GATHERED: &str = "# Gathered by `sopsim gather`";

/// Whether `gather --out` may write `path`: nothing there, or a scenario it gathered
/// before; a link, a folder and (without `force`) any other file are refused.
pub fn out_check(path: &Path, force: bool) -> Result<(), Error> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    let refuse = |why: &str, help: &str| {
        let m = Message::new(format!("--out {} {why}", path.display())).help(format!("{help}; nothing was written"));
        Err(Error::Input(m.to_string()))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link; sopsim writes a new file there", "give the path of the file itself");
    }
    if !meta.is_file() {
        return refuse("is not a file", "give the path of a .toml file");
    }
    let ours = std::fs::read(path).is_ok_and(|b| b.starts_with(GATHERED.as_bytes()));
    if ours || force {
        return Ok(());
    }
    refuse("exists and was not written by `sopsim gather`", "choose another file, or add --force to replace it")
}

/// Runs `sopsim gather`.
pub fn main(args: &GatherArgs) -> Result<(), Error> {
    let read = read_options(&args.export)?;
    let as_of = args.as_of.as_deref().map(|text| date_arg("--as-of", text)).transpose()?;
    let (file, bytes) = read_export(&args.export.export)?;
    let options =
        gather::Options { read, as_of, months: args.months, fiscal_year_start: fiscal_year_start(&args.export) };
    let gathered = gather::gather(&file, &bytes, &options)?;
    let name = args.out.as_ref().map_or("gathered.toml".to_string(), |p| p.display().to_string());
    if let Err(e) = scenario::load_str(&gathered.toml, &name, &[]) {
        return Err(Error::Run(format!(
            "the gathered scenario does not load, which is a fault of sopsim gather:\n{}",
            e.render()
        )));
    }
    if !args.quiet {
        for line in gathered.warnings.iter().chain(&gathered.summary) {
            eprintln!("{}", visible_lines(line));
        }
    }
    match &args.out {
        Some(path) => {
            out_check(path, args.force)?;
            report::write_file(path, gathered.toml.as_bytes())?;
            if !args.quiet {
                eprintln!(
                    "wrote {} (as of {}); run it with `sopsim run {}`",
                    path.display(),
                    gathered.as_of,
                    path.display()
                );
            }
        }
        None => print!("{}", gathered.toml),
    }
    Ok(())
}

/// How to read an export, from the command line.
pub fn read_options(args: &ExportArgs) -> Result<ReadOptions, Error> {
    let mut maps = Vec::new();
    for m in &args.maps {
        let Some((column, role)) = m.rsplit_once('=') else {
            return Err(Error::Input(format!("--map {m}: expected COLUMN=ROLE, e.g. --map \"Closing Date=close\"")));
        };
        let Some(role) = ColumnRole::parse(role) else {
            return Err(Error::Input(format!(
                "--map {m}: `{role}` is not a role; expected one of id, owner, stage, created, close, amount, segment"
            )));
        };
        maps.push((column.to_string(), role));
    }
    if let Some(column) = &args.segment_by {
        maps.push((column.clone(), ColumnRole::Segment));
    }
    let date_order = match &args.date_format {
        Some(text) => Some(gather::date::Order::parse(text).ok_or_else(|| {
            Error::Input(format!(
                "--date-format {text}: expected DMY (day first, 13/2/2017), MDY (month first, 2/13/2017) or YMD"
            ))
        })?),
        None => None,
    };
    Ok(ReadOptions {
        maps,
        won: args.won.clone(),
        lost: args.lost.clone(),
        open: args.open.clone(),
        date_order,
        sheet: args.sheet.clone(),
    })
}

/// The month the fiscal year starts in as the library takes it (0: January), from
/// `--fiscal-year-start` (1: January).
pub fn fiscal_year_start(args: &ExportArgs) -> Option<u32> {
    args.fiscal_year_start.map(|m| m.saturating_sub(1))
}

/// A date given on the command line (`--as-of`, `--cutoff`), written YYYY-MM-DD.
pub fn date_arg(flag: &str, text: &str) -> Result<gather::date::Date, Error> {
    gather::date::parse(text).ok_or_else(|| Error::Input(format!("{flag} {text}: expected a date written YYYY-MM-DD")))
}

/// The export's name as given and its bytes.
pub fn read_export(path: &Path) -> Result<(String, Vec<u8>), Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {file}: {e}")))?;
    Ok((file, bytes))
}
