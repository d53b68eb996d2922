//! Exports as CRMs write them, made here from one set of deals of known volume and win
//! rate: Salesforce (US dates, `$12,500.00`, open deals' expected close dates ahead of
//! the report, its footer with the date it was generated), HubSpot (a BOM, timestamps,
//! its stage labels and pipelines), Pipedrive (won and lost times), Zoho CRM, Dynamics
//! 365 (estimated and actual close dates), a UK export (day first), a European one
//! (`;`, `D.M.YYYY`, `14.300,00 €`) and an XLSX workbook. Each is read without a map and
//! gives the scenario the plain ISO export of the same deals gives.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Gamma, LogNormal, Poisson};
use sopsim::gather::date::{Date, Order};
use sopsim::gather::read::{ColumnRole, ReadOptions};
use sopsim::gather::{Options, gather};

use crate::cli::sopsim;

/// How a deal stands at the report date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stands {
    Won,
    Lost,
    Open,
}

/// One deal.
#[derive(Debug, Clone)]
struct Deal {
    owner: usize,
    kind: usize,
    kind_of_deal: usize,
    created: Date,
    stands: Stands,
    /// The close, if it happened by the report date; else the date the rep expects.
    close: Date,
    amount: u64,
}

const OWNERS: [&str; 8] = ["Ann Lee", "Bo Chan", "Cy Diaz", "Di Evans", "Ed Fox", "Flo Grant", "Gus Hale", "Hu Ito"];
const KINDS: [&str; 2] = ["SMB", "Mid-Market"];
const DEAL_TYPES: [&str; 2] = ["New Business", "Existing Business"];

/// The report date of the fixtures: deals created over the 14 months to it.
fn report_date() -> Date {
    Date::from_ymd(2026, 12, 3).unwrap()
}

/// Deals created over 14 whole months to the report date and the days of its month,
/// Poisson(`volume`) a month, won with probability `p`, gamma cycles of mean 60 days,
/// lognormal amounts in whole dollars. A deal whose close falls after the report date
/// is open, and that close is the one its rep expects. Owners 0-3 work SMB, 4-7
/// Mid-Market; the deal type is either, whoever the owner.
fn deals(seed: u64, volume: f64, p: f64) -> Vec<Deal> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let counts = Poisson::new(volume).unwrap();
    let cycle = Gamma::new(2.0, 30.0).unwrap();
    let size = LogNormal::new(9.5f64, 0.8).unwrap();
    let report = report_date();
    let mut out = Vec::new();
    for m in 0..15 {
        let first = Date::from_ymd(2025 + (9 + m) / 12, ((9 + m) % 12) as u32 + 1, 1).unwrap();
        let days = if m == 14 { 3 } else { 28 };
        let n = if m == 14 { 0 } else { counts.sample(&mut rng) as u64 };
        for _ in 0..n {
            let created = Date(first.0 + rng.random_range(0..days));
            let close = Date(created.0 + 1 + cycle.sample(&mut rng) as i32);
            let owner = rng.random_range(0..8);
            let won = rng.random_bool(p);
            let stands = if close > report {
                Stands::Open
            } else if won {
                Stands::Won
            } else {
                Stands::Lost
            };
            let amount = size.sample(&mut rng).round().max(1.0) as u64;
            out.push(Deal {
                owner,
                kind: owner / 4,
                kind_of_deal: rng.random_range(0..2),
                created,
                stands,
                close,
                amount,
            });
        }
    }
    out.sort_by_key(|d| d.created);
    out
}

fn ymd(d: Date) -> (i32, u32, u32) {
    d.ymd()
}

/// `12500` as `12,500`.
fn thousands(v: u64) -> String {
    sopsim::gather::read::group(v)
}

/// The plain export the others must give the same scenario as: ISO dates, plain
/// amounts, a blank close for an open deal.
fn iso(deals: &[Deal]) -> String {
    let mut t = String::from("Id,Owner,Stage,Created Date,Close Date,Amount,Kind,Type\n");
    for (i, d) in deals.iter().enumerate() {
        let (stage, close) = match d.stands {
            Stands::Won => ("Closed Won", d.close.to_string()),
            Stands::Lost => ("Closed Lost", d.close.to_string()),
            Stands::Open => ("Prospecting", String::new()),
        };
        t.push_str(&format!(
            "{i},{},{stage},{},{close},{},{},{}\n",
            OWNERS[d.owner], d.created, d.amount, KINDS[d.kind], DEAL_TYPES[d.kind_of_deal]
        ));
    }
    t
}

