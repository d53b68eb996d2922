//! Charts, report.html, report.xlsx and the terminal summary (issue 4): every chart of
//! every example renders as a PNG of the expected size and an SVG that parses; labels
//! read as money, months and percentages; the page is self-contained and holds every
//! chart; the workbook carries the same numbers as monthly.csv; outputs are
//! byte-identical for a seed; `--format` and `--quiet` do what they say; the binary
//! needs no font or image library from the system.

use std::path::Path;
use std::process::Command;

use crate::cli::sopsim;

use calamine::{Data, Reader, Xlsx, open_workbook};
use sopsim::engine::metrics::Layout;
use sopsim::report::{self, Formats, charts, charts::Chart, html};
use sopsim::runner::{self, Histogram, RunConfig, RunResults, TargetResult};
use sopsim::scenario::{self, Loaded};
use sopsim::stats::{LEVELS, Stats};

const EXAMPLES: [&str; 3] = ["seed-stage", "scale-up", "enterprise"];

/// The charts every example has (territories, comp plans and stages add more).
const CORE_CHARTS: [&str; 6] = ["arr_fan", "bookings", "headcount", "hires", "arr_spread", "capacity"];

fn example(name: &str) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    scenario::load_file(&path, &[]).unwrap_or_else(|e| panic!("{name}: {}", e.render()))
}

fn run(loaded: &Loaded, trials: u64) -> RunResults {
    let config = RunConfig { trials, seed: 11, threads: 2, progress: false };
    runner::run(&loaded.scenario, &config).expect("the run starts")
}

/// Checks a PNG: it decodes, 8-bit RGB, of the charts' size.
fn assert_png(bytes: &[u8], what: &str) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{what}: not a PNG: {e}"));
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap_or_else(|e| panic!("{what}: PNG does not decode: {e}"));
    assert_eq!((info.width, info.height), (charts::WIDTH, charts::HEIGHT), "{what}");
    assert_eq!(info.color_type, png::ColorType::Rgb, "{what}");
    // Text and axes are grey; data is in colour.
    let coloured = pixels.chunks_exact(3).filter(|p| p[0].abs_diff(p[1]) > 20 || p[1].abs_diff(p[2]) > 20).count();
    assert!(coloured > 2_000, "{what}: no data drawn ({coloured} coloured pixels)");
}

/// Parses an SVG and returns its text elements, trimmed, in document order.
fn svg_texts(svg: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: SVG does not parse: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    assert_eq!(root.attribute("viewBox"), Some("0 0 1200 700"), "{what}");
    root.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

/// Whether a chart's first text is its title, whole or cut with an ellipsis to fit.
fn shows_title(first: &str, title: &str) -> bool {
    first == title || first.strip_suffix('…').is_some_and(|cut| !cut.is_empty() && title.starts_with(cut.trim_end()))
}

fn names(charts: &[Chart]) -> Vec<&'static str> {
    charts.iter().map(|c| c.name).collect()
}

/// Every chart of every example scenario renders: the PNG decodes at 1200x700, the SVG
/// parses and carries the chart's title, and money, months and shares read as such.
#[test]
fn every_chart_of_every_example_renders_as_png_and_svg() {
    for name in EXAMPLES {
        let loaded = example(name);
        let results = run(&loaded, 200);
        let built = charts::build(&loaded.scenario, &results);
        for core in CORE_CHARTS {
            assert!(names(&built).contains(&core), "{name}: no {core} chart in {:?}", names(&built));
        }
        let drawn = charts::render(&built, true, true).expect("charts draw");
        for (chart, d) in built.iter().zip(&drawn) {
            let what = format!("{name}/{}", chart.name);
            assert_png(d.png.as_deref().expect("a PNG"), &what);
            let texts = svg_texts(d.svg.as_deref().expect("an SVG"), &what);
            assert!(shows_title(&texts[0], &chart.title), "{what}: no title in {texts:?}");
            assert!(texts.iter().all(|t| !t.contains("NaN") && !t.contains("inf")), "{what}: {texts:?}");
        }
        let fan = drawn[0].svg.as_deref().unwrap();
        let texts = svg_texts(fan, name);
        assert!(texts.iter().any(|t| t == "Jan 2027"), "{name}: months read Jan 2027: {texts:?}");
        assert!(texts.iter().any(|t| t.starts_with('$') && t.ends_with('M')), "{name}: money reads $1.2M: {texts:?}");
    }
}

