//! `report.xlsx` reads as a finance workbook (the issue "the workbook is not
//! finance-ready"): rows labelled in words with their unit, the metric ids kept in a
//! last column; whole counts without decimals; the seed a number; a note on an early
//! month's cost of sales; every sheet set up to print on A4, one page wide, its header
//! row repeated; and, where LibreOffice is installed, the Summary printing on one page
//! and the whole workbook on a few.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};

use crate::cli::sopsim;

/// Runs `example` with 300 trials and seed 7 into `dir` and returns the workbook's path.
fn workbook(dir: &Path, example: &str) -> PathBuf {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{example}.toml"));
    let out = dir.join(example);
    let args = ["run", file.to_str().unwrap(), "--trials", "300", "--seed", "7", "--format", "xlsx", "--quiet"];
    let o = sopsim(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("report.xlsx")
}

/// The text of the zip entry `name` of the workbook.
fn entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}")).read_to_string(&mut text).unwrap();
    text
}

/// Whether `s` looks like a metric id of monthly.csv: lower-case words joined by `.`
/// or `_`, or one of the bare ids.
fn is_metric_id(s: &str) -> bool {
    let bare = ["arr", "bookings", "pipeline", "leads", "meetings", "stage", "forecast", "win_rate", "comp_cost"];
    bare.contains(&s)
        || (s.contains(['.', '_'])
            && !s.contains(' ')
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)))
}

#[test]
fn rows_are_labelled_in_words_with_a_unit_and_the_ids_stay_in_a_last_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), "scale-up");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    for name in ["Monthly P50", "Monthly P10", "Monthly P90", "Monthly mean"] {
        let sheet = book.worksheet_range(name).unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        let ids = rows[0].len() - 1;
        assert_eq!(rows[0][ids], Data::String("Metric id".into()), "{name}");
        let metrics: Vec<&[Data]> = rows[1..].iter().copied().filter(|r| r[ids] != Data::Empty).collect();
        assert!(metrics.len() > 40, "{name}: {} metric rows", metrics.len());
        for r in &metrics {
            let (Data::String(label), Data::String(id)) = (&r[0], &r[ids]) else { panic!("{name}: {r:?}") };
            assert!(!is_metric_id(label), "{name}: the row of {id} is labelled with an id: {label}");
            assert!(label.ends_with(')'), "{name}: {label} says its unit in brackets");
        }
        let label = |id: &str| -> String {
            let r = metrics.iter().find(|r| r[ids] == Data::String(id.into())).unwrap();
            r[0].to_string()
        };
        assert_eq!(label("opportunities.demand"), "Opportunities demanded (count/month)");
        assert_eq!(label("kpi.sales_velocity"), "KPI: sales velocity ($/day)");
        assert!(label("kpi.pipeline_coverage").ends_with("(x)"));
        assert!(label("stage").starts_with("Highest ARR stage reached (-1 = none, 0 = "), "{}", label("stage"));
    }
    let summary = book.worksheet_range("Summary").unwrap();
    for r in summary.rows() {
        if let Data::String(label) = &r[0] {
            assert!(!is_metric_id(label), "the Summary labels a row with an id: {label}");
        }
    }
}

#[test]
fn whole_counts_show_no_decimals_and_the_seed_is_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), "scale-up");
    let styles = entry(&path, "xl/styles.xml");
    // The workbook's number formats by id, and the cell styles (`s` of a cell) that use them.
    let formats: Vec<(u32, String)> = roxmltree::Document::parse(&styles)
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("numFmt"))
        .map(|n| (n.attribute("numFmtId").unwrap().parse().unwrap(), n.attribute("formatCode").unwrap().to_string()))
        .collect();
    let doc = roxmltree::Document::parse(&styles).unwrap();
    let xfs: Vec<u32> = doc
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))
        .unwrap()
        .children()
        .filter(|n| n.has_tag_name("xf"))
        .map(|n| n.attribute("numFmtId").unwrap_or("0").parse().unwrap())
        .collect();
    let code = |style: usize| -> String {
        let id = xfs[style];
        formats.iter().find(|(i, _)| *i == id).map_or(format!("builtin {id}"), |(_, c)| c.clone())
    };
    // The Summary (sheet1): the rows of hires, departures and headcount show their P50
    // without decimals; the seed is a number.
    let sheet = entry(&path, "xl/worksheets/sheet1.xml");
    let doc = roxmltree::Document::parse(&sheet).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let mut counted = 0;
    for (r, row) in summary.rows().enumerate() {
        let Data::String(label) = &row[0] else { continue };
        if label.starts_with("Hires over the horizon, ")
            || label.starts_with("Headcount, ")
            || label.starts_with("Departures over the horizon, ")
        {
            let reference = format!("C{}", r + 1);
            let cell = doc.descendants().find(|n| n.attribute("r") == Some(reference.as_str())).unwrap();
            let style: usize = cell.attribute("s").unwrap().parse().unwrap();
            let Data::Float(p50) = row[2] else { panic!("{label}: {:?}", row[2]) };
            assert_eq!(p50.fract(), 0.0, "{label}: a P50 of people");
            assert_eq!(code(style), "#,##0", "{label}: a whole count without decimals");
            counted += 1;
        }
        if label == "Seed" {
            assert_eq!(row[1], Data::Float(7.0), "the seed is a number");
        }
    }
    assert_eq!(counted, 12, "hires and headcount of the five roles, hires and departures of every role");
}

