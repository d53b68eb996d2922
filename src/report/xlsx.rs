//! `report.xlsx`: the run as a workbook finance can build on. Sheets: Summary (the
//! answer, the target, the headline spread and the run), Monthly P50 / P10 / P90 /
//! mean (metrics as rows, months as columns), Hiring plan (by role and month) and
//! Inputs (the scenario as read). Numbers are numbers, with currency, percent and
//! date formats; months are dates. The file's creation date is the run's first month,
//! so the same seed gives the same bytes.

use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

use crate::engine::metrics;
use crate::format::visible;
use crate::month::YearMonth;
use crate::runner::RunResults;
use crate::stats::Stats;

use super::Run;
use super::charts::build::suffixes;
use super::charts::spec::Unit;
use super::inputs;

/// The workbook's unit of a metric: the metric table's ([`metrics::unit_of`]).
pub fn unit_of(metric: &str) -> Unit {
    match metrics::unit_of(metric) {
        metrics::Unit::Money => Unit::Money,
        metrics::Unit::Share => Unit::Percent,
        metrics::Unit::Count => Unit::Count,
    }
}

/// A statistic read from a cell's [`Stats`] (the P50, the mean, ...).
type Statistic = fn(&Stats) -> f64;

/// The cell formats of the workbook.
struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    money: Format,
    percent: Format,
    count: Format,
    month: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new().set_bold().set_background_color(0xE8EEF4).set_border_bottom(FormatBorder::Thin),
            money: Format::new().set_num_format("$#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0.0"),
            month: Format::new().set_num_format("mmm yyyy").set_bold().set_background_color(0xE8EEF4),
        }
    }

    fn of(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Money => &self.money,
            Unit::Percent => &self.percent,
            Unit::Count => &self.count,
        }
    }
}

fn fail(e: XlsxError) -> String {
    format!("cannot build report.xlsx: {e}")
}

fn date(m: YearMonth) -> Result<ExcelDateTime, String> {
    let year = u16::try_from(m.year()).map_err(|_| format!("cannot write the year {} in report.xlsx", m.year()))?;
    ExcelDateTime::from_ymd(year, m.month() as u8, 1).map_err(fail)
}

/// Writes `v` when it is a finite number; a missing value stays an empty cell.
fn number(ws: &mut Worksheet, row: RowNum, col: ColNum, v: f64, format: &Format) -> Result<(), String> {
    if v.is_finite() {
        ws.write_number_with_format(row, col, v, format).map_err(fail)?;
    }
    Ok(())
}

/// Writes text, its control and bidirectional characters shown as escapes ([`visible`]),
/// as the page and the terminal show them. (The writer would store a control character
/// as `_x001B_`, which Excel turns back into the character, and a bidirectional one as
/// it is.) Every string cell of the workbook is written through here or [`styled`].
fn text(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str) -> Result<(), String> {
    ws.write_string(row, col, visible(s)).map_err(fail).map(|_| ())
}

fn styled(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str, format: &Format) -> Result<(), String> {
    ws.write_string_with_format(row, col, visible(s), format).map_err(fail).map(|_| ())
}

/// The bytes of `report.xlsx`.
pub fn workbook(run: &Run) -> Result<Vec<u8>, String> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let created = date(run.scenario.start)?;
    let title = visible(&run.scenario.name);
    wb.set_properties(&DocProperties::new().set_title(title.as_ref()).set_creation_datetime(&created));
    summary(wb.add_worksheet(), run, &f)?;
    let statistics: [(&str, Statistic); 4] = [
        ("Monthly P50", Stats::p50),
        ("Monthly P10", |s| s.at(0.10)),
        ("Monthly P90", |s| s.at(0.90)),
        ("Monthly mean", |s| s.mean),
    ];
    for (name, stat) in statistics {
        monthly(wb.add_worksheet(), name, run, stat, &f)?;
    }
    hiring(wb.add_worksheet(), run, &f)?;
    inputs_sheet(wb.add_worksheet(), run, &f)?;
    wb.save_to_buffer().map_err(fail)
}

/// The month header of a sheet: `label` in column 0, then one date per month.
fn month_header(ws: &mut Worksheet, run: &Run, label: &str, f: &Formats) -> Result<ColNum, String> {
    styled(ws, 0, 0, label, &f.header)?;
    for t in 0..run.results.layout.months {
        let col = month_col(t)?;
        ws.write_datetime_with_format(0, col, date(run.scenario.start.offset(t as i64))?, &f.month).map_err(fail)?;
        ws.set_column_width(col, 11).map_err(fail)?;
    }
    ws.set_column_width(0, 32).map_err(fail)?;
    ws.set_freeze_panes(1, 1).map_err(fail)?;
    month_col(run.results.layout.months)
}