// ---------------------------------------------------------------------------------------
// A synthetic run with every metric the charts know, including those of territories,
// comp plans and ARR stages.
// ---------------------------------------------------------------------------------------

const SYNTHETIC: &str = r#"
[scenario]
name = "Synthetic plan"
start = "2027-01"
months = 12

[target]
arr = 8_000_000
by = "2027-12"

[[segments]]
name = "mid-market"
deal_size = 30_000
win_rate = 0.2
"#;

/// Statistics whose quantiles are `center + spread * z` with z = -1.5 .. 1.5.
fn stats(center: f64, spread: f64) -> Stats {
    let z = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5];
    let mut quantiles = [0.0; 7];
    for (q, z) in quantiles.iter_mut().zip(z) {
        *q = center + spread * z;
    }
    Stats { count: 100, mean: center, quantiles }
}

/// The statistics of a monthly metric in month `t`.
type Series = fn(f64) -> Stats;

fn synthetic() -> (Loaded, RunResults) {
    let loaded = scenario::load_str(SYNTHETIC, "synthetic.toml", &[]).expect("valid");
    let months = 12;
    let monthly: Vec<(&str, Series)> = vec![
        ("arr", |t| stats(2e6 + 6e5 * t, 1e5 * (t + 1.0))),
        ("bookings", |t| stats(4e5 + 1e4 * t, 8e4)),
        ("bookings.open_pipeline", |t| {
            let open = (3e5 - 1e5 * t).max(0.0);
            stats(open, open / 10.0)
        }),
        ("opportunities.demand", |t| stats(60.0 + t, 5.0)),
        ("opportunities.capacity", |t| stats(50.0 + 2.0 * t, 3.0)),
        ("opportunities.worked", |t| stats(50.0 + t, 3.0)),
        ("opportunities.lost", |_| stats(8.0, 2.0)),
        ("headcount.ae", |t| stats(4.0 + (t / 3.0).floor(), 1.0)),
        ("hires.ae", |_| stats(0.5, 0.3)),
        ("coverage.NA East", |t| stats((0.6 + 0.05 * t).min(1.0), 0.05)),
        ("coverage.EMEA", |_| stats(0.5, 0.1)),
        ("comp_cost", |_| stats(9e4, 1e4)),
        ("reached.$1M", |_| Stats { count: 100, mean: 1.0, quantiles: [1.0; 7] }),
        ("reached.$10M", |t| Stats { count: 100, mean: t / 22.0, quantiles: [0.0; 7] }),
    ];
    let scalars: Vec<(&str, Stats)> = vec![
        ("bookings", stats(5.5e6, 5e5)),
        ("bookings.open_pipeline", stats(6e5, 5e4)),
        ("opportunities.lost", stats(96.0, 10.0)),
        ("hires.ae", stats(6.0, 1.0)),
        ("comp_cost", stats(1.08e6, 5e4)),
        ("cost_of_sales", stats(0.196, 0.01)),
        ("attainment.0", Stats { count: 100, mean: 0.3, quantiles: [0.0; 7] }),
        ("attainment.0.5", Stats { count: 100, mean: 0.4, quantiles: [0.0; 7] }),
        ("attainment.1", Stats { count: 100, mean: 0.2, quantiles: [0.0; 7] }),
        ("attainment.1.5", Stats { count: 100, mean: 0.1, quantiles: [0.0; 7] }),
        ("target.hit", Stats { count: 100, mean: 0.73, quantiles: [0.0; 7] }),
    ];
    // The scenario's own layout, with the metrics of this synthetic run.
    let mut layout = Layout::new(&loaded.scenario);
    layout.names = monthly.iter().map(|(n, _)| n.to_string()).collect();
    layout.months = months;
    layout.scalars = scalars.iter().map(|(n, _)| n.to_string()).collect();
    let mut cells: Vec<Option<Stats>> =
        monthly.iter().flat_map(|(_, f)| (0..months).map(|t| Some(f(t as f64)))).collect();
    cells.extend(scalars.iter().map(|(_, s)| Some(*s)));
    let results = RunResults {
        layout,
        trials: 100,
        seed: 5,
        threads: 1,
        elapsed_seconds: 0.0,
        cells,
        target: Some(TargetResult { p_hit: 0.73, standard_error: 0.044 }),
        quantiles: sopsim::stats::Quantiles::Exact,
    };
    (loaded, results)
}