/// Salesforce's "Export Details" of an opportunity report: quoted fields, US dates,
/// `$12,500.00`, its stages, an open deal's close date the one expected, and its footer.
fn salesforce(deals: &[Deal], footer: bool) -> String {
    let us = |d: Date| {
        let (y, m, day) = ymd(d);
        format!("{m}/{day}/{y}")
    };
    let open = ["Prospecting", "Qualification", "Needs Analysis", "Id. Decision Makers", "Negotiation/Review"];
    let mut t = String::from(
        "\"Opportunity Owner\",\"Account Name\",\"Opportunity Name\",\"Stage\",\"Fiscal Period\",\"Amount\",\
         \"Probability (%)\",\"Age\",\"Close Date\",\"Created Date\",\"Type\",\"Lead Source\",\"Kind\"\n",
    );
    for (i, d) in deals.iter().enumerate() {
        let stage = match d.stands {
            Stands::Won => "Closed Won",
            Stands::Lost => "Closed Lost",
            Stands::Open => open[i % open.len()],
        };
        t.push_str(&format!(
            "\"{}\",\"Acme {i}\",\"Deal {i}\",\"{stage}\",\"Q4-2026\",\"${}.00\",\"50\",\"10\",\"{}\",\"{}\",\"{}\",\
             \"Web\",\"{}\"\n",
            OWNERS[d.owner],
            thousands(d.amount),
            us(d.close),
            us(d.created),
            DEAL_TYPES[d.kind_of_deal],
            KINDS[d.kind]
        ));
    }
    if footer {
        t.push_str(
            "\n\"Opportunity Pipeline\"\n\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n\
             \"Confidential Information - Do Not Distribute\"\n\"Generated By:  Jane Doe  12/3/2026 10:15 AM\"\n\
             \"Acme Corp\"\n",
        );
    }
    t
}

/// HubSpot's deal export: a BOM, timestamps, its stage labels and its pipelines.
fn hubspot(deals: &[Deal]) -> String {
    let open = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled", "Contract Sent"];
    let mut t =
        String::from("\u{feff}Record ID,Deal Name,Deal Stage,Close Date,Create Date,Deal owner,Amount,Pipeline,Kind\n");
    for (i, d) in deals.iter().enumerate() {
        let stage = match d.stands {
            Stands::Won => "Closed Won",
            Stands::Lost => "Closed Lost",
            Stands::Open => open[i % open.len()],
        };
        let close = if d.stands == Stands::Open && i % 3 == 0 { String::new() } else { format!("{} 17:00", d.close) };
        t.push_str(&format!(
            "{},Deal {i},{stage},{close},{} 09:{:02},{},{},{},{}\n",
            9000 + i,
            d.created,
            i % 60,
            OWNERS[d.owner],
            d.amount,
            ["Sales Pipeline", "Renewals"][d.kind_of_deal],
            KINDS[d.kind]
        ));
    }
    t
}

/// Pipedrive's deal export: status open, won or lost, won and lost times apart.
fn pipedrive(deals: &[Deal]) -> String {
    let mut t = String::from(
        "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Status,Deal - Stage,Deal - Owner,\
         Deal - Deal created,Deal - Won time,Deal - Lost time,Deal - Expected close date,Kind\n",
    );
    for (i, d) in deals.iter().enumerate() {
        let (status, won, lost) = match d.stands {
            Stands::Won => ("won", format!("{} 11:00:00", d.close), String::new()),
            Stands::Lost => ("lost", String::new(), format!("{} 11:00:00", d.close)),
            Stands::Open => ("open", String::new(), String::new()),
        };
        t.push_str(&format!(
            "{},Deal {i},{},USD,{status},Proposal Made,{},{} 08:00:00,{won},{lost},{},{}\n",
            i + 1,
            d.amount,
            OWNERS[d.owner],
            d.created,
            d.close,
            KINDS[d.kind]
        ));
    }
    t
}

/// Zoho CRM's deals export.
fn zoho(deals: &[Deal]) -> String {
    let mut t = String::from("Record Id,Deal Owner,Deal Name,Amount,Closing Date,Stage,Created Time,Type,Kind\n");
    for (i, d) in deals.iter().enumerate() {
        let stage = match d.stands {
            Stands::Won => "Closed Won",
            Stands::Lost if i % 2 == 0 => "Closed-Lost to Competition",
            Stands::Lost => "Closed Lost",
            Stands::Open => "Identify Decision Makers",
        };
        t.push_str(&format!(
            "zcrm_{i},{},Deal {i},{},{},{stage},{} 10:00:00,{},{}\n",
            OWNERS[d.owner], d.amount, d.close, d.created, DEAL_TYPES[d.kind_of_deal], KINDS[d.kind]
        ));
    }
    t
}

