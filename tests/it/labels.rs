//! Display names (issue 33, item 6): roles and segments are read by their `label` in
//! every table, chart and the workbook, and the tornado and the sweep name keys in words
//! with their units and show rates as percentages. The ids stay where scripts read them:
//! the metric names of `monthly.csv`, the keys and `role` fields of `summary.json`, the
//! key paths of the what-if CSV files. What it replaced: `smb-ae` in every table and
//! chart, `segments.Mid-Market.win_rate` on the tornado with its ends as raw decimals
//! (`0.00885`).

use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};

use crate::cli::sopsim;

const LABELLED: &str = r#"
[scenario]
name = "Labels"
start = "2027-01"
months = 12
trials = 300
seed = 3

[company]
arr = 1_000_000
monthly_churn = { low = 0.006, high = 0.012 }

[target]
arr = 1_600_000
confidence = 0.8

[[segments]]
name = "mm"
label = "Mid-Market"
deal_size = 20_000
win_rate = { low = 0.15, high = 0.3 }
cycle_months = 1

[[segments]]
name = "smb"
label = "SMB"
deal_size = 8_000
win_rate = 0.25

[demand]
leads_per_month = 300
lead_to_opportunity = 0.1
segment_mix = { mm = 0.5, smb = 0.5 }

[[roles]]
id = "mm-ae"
label = "Mid-Market AE"
kind = "closer"
segment = "mm"
headcount = 3
opportunities_per_month = 8
annual_attrition = 0.3
backfill = true
time_to_hire_months = 2
hires = { "2027-03" = 2 }

[[roles]]
id = "smb-ae"
label = "SMB AE"
kind = "closer"
segment = "smb"
headcount = 2
opportunities_per_month = 12
"#;

fn write(dir: &Path, text: &str) -> String {
    let path = dir.join("labels.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `sopsim run`: the terminal, the page, the charts and the workbook name the roles by
/// their labels; `monthly.csv` and `summary.json` keep the ids.
#[test]
fn roles_read_by_their_labels_and_the_data_keeps_the_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), LABELLED);
    let out = dir.path().join("run");
    let stdout = ok(&sopsim(&["run", &file, "--out", out.to_str().unwrap(), "--threads", "2"]));
    assert!(stdout.contains("hires Mid-Market AE") && stdout.contains("headcount SMB AE, Dec 2027"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim_start().starts_with("Mid-Market AE ")), "the hires by quarter: {stdout}");
    assert!(!stdout.contains("mm-ae"), "{stdout}");

    let page = read(&out.join("report.html"));
    assert!(page.contains("<tr><td>Mid-Market AE<br><small>planned starts and backfills</small></td>"));
    assert!(page.contains("<tr><td>SMB AE<br><small>no hires planned</small></td>"));
    assert!(!page.contains("<td>mm-ae<br>"), "no role id names a row (the inputs as read keep the file's keys)");
    for chart in ["headcount.svg", "hires.svg"] {
        let svg = read(&out.join(chart));
        assert!(svg.contains("Mid-Market AE") && svg.contains("SMB AE"), "{chart} names the roles by label");
        assert!(!svg.contains("mm-ae"), "{chart} shows an id");
    }

    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("report.xlsx opens");
    let plan = book.worksheet_range("Hiring plan").unwrap();
    let roles: Vec<String> = plan.rows().filter_map(|r| r.first()?.as_string()).collect();
    assert!(roles.iter().any(|r| r == "Mid-Market AE") && !roles.iter().any(|r| r == "mm-ae"), "{roles:?}");
    let monthly = book.worksheet_range("Monthly P50").unwrap();
    let hires = monthly.rows().find(|r| r[13] == Data::String("hires.mm-ae".into())).expect("a row of hires.mm-ae");
    assert_eq!(hires[0], Data::String("Hires, Mid-Market AE (people/month)".into()), "words; the id beside them");
    let summary = book.worksheet_range("Summary").unwrap();
    assert!(summary.rows().any(|r| r[0] == Data::String("Hires over the horizon, Mid-Market AE (people)".into())));

    let csv = read(&out.join("monthly.csv"));
    assert!(csv.lines().any(|l| l.starts_with("hires.mm-ae,2027-03,")), "the metric names keep the ids");
    assert!(!csv.contains("Mid-Market"));
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    assert_eq!(json["hiring"][0]["role"], "mm-ae");
    assert!(json["horizon"]["totals"].get("hires.mm-ae").is_some());
}