fn synthetic_run<'a>(loaded: &'a Loaded, results: &'a RunResults) -> report::Run<'a> {
    report::Run {
        scenario: &loaded.scenario,
        results,
        file: "synthetic.toml",
        sources: &loaded.sources,
        warnings: &loaded.warnings,
        realised: &sopsim::engine::params::NO_CORRELATIONS,
    }
}

fn synthetic_charts() -> (Vec<Chart>, Vec<charts::Drawn>) {
    let (loaded, results) = synthetic();
    let built = charts::build(&loaded.scenario, &results);
    let drawn = charts::render(&built, true, true).expect("charts draw");
    (built, drawn)
}

fn texts_of(built: &[Chart], drawn: &[charts::Drawn], name: &str) -> Vec<String> {
    let i = built.iter().position(|c| c.name == name).unwrap_or_else(|| panic!("no chart {name}"));
    svg_texts(drawn[i].svg.as_deref().unwrap(), name)
}

/// With territories, comp plans and stages in the results, every chart is drawn, and
/// each renders as a PNG and an SVG.
#[test]
fn a_run_with_every_metric_draws_every_chart() {
    let (built, drawn) = synthetic_charts();
    assert_eq!(
        names(&built),
        [
            "arr_fan",
            "bookings",
            "bookings_split",
            "headcount",
            "hires",
            "coverage",
            "arr_spread",
            "attainment",
            "capacity",
            "stages"
        ]
    );
    for (chart, d) in built.iter().zip(&drawn) {
        assert_png(d.png.as_deref().unwrap(), chart.name);
        assert!(shows_title(&svg_texts(d.svg.as_deref().unwrap(), chart.name)[0], &chart.title));
    }
}

