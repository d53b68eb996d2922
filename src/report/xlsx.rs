//! `report.xlsx`: the run as a workbook finance can build on. Sheets: Summary (the
//! answer, the target, the headline spread and the run), Monthly P50 / P10 / P90 /
//! mean (metrics as rows, months as columns), Hiring plan (by role and month) and
//! Inputs (the scenario as read). Numbers are numbers, with currency, percent and
//! date formats; months are dates. Rows are labelled in words with their unit
//! ([`labels`]); the metric ids of `monthly.csv` stay in a last column outside the
//! print area. Every sheet prints on A4, one page wide, its header rows repeated. The
//! file's creation date is the run's first month, so the same seed gives the same bytes.

use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

use crate::engine::metrics;
use crate::format::visible;
use crate::month::YearMonth;
use crate::runner::RunResults;
use crate::stats::Stats;

use super::charts::build::suffixes;
use super::charts::spec::Notation;
use super::inputs;
use super::labels::{counts_whole, label};
use super::{Error, Run};

/// How the workbook writes a metric: as its unit in the metric table ([`metrics::unit_of`]).
pub fn notation_of(metric: &str) -> Notation {
    match metrics::unit_of(metric) {
        metrics::Unit::Money => Notation::Money,
        metrics::Unit::Share => Notation::Percent,
        metrics::Unit::Count => Notation::Count,
    }
}

/// A statistic read from a cell's [`Stats`] (the P50, the mean, ...).
type Statistic = fn(&Stats) -> f64;

/// The cell formats of the workbook.
struct CellFormats {
    title: Format,
    bold: Format,
    header: Format,
    header_right: Format,
    money: Format,
    percent: Format,
    count: Format,
    whole: Format,
    ratio: Format,
    note: Format,
    wrap: Format,
    month: Format,
}

impl CellFormats {
    fn new() -> Self {
        CellFormats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new().set_bold().set_background_color(0xE8EEF4).set_border_bottom(FormatBorder::Thin),
            header_right: Format::new()
                .set_bold()
                .set_background_color(0xE8EEF4)
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Right),
            money: Format::new().set_num_format("$#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0.0"),
            whole: Format::new().set_num_format("#,##0"),
            ratio: Format::new().set_num_format("0.00"),
            note: Format::new().set_italic().set_font_color(0x555555),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            month: Format::new().set_num_format("mmm yyyy").set_bold().set_background_color(0xE8EEF4),
        }
    }

    fn of(&self, notation: Notation) -> &Format {
        match notation {
            Notation::Money => &self.money,
            Notation::Percent | Notation::Rate => &self.percent,
            Notation::Count | Notation::Number => &self.count,
        }
    }

    /// The format of a row of metric `id`: its notation's, but a count whose `values` are
    /// all whole is shown without decimals, and a ratio of counts with two.
    fn of_metric(&self, id: &str, values: &[f64]) -> &Format {
        match notation_of(id) {
            Notation::Count if counts_whole(id) => self.counted(values),
            Notation::Count if id == "kpi.pipeline_coverage" => &self.ratio,
            notation => self.of(notation),
        }
    }

    /// `#,##0` when every finite value of `values` is whole, else `#,##0.0`.
    fn counted(&self, values: &[f64]) -> &Format {
        if values.iter().all(|v| !v.is_finite() || v.fract() == 0.0) { &self.whole } else { &self.count }
    }
}

/// A4 (the paper size of `report.html`'s print styles).
const A4: u8 = 9;

/// The print setup of a sheet: A4, landscape when `wide`, one page wide (a page per
/// 24 months for longer horizons, column A repeated) and as many tall as needed, or
/// one page in all when `one_page`; the print area `A1` to (`last_row`, `last_col`);
/// row 1 repeated on every page when `header`; the sheet's name and the page number in
/// the footer.
struct Print {
    last_row: RowNum,
    last_col: ColNum,
    wide: bool,
    one_page: bool,
    header: bool,
}

impl Print {
    fn apply(&self, ws: &mut Worksheet, months: usize) -> Result<(), Error> {
        ws.set_paper_size(A4);
        if self.wide {
            ws.set_landscape();
        }
        let across = if self.wide { u16::try_from(months.div_ceil(24).max(1)).unwrap_or(u16::MAX) } else { 1 };
        ws.set_print_fit_to_pages(across, u16::from(self.one_page));
        if across > 1 {
            ws.set_repeat_columns(0, 0).map_err(fail)?;
        }
        ws.set_print_area(0, 0, self.last_row, self.last_col).map_err(fail)?;
        if self.header {
            ws.set_repeat_rows(0, 0).map_err(fail)?;
        }
        ws.set_footer("&L&A&RPage &P of &N");
        Ok(())
    }
}