#[test]
fn an_early_months_cost_of_sales_has_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), "scale-up");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = book.worksheet_range("Monthly P50").unwrap();
    let note = sheet.rows().filter_map(|r| r[0].get_string()).find(|s| s.starts_with("Cost of sales is the month's"));
    assert!(note.is_some_and(|n| n.contains("many times 100%")), "{note:?}");
}

#[test]
fn every_sheet_prints_one_page_wide_with_its_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), "scale-up");
    let book = entry(&path, "xl/workbook.xml");
    for (i, sheet) in ["Summary", "Monthly P50", "Monthly P10", "Monthly P90", "Monthly mean", "Hiring plan", "Inputs"]
        .iter()
        .enumerate()
    {
        let xml = entry(&path, &format!("xl/worksheets/sheet{}.xml", i + 1));
        let setup = xml.split("<pageSetup ").nth(1).map_or("", |s| &s[..s.find("/>").unwrap()]);
        assert!(setup.contains("paperSize=\"9\""), "{sheet} prints on A4: {setup}");
        assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet} is fitted to pages");
        assert!(!setup.contains("fitToWidth") || setup.contains("fitToWidth=\"1\""), "{sheet}: {setup}");
        let wide = sheet.starts_with("Monthly") || *sheet == "Hiring plan";
        assert_eq!(setup.contains("orientation=\"landscape\""), wide, "{sheet}: {setup}");
        assert!(xml.contains("<oddFooter>"), "{sheet} has a footer");
        let quoted = if sheet.contains(' ') { format!("'{sheet}'") } else { sheet.to_string() };
        assert!(book.contains(&format!("localSheetId=\"{i}\">{quoted}!$A$1:")), "{sheet} has a print area: {book}");
        if *sheet == "Summary" {
            assert!(!setup.contains("fitToHeight"), "the Summary is fitted to one page tall: {setup}");
        } else {
            assert!(setup.contains("fitToHeight=\"0\""), "{sheet} runs as many pages tall as it needs: {setup}");
            let titles = format!("name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{quoted}!$1:$1<");
            assert!(book.contains(&titles), "{sheet} repeats its header row: {book}");
        }
    }
}

/// The pages of a PDF, in order, each as whether it is landscape: the `/MediaBox` of
/// each `/Type /Page` object (not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> Vec<bool> {
    let text = String::from_utf8_lossy(pdf);
    let mut pages = Vec::new();
    for (i, _) in text.match_indices("/Type") {
        let rest = text[i + 5..].trim_start();
        if !rest.starts_with("/Page") || rest.starts_with("/Pages") {
            continue;
        }
        let object = &rest[..rest.find("endobj").unwrap_or(rest.len())];
        let boxed = object.split("/MediaBox").nth(1).and_then(|b| b.split(']').next()).unwrap_or("");
        let size: Vec<f64> =
            boxed.trim_start_matches([' ', '[']).split_whitespace().filter_map(|v| v.parse().ok()).collect();
        assert_eq!(size.len(), 4, "a page's media box: {boxed}");
        pages.push(size[2] > size[3]);
    }
    pages
}

/// Converts `file` to PDF with LibreOffice into `dir`; `None` when LibreOffice is not
/// installed.
fn to_pdf(file: &Path, dir: &Path) -> Option<Vec<u8>> {
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    let o = Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            dir.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .ok()?;
    assert!(o.status.success(), "soffice: {}", String::from_utf8_lossy(&o.stderr));
    let pdf = dir.join(file.with_extension("pdf").file_name().unwrap());
    Some(std::fs::read(&pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display())))
}

/// In LibreOffice, each example's workbook prints on at most 8 A4 pages: the Summary on
/// one portrait page, each monthly sheet and the hiring plan on one landscape page, the
/// inputs on one or two portrait pages. (Before print setup, the scale-up's workbook
/// printed on 55 pages.) The Summary is one page when the second page is the first
/// monthly sheet's, the first landscape one.
#[test]
fn in_libreoffice_the_summary_is_one_page_and_the_workbook_at_most_eight() {
    let dir = tempfile::tempdir().unwrap();
    for example in ["seed-stage", "scale-up", "enterprise"] {
        let path = workbook(dir.path(), example);
        let pdfs = dir.path().join(format!("{example}-pdf"));
        let Some(pdf) = to_pdf(&path, &pdfs) else {
            // Straight to the terminal: the harness shows captured output only for a
            // failure, and a skipped test must say so where it is run.
            let line = "in_libreoffice_the_summary_is_one_page_and_the_workbook_at_most_eight skipped: \
                        soffice is missing (apt-get install libreoffice-calc-nogui)\n";
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            return;
        };
        let pages = pdf_pages(&pdf);
        assert!((7..=8).contains(&pages.len()), "{example}: {} pages", pages.len());
        assert_eq!(pages[..6], [false, true, true, true, true, true], "{example}: Summary, 4 monthly sheets, hiring");
        assert!(pages[6..].iter().all(|landscape| !landscape), "{example}: the inputs are portrait");
    }
}
