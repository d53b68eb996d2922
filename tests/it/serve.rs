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
use sopsim::serve::{Guard, MAX_BODY_BYTES, Workshop, router};
use tower::ServiceExt;

use super::cli::sopsim;

const FILE: &str = "scenarios/scale-up.toml";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The port the router is told it listens on.
const PORT: u16 = 8470;
/// The `Host` of the server's own page.
const HOST: &str = "127.0.0.1:8470";

/// The router of a server on 127.0.0.1, port [`PORT`].
fn app() -> Router {
    app_with("127.0.0.1", PORT, &[])
}

/// The router of a server listening on `bind`, `port`, with `--allow-host` names `allowed`.
fn app_with(bind: &str, port: u16, allowed: &[&str]) -> Router {
    let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    let guard = Guard::new(bind.parse().unwrap(), port, &allowed);
    router(Arc::new(Workshop::load(Path::new(FILE), 2, true).unwrap()), guard)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).header("host", HOST).body(Body::empty()).unwrap()
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("host", HOST).header("content-type", "application/json").body(body.into()).unwrap()
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
    let (status, page) = runtime().block_on(send(&app, get("/")));
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("<script src=\"/page.js\"></script>"), "{page}");
    assert!(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from elsewhere");
    for asset in ["/page.js", "/page.css"] {
        let (status, body) = runtime().block_on(send(&app, get(asset)));
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(!body.is_empty());
    }
    let (status, s) = call(&app, get("/api/scenario"));
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
    // Groups are titled by the roles' and segments' labels, not their ids.
    let titles: Vec<&str> = s["groups"].as_array().unwrap().iter().map(|g| g["title"].as_str().unwrap()).collect();
    for title in ["Segment Mid-Market", "Role Mid-Market AE (closer, Mid-Market)"] {
        assert!(titles.contains(&title), "{title} in {titles:?}");
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
    let (status, _) = call(&app, get("/nothing"));
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
    // The staff chart's legend names each role by its label.
    let names: Vec<&str> = r["roles"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Mid-Market AE") && names.contains(&"SDR"), "{names:?}");
    assert!(r["answer"].as_str().unwrap().contains("chance of reaching $8M ARR by Jun 2028"), "{}", r["answer"]);
    for level in ["p10", "p25", "p50", "p75", "p90"] {
        assert_eq!(r["fan"][level].as_array().unwrap().len(), 24, "{level}");
    }
    let at = |level: &str| r["fan"][level][17].as_f64().unwrap();
    assert!(at("p10") <= at("p25") && at("p25") <= at("p50") && at("p50") <= at("p75") && at("p75") <= at("p90"));
    assert_eq!(r["roles"].as_array().unwrap().len(), 5);
    assert_eq!(r["capacity"]["worked"].as_array().unwrap().len(), 24);
    // The same edits again: the answer is kept from the first run, and says so.
    assert_eq!(r["kept"], false);
    let (_, again) = run(&app, json!({ "overrides": ["scenario.trials=400", "roles.ae.ramp_months=3"] }));
    assert_eq!((again["kept"].as_bool(), &again["p_hit"]), (Some(true), &r["p_hit"]), "{again}");

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
        let (status, text) = refusal(&app, post(path, big.clone()));
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(text.contains("more than 262144 bytes"), "{text}");
    }
}

/// A request built by hand: `method` on `path` with `headers`, and a small body that
/// would run if let through.
fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let body = if method == "POST" { r#"{"overrides":["scenario.trials=300"]}"# } else { "" };
    r.body(Body::from(body)).unwrap()
}

/// A refusal: its status, and its one line of plain text.
fn refusal(app: &Router, req: Request<Body>) -> (StatusCode, String) {
    let resp = runtime().block_on(app.clone().oneshot(req)).unwrap();
    let status = resp.status();
    let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let bytes = runtime().block_on(axum::body::to_bytes(resp.into_body(), usize::MAX)).unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    if !status.is_success() {
        assert_eq!(kind.as_deref(), Some("text/plain; charset=utf-8"), "{status} {text}");
        assert!(text.ends_with('\n') && text.lines().count() == 1, "one line: {text:?}");
    }
    (status, text)
}

/// A page on another site whose name is pointed at 127.0.0.1 (DNS rebinding) reads
/// nothing and runs nothing: a request addressed to any other host, or to another port,
/// is refused with 403 and a line saying which hosts are this server's.
#[test]
fn a_foreign_host_is_refused() {
    let app = app();
    for host in [
        "attacker.example",
        "attacker.example:8470",
        "localhost.attacker.example:8470",
        "127.0.0.1.nip.io:8470",
        "127.0.0.1:8471",
        "[::1]:80",
        "localhost",
        "127.0.0.1",
        "0.0.0.0:8470",
        "10.0.0.5:8470",
        "127.0.0.1:8470:8470",
        "[::1",
        "",
    ] {
        for (method, path) in [("GET", "/"), ("GET", "/page.js"), ("GET", "/api/scenario"), ("POST", "/api/run")] {
            let req = request(method, path, &[("host", host), ("content-type", "application/json")]);
            let (status, text) = refusal(&app, req);
            assert_eq!(status, StatusCode::FORBIDDEN, "{host} {method} {path}: {text}");
            assert!(text.contains("127.0.0.1:8470") && text.contains("--allow-host"), "{text}");
        }
    }
    // A request in absolute form is judged by the host it names too.
    let req = request("GET", "http://attacker.example:8470/api/scenario", &[("host", HOST)]);
    assert_eq!(refusal(&app, req).0, StatusCode::FORBIDDEN);
}

/// HTTP/1.1 requires a Host: a request without one, or with two, is refused.
#[test]
fn a_request_without_a_host_is_refused() {
    let app = app();
    for path in ["/", "/api/scenario"] {
        let (status, text) = refusal(&app, request("GET", path, &[]));
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {text}");
        assert!(text.contains("without a Host"), "{text}");
    }
    let req = request("POST", "/api/run", &[("content-type", "application/json")]);
    assert_eq!(refusal(&app, req).0, StatusCode::FORBIDDEN);
    let req = request("GET", "/api/scenario", &[("host", HOST), ("host", "attacker.example")]);
    assert_eq!(refusal(&app, req).0, StatusCode::FORBIDDEN);
}

/// A post from a page of another origin (a form or a script elsewhere) runs nothing,
/// even addressed to this server's own host.
#[test]
fn a_post_from_another_origin_is_refused() {
    let app = app();
    for origin in [
        "http://attacker.example",
        "http://attacker.example:8470",
        "null",
        "https://127.0.0.1:8470",
        "http://127.0.0.1:8471",
        "http://127.0.0.1",
        "http://localhost:8470/page",
        "http://127.0.0.1:8470.attacker.example",
    ] {
        for path in ["/api/run", "/api/variant", "/api/report"] {
            let req =
                request("POST", path, &[("host", HOST), ("origin", origin), ("content-type", "application/json")]);
            let (status, text) = refusal(&app, req);
            assert_eq!(status, StatusCode::FORBIDDEN, "{origin} {path}: {text}");
            assert!(text.contains("http://127.0.0.1:8470"), "{text}");
        }
    }
}

/// A plain HTML form can post only `application/x-www-form-urlencoded`,
/// `multipart/form-data` and `text/plain`, with no preflight: a post that is not JSON is
/// 415, whatever its body.
#[test]
fn a_post_that_is_not_json_is_415() {
    let app = app();
    for kind in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonp"),
        Some("application/json-seq"),
        None,
    ] {
        for path in ["/api/run", "/api/variant", "/api/report"] {
            let mut headers = vec![("host", HOST)];
            headers.extend(kind.map(|k| ("content-type", k)));
            let (status, text) = refusal(&app, request("POST", path, &headers));
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind:?} {path}: {text}");
            assert!(text.contains("application/json"), "{text}");
        }
    }
}