fn month_col(t: usize) -> Result<ColNum, String> {
    ColNum::try_from(t + 1).map_err(|_| "too many months for a worksheet".to_string())
}

fn row_num(r: usize) -> Result<RowNum, String> {
    RowNum::try_from(r).map_err(|_| "too many rows for a worksheet".to_string())
}

fn monthly(ws: &mut Worksheet, name: &str, run: &Run, stat: Statistic, f: &Formats) -> Result<(), String> {
    ws.set_name(name).map_err(fail)?;
    month_header(ws, run, "Metric", f)?;
    let r = run.results;
    for (m, metric) in r.layout.names.iter().enumerate() {
        let row = row_num(m + 1)?;
        text(ws, row, 0, metric)?;
        let format = f.of(unit_of(metric));
        for t in 0..r.layout.months {
            if let Some(s) = r.get(metric, t) {
                number(ws, row, month_col(t)?, stat(s), format)?;
            }
        }
    }
    Ok(())
}

fn hiring(ws: &mut Worksheet, run: &Run, f: &Formats) -> Result<(), String> {
    ws.set_name("Hiring plan").map_err(fail)?;
    let totals = month_header(ws, run, "Role", f)?;
    for (i, head) in ["Total (mean)", "Total P10", "Total P50", "Total P90"].iter().enumerate() {
        styled(ws, 0, totals + i as ColNum, head, &f.header)?;
        ws.set_column_width(totals + i as ColNum, 13).map_err(fail)?;
    }
    let r = run.results;
    let roles = suffixes(&r.layout.names, "hires");
    let blocks: [(&str, &str, Statistic, bool); 4] = [
        ("Hires a month (mean: planned starts and backfills)", "hires", |s| s.mean, true),
        ("Departures a month (mean)", "departures", |s| s.mean, true),
        ("Headcount (P50)", "headcount", Stats::p50, false),
        ("Open requisitions at month end (mean)", "open_reqs", |s| s.mean, false),
    ];
    let mut row = 1usize;
    for (title, prefix, stat, with_totals) in blocks {
        row += 1;
        styled(ws, row_num(row)?, 0, title, &f.bold)?;
        row += 1;
        for role in &roles {
            let metric = format!("{prefix}.{role}");
            let rn = row_num(row)?;
            text(ws, rn, 0, role)?;
            for t in 0..r.layout.months {
                if let Some(s) = r.get(&metric, t) {
                    number(ws, rn, month_col(t)?, stat(s), &f.count)?;
                }
            }
            if with_totals && let Some(s) = r.total(&metric) {
                for (i, v) in [s.mean, s.at(0.10), s.p50(), s.at(0.90)].into_iter().enumerate() {
                    number(ws, rn, totals + i as ColNum, v, &f.count)?;
                }
            }
            row += 1;
        }
    }
    Ok(())
}

/// One headline row: a label and P10, P50, P90 and mean in `unit`.
fn headline(
    ws: &mut Worksheet,
    row: RowNum,
    label: &str,
    s: Option<&Stats>,
    unit: Unit,
    f: &Formats,
) -> Result<(), String> {
    text(ws, row, 0, label)?;
    if let Some(s) = s {
        for (i, v) in [s.at(0.10), s.p50(), s.at(0.90), s.mean].into_iter().enumerate() {
            number(ws, row, 1 + i as ColNum, v, f.of(unit))?;
        }
    }
    Ok(())
}