/// The words of the charts, pinned: titles, legends, ticks and callouts read as money
/// ($850K, $1.2M), months (Jan 2027) and percentages (73%).
#[test]
fn chart_labels_read_as_money_months_and_percentages() {
    let (built, drawn) = synthetic_charts();
    let fan = texts_of(&built, &drawn, "arr_fan");
    let expected_fan = [
        "ARR: 73% chance of reaching $8M by Dec 2027",
        "P50 $8.6M, P10 $7.4M, P90 $9.8M in Dec 2027; shaded: where 80% and 50% of trials land",
        "P10–P90",
        "P25–P75",
        "P50 (median)",
        "sopsim 0.1.0 · Synthetic plan · 100 trials · seed 5",
    ];
    assert_eq!(fan[..expected_fan.len()], expected_fan, "{fan:?}");
    for tick in ["$0", "$2M", "$4M", "$6M", "$8M", "$10M", "Jan 2027", "Mar 2027", "Nov 2027"] {
        assert!(fan.iter().any(|t| t == tick), "no tick {tick} in {fan:?}");
    }
    assert!(fan.iter().any(|t| t == "Target $8M") && fan.iter().any(|t| t == "Dec 2027"), "{fan:?}");

    let spread = texts_of(&built, &drawn, "arr_spread");
    for text in ["ARR in Dec 2027: P(hit) = 73%", "P(hit) = 73%", "Target $8M", "5%", "15%", "25%", "$8.5M"] {
        assert!(spread.iter().any(|t| t == text), "no {text:?} in {spread:?}");
    }
    let attainment = texts_of(&built, &drawn, "attainment");
    for text in
        ["Quota attainment at plan-year end: 30% of reps at or above quota", "30% at or above quota", "100%", "Quota"]
    {
        assert!(attainment.iter().any(|t| t == text), "no {text:?} in {attainment:?}");
    }
    let coverage = texts_of(&built, &drawn, "coverage");
    assert!(coverage.contains(&"Territory coverage: 1 of 2 territories fully covered in Dec 2027 (P50)".to_string()));
    assert!(coverage.iter().any(|t| t == "NA East") && coverage.iter().any(|t| t == "EMEA"), "{coverage:?}");
    let hires = texts_of(&built, &drawn, "hires");
    assert!(hires.contains(&"6 (5–7)".to_string()), "{hires:?}");
    let stages = texts_of(&built, &drawn, "stages");
    assert_eq!(stages[0], "ARR stages: 50% chance of reaching $10M by Dec 2027");
    // A stage reached in every trial from the first month is said once in the legend,
    // not drawn as a line under the others along 100%.
    assert!(stages.iter().any(|t| t == "from the start: $1M") && stages.iter().any(|t| t == "$10M"), "{stages:?}");
    assert!(!stages.iter().any(|t| t == "$1M"), "{stages:?}");
    assert!(
        attainment.contains(&"Reps by attainment, all trials pooled; the last bar holds all from 150% up".to_string())
    );
    let capacity = texts_of(&built, &drawn, "capacity");
    assert!(capacity.contains(&"Capacity vs demand: 96 opportunities lost over 12 months (P50)".to_string()));
    // Means of $300K, $200K and $100K from the open pipeline against $1.23M of bookings
    // in the first quarter, and the same $600K against $5.46M over the year.
    let split = texts_of(&built, &drawn, "bookings_split");
    let expected_split = [
        "The open pipeline brings 49% of bookings in Jan–Mar 2027 and 11% over 12 months",
        "Bars: P50 bookings a month; lower part: P50 of those from deals open at the start of Jan 2027; shares of \
         mean bookings",
        "From new deals",
        "From the open pipeline",
    ];
    assert_eq!(split[..expected_split.len()], expected_split, "{split:?}");
}

/// A title too long for the chart's width is cut with an ellipsis rather than run off
/// the edge; so is a legend with too many entries.
#[test]
fn long_titles_and_legends_are_cut_to_the_chart() {
    let (mut built, _) = synthetic_charts();
    let mut chart = built.remove(0);
    chart.title = "An ARR target that a very long scenario name pushes far beyond the width ".repeat(4);
    if let charts::Plot::Monthly(m) = &mut chart.plot {
        let line = m.lines[0].clone();
        m.lines =
            (0..20).map(|i| charts::spec::Line { label: format!("territory number {i}"), ..line.clone() }).collect();
    }
    let texts = svg_texts(&charts::svg(&chart).unwrap(), "long");
    assert!(texts[0].ends_with('…') && texts[0].len() < chart.title.len(), "{}", texts[0]);
    assert!(texts.iter().any(|t| t == "…"), "the legend says it is cut: {texts:?}");
    assert!(!texts.iter().any(|t| t == "territory number 19"), "{texts:?}");
    assert_png(&charts::png(&chart).unwrap(), "long");
}

