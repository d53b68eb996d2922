//! The workshop page end to end, as a facilitator uses it: headless Chromium, driven
//! through chromedriver, loads `sopsim serve scenarios/scale-up.toml`, raises a
//! segment's win rate with the keyboard (typed as percentages, which the lever shows as
//! the file writes them), waits for P(hit) to rise, reads the paired difference and its
//! SE, saves the variant and runs the saved TOML with `sopsim run` on the same seed and
//! trials: the P(hit) must be the page's exactly. The page then loads and runs as
//! `http://localhost:PORT/` too (the server answers only its own names).
//!
//! On a projector (1024x768, 1280x720, 1280x800 and 1920x1080), a role's hires are
//! edited with the keyboard alone, every lever reached with Tab, and the answer, the
//! paired difference and the fan chart must stay inside the window while the lever
//! being edited is in view too.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); without
//! them each test prints `skipped: ...` and passes. With `SOPSIM_SCREENSHOT=1` the
//! projector test writes the page at 1024x768 and 1280x800 to
//! `docs/workshop-1024x768.png` and `docs/workshop-1280x800.png`.

use std::io::BufRead;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ENTER: &str = "\u{E007}";
const TAB: char = '\u{E004}';
const CONTROL: char = '\u{E009}';

/// The tests one after the other: two Chromiums and two servers at once on a small
/// machine slow both past their waits.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Whether Chromium and its driver are missing, said on the terminal when they are.
fn browser_missing(test: &str) -> bool {
    for (path, what) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        if !Path::new(path).exists() {
            // Straight to the terminal: the test harness captures `println!` and shows it
            // only for a failure, and a skipped test must say so where it is run.
            let line = format!("{test} skipped: {path} is missing (apt-get install {what})\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
            return true;
        }
    }
    false
}

/// A headless Chromium session with a window of `width` x `height`.
async fn browser(webdriver: &str, width: u32, height: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     format!("--window-size={width},{height}"), "--hide-scrollbars"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(webdriver).await.unwrap()
}