fn summary(ws: &mut Worksheet, run: &Run, f: &Formats) -> Result<(), String> {
    let (s, r) = (run.scenario, run.results);
    ws.set_name("Summary").map_err(fail)?;
    ws.set_column_width(0, 44).map_err(fail)?;
    for c in 1..=4 {
        ws.set_column_width(c, 14).map_err(fail)?;
    }
    let last = r.layout.months.saturating_sub(1);
    let label = |t: usize| s.start.offset(t as i64).short_label();
    styled(ws, 0, 0, &s.name, &f.title)?;
    text(ws, 1, 0, &super::html::answer(run))?;
    let mut row: RowNum = 3;
    if let (Some(t), Some(hit)) = (&s.target, &r.target) {
        styled(ws, row, 0, "Target", &f.header)?;
        styled(ws, row, 1, "", &f.header)?;
        let lines: [(&str, f64, &Format); 4] = [
            ("Target ARR", t.arr, &f.money),
            ("Confidence asked", t.confidence, &f.percent),
            ("P(hit)", hit.p_hit, &f.percent),
            ("P(hit) standard error", hit.standard_error, &f.percent),
        ];
        text(ws, row + 1, 0, "Target month")?;
        ws.write_datetime_with_format(row + 1, 1, date(s.start.offset(t.month as i64))?, &f.month).map_err(fail)?;
        row += 2;
        for (name, v, format) in lines {
            text(ws, row, 0, name)?;
            number(ws, row, 1, v, format)?;
            row += 1;
        }
        row += 1;
    }
    for (i, head) in ["Headline", "P10", "P50", "P90", "Mean"].iter().enumerate() {
        styled(ws, row, i as ColNum, head, &f.header)?;
    }
    row += 1;
    let mut lines: Vec<(String, Option<&Stats>, Unit)> = Vec::new();
    if let Some(t) = s.target.as_ref().filter(|t| t.month != last) {
        lines.push((format!("ARR, {} (target month)", label(t.month)), r.get("arr", t.month), Unit::Money));
    }
    lines.push((format!("ARR, {}", label(last)), r.get("arr", last), Unit::Money));
    lines.push(("New bookings over the horizon".into(), r.total("bookings"), Unit::Money));
    for (name, what, unit) in [
        ("bookings.open_pipeline", "Of which from the open pipeline", Unit::Money),
        ("comp_cost", "Compensation cost over the horizon", Unit::Money),
        ("cost_of_sales", "Cost of sales (compensation / new bookings)", Unit::Percent),
        ("opportunities.lost", "Opportunities lost over the horizon", Unit::Count),
    ] {
        if let Some(st) = r.total(name) {
            lines.push((what.into(), Some(st), unit));
        }
    }
    for role in suffixes(&r.layout.names, "hires") {
        lines.push((format!("Hires, {role}"), r.total(&format!("hires.{role}")), Unit::Count));
        lines.push((
            format!("Headcount, {role}, {}", label(last)),
            r.get(&format!("headcount.{role}"), last),
            Unit::Count,
        ));
    }
    for (name, st, unit) in &lines {
        headline(ws, row, name, *st, *unit, f)?;
        row += 1;
    }
    row += 1;
    styled(ws, row, 0, "Run", &f.header)?;
    styled(ws, row, 1, "", &f.header)?;
    row += 1;
    run_facts(ws, row, run, r, f)
}

fn run_facts(ws: &mut Worksheet, row: RowNum, run: &Run, r: &RunResults, f: &Formats) -> Result<(), String> {
    text(ws, row, 0, "Scenario file")?;
    text(ws, row, 1, run.file)?;
    text(ws, row + 1, 0, "Seed")?;
    // A seed above 2^53 is not exact as a number: write it as text.
    text(ws, row + 1, 1, &r.seed.to_string())?;
    text(ws, row + 2, 0, "Trials")?;
    number(ws, row + 2, 1, r.trials as f64, &Format::new().set_num_format("#,##0"))?;
    text(ws, row + 3, 0, "Months")?;
    number(ws, row + 3, 1, r.layout.months as f64, &Format::new().set_num_format("0"))?;
    text(ws, row + 4, 0, "First month")?;
    ws.write_datetime_with_format(row + 4, 1, date(run.scenario.start)?, &f.month).map_err(fail)?;
    text(ws, row + 5, 0, "sopsim version")?;
    text(ws, row + 5, 1, env!("CARGO_PKG_VERSION"))
}

fn inputs_sheet(ws: &mut Worksheet, run: &Run, f: &Formats) -> Result<(), String> {
    ws.set_name("Inputs").map_err(fail)?;
    ws.set_column_width(0, 44).map_err(fail)?;
    ws.set_column_width(1, 60).map_err(fail)?;
    ws.set_column_width(2, 24).map_err(fail)?;
    for (i, head) in ["Key", "Value", "Set on the command line"].iter().enumerate() {
        styled(ws, 0, i as ColNum, head, &f.header)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    for (i, input) in inputs::read(run.sources).iter().enumerate() {
        let row = row_num(i + 1)?;
        text(ws, row, 0, &input.key)?;
        match input.number {
            Some(v) => ws.write_number(row, 1, v).map_err(fail).map(|_| ())?,
            None => text(ws, row, 1, &input.text)?,
        }
        if input.overridden {
            text(ws, row, 2, "yes")?;
        }
    }
    Ok(())
}