/// The quantile histogram of the spread chart holds the shares between quantiles.
#[test]
fn the_spread_histogram_is_read_from_the_quantiles() {
    let q = [5.0e6, 6.0e6, 7.0e6, 8.0e6, 9.0e6, 10.0e6, 12.0e6];
    let (bins, labels) = charts::build::quantile_bins(&q, Some(8.0e6));
    let shares: Vec<f64> = bins.iter().map(|b| b.height * (b.to - b.from) / 1e6).collect();
    for (i, share) in shares.iter().enumerate() {
        let expected = LEVELS[i + 1] - LEVELS[i];
        assert!((share - expected).abs() < 1e-12, "bin {i}: {share} vs {expected}");
    }
    assert_eq!(bins.iter().filter(|b| b.hit).count(), 3, "P50 to P95 is at or above the target");
    assert_eq!(labels.len(), 6);
}

/// The page answers first, holds every chart and the sections with their data or a
/// sentence saying the scenario has none, and names no outside address.
#[test]
fn report_html_holds_every_chart_and_loads_nothing_from_outside() {
    let (loaded, results) = synthetic();
    let run = synthetic_run(&loaded, &results);
    let (built, drawn) = synthetic_charts();
    let inline: Vec<(&Chart, &str)> = built.iter().zip(&drawn).map(|(c, d)| (c, d.svg.as_deref().unwrap())).collect();
    let page = String::from_utf8(html::report(&run, &inline)).unwrap();
    assert!(
        page.contains("<h1>73% chance of reaching $8M ARR by Dec 2027; P50 $8.6M, P10 $7.4M</h1>"),
        "the answer opens the page"
    );
    assert_eq!(page.matches("<svg ").count(), built.len());
    for chart in &built {
        assert!(page.contains(&format!("aria-label=\"{}\"", html::esc(&chart.title))), "{} missing", chart.name);
    }
    assert_no_outside_address(&page);
    for section in
        ["Hiring needs", "ARR and bookings", "Territory coverage", "Cost of sales", "ARR stages", "Inputs as read"]
    {
        assert!(page.contains(&format!("<h2>{section}</h2>")), "no section {section}");
    }
    assert!(page.contains("<td>NA East</td>") && page.contains("<td>Cost of sales</td>"));
    assert!(!page.contains("No territories"));
    assert!(page.contains("<td>$1M</td><td>100%</td><td>Jan 2027</td>"), "stage reached from the start");
    assert!(page.contains("<td>$10M</td><td>50%</td><td>Dec 2027</td>"), "stage likely by the last month");
    assert!(page.contains("seed 5 · 100 trials"), "the run's seed and trials");
    assert!(page.contains(&format!("sopsim {}", env!("CARGO_PKG_VERSION"))));
    assert!(page.contains("<td>segments.mid-market.win_rate</td><td>0.2</td>"), "the inputs as read");
    assert!(page.contains("<th>From the open pipeline (mean)</th>"));
    assert!(page.contains("<td>$1.23M</td><td>$600K</td></tr>"), "the first quarter's bookings and their part");
}

fn assert_no_outside_address(page: &str) {
    let lower = page.to_lowercase();
    for needle in ["http:", "https:", "//", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe"] {
        let hits: Vec<&str> =
            lower.match_indices(needle).map(|(i, _)| &page[i.saturating_sub(40)..(i + 40).min(page.len())]).collect();
        assert!(hits.is_empty(), "report.html contains {needle:?}: {hits:?}");
    }
}