/// Dynamics 365's opportunities exported to Excel and saved as CSV.
fn dynamics(deals: &[Deal]) -> String {
    let us = |d: Date| {
        let (y, m, day) = ymd(d);
        format!("{m}/{day}/{y}")
    };
    let mut t = String::from(
        "(Do Not Modify) Opportunity,Topic,Owner,Status,Status Reason,Created On,Est. Close Date,Actual Close Date,\
         Est. Revenue,Actual Revenue,Kind\n",
    );
    for (i, d) in deals.iter().enumerate() {
        let (status, reason, actual, revenue) = match d.stands {
            Stands::Won => ("Won", "Won", us(d.close), format!("\"${}.00\"", thousands(d.amount))),
            Stands::Lost => ("Lost", if i % 2 == 0 { "Out-Sold" } else { "Canceled" }, us(d.close), String::new()),
            Stands::Open => ("Open", "In Progress", String::new(), String::new()),
        };
        t.push_str(&format!(
            "{:08x}-guid,Deal {i},{},{status},{reason},{} 9:00 AM,{},{actual},\"${}.00\",{revenue},{}\n",
            i,
            OWNERS[d.owner],
            us(d.created),
            us(d.close),
            thousands(d.amount),
            KINDS[d.kind]
        ));
    }
    t
}

/// The ISO export with its dates day first, `DD/MM/YYYY` (a UK export), or `D.M.YYYY`
/// with semicolons and amounts with a decimal comma (a German one).
fn day_first(deals: &[Deal], european: bool) -> String {
    let date = |d: Date| {
        let (y, m, day) = ymd(d);
        if european { format!("{day}.{m}.{y}") } else { format!("{day:02}/{m:02}/{y}") }
    };
    let sep = if european { ";" } else { "," };
    let mut t = ["Id", "Owner", "Stage", "Created Date", "Close Date", "Amount", "Kind", "Type"].join(sep) + "\n";
    for (i, d) in deals.iter().enumerate() {
        let (stage, close) = match d.stands {
            Stands::Won => ("Closed Won", date(d.close)),
            Stands::Lost => ("Closed Lost", date(d.close)),
            Stands::Open => ("Prospecting", String::new()),
        };
        let amount = if european {
            format!("{},00 €", thousands(d.amount).replace(',', "."))
        } else {
            format!("\"£{}.00\"", thousands(d.amount))
        };
        let fields = [
            i.to_string(),
            OWNERS[d.owner].to_string(),
            stage.to_string(),
            date(d.created),
            close,
            amount,
            KINDS[d.kind].to_string(),
            DEAL_TYPES[d.kind_of_deal].to_string(),
        ];
        t.push_str(&(fields.join(sep) + "\n"));
    }
    t
}