fn fail(e: XlsxError) -> Error {
    Error::Xlsx(e.to_string())
}

fn date(m: YearMonth) -> Result<ExcelDateTime, Error> {
    let year = u16::try_from(m.year()).map_err(|_| Error::XlsxYear(m.year()))?;
    ExcelDateTime::from_ymd(year, m.month() as u8, 1).map_err(fail)
}

/// Writes `v` when it is a finite number; a missing value stays an empty cell.
fn number(ws: &mut Worksheet, row: RowNum, col: ColNum, v: f64, format: &Format) -> Result<(), Error> {
    if v.is_finite() {
        ws.write_number_with_format(row, col, v, format).map_err(fail)?;
    }
    Ok(())
}

/// Writes text, its control and bidirectional characters shown as escapes ([`visible`]),
/// as the page and the terminal show them. (The writer would store a control character
/// as `_x001B_`, which Excel turns back into the character, and a bidirectional one as
/// it is.) Every string cell of the workbook is written through here or [`styled`].
fn text(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str) -> Result<(), Error> {
    ws.write_string(row, col, visible(s)).map_err(fail).map(|_| ())
}

fn styled(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str, format: &Format) -> Result<(), Error> {
    ws.write_string_with_format(row, col, visible(s), format).map_err(fail).map(|_| ())
}

/// The bytes of `report.xlsx`.
pub fn workbook(run: &Run) -> Result<Vec<u8>, Error> {
    let f = CellFormats::new();
    let mut wb = Workbook::new();
    let created = date(run.scenario.start)?;
    let title = visible(&run.scenario.name);
    wb.set_properties(&DocProperties::new().set_title(title.as_ref()).set_creation_datetime(&created));
    summary(wb.add_worksheet(), run, &f)?;
    let statistics: [(&str, &str, Statistic); 4] = [
        ("Monthly P50", "P50", Stats::p50),
        ("Monthly P10", "P10", |s| s.at(0.10)),
        ("Monthly P90", "P90", |s| s.at(0.90)),
        ("Monthly mean", "Mean", |s| s.mean),
    ];
    for (name, what, stat) in statistics {
        monthly(wb.add_worksheet(), name, what, run, stat, &f)?;
    }
    hiring(wb.add_worksheet(), run, &f)?;
    inputs_sheet(wb.add_worksheet(), run, &f)?;
    wb.save_to_buffer().map_err(fail)
}

/// The month header of a sheet: `label` in column 0 (`width` characters wide), then
/// one date per month.
fn month_header(ws: &mut Worksheet, run: &Run, label: &str, width: f64, f: &CellFormats) -> Result<ColNum, Error> {
    styled(ws, 0, 0, label, &f.header)?;
    for t in 0..run.results.layout.months {
        let col = month_col(t)?;
        ws.write_datetime_with_format(0, col, date(run.scenario.start.offset(t as i64))?, &f.month).map_err(fail)?;
        ws.set_column_width(col, 11).map_err(fail)?;
    }
    ws.set_column_width(0, width).map_err(fail)?;
    ws.set_freeze_panes(1, 1).map_err(fail)?;
    month_col(run.results.layout.months)
}

fn month_col(t: usize) -> Result<ColNum, Error> {
    ColNum::try_from(t + 1).map_err(|_| Error::TooManyMonths)
}

fn row_num(r: usize) -> Result<RowNum, Error> {
    RowNum::try_from(r).map_err(|_| Error::TooManyRows)
}

/// The notes under the monthly tables: what an early month's cost of sales means, when
/// KPIs are measured, and where the metric ids are.
fn monthly_notes(run: &Run, ids: ColNum) -> Vec<String> {
    let mut notes = Vec::new();
    if run.results.layout.names.iter().any(|n| n == "cost_of_sales") {
        notes.push(
            "Cost of sales is the month's sales pay over the month's new bookings: in the first months, \
             new hires are paid while they ramp, before their deals close, so the ratio can be many times 100%. \
             The Summary gives it over the horizon."
                .to_string(),
        );
    }
    notes.push("KPIs are measured at the start of the month, from the twelve months before it at most.".to_string());
    let column = rust_xlsxwriter::utility::column_number_to_name(ids);
    notes.push(format!("Column {column}, outside the print area, holds each row's metric id, as in monthly.csv."));
    notes
}