/// A real run writes every output; the page holds each chart written beside it and says
/// what the scenario lacks; the workbook has its sheets and the P50 ARR of the last month
/// equal to monthly.csv, as a number; a second run with the same seed on another thread
/// count gives byte-identical charts, page and workbook.
#[test]
fn a_run_writes_charts_page_and_workbook_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        let o = sopsim(&[
            "run",
            "scenarios/scale-up.toml",
            "--trials",
            "300",
            "--seed",
            "3",
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty(), "--quiet prints nothing");
    }
    let mut written: Vec<String> =
        std::fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    for core in CORE_CHARTS {
        assert!(written.contains(&format!("{core}.svg")) && written.contains(&format!("{core}.png")), "{core}");
    }
    for file in &written {
        let (a, b) = (std::fs::read(one.join(file)).unwrap(), std::fs::read(two.join(file)).unwrap());
        if file != "summary.json" {
            assert!(a == b, "{file} differs between two runs of the same seed");
        }
    }

    let page = std::fs::read_to_string(one.join("report.html")).unwrap();
    let svgs = written.iter().filter(|f| f.ends_with(".svg")).count();
    assert_eq!(page.matches("<svg ").count(), svgs, "the page holds every chart");
    assert_no_outside_address(&page);
    assert!(page.contains("% chance of reaching $8M ARR by Jun 2028; P50 $"));
    // What the scenario lacks is said in words; what it has is tabled.
    let territories = written.iter().any(|f| f == "coverage.svg");
    assert_eq!(page.contains("No territories in this scenario."), !territories);
    assert_eq!(page.contains("<th>Territory</th>"), territories);

    let csv = std::fs::read_to_string(one.join("monthly.csv")).unwrap();
    // No deals open at the start: no split of the bookings, and no row of zeros for one.
    assert!(!csv.contains("open_pipeline") && !written.iter().any(|f| f.starts_with("bookings_split")));
    let arr_last = csv.lines().rfind(|l| l.starts_with("arr,")).unwrap();
    let fields: Vec<&str> = arr_last.split(',').collect();
    assert_eq!(fields[1], "2028-12");
    let p50: f64 = fields[6].parse().unwrap();

    let mut book: Xlsx<_> = open_workbook(one.join("report.xlsx")).expect("report.xlsx opens");
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Monthly P50", "Monthly P10", "Monthly P90", "Monthly mean", "Hiring plan", "Inputs"]
    );
    let sheet = book.worksheet_range("Monthly P50").unwrap();
    let header: Vec<&Data> = sheet.rows().next().unwrap().iter().collect();
    assert_eq!(header.len(), 26, "the label column, 24 months and the metric id");
    assert!(matches!(header[24], Data::DateTime(_)), "months are dates: {:?}", header[24]);
    let arr = sheet.rows().find(|r| r[25] == Data::String("arr".into())).expect("an arr row");
    assert_eq!(arr[0], Data::String("ARR at month end ($)".into()));
    assert_eq!(arr[24], Data::Float(p50), "P50 ARR of Dec 2028 as in monthly.csv");

    let plan = book.worksheet_range("Hiring plan").unwrap();
    // Roles by their labels; the metric ids stay in the last column for scripts.
    assert!(plan.rows().any(|r| r[0] == Data::String("Mid-Market AE".into()) && matches!(r[1], Data::Float(_))));
    let hires = sheet.rows().find(|r| r[25] == Data::String("hires.ae".into())).expect("a hires row");
    assert_eq!(hires[0], Data::String("Hires, Mid-Market AE (people/month)".into()));
    let inputs = book.worksheet_range("Inputs").unwrap();
    assert!(inputs.rows().any(|r| r[0] == Data::String("company.arr".into()) && r[1] == Data::Float(2_400_000.0)));
}