/// A body announced over the limit is refused from its Content-Length, before any of
/// it is read.
#[test]
fn a_content_length_over_the_limit_is_413_before_the_body() {
    let app = app();
    let over = (MAX_BODY_BYTES + 1).to_string();
    for path in ["/api/run", "/api/variant", "/api/report"] {
        let req = Request::post(path)
            .header("host", HOST)
            .header("content-type", "application/json")
            .header("content-length", &over)
            .body(Body::empty())
            .unwrap();
        let (status, text) = refusal(&app, req);
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {text}");
        assert!(text.contains("262144"), "{text}");
    }
}

/// The server's own forms pass: 127.0.0.1, localhost and `[::1]` with the port, the
/// --bind address, an --allow-host name; a post with no Origin or the page's own, sent
/// as JSON with or without parameters.
#[test]
fn the_servers_own_hosts_and_origins_pass() {
    let ok = |app: &Router, host: &str, origin: Option<&str>, kind: &str| {
        let (status, text) = refusal(app, request("GET", "/api/scenario", &[("host", host)]));
        assert_eq!(status, StatusCode::OK, "GET {host}: {text}");
        let mut headers = vec![("host", host), ("content-type", kind)];
        headers.extend(origin.map(|o| ("origin", o)));
        let req = request("POST", "/api/variant", &headers);
        let (status, text) = refusal(app, req);
        assert_eq!(status, StatusCode::OK, "POST {host} from {origin:?} as {kind}: {text}");
    };
    let app = app();
    for host in ["127.0.0.1:8470", "localhost:8470", "LocalHost:8470", "[::1]:8470", "[0:0:0:0:0:0:0:1]:8470"] {
        ok(&app, host, None, "application/json");
        ok(&app, host, Some(&format!("http://{host}")), "application/json");
    }
    ok(&app, HOST, Some("http://localhost:8470"), "application/json; charset=utf-8");
    ok(&app, HOST, Some("http://[::1]:8470"), "Application/JSON;charset=UTF-8");

    // Listening on a network address: that address too, and nothing else.
    let lan = app_with("192.168.7.7", PORT, &[]);
    ok(&lan, "192.168.7.7:8470", Some("http://192.168.7.7:8470"), "application/json");
    ok(&lan, HOST, None, "application/json");
    let six = app_with("fd00::7", PORT, &[]);
    ok(&six, "[fd00::7]:8470", Some("http://[fd00::7]:8470"), "application/json");
    // On all addresses: any IP address (an address cannot be rebound), no other name.
    let all = app_with("0.0.0.0", PORT, &[]);
    ok(&all, "10.1.2.3:8470", Some("http://10.1.2.3:8470"), "application/json");
    ok(&all, "localhost:8470", None, "application/json");
    // A name allowed on purpose.
    let named = app_with("127.0.0.1", PORT, &["workshop.lan"]);
    ok(&named, "workshop.lan:8470", Some("http://workshop.lan:8470"), "application/json");
    ok(&named, "WORKSHOP.lan:8470", None, "application/json");
    // On port 80 a browser sends no port.
    let eighty = app_with("127.0.0.1", 80, &[]);
    ok(&eighty, "localhost", Some("http://localhost"), "application/json");
    ok(&eighty, "127.0.0.1:80", Some("http://127.0.0.1"), "application/json");
}