/// The ISO export as an XLSX workbook, on the sheet `sheet` after a first sheet of
/// notes, as Excel stores it: dates as dates (shown day first), amounts as numbers.
fn xlsx(deals: &[Deal], sheet: &str) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Exported for the plan").unwrap();
    let s = book.add_worksheet();
    s.set_name(sheet).unwrap();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Id", "Owner", "Stage", "Created Date", "Close Date", "Amount", "Kind", "Type"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let excel = |d: Date| {
        let (y, m, day) = ymd(d);
        ExcelDateTime::from_ymd(y as u16, m as u8, day as u8).unwrap()
    };
    for (i, d) in deals.iter().enumerate() {
        let r = i as u32 + 1;
        let stage = match d.stands {
            Stands::Won => "Closed Won",
            Stands::Lost => "Closed Lost",
            Stands::Open => "Prospecting",
        };
        s.write_number(r, 0, i as f64).unwrap();
        s.write_string(r, 1, OWNERS[d.owner]).unwrap();
        s.write_string(r, 2, stage).unwrap();
        s.write_datetime_with_format(r, 3, excel(d.created), &date_format).unwrap();
        if d.stands != Stands::Open {
            s.write_datetime_with_format(r, 4, excel(d.close), &date_format).unwrap();
        }
        s.write_number(r, 5, d.amount as f64).unwrap();
        s.write_string(r, 6, KINDS[d.kind]).unwrap();
        s.write_string(r, 7, DEAL_TYPES[d.kind_of_deal]).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn options(as_of: Option<Date>, segment: Option<&str>) -> Options {
    let maps = segment.map(|c| vec![(c.to_string(), ColumnRole::Segment)]).unwrap_or_default();
    Options { read: ReadOptions { maps, ..ReadOptions::default() }, as_of, months: 12, fiscal_year_start: None }
}

/// The scenario without the lines that name the export: the file, its columns.
fn body(toml: &str) -> String {
    toml.lines()
        .filter(|l| !l.starts_with("# Gathered by") && !l.starts_with("# Columns:"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn number(v: &toml::Value) -> f64 {
    v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap()
}

#[test]
fn each_crms_export_is_read_without_a_map_and_gives_the_iso_exports_scenario() {
    let deals = deals(7, 150.0, 0.3);
    let as_of = Some(Date::from_ymd(2026, 11, 30).unwrap());
    let twin = gather("deals.csv", iso(&deals).as_bytes(), &options(as_of, Some("Kind"))).unwrap();
    let exports = [
        ("salesforce", salesforce(&deals, true)),
        ("hubspot", hubspot(&deals)),
        ("pipedrive", pipedrive(&deals)),
        ("zoho", zoho(&deals)),
        ("dynamics", dynamics(&deals)),
        ("uk", day_first(&deals, false)),
        ("german", day_first(&deals, true)),
    ];
    for (name, text) in exports {
        let g = gather(&format!("{name}/deals.csv"), text.as_bytes(), &options(as_of, Some("Kind")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(body(&g.toml), body(&twin.toml), "{name}");
        let warnings: Vec<&String> = g.warnings.iter().filter(|w| w.starts_with("warning")).collect();
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
    }
}

#[test]
fn a_salesforce_report_with_expected_close_dates_ahead_is_gathered_as_of_its_report_date() {
    let (volume, p) = (150.0, 0.3);
    let deals = deals(11, volume, p);
    let ahead = deals.iter().filter(|d| d.stands == Stands::Open && d.close > report_date()).count();
    assert!(ahead > 100, "{ahead} open deals expected to close after the report");
    for footer in [true, false] {
        let g = gather("report.csv", salesforce(&deals, footer).as_bytes(), &options(None, None)).unwrap();
        // With its footer, the report's own date; without, the last thing that
        // happened: a created date or a close on the report date or the day before.
        if footer {
            assert_eq!(g.as_of, report_date());
            assert!(g.summary[0].contains("the report's own date"), "{}", g.summary[0]);
        } else {
            assert!(report_date().0 - g.as_of.0 <= 1, "{}", g.as_of);
            assert!(g.summary[0].contains("are expected, not events"), "{}", g.summary[0]);
        }
        let s: toml::Table = g.toml.parse().unwrap();
        assert_eq!(s["scenario"]["start"].as_str(), Some("2027-01"));
        let leads = &s["demand"]["leads_per_month"];
        let (low, high) = (number(&leads["low"]), number(&leads["high"]));
        assert!(low < volume && volume < high, "volume {volume} in [{low}, {high}]\n{}", g.toml);
        // The volume window runs to the last whole month by the report date.
        assert!(g.toml.contains("months, 2025-10 to 2026-11:"), "{}", g.toml);
    }
    // The rolling back-test places no cutoff whose months run past the report date.
    use sopsim::gather::backtest::{Options as BacktestOptions, backtest};
    let options = BacktestOptions {
        read: ReadOptions::default(),
        cutoffs: Vec::new(),
        rolling: true,
        as_of: None,
        months: 3,
        trials: 20,
        seed: 1,
        fiscal_year_start: None,
    };
    let bt = backtest("report.csv", salesforce(&deals, true).as_bytes(), &options).unwrap();
    assert_eq!(bt.as_of.date, report_date());
    let last = bt.cutoffs.iter().map(|c| c.start + 2).max().unwrap();
    assert_eq!(sopsim::gather::date::month_label(last), "2026-11", "the last whole month by the report date");
    assert!(bt.cutoffs.iter().all(|c| c.rows.iter().all(|r| r.month <= last)));
}

#[test]
fn a_day_first_export_whose_order_cannot_be_told_is_refused_with_the_hint() {
    // Only the first twelve days of each month: nothing tells the day from the month.
    let deals: Vec<Deal> =
        deals(3, 60.0, 0.3).into_iter().filter(|d| d.created.ymd().2 <= 12 && d.close.ymd().2 <= 12).collect();
    let text = day_first(&deals, false);
    let e = gather("uk.csv", text.as_bytes(), &options(None, None)).unwrap_err();
    assert!(matches!(&e, sopsim::gather::Error::AmbiguousDates { file, .. } if file == "uk.csv"), "{e:?}");
    assert!(e.to_string().contains("--date-format DMY"), "{e}");
    let mut told = options(None, None);
    told.read.date_order = Some(Order::Dmy);
    let g = gather("uk.csv", text.as_bytes(), &told).unwrap();
    let twin = gather("uk.csv", iso(&deals).as_bytes(), &options(None, None)).unwrap();
    assert_eq!(body(&g.toml), body(&twin.toml));
    // The command says so and exits 2.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uk.csv");
    std::fs::write(&path, &text).unwrap();
    let o = sopsim(&["gather", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--date-format"));
    let o = sopsim(&["gather", path.to_str().unwrap(), "--date-format", "DMY", "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_xlsx_and_csv_of_one_export_give_the_same_scenario() {
    let deals = deals(5, 80.0, 0.35);
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, xlsx_path) = (dir.path().join("deals.csv"), dir.path().join("deals.xlsx"));
    std::fs::write(&csv_path, iso(&deals)).unwrap();
    std::fs::write(&xlsx_path, xlsx(&deals, "Opportunities")).unwrap();
    let run = |path: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["gather", path.to_str().unwrap(), "--segment-by", "Kind", "-q"];
        args.extend(extra);
        let o = sopsim(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let from_csv = run(&csv_path, &[]);
    let from_xlsx = run(&xlsx_path, &["--sheet", "Opportunities"]);
    let after_first = |s: &str| s.split_once('\n').map(|(_, rest)| rest.to_string()).unwrap();
    assert_eq!(after_first(&from_xlsx), after_first(&from_csv));
    // The first sheet holds notes, not the export; a sheet it lacks is named.
    let o = sopsim(&["gather", xlsx_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let o = sopsim(&["gather", xlsx_path.to_str().unwrap(), "--sheet", "Opportunites"]);
    let m = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(m.contains("its sheets are: Notes, Opportunities") && m.contains("did you mean `Opportunities`"), "{m}");
}

#[test]
fn a_segment_column_that_does_not_split_the_reps_gives_each_segment_its_share() {
    let deals = deals(9, 120.0, 0.3);
    let g = gather("deals.csv", iso(&deals).as_bytes(), &options(None, Some("Type"))).unwrap();
    let loaded = sopsim::scenario::load_str(&g.toml, "deals.toml", &[]).unwrap();
    let heads: Vec<u64> = loaded.scenario.roles.iter().map(|r| u64::from(r.headcount)).collect();
    assert_eq!(heads.len(), 2);
    assert!(heads.iter().all(|&h| h >= 1), "every segment has closers: {heads:?}\n{}", g.toml);
    assert!(heads.iter().sum::<u64>() >= 8, "{heads:?}");
    // Split by the owners' own segment, each gets its four.
    let g = gather("deals.csv", iso(&deals).as_bytes(), &options(None, Some("Kind"))).unwrap();
    let loaded = sopsim::scenario::load_str(&g.toml, "deals.toml", &[]).unwrap();
    let heads: Vec<u64> = loaded.scenario.roles.iter().map(|r| u64::from(r.headcount)).collect();
    assert_eq!(heads, [4, 4]);
    // A segment no active owner works is a warning that says what will be lost.
    let mut text = iso(&deals);
    text.push_str("99999,Old Rep,Closed Won,2025-11-03,2025-12-01,100,Enterprise,New Business\n");
    let g = gather("deals.csv", text.as_bytes(), &options(None, Some("Kind"))).unwrap();
    let all = g.warnings.join("\n");
    assert!(all.contains("works the segment `Enterprise`") && all.contains("will find no closer and be lost"), "{all}");
}

#[test]
fn the_command_says_which_date_it_gathered_as_of_and_why() {
    let deals = deals(13, 100.0, 0.3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    std::fs::write(&path, salesforce(&deals, true)).unwrap();
    let o = sopsim(&["gather", path.to_str().unwrap()]);
    let m = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{m}");
    assert!(m.contains("as of 2026-12-03: the report's own date"), "{m}");
    assert!(m.contains("the scenario starts in 2027-01"), "{m}");
    assert!(!m.contains("warning"), "a clean Salesforce export has nothing to warn of: {m}");
}
