//! `sopsim serve`: the workshop API through its router (no socket), and the binary as a
//! facilitator starts and stops it. The numbers the page shows are the command line's:
//! the same seed and trials give the same P(hit) as `sopsim run`, a saved variant runs
//! to it exactly, and report.html is byte for byte the one `run` writes.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use sopsim::serve::{MAX_BODY_BYTES, Workshop, router};
use tower::ServiceExt;

use super::cli::sopsim;

const FILE: &str = "scenarios/scale-up.toml";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn app() -> Router {
    router(Arc::new(Workshop::load(Path::new(FILE), 2, true).unwrap()))
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("content-type", "application/json").body(body.into()).unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, bytes.to_vec())
}

fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let (status, bytes) = runtime().block_on(send(app, req));
    let value = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

fn run(app: &Router, body: Value) -> (StatusCode, Value) {
    call(app, post("/api/run", body.to_string()))
}

fn stderr_of(args: &[&str]) -> (i32, String) {
    let o = sopsim(args);
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn the_page_and_its_levers_are_served() {
    let app = app();
    let (status, page) = runtime().block_on(send(&app, Request::get("/").body(Body::empty()).unwrap()));
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("<script src=\"/page.js\"></script>"), "{page}");
    assert!(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from elsewhere");
    for asset in ["/page.js", "/page.css"] {
        let (status, body) = runtime().block_on(send(&app, Request::get(asset).body(Body::empty()).unwrap()));
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(!body.is_empty());
    }
    let (status, s) = call(&app, Request::get("/api/scenario").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = s["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["levers"].as_array().unwrap().iter().map(|l| l["key"].as_str().unwrap()))
        .collect();
    for key in [
        "scenario.trials",
        "target.arr",
        "demand.leads_per_month",
        "segments.mid-market.win_rate",
        "segments.smb.deal_size",
        "segments.smb.cycle_months",
        "roles.ae.ramp_months",
        "roles.ae.annual_attrition",
        "roles.ae.hires",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    let ae_hires = s["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["levers"].as_array().unwrap())
        .find(|l| l["key"] == "roles.ae.hires")
        .unwrap();
    // From the hire already mid-ramp (Nov 2026) to the last month.
    assert_eq!(ae_hires["hires"]["months"][0], "2026-11");
    assert_eq!(ae_hires["hires"]["months"].as_array().unwrap().len(), 26);
    assert_eq!(ae_hires["hires"]["counts"][6], 2, "two AEs start in May 2027");
    let (status, _) = call(&app, Request::get("/nothing").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn a_run_with_an_edit_gives_p_hit_and_fans() {
    let app = app();
    let (status, r) = run(&app, json!({ "overrides": ["scenario.trials=400", "roles.ae.ramp_months=3"] }));
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["trials"], 400);
    assert_eq!(r["quick"], false);
    let p = r["p_hit"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(r["answer"].as_str().unwrap().contains("chance of reaching $8M ARR by Jun 2028"), "{}", r["answer"]);
    for level in ["p10", "p25", "p50", "p75", "p90"] {
        assert_eq!(r["fan"][level].as_array().unwrap().len(), 24, "{level}");
    }
    let at = |level: &str| r["fan"][level][17].as_f64().unwrap();
    assert!(at("p10") <= at("p25") && at("p25") <= at("p50") && at("p50") <= at("p75") && at("p75") <= at("p90"));
    assert_eq!(r["roles"].as_array().unwrap().len(), 5);
    assert_eq!(r["capacity"]["worked"].as_array().unwrap().len(), 24);

    let (status, q) = run(&app, json!({ "overrides": ["roles.ae.ramp_months=3"], "quick": true }));
    assert_eq!(status, StatusCode::OK, "{q}");
    assert_eq!(
        (q["trials"].as_u64(), q["full_trials"].as_u64(), q["quick"].as_bool()),
        (Some(500), Some(10_000), Some(true))
    );
}

/// Raising a segment's win rate raises P(hit), and the paired difference on the same
/// trials is far beyond its standard error; a variant against itself differs by 0.
#[test]
fn a_higher_win_rate_raises_p_hit_paired_on_the_same_trials() {
    let app = app();
    let base = ["scenario.trials=1000".to_string()];
    let (status, r) = run(
        &app,
        json!({
            "overrides": ["scenario.trials=1000", "segments.mid-market.win_rate={ low = 0.24, high = 0.33 }"],
            "baseline": base,
        }),
    );
    assert_eq!(status, StatusCode::OK, "{r}");
    let (p, bp) = (r["p_hit"].as_f64().unwrap(), r["baseline"]["p_hit"].as_f64().unwrap());
    let (d, se) = (r["paired"]["p_hit"].as_f64().unwrap(), r["paired"]["p_hit_se"].as_f64().unwrap());
    assert!(p > bp, "{p} > {bp}");
    assert!((d - (p - bp)).abs() < 1e-12, "the paired mean is the difference of the P(hit)s");
    assert!(d > 3.0 * se && se > 0.0, "{d} ± {se}");
    assert_eq!(r["baseline"]["same"], false);
    let unpaired =
        (r["p_hit_se"].as_f64().unwrap().powi(2) + r["baseline"]["p_hit_se"].as_f64().unwrap().powi(2)).sqrt();
    assert!(se < unpaired, "common random numbers: paired SE {se} below unpaired {unpaired}");

    let (_, same) = run(&app, json!({ "overrides": base, "baseline": base }));
    assert_eq!((same["paired"]["p_hit"].as_f64(), same["paired"]["p_hit_se"].as_f64()), (Some(0.0), Some(0.0)));
    assert_eq!(same["baseline"]["same"], true);
    assert_eq!(same["baseline"]["p_hit"].as_f64(), Some(bp), "the baseline ran on the same trials");
}

#[test]
fn malformed_json_is_400_with_a_message() {
    let app = app();
    for body in ["{not json", "{\"overrides\": 3}", "{\"overides\": []}", ""] {
        let (status, r) = call(&app, post("/api/run", body));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r["error"].as_str().unwrap().starts_with("error: the request is not the JSON expected:"), "{r}");
    }
    let (status, _) = call(&app, post("/api/variant", "[1, 2"));
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn a_body_over_the_limit_is_413() {
    let app = app();
    let big = format!("{{\"overrides\": [\"{}\"]}}", "x".repeat(MAX_BODY_BYTES + 1));
    for path in ["/api/run", "/api/variant", "/api/report"] {
        let (status, _) = runtime().block_on(send(&app, post(path, big.clone())));
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
}

/// A misspelt key, a value out of range, or a horizon or staff beyond the validator's
/// bounds: 400 with exactly what `sopsim run FILE --set ...` prints, pointing at the
/// override.
#[test]
fn an_invalid_override_gives_the_command_lines_message() {
    let app = app();
    for bad in [
        "segments.mid-market.win_rat=0.3",
        "segments.mid-market.win_rate=1.7",
        "scenario.months=100000",
        "roles.ae.headcount=100000000",
        "roles.sdr.hires={ \"2027-03\" = 200000 }",
    ] {
        let (status, r) = run(&app, json!({ "overrides": ["roles.ae.ramp_months=4", bad] }));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {r}");
        let (code, cli) =
            stderr_of(&["run", FILE, "--set", "roles.ae.ramp_months=4", "--set", bad, "--format", "json"]);
        assert_eq!(code, 2, "{bad}");
        assert_eq!(r["error"].as_str().unwrap(), cli, "{bad}");
        assert_eq!(r["which"], "variant");
        assert!(r["overrides"].as_array().unwrap().contains(&json!(1)), "{bad}: {r}");
    }
    let (status, r) = run(&app, json!({ "overrides": [], "baseline": ["target.arr=-1"] }));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(r["which"], "baseline");
}

/// The page runs at most 200,000 trials, 12,000,000 trial-months, and planned staff
/// times months times trials of 5e9 (90,000 hires pass the validator, and would hold
/// the run slot for minutes).
#[test]
fn unbounded_work_is_refused_with_400() {
    let app = app();
    for (overrides, says) in [
        (vec!["scenario.trials=5000000"], "more than the workshop page runs (200,000 at most)"),
        (vec!["scenario.trials=200000", "scenario.months=120"], "12,000,000 trial-months at most"),
        (vec!["roles.sdr.hires={ \"2027-03\" = 90000 }"], "with 90,021 people planned"),
    ] {
        let (status, r) = run(&app, json!({ "overrides": overrides }));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
        assert!(r["error"].as_str().unwrap().contains(says), "{r}");
        assert_eq!(r["overrides"], json!([overrides.len() - 1]), "the message goes by the trials or months field");
    }
    let (status, _) = call(&app, post("/api/report", json!({ "overrides": ["scenario.trials=5000000"] }).to_string()));
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Runs take the one run slot in turn, a few more wait, the rest get 503 at once, and
/// the page is served all the while.
#[test]
fn concurrent_runs_are_bounded_and_the_server_keeps_serving() {
    let app = app();
    let rt = runtime();
    let statuses: Vec<StatusCode> = rt.block_on(async {
        let mut tasks = Vec::new();
        for k in 0..12 {
            let app = app.clone();
            let body = json!({ "overrides": ["scenario.trials=600", format!("roles.ae.ramp_months={}", 2 + k)] });
            tasks.push(tokio::spawn(async move { send(&app, post("/api/run", body.to_string())).await.0 }));
        }
        tokio::task::yield_now().await;
        let (page, _) = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(page, StatusCode::OK, "the page is served while runs wait");
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let busy = statuses.iter().filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE).count();
    assert_eq!(ok + busy, 12, "{statuses:?}");
    assert!(ok >= 1 && busy >= 1, "{statuses:?}");
    let (status, _) = run(&app, json!({ "overrides": ["scenario.trials=300"] }));
    assert_eq!(status, StatusCode::OK, "the server serves again");
}

/// A newer change from the same page stops the run in flight.
#[test]
fn a_newer_change_cancels_the_run_in_flight() {
    let app = app();
    let rt = runtime();
    let (first, second, seconds) = rt.block_on(async {
        let started = std::time::Instant::now();
        let long = json!({ "overrides": ["scenario.trials=200000"], "session": "s1", "generation": 1 });
        let a = app.clone();
        let first = tokio::spawn(async move { send(&a, post("/api/run", long.to_string())).await });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let newer = json!({ "overrides": ["scenario.trials=300"], "session": "s1", "generation": 2 });
        let second = send(&app, post("/api/run", newer.to_string())).await;
        let first = first.await.unwrap();
        (first, second, started.elapsed().as_secs_f64())
    });
    assert_eq!(first.0, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&first.1));
    assert_eq!(second.0, StatusCode::OK);
    assert!(seconds < 10.0, "the 200,000-trial run stopped early ({seconds:.1} s)");
    let stale = json!({ "overrides": [], "session": "s1", "generation": 1, "quick": true });
    assert_eq!(run(&app, stale).0, StatusCode::CONFLICT, "an older change is not run");
}

/// The variant saved from the page, run by `sopsim run` with the same seed and trials,
/// gives exactly the P(hit) the page showed.
#[test]
fn a_saved_variant_runs_to_the_same_p_hit() {
    let app = app();
    let overrides = [
        "scenario.trials=1500",
        "scenario.seed=11",
        "segments.smb.win_rate=0.31",
        "roles.ae.hires={ \"2026-11\" = 1, \"2027-02\" = 3, \"2027-06\" = 1 }",
        "roles.sdr.annual_attrition={ low = 0.3, high = 0.6 }",
    ];
    let (status, r) = run(&app, json!({ "overrides": overrides }));
    assert_eq!(status, StatusCode::OK, "{r}");
    let p = r["p_hit"].as_f64().unwrap();
    let (status, v) =
        call(&app, post("/api/variant", json!({ "overrides": overrides, "name": "room's pick" }).to_string()));
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["filename"], "scale-up-room_s_pick.toml");
    let toml = v["toml"].as_str().unwrap();
    assert!(toml.contains("# Scale-up: $2.4M ARR mid-market SaaS"), "the file's comments are kept");
    let keys: Vec<&str> = v["diff"].as_array().unwrap().iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["scenario.trials", "scenario.seed", "segments.smb.win_rate", "roles.ae.hires", "roles.sdr.annual_attrition"]
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("variant.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("out");
    let o = sopsim(&[
        "run",
        file.to_str().unwrap(),
        "--trials",
        "1500",
        "--seed",
        "11",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["target"]["p_hit"].as_f64(), Some(p), "determinism: the page's P(hit) exactly");
}

/// report.html from the page is the file `sopsim run FILE --set ...` writes.
#[test]
fn the_report_is_the_one_run_writes() {
    let app = app();
    let overrides = ["scenario.trials=600", "segments.mid-market.win_rate=0.3"];
    let (status, html) =
        runtime().block_on(send(&app, post("/api/report", json!({ "overrides": overrides }).to_string())));
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&html));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["run", FILE, "--format", "html", "--out", out.to_str().unwrap(), "--quiet"];
    for o in &overrides {
        args.extend(["--set", o]);
    }
    let o = sopsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(html == std::fs::read(out.join("report.html")).unwrap(), "report.html differs from run's");
}

/// A request to the real server, over a socket: status and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// The binary listens, answers, stops the run of a request whose client went away,
/// writes no file at all (downloads are response bodies), and stops on Ctrl-C (SIGINT)
/// with exit code 0.
#[cfg(unix)]
#[test]
fn the_server_writes_nothing_and_stops_cleanly_on_ctrl_c() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FILE, dir.path().join("s.toml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopsim"))
        .args(["serve", "s.toml", "--port", "0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.split("http://").nth(1).unwrap().trim_end_matches(|c| c != '/').trim_end_matches('/').to_string();
    assert_eq!(http(&addr, "GET", "/", "").0, 200, "{first}");
    // A page that goes away stops its run: a 200,000-trial run, abandoned at once, does
    // not keep the next request waiting.
    let mut gone = std::net::TcpStream::connect(&addr).unwrap();
    let body = r#"{"overrides":["scenario.trials=200000"]}"#;
    let req = format!("POST /api/run HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    gone.write_all(req.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(gone);
    let started = std::time::Instant::now();
    let (status, body) = http(&addr, "POST", "/api/run", r#"{"overrides":["scenario.trials=300"],"quick":true}"#);
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed().as_secs_f64() < 10.0, "the abandoned run stopped");
    assert_eq!(http(&addr, "POST", "/api/variant", r#"{"overrides":["scenario.trials=300"]}"#).0, 200);
    assert_eq!(http(&addr, "POST", "/api/report", r#"{"overrides":["scenario.trials=300"]}"#).0, 200);
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C stops the server with exit code 0");
    assert!(lines.any(|l| l.is_ok_and(|l| l.contains("stopped"))));
    let left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["s.toml"], "the server wrote no file");
}

#[test]
fn a_port_in_use_or_a_bad_scenario_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, err) = stderr_of(&["serve", FILE, "--port", &port]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("error: cannot listen on 127.0.0.1:{port}")) && err.contains("--port"), "{err}");
    let (code, err) = stderr_of(&["serve", "tests/bad/nonexistent.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read the scenario file"), "{err}");
}