fn monthly(
    ws: &mut Worksheet,
    name: &str,
    what: &str,
    run: &Run,
    stat: Statistic,
    f: &CellFormats,
) -> Result<(), Error> {
    ws.set_name(name).map_err(fail)?;
    let r = run.results;
    let trials = crate::format::thousands(r.trials);
    let ids = month_header(ws, run, &format!("{what} of {trials} trials"), 50.0, f)?;
    styled(ws, 0, ids, "Metric id", &f.header)?;
    ws.set_column_width(ids, 28).map_err(fail)?;
    for (m, metric) in r.layout.names.iter().enumerate() {
        let row = row_num(m + 1)?;
        text(ws, row, 0, &label(metric, run.scenario))?;
        let values: Vec<Option<f64>> = (0..r.layout.months).map(|t| r.get(metric, t).map(stat)).collect();
        let finite: Vec<f64> = values.iter().flatten().copied().collect();
        let format = f.of_metric(metric, &finite);
        for (t, v) in values.into_iter().enumerate() {
            if let Some(v) = v {
                number(ws, row, month_col(t)?, v, format)?;
            }
        }
        text(ws, row, ids, metric)?;
    }
    let mut row = r.layout.names.len() + 2;
    for note in monthly_notes(run, ids) {
        styled(ws, row_num(row)?, 0, &note, &f.note)?;
        row += 1;
    }
    Print { last_row: row_num(row - 1)?, last_col: ids - 1, wide: true, one_page: false, header: true }
        .apply(ws, r.layout.months)
}

fn hiring(ws: &mut Worksheet, run: &Run, f: &CellFormats) -> Result<(), Error> {
    ws.set_name("Hiring plan").map_err(fail)?;
    let totals = month_header(ws, run, "Role", 20.0, f)?;
    for (i, head) in ["Total (mean)", "Total P10", "Total P50", "Total P90"].iter().enumerate() {
        styled(ws, 0, totals + i as ColNum, head, &f.header_right)?;
        ws.set_column_width(totals + i as ColNum, 13).map_err(fail)?;
    }
    let r = run.results;
    let roles = suffixes(&r.layout.names, "hires");
    let blocks: [(&str, &str, Statistic, bool); 4] = [
        ("Hires a month (mean: planned starts, backfills and the capacity policy's)", "hires", |s| s.mean, true),
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
            text(ws, rn, 0, run.scenario.role_name(role))?;
            let values: Vec<Option<f64>> = (0..r.layout.months).map(|t| r.get(&metric, t).map(stat)).collect();
            let finite: Vec<f64> = values.iter().flatten().copied().collect();
            let format = f.counted(&finite);
            for (t, v) in values.into_iter().enumerate() {
                if let Some(v) = v {
                    number(ws, rn, month_col(t)?, v, format)?;
                }
            }
            if with_totals && let Some(s) = r.total(&metric) {
                number(ws, rn, totals, s.mean, f.counted(&[s.mean]))?;
                let quantiles = [s.at(0.10), s.p50(), s.at(0.90)];
                for (i, v) in quantiles.into_iter().enumerate() {
                    number(ws, rn, totals + 1 + i as ColNum, v, f.counted(&quantiles))?;
                }
            }
            row += 1;
        }
    }
    row += 1;
    styled(ws, row_num(row)?, 0, "People a month; open requisitions at the month's end.", &f.note)?;
    Print { last_row: row_num(row)?, last_col: totals + 3, wide: true, one_page: false, header: true }
        .apply(ws, r.layout.months)
}

/// One headline row: a label and P10, P50, P90 and mean in `notation`.
fn headline(
    ws: &mut Worksheet,
    row: RowNum,
    label: &str,
    s: Option<&Stats>,
    notation: Notation,
    f: &CellFormats,
) -> Result<(), Error> {
    text(ws, row, 0, label)?;
    if let Some(s) = s {
        let mut quantiles = [s.at(0.10), s.p50(), s.at(0.90)];
        let (spread, mean) = match notation {
            // The Summary's counts are people and opportunities: each quantile the nearest
            // whole one (a tie to the lower), as the report and the terminal show them.
            Notation::Count => {
                quantiles = quantiles.map(crate::format::whole_count);
                (&f.whole, f.counted(&[s.mean]))
            }
            notation => (f.of(notation), f.of(notation)),
        };
        for (i, v) in quantiles.into_iter().enumerate() {
            number(ws, row, 1 + i as ColNum, v, spread)?;
        }
        number(ws, row, 4, s.mean, mean)?;
    }
    Ok(())
}