/// With deals open at the start, the bookings from them are a monthly metric wherever
/// monthly metrics go (`monthly.csv`, the workbook's monthly sheets, the horizon totals
/// of `summary.json` and of the terminal and workbook summaries), never above the
/// month's bookings, and the split chart is drawn, written and put on the page.
#[test]
fn a_run_with_an_open_pipeline_splits_its_bookings_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-up.toml"));
    let text = example.unwrap() + "\n[[pipeline]]\nsegment = \"mid-market\"\nage_months = 1\ncount = 30\n";
    let file = dir.path().join("open.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let o = sopsim(&["run", file.to_str().unwrap(), "--trials", "300", "--seed", "3", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("\n    from the open pipeline "), "{stdout}");

    let csv = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    let rows = |metric: &str| -> Vec<Vec<f64>> {
        let prefix = format!("{metric},");
        let numbers = |l: &str| l.split(',').skip(2).map(|v| v.parse().unwrap()).collect();
        csv.lines().filter(|l| l.starts_with(&prefix)).map(numbers).collect()
    };
    let (open, all) = (rows("bookings.open_pipeline"), rows("bookings"));
    assert_eq!((open.len(), all.len()), (24, 24));
    for (t, (o, b)) in open.iter().zip(&all).enumerate() {
        assert!(o.iter().zip(b).all(|(o, b)| o <= b), "month {t}: {o:?} above {b:?}");
    }
    assert!(open[0][4] > 0.0 && open[23][0] == 0.0, "the open deals book early, and are spent by the end");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let total = &summary["horizon"]["totals"]["bookings.open_pipeline"];
    assert_eq!(total["count"], 300);
    assert!(total["p50"].as_f64().unwrap() > 0.0);

    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("report.xlsx opens");
    let sheet = book.worksheet_range("Monthly P50").unwrap();
    let id = sheet.rows().next().unwrap().len() - 1;
    let row = sheet.rows().find(|r| r[id] == Data::String("bookings.open_pipeline".into())).expect("a row");
    assert_eq!(row[1], Data::Float(open[0][4]), "the P50 of the first month as in monthly.csv");
    let summary = book.worksheet_range("Summary").unwrap();
    assert!(summary.rows().any(|r| r[0] == Data::String("Of which from the open pipeline ($)".into())));

    for file in ["bookings_split.svg", "bookings_split.png"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let svg = std::fs::read_to_string(out.join("bookings_split.svg")).unwrap();
    let title = &svg_texts(&svg, "bookings_split")[0];
    assert!(title.starts_with("The open pipeline brings ") && title.ends_with(" over 24 months"), "{title}");
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains(&format!("aria-label=\"{}\"", html::esc(title))) && page.contains("From the open pipeline"));
}

/// `--format` writes the files named and no others; the summary table is printed
/// unless `--quiet`.
#[test]
fn format_chooses_the_files_and_the_summary_shows_the_headline_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 3] = [
        ("csv,xlsx", &["monthly.csv", "report.xlsx"]),
        ("html", &["report.html"]),
        ("json,png", &["summary.json", "arr_fan.png"]),
    ];
    for (format, expected) in cases {
        let out = dir.path().join(format.replace(',', "-"));
        let o = sopsim(&[
            "run",
            "scenarios/seed-stage.toml",
            "--trials",
            "100",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let files: Vec<String> =
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        for e in expected {
            assert!(files.iter().any(|f| f == e), "--format {format}: no {e} in {files:?}");
        }
        let allowed = |f: &String| {
            expected.contains(&f.as_str())
                || f == ".sopsim-output"
                || (format.contains("png") && f.ends_with(".png"))
                || (format.contains("svg") && f.ends_with(".svg"))
        };
        assert!(files.iter().all(allowed), "--format {format} wrote {files:?}");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("chance of reaching $1M ARR by Dec 2027"), "{stdout}");
        assert!(stdout.contains("P10") && stdout.contains("P50") && stdout.contains("P90"), "{stdout}");
        assert!(stdout.contains("hires ae"), "{stdout}");
    }
    let o = sopsim(&["run", "scenarios/seed-stage.toml", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2), "an unknown format is a usage error");
}

/// A failed write exits 1 with a message and leaves no partial output.
#[test]
fn a_failed_write_exits_1_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = blocker.join("run");
    let o = sopsim(&["run", "scenarios/seed-stage.toml", "--trials", "50", "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot create"), "{}", String::from_utf8_lossy(&o.stderr));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing but the blocking file");
}