/// What the refusals above pass stays refused beside them: another address than the
/// --bind one, another name than the allowed one, an allowed name on another port.
#[test]
fn the_bind_address_and_allowed_names_let_in_only_themselves() {
    let refused = |app: &Router, host: &str| {
        let (status, text) = refusal(app, request("GET", "/api/scenario", &[("host", host)]));
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {text}");
    };
    let lan = app_with("192.168.7.7", PORT, &[]);
    refused(&lan, "192.168.7.8:8470");
    refused(&lan, "attacker.example:8470");
    let all = app_with("0.0.0.0", PORT, &[]);
    refused(&all, "attacker.example:8470");
    refused(&all, "10.1.2.3:8471");
    let named = app_with("127.0.0.1", PORT, &["workshop.lan"]);
    refused(&named, "workshop.lan:8471");
    refused(&named, "other.lan:8470");
    refused(&named, "workshop.lan.attacker.example:8470");
    let req = request(
        "POST",
        "/api/run",
        &[("host", "workshop.lan:8470"), ("origin", "http://other.lan:8470"), ("content-type", "application/json")],
    );
    assert_eq!(refusal(&named, req).0, StatusCode::FORBIDDEN);
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
        let (page, _) = send(&app, get("/")).await;
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
/// gives exactly the P(hit) the page showed, and the hires the page gives in people over
/// the horizon (each role's and every role's, `44 (37–51)`) are `summary.json`'s.
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
    let people = |st: &Value| {
        let at = |level: &str| st[level].as_f64().unwrap();
        sopsim::format::people(at("p10"), at("p50"), at("p90"))
    };
    let totals = &summary["horizon"]["totals"];
    assert_eq!(r["hires_people"].as_str(), Some(people(&totals["hires"]).as_str()), "{}", r["hires_people"]);
    for role in r["roles"].as_array().unwrap() {
        let id = role["id"].as_str().unwrap();
        assert_eq!(role["hires_people"].as_str(), Some(people(&totals[format!("hires.{id}")]).as_str()), "{id}");
    }
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

/// `sopsim serve` on a free port of 127.0.0.1, run in `dir` on its `s.toml`; killed if
/// still running when dropped.
#[cfg(unix)]
struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// Its standard output after the first line.
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

#[cfg(unix)]
impl Server {
    fn start(dir: &Path, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_sopsim"))
            .args(["serve", "s.toml", "--port", "0"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let Some(url) = first.split("http://").nth(1) else {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("the server did not start: {first}\n{err}");
        };
        let addr = url.trim_end_matches(|c| c != '/').trim_end_matches('/').to_string();
        Server { child, addr, lines }
    }

    /// Ctrl-C: the exit code and what the server wrote on stderr.
    fn stop(&mut self) -> (Option<i32>, String) {
        let kill = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status.code(), err)
    }
}

#[cfg(unix)]
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A folder with the example as `s.toml`.
#[cfg(unix)]
fn scenario_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FILE, dir.path().join("s.toml")).unwrap();
    dir
}