/// A child process ended when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `sopsim serve` on a free port and returns it with the page's address.
fn serve() -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopsim"))
        .args(["serve", "scenarios/scale-up.toml", "--port", "0"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string();
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (Running(child), url)
}

fn chromedriver() -> (Running, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (running, format!("http://127.0.0.1:{port}"))
}

/// The page's state: the status badge, P(hit) shown, its trials, whether the variant is
/// the baseline, and the paired difference with its SE.
const STATE: &str = "const a = document.getElementById('answer'), c = document.getElementById('compare'); \
    return { kind: document.getElementById('status').dataset.kind || '', p: a.dataset.pHit || '', \
    trials: a.dataset.trials || '', same: c.dataset.same || '', diff: c.dataset.diff || '', se: c.dataset.se || '', \
    text: a.textContent, status: document.getElementById('status').textContent, \
    errors: [...document.querySelectorAll('pre.error')].map((e) => e.textContent).join('\\n') };";

async fn wait_for(client: &fantoccini::Client, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let state = client.execute(STATE, vec![]).await.unwrap();
        if ok(&state) {
            return state;
        }
        assert!(Instant::now() < deadline, "waited 40 s for {what}; the page shows {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn the_workshop_page_in_a_browser() {
    if browser_missing("the_workshop_page_in_a_browser") {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let started = Instant::now();
    let (_server, url) = serve();
    let (_driver, webdriver) = chromedriver();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = browser(&webdriver, 1500, 1500).await;
        client.goto(&url).await.unwrap();

        // The file's own answer, on all its trials.
        let base = wait_for(&client, "the full answer", |s| s["kind"] == "full").await;
        assert_eq!(base["same"], "true");
        assert!(base["text"].as_str().unwrap().contains("chance of reaching $8M ARR by Jun 2028"), "{base}");
        let base_p = number(&base, "p");

        // A percentage typed into a rate lever reads as the file writes it.
        let read = client
            .execute(
                "return [fromPercent('25%'), fromPercent('{ low = 17.5%, high = 26 % }'), fromPercent('-2%')];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(read, json!(["0.25", "{ low = 0.175, high = 0.26 }", "-0.02"]));

        // A better mid-market win rate, typed as percentages and applied with Enter.
        let field = client.find(Locator::Css("input[data-key='segments.mid-market.win_rate']")).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(&format!("{{ low = 20%, high = 29% }}{ENTER}")).await.unwrap();
        let shown = field.prop("value").await.unwrap();
        assert_eq!(
            shown.as_deref(),
            Some("{ low = 0.2, high = 0.29 }"),
            "the lever shows the value as the file writes it"
        );
        let quick = wait_for(&client, "the quick answer", |s| s["same"] == "false").await;
        let full =
            wait_for(&client, "the full answer of the variant", |s| s["kind"] == "full" && s["same"] == "false").await;
        println!("quick {quick}\nfull {full}");
        let (p, diff, se) = (number(&full, "p"), number(&full, "diff"), number(&full, "se"));
        assert!(p > base_p, "a higher win rate raises P(hit): {base_p} -> {p}");
        assert!((diff - (p - base_p)).abs() < 1e-12, "{diff} is the paired difference of {p} and {base_p}");
        assert!(se > 0.0 && diff > 3.0 * se, "{diff} ± {se}");
        assert_eq!(full["trials"], "10000");
        let shown = client.find(Locator::Id("diff")).await.unwrap().text().await.unwrap();
        assert!(shown.starts_with('+') && shown.contains("points ±"), "{shown}");

        // Save it, and read the TOML the page offers.
        client.find(Locator::Id("variant-name")).await.unwrap().send_keys("better win rate").await.unwrap();
        client.find(Locator::Id("save")).await.unwrap().click().await.unwrap();
        client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("variant-toml")).await.unwrap();
        let toml = client.execute("return document.getElementById('variant-toml').textContent;", vec![]).await.unwrap();
        let toml = toml.as_str().unwrap().to_string();
        assert!(toml.contains("win_rate = { low = 0.2, high = 0.29 }"), "{toml}");
        let link = client.find(Locator::Css("#variants a[download]")).await.unwrap();
        assert_eq!(link.attr("download").await.unwrap().as_deref(), Some("scale-up-better_win_rate.toml"));

        // The page as http://localhost:PORT/ too: the file's answer again (kept).
        client.goto(&url.replace("127.0.0.1", "localhost")).await.unwrap();
        let local = wait_for(&client, "the full answer through localhost", |s| s["kind"] == "full").await;
        assert_eq!((local["same"].as_str(), number(&local, "p")), (Some("true"), base_p), "{local}");
        client.close().await.unwrap();

        // The saved variant, run from the command line on the same seed and trials.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("variant.toml");
        std::fs::write(&file, &toml).unwrap();
        let out = dir.path().join("out");
        let o = Command::new(env!("CARGO_BIN_EXE_sopsim"))
            .args(["run", file.to_str().unwrap(), "--trials", "10000", "--seed", "7", "--format", "json", "--quiet"])
            .args(["--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["target"]["p_hit"].as_f64(), Some(p), "sopsim run gives the page's P(hit) exactly");
    });
    println!("browser test: {:.1} s", started.elapsed().as_secs_f64());
}

/// The projectors a workshop meets, as the page's viewport in CSS pixels; the first two
/// are drawn into `docs/` with `SOPSIM_SCREENSHOT=1`.
const PROJECTORS: [(u32, u32); 4] = [(1024, 768), (1280, 800), (1280, 720), (1920, 1080)];

/// Makes the page's viewport `width` x `height` CSS pixels, whatever the window's frame.
async fn fit(client: &Client, width: u32, height: u32) {
    let inner = || async {
        let v = client.execute("return [innerWidth, innerHeight];", vec![]).await.unwrap();
        (v[0].as_u64().unwrap() as u32, v[1].as_u64().unwrap() as u32)
    };
    // A resize reaches the page a little after the command returns, later on a busy
    // machine: the viewport is read until two readings agree, and the window is then
    // corrected by the difference (the browser's own frame) until the viewport fits.
    let settled = || async {
        let mut last = inner().await;
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let now = inner().await;
            if now == last {
                break;
            }
            last = now;
        }
        last
    };
    let (mut outer_w, mut outer_h) = (width, height);
    for _ in 0..5 {
        client.set_window_size(outer_w, outer_h).await.unwrap();
        let (w, h) = settled().await;
        if (w, h) == (width, height) {
            return;
        }
        outer_w = (outer_w + width).saturating_sub(w).max(width);
        outer_h = (outer_h + height).saturating_sub(h).max(height);
    }
    assert_eq!(inner().await, (width, height), "the viewport");
}

/// Keys pressed and released one after the other; a chord is its keys pressed in order
/// and released in reverse.
async fn press(client: &Client, chord: &[char]) {
    let mut keys = KeyActions::new("keyboard".into());
    for &value in chord {
        keys = keys.then(KeyAction::Down { value });
    }
    for &value in chord.iter().rev() {
        keys = keys.then(KeyAction::Up { value });
    }
    client.perform_actions(keys).await.unwrap();
}

/// Presses Tab until the element `selector` names has the focus, at most `limit` times;
/// returns each element focused on the way, as `[lever key, month, id]`.
async fn tab_to(client: &Client, selector: &str, limit: usize) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..limit {
        press(client, &[TAB]).await;
        let here = client
            .execute(
                "const a = document.activeElement; \
                 return [a.dataset.key || '', a.dataset.month || '', a.id || '', a.matches(arguments[0])];",
                vec![json!(selector)],
            )
            .await
            .unwrap();
        let arrived = here[3] == true;
        seen.push(json!([here[0], here[1], here[2]]));
        if arrived {
            return seen;
        }
    }
    panic!("{limit} presses of Tab did not reach {selector}: {seen:?}");
}

/// Where the answer, the paired difference, the fan chart and the lever `arguments[0]`
/// are in the viewport, as `[left, top, right, bottom]`, and which of them are covered
/// at their centre by something else (a sticky title, another panel); the focused
/// element's outline; and the smallest text on the page in CSS pixels (an SVG's text
/// scaled as drawn).
const PLACES: &str = "const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect(); \
      return [r.left, r.top, r.right, r.bottom].map((v) => Math.round(v)); }; \
    const shown = { answer: 'answer', diff: 'diff', fan: 'fan-chart' }; \
    const covered = Object.entries({ ...shown, lever: null }).filter(([, id]) => { \
      const e = id ? document.getElementById(id) : document.querySelector(arguments[0]); \
      const r = e.getBoundingClientRect(); \
      const top = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2); \
      return !top || !(e.contains(top) || top.contains(e) && top.tagName === 'LABEL'); }).map(([k]) => k); \
    const f = document.activeElement, style = getComputedStyle(f); \
    let small = [Infinity, '']; \
    for (const e of document.querySelectorAll('body *')) { \
      if (!e.getClientRects().length || e.closest('.visually-hidden')) continue; \
      if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue; \
      let size = parseFloat(getComputedStyle(e).fontSize); \
      const svg = e.ownerSVGElement; \
      if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) \
        size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; \
      if (size < small[0]) small = [Math.round(size * 10) / 10, e.textContent.trim().slice(0, 40)]; \
    } \
    return { width: innerWidth, height: innerHeight, scrolled: Math.round(scrollY), \
      answer: box(document.getElementById('answer')), diff: box(document.getElementById('diff')), \
      fan: box(document.getElementById('fan-chart')), lever: box(document.querySelector(arguments[0])), \
      covered, focus: [f.dataset.key || f.id || f.tagName, f.dataset.month || '', style.outlineStyle, \
              parseFloat(style.outlineWidth)], smallest_text: small };";

/// A facilitator at a projector types a role's hires with the keyboard alone: the lever
/// is scrolled into view, and the room still sees the answer, the difference to the
/// baseline and the fan chart, whole, after the re-run. Enter re-runs, and so does
/// leaving the field with Tab. Every lever is reached with Tab and has a label.
#[test]
fn on_a_projector_the_answer_stays_in_view_while_hires_are_typed() {
    if browser_missing("on_a_projector_the_answer_stays_in_view_while_hires_are_typed") {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (_server, url) = serve();
    let (_driver, webdriver) = chromedriver();
    let screenshots = std::env::var_os("SOPSIM_SCREENSHOT").is_some_and(|v| v == "1");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = browser(&webdriver, PROJECTORS[0].0, PROJECTORS[0].1).await;
        for (i, &(width, height)) in PROJECTORS.iter().enumerate() {
            client.goto(&url).await.unwrap();
            fit(&client, width, height).await;
            let base = wait_for(&client, "the file's full answer", |s| s["kind"] == "full" && s["same"] == "true").await;

            // Five more AEs in a month, from the page's top with Tab, Ctrl+A and digits.
            let month = ["2027-07", "2027-08", "2027-09", "2027-10"][i];
            let cell = format!("input[data-key='roles.ae.hires'][data-month='{month}']");
            tab_to(&client, &cell, 120).await;
            press(&client, &[CONTROL, 'a']).await;
            press(&client, &['5']).await;
            // Enter re-runs; so does leaving the field (its change, as a mouse edit makes).
            let leave = if i % 2 == 0 { ENTER.chars().next().unwrap() } else { TAB };
            press(&client, &[leave]).await;
            let typed = client.find(Locator::Css(&cell)).await.unwrap().prop("value").await.unwrap();
            assert_eq!(typed.as_deref(), Some("5"), "{width}x{height}: {cell}");
            let full = wait_for(&client, "the variant's full answer", |s| s["kind"] == "full" && s["same"] == "false").await;
            assert!(number(&full, "p") > number(&base, "p"), "five more AEs raise P(hit): {base} -> {full}");

            let places = client.execute(PLACES, vec![json!(cell)]).await.unwrap();
            println!("{width}x{height}: {places}");
            if screenshots && i < 2 {
                let png = client.screenshot().await.unwrap();
                let file = format!("docs/workshop-{width}x{height}.png");
                std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(file), png).unwrap();
            }
            let inside = |key: &str| {
                let b: Vec<f64> = places[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
                b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= f64::from(width) && b[3] <= f64::from(height)
            };
            let outside: Vec<&str> = ["answer", "diff", "fan", "lever"].into_iter().filter(|k| !inside(k)).collect();
            assert!(outside.is_empty(), "{width}x{height}: {outside:?} not wholly in the window: {places}");
            assert_eq!(places["covered"], json!([]), "{width}x{height}: covered by something else: {places}");
            let focus = &places["focus"];
            assert!(
                focus[2] != "none" && focus[3].as_f64().unwrap() >= 3.0,
                "{width}x{height}: the focused lever shows an outline: {focus}"
            );
            let smallest = places["smallest_text"][0].as_f64().unwrap();
            assert!(smallest >= 14.0, "{width}x{height}: text a room can read: {places}");
        }

        // Every lever has a label and is reached with Tab, from the top to "Back to the file".
        client.goto(&url).await.unwrap();
        wait_for(&client, "the file's full answer", |s| s["kind"] == "full").await;
        let inputs = client
            .execute(
                "return [...document.querySelectorAll('#levers input')].map((i) => \
                   [i.dataset.key || '', i.dataset.month || '', i.labels.length > 0 ? i.labels[0].textContent.trim() : '']);",
                vec![],
            )
            .await
            .unwrap();
        let inputs = inputs.as_array().unwrap();
        assert!(inputs.len() > 100, "the scale-up levers and hire months: {}", inputs.len());
        let walked = tab_to(&client, "#reset", 400).await;
        for input in inputs {
            assert!(input[2].as_str().is_some_and(|l| !l.is_empty()), "a label tied to {input}");
            assert!(
                walked.iter().any(|w| w[0] == input[0] && w[1] == input[1]),
                "Tab reaches {input}: {walked:?}"
            );
        }
        client.close().await.unwrap();
    });
}