/// The outputs of `Formats::NONE` are empty; of `Formats::ALL`, in the documented order.
#[test]
fn outputs_come_in_a_fixed_order() {
    let (loaded, results) = synthetic();
    let run = synthetic_run(&loaded, &results);
    assert!(report::outputs(&run, Formats::NONE, 1).unwrap().is_empty());
    let all: Vec<String> = report::outputs(&run, Formats::ALL, 2).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(all[..4], ["monthly.csv", "summary.json", "report.html", "report.xlsx"]);
    assert_eq!(all[4..6], ["arr_fan.svg", "arr_fan.png"]);
    assert_eq!(all.len(), 4 + 2 * 10);
}

/// The histogram helper the attainment chart reads pools bins as documented.
#[test]
fn attainment_shares_come_from_the_pooled_histogram() {
    let (_, results) = synthetic();
    let h: Histogram = results.histogram("attainment").unwrap();
    assert_eq!(h.lower, [0.0, 0.5, 1.0, 1.5]);
    assert!((h.share_at_or_above(1.0) - 0.3).abs() < 1e-12);
}

/// The binary links only the C runtime: no fontconfig, freetype or image library. On
/// Linux `ldd` comes with the C library, so the test needs it there; elsewhere it says
/// that it skipped.
#[test]
fn the_binary_needs_no_font_or_image_library() {
    let o = match Command::new("ldd").arg(env!("CARGO_BIN_EXE_sopsim")).output() {
        Ok(o) => o,
        Err(e) if cfg!(target_os = "linux") => panic!("ldd, part of the C library on Linux, cannot run: {e}"),
        Err(e) => {
            eprintln!("skipped: ldd cannot run here ({e})");
            return;
        }
    };
    let libs = String::from_utf8_lossy(&o.stdout).to_lowercase();
    assert!(
        libs.contains("libc.so") || libs.contains("not a dynamic executable"),
        "ldd lists the libraries the binary links:\n{libs}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for lib in ["fontconfig", "freetype", "png", "jpeg", "expat", "libz", "cairo", "x11"] {
        assert!(!libs.contains(lib), "the binary links {lib}:\n{libs}");
    }
}

/// The terminal summary counts pay only where roles have a comp plan: without one, no
/// "compensation cost $0" row, nor a cost of sales of 0%.
#[test]
fn a_run_without_comp_plans_prints_no_compensation_cost() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-up.toml"));
    let example = example.unwrap();
    for (name, text, paid) in [
        ("paid.toml", example.clone(), true),
        ("unpaid.toml", example.lines().filter(|l| !l.starts_with("comp_plan")).collect::<Vec<_>>().join("\n"), false),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = dir.path().join(name.replace(".toml", ""));
        let o = sopsim(&["run", file.to_str().unwrap(), "--trials", "200", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(stdout.contains("compensation cost"), paid, "{stdout}");
        assert_eq!(stdout.contains("cost of sales"), paid, "{stdout}");
    }
}

/// Compensation cost by role: each role's pay a month, whose sum over the roles is the
/// month's `comp_cost` in every trial, so their means add up to its mean; the workbook
/// labels each in words.
#[test]
fn compensation_cost_by_role_adds_up_to_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-up.toml");
    let out = dir.path().join("out");
    let o = sopsim(&["run", example.to_str().unwrap(), "--trials", "300", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    let mean = |metric: &str, month: &str| -> Option<f64> {
        csv.lines()
            .find(|l| l.starts_with(&format!("{metric},{month},")))
            .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
    };
    let roles = ["ae", "smb-ae", "sdr", "csm", "manager"];
    for month in ["2027-01", "2027-12", "2028-12"] {
        let total = mean("comp_cost", month).unwrap();
        let sum: f64 = roles.iter().map(|r| mean(&format!("comp_cost.{r}"), month).unwrap()).sum();
        assert!((sum - total).abs() <= 1e-9 * total, "{month}: {sum} against {total}");
        assert!(mean("comp_cost.ae", month).unwrap() > 0.0);
    }
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("Monthly mean").unwrap();
    assert!(sheet.rows().any(|r| r[0] == Data::String("Compensation cost, Mid-Market AE ($/month)".into())));
}