/// The binary listens, answers, stops the run of a request whose client went away,
/// writes no file at all (downloads are response bodies), and stops on Ctrl-C (SIGINT)
/// with exit code 0.
#[cfg(unix)]
#[test]
fn the_server_writes_nothing_and_stops_cleanly_on_ctrl_c() {
    let dir = scenario_dir();
    let mut server = Server::start(dir.path(), &[]);
    let addr = server.addr.clone();
    assert_eq!(http(&addr, "GET", "/", "").0, 200);
    // A page that goes away stops its run: a 200,000-trial run, abandoned at once, does
    // not keep the next request waiting.
    let mut gone = std::net::TcpStream::connect(&addr).unwrap();
    let body = r#"{"overrides":["scenario.trials=200000"]}"#;
    let req = format!(
        "POST /api/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    gone.write_all(req.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(gone);
    let started = std::time::Instant::now();
    let (status, body) = http(&addr, "POST", "/api/run", r#"{"overrides":["scenario.trials=300"],"quick":true}"#);
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed().as_secs_f64() < 10.0, "the abandoned run stopped");
    assert_eq!(http(&addr, "POST", "/api/variant", r#"{"overrides":["scenario.trials=300"]}"#).0, 200);
    assert_eq!(http(&addr, "POST", "/api/report", r#"{"overrides":["scenario.trials=300"]}"#).0, 200);
    let (code, _) = server.stop();
    assert_eq!(code, Some(0), "Ctrl-C stops the server with exit code 0");
    assert!(server.lines.any(|l| l.is_ok_and(|l| l.contains("stopped"))));
    let left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["s.toml"], "the server wrote no file");
}

/// Sends `head` and then `body` on a new connection as a plain client does (all of
/// it, then the answer) and reads the answer to its end: status and text. Panics when
/// the server cuts the connection before its answer is read.
#[cfg(unix)]
fn exchange(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    if let Err(e) = s.write_all(body) {
        panic!("the connection was cut while the body was sent: {e}");
    }
    let mut bytes = Vec::new();
    if let Err(e) = s.read_to_end(&mut bytes) {
        panic!("no answer read ({e}); had {:?}", String::from_utf8_lossy(&bytes));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

/// A client that sends 8 MiB reads a 413 that says why, whether it waits for the
/// answer before sending the body, sends it all first, or sends it in chunks.
#[cfg(unix)]
#[test]
fn a_body_over_the_limit_is_answered_413_over_a_socket() {
    let dir = scenario_dir();
    let mut server = Server::start(dir.path(), &[]);
    let addr = server.addr.clone();
    let big = 8 << 20;
    let head = |length: &str| {
        format!("POST /api/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{length}\r\n")
    };
    let announced = head(&format!("Content-Length: {big}\r\n"));
    // The head only: answered without waiting for the body.
    let (status, text) = exchange(&addr, &announced, b"");
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("refused a request body of 8388608 bytes: at most 262144"), "{text}");
    // The head and the whole body, then the answer.
    let (status, text) = exchange(&addr, &announced, &vec![b' '; big]);
    assert_eq!(status, 413, "{text}");
    // A chunked body: cut at the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
    let chunked = format!("{}0\r\n\r\n", chunk.repeat(big / (64 * 1024)));
    let (status, text) = exchange(&addr, &head("Transfer-Encoding: chunked\r\n"), chunked.as_bytes());
    assert_eq!(status, 413, "{text}");
    // And the server goes on serving.
    assert_eq!(http(&addr, "POST", "/api/variant", r#"{"overrides":["scenario.trials=300"]}"#).0, 200);
    assert_eq!(server.stop().0, Some(0));
}

/// Through the socket too, a foreign host or origin is refused, and stderr says so
/// once for each; a name allowed on purpose is served, with a warning at the start.
#[cfg(unix)]
#[test]
fn a_foreign_host_is_refused_over_a_socket_and_told_once() {
    let dir = scenario_dir();
    let mut server = Server::start(dir.path(), &["--allow-host", "workshop.test"]);
    let addr = server.addr.clone();
    let port = addr.rsplit(':').next().unwrap().to_string();
    let get = |host: &str| {
        exchange(&addr, &format!("GET /api/scenario HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), b"")
    };
    for _ in 0..5 {
        let (status, text) = get(&format!("attacker.example:{port}"));
        assert_eq!(status, 403, "{text}");
    }
    assert_eq!(get("other.example").0, 403);
    assert_eq!(get(&format!("workshop.test:{port}")).0, 200);
    assert_eq!(get(&format!("localhost:{port}")).0, 200);
    let body = r#"{"overrides":[]}"#;
    for _ in 0..3 {
        let head = format!(
            "POST /api/variant HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://attacker.example\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        assert_eq!(exchange(&addr, &head, body.as_bytes()).0, 403);
    }
    let (code, err) = server.stop();
    assert_eq!(code, Some(0), "{err}");
    let lines = |what: &str| err.lines().filter(|l| l.contains(what)).count();
    assert_eq!(lines(&format!("`attacker.example:{port}`")), 1, "{err}");
    assert_eq!(lines("`other.example`"), 1, "{err}");
    assert_eq!(lines("`http://attacker.example`"), 1, "{err}");
    let warning = err.lines().find(|l| l.starts_with("warning: --allow-host weakens the protection")).unwrap_or("");
    assert!(warning.contains("workshop.test"), "{err}");
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
    for name in ["http://workshop.lan", "workshop.lan:8470", "workshop.lan/", "", "-x.lan", "a..b"] {
        let (code, err) = stderr_of(&["serve", FILE, &format!("--allow-host={name}")]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("not a host name"), "{name}: {err}");
    }
}

/// The rate levers say so, for the page to read `25%` typed into them as 0.25; a
/// percentage that reaches the server as an override is answered with the fraction.
#[test]
fn a_rate_typed_as_a_percentage_is_read_or_answered_with_its_fraction() {
    let app = app();
    let (_, s) = call(&app, get("/api/scenario"));
    let levers: Vec<&Value> =
        s["groups"].as_array().unwrap().iter().flat_map(|g| g["levers"].as_array().unwrap()).collect();
    let percent = |key: &str| levers.iter().find(|l| l["key"] == key).unwrap()["percent"].clone();
    for key in
        ["segments.mid-market.win_rate", "roles.ae.annual_attrition", "target.confidence", "demand.lead_to_opportunity"]
    {
        assert_eq!(percent(key), json!(true), "{key}");
    }
    for key in ["segments.mid-market.deal_size", "target.arr", "scenario.trials", "roles.ae.hires"] {
        assert_eq!(percent(key), json!(false), "{key}");
    }
    let (_, js) = runtime().block_on(send(&app, get("/page.js")));
    assert!(String::from_utf8(js).unwrap().contains("lever.percent ? fromPercent("), "the page converts what is typed");

    let (status, r) = run(&app, json!({ "overrides": ["segments.mid-market.win_rate=25%"] }));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = r["error"].as_str().unwrap();
    assert!(
        error.contains("   = help: write 0.25 (without quotes) for 25%: rates are written as fractions\n"),
        "{error}"
    );
}