fn summary(ws: &mut Worksheet, run: &Run, f: &CellFormats) -> Result<(), Error> {
    let (s, r) = (run.scenario, run.results);
    ws.set_name("Summary").map_err(fail)?;
    ws.set_column_width(0, 60).map_err(fail)?;
    for c in 1..=4 {
        ws.set_column_width(c, 14).map_err(fail)?;
    }
    let last = r.layout.months.saturating_sub(1);
    let label = |t: usize| s.start.offset(t as i64).short_label();
    styled(ws, 0, 0, &s.name, &f.title)?;
    // The answer spans the table's width, wrapped, so that it prints within the page.
    let answer = visible(&super::html::answer(run)).into_owned();
    ws.merge_range(1, 0, 1, 4, &answer, &f.wrap).map_err(fail)?;
    let lines = answer.chars().count().div_ceil(110).max(1);
    ws.set_row_height(1, 15 * lines as u16).map_err(fail)?;
    let mut row: RowNum = 3;
    if let (Some(t), Some(hit)) = (&s.target, &r.target) {
        styled(ws, row, 0, "Target", &f.header)?;
        styled(ws, row, 1, "", &f.header)?;
        let lines: [(&str, f64, &Format); 4] = [
            ("Target ARR ($)", t.arr, &f.money),
            ("Confidence asked (%)", t.confidence, &f.percent),
            ("P(hit): chance of reaching the target (%)", hit.p_hit, &f.percent),
            ("P(hit) standard error (% points)", hit.standard_error, &f.percent),
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
        styled(ws, row, i as ColNum, head, if i == 0 { &f.header } else { &f.header_right })?;
    }
    row += 1;
    let mut lines: Vec<(String, Option<&Stats>, Notation)> = Vec::new();
    if let Some(t) = s.target.as_ref().filter(|t| t.month != last) {
        lines.push((
            format!("ARR at the end of {} (target month, $)", label(t.month)),
            r.get("arr", t.month),
            Notation::Money,
        ));
    }
    lines.push((format!("ARR at the end of {} ($)", label(last)), r.get("arr", last), Notation::Money));
    lines.push(("New bookings over the horizon ($)".into(), r.total("bookings"), Notation::Money));
    for (name, what, notation) in [
        ("bookings.open_pipeline", "Of which from the open pipeline ($)", Notation::Money),
        ("comp_cost", "Compensation cost over the horizon, all roles with a comp plan ($)", Notation::Money),
        ("cost_of_sales", "Cost of sales over the horizon: sales pay / new bookings (%)", Notation::Percent),
        ("opportunities.lost", "Opportunities lost over the horizon (count)", Notation::Count),
    ] {
        if let Some(st) = r.total(name) {
            lines.push((what.into(), Some(st), notation));
        }
    }
    for role in suffixes(&r.layout.names, "hires") {
        let name = run.scenario.role_name(&role);
        lines.push((
            format!("Hires over the horizon, {name} (people)"),
            r.total(&format!("hires.{role}")),
            Notation::Count,
        ));
        lines.push((
            format!("Headcount, {name}, {} (people)", label(last)),
            r.get(&format!("headcount.{role}"), last),
            Notation::Count,
        ));
    }
    // Each trial's people over every role: not a sum of the roles' quantiles.
    for (metric, what) in [("hires", "Hires"), ("departures", "Departures")] {
        if let Some(st) = r.total(metric) {
            lines.push((format!("{what} over the horizon, all roles (people)"), Some(st), Notation::Count));
        }
    }
    for (name, st, notation) in &lines {
        headline(ws, row, name, *st, *notation, f)?;
        row += 1;
    }
    row += 1;
    styled(ws, row, 0, "Run", &f.header)?;
    styled(ws, row, 1, "", &f.header)?;
    row += 1;
    run_facts(ws, row, run, r, f)?;
    Print { last_row: row + 5, last_col: 4, wide: false, one_page: true, header: false }.apply(ws, r.layout.months)
}

fn run_facts(ws: &mut Worksheet, row: RowNum, run: &Run, r: &RunResults, f: &CellFormats) -> Result<(), Error> {
    text(ws, row, 0, "Scenario file")?;
    text(ws, row, 1, run.file)?;
    text(ws, row + 1, 0, "Seed")?;
    // A seed above 2^53 is not exact as a number: only then is it written as text.
    if r.seed <= 1 << 53 {
        number(ws, row + 1, 1, r.seed as f64, &Format::new().set_num_format("0"))?;
    } else {
        text(ws, row + 1, 1, &r.seed.to_string())?;
    }
    text(ws, row + 2, 0, "Trials")?;
    number(ws, row + 2, 1, r.trials as f64, &Format::new().set_num_format("#,##0"))?;
    text(ws, row + 3, 0, "Months")?;
    number(ws, row + 3, 1, r.layout.months as f64, &Format::new().set_num_format("0"))?;
    text(ws, row + 4, 0, "First month")?;
    ws.write_datetime_with_format(row + 4, 1, date(run.scenario.start)?, &f.month).map_err(fail)?;
    text(ws, row + 5, 0, "sopsim version")?;
    text(ws, row + 5, 1, env!("CARGO_PKG_VERSION"))
}

fn inputs_sheet(ws: &mut Worksheet, run: &Run, f: &CellFormats) -> Result<(), Error> {
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
    let last_row = row_num(inputs::read(run.sources).len())?;
    Print { last_row, last_col: 2, wide: false, one_page: false, header: true }.apply(ws, run.results.layout.months)
}
