//! The workshop page end to end, as a facilitator uses it: headless Chromium, driven
//! through chromedriver, loads `sopsim serve scenarios/scale-up.toml`, raises a
//! segment's win rate with the keyboard (typed as percentages, which the lever shows as
//! the file writes them), waits for P(hit) to rise, reads the paired difference and its
//! SE, saves the variant and runs the saved TOML with `sopsim run` on the same seed and
//! trials: the P(hit) must be the page's exactly. The page then loads and runs as
//! `http://localhost:PORT/` too (the server answers only its own names).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); without
//! them it prints `skipped: ...` and passes. With `SOPSIM_SCREENSHOT=1` it writes the
//! page to `docs/serve.png`.

use std::io::BufRead;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ENTER: &str = "\u{E007}";

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
    for (path, what) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        if !Path::new(path).exists() {
            // Straight to the terminal: the test harness captures `println!` and shows it
            // only for a failure, and a skipped test must say so where it is run.
            let line = format!("the_workshop_page_in_a_browser skipped: {path} is missing (apt-get install {what})\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
            return;
        }
    }
    let started = Instant::now();
    let (_server, url) = serve();
    let (_driver, webdriver) = chromedriver();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1500,1500", "--hide-scrollbars"],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&webdriver).await.unwrap();
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

        if std::env::var_os("SOPSIM_SCREENSHOT").is_some_and(|v| v == "1") {
            client.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
            let png = client.screenshot().await.unwrap();
            std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/serve.png"), png).unwrap();
        }

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