/// `sopsim sensitivity`: the tornado names each input in words with its unit, the
/// segment by its label, and writes a rate's ends as percentages; `sensitivity.csv`
/// keeps the key paths and the values as drawn.
#[test]
fn the_tornado_names_keys_in_words_and_rates_in_percent() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), LABELLED);
    let out = dir.path().join("sens");
    ok(&sopsim(&["sensitivity", &file, "--trials", "300", "--swing-trials", "100", "--out", out.to_str().unwrap()]));
    let svg = read(&out.join("tornado.svg"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    let texts: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
    assert!(texts.contains(&"Mid-Market win rate (%)"), "{texts:?}");
    assert!(texts.contains(&"Monthly churn (%)"), "{texts:?}");
    assert!(!svg.contains("segments.mm") && !svg.contains("company.monthly_churn"), "no key path on the chart");
    // Each end beside its bar: a percentage (`0.7%`, `17%`), never a raw fraction.
    let ends: Vec<&&str> =
        texts.iter().filter(|t| t.ends_with('%') && t.chars().next().is_some_and(|c| c.is_ascii_digit())).collect();
    assert!(ends.len() >= 4, "both rates' ends read as percentages: {texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("0.0")), "no raw fraction: {texts:?}");

    let csv = read(&out.join("sensitivity.csv"));
    assert!(csv.lines().any(|l| l.starts_with("segments.mm.win_rate,")), "the CSV keeps the key path");
}

/// `sopsim sweep` over a segment's win rate: the axis and the title name it in words
/// with the segment's label, the values as percentages; `sweep.csv` keeps the path and
/// the values as given.
#[test]
fn the_sweep_names_its_key_in_words_and_rates_in_percent() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), LABELLED);
    let out = dir.path().join("sweep");
    ok(&sopsim(&[
        "sweep",
        &file,
        "--vary",
        "segments.mm.win_rate=0.15..0.25 step 0.05",
        "--trials",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]));
    for chart in ["sweep_p_hit.svg", "sweep_arr.svg"] {
        let svg = read(&out.join(chart));
        assert!(svg.contains("Mid-Market win rate (%)"), "{chart}: the axis names the key and its unit");
        assert!(svg.contains("with Mid-Market win rate from 15% to 25%"), "{chart}: the title in words");
        assert!(!svg.contains("segments.mm.win_rate"), "{chart} shows the key path");
    }
    let csv = read(&out.join("sweep.csv"));
    assert!(csv.starts_with("segments.mm.win_rate,p_hit,"), "{csv}");
    assert!(csv.lines().nth(1).is_some_and(|l| l.starts_with("0.15,")), "{csv}");
}

/// A label is user text: its control characters are shown as escapes on the page and the
/// terminal (docs/MODEL.md 5.10), as a name's are.
#[test]
fn a_label_with_control_characters_is_shown_with_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), &LABELLED.replace("Mid-Market AE", "Mid\\u001b[2JAE"));
    let out = dir.path().join("run");
    let stdout = ok(&sopsim(&["run", &file, "--out", out.to_str().unwrap(), "--format", "html", "--trials", "50"]));
    assert!(stdout.contains("hires Mid\\u{1b}[2JAE") && !stdout.contains('\u{1b}'), "{stdout}");
    let page = read(&out.join("report.html"));
    assert!(page.contains("<td>Mid\\u{1b}[2JAE<br>") && !page.contains('\u{1b}'));
}
