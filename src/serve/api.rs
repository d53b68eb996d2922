//! The workshop server's routes: the page and its assets, and a JSON API.
//!
//! - `GET /`, `/page.css`, `/page.js`: the page, embedded in the binary.
//! - `GET /api/scenario`: the file's levers and horizon.
//! - `POST /api/run`: a variant's answer, fans, hires, headcount and capacity, and its
//!   paired difference to a baseline on the same trials and seed.
//! - `POST /api/variant`: a variant as a scenario file (the file's text with the
//!   overrides written in) and the keys in which it differs from the file.
//! - `POST /api/report`: the variant's `report.html`, as `sopsim run` writes it.
//!
//! Every request passes the [`Guard`] first: its host, and for a post its origin, content
//! type (JSON) and announced length. Bodies are JSON of at most [`MAX_BODY_BYTES`]; a
//! bigger one gets 413, one that is not the JSON asked for 400 with the parser's
//! message, a variant that does not load 400 with the command line's message. Runs take
//! the one run slot in turn; when [`QUEUE`](super::state::QUEUE) requests already wait,
//! 503.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::format::{percent1, visible};
use crate::message;
use crate::report::{Formats, Run, html};
use crate::runner::RunResults;
use crate::scenario::Loaded;
use crate::whatif::{compare, edit, mean_se, paired};

use super::Error;
use super::guard::{self, Guard};
use super::levers;
use super::state::{Computed, MAX_TRIALS, QUICK_TRIALS, Refusal, RunKey, Stopped, Workshop};

/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// The routes over a workshop's state, behind `guard`.
pub fn router(workshop: Arc<Workshop>, guard: Guard) -> Router {
    Router::new()
        .route("/", get(|| async { asset(PAGE, "text/html; charset=utf-8") }))
        .route("/page.css", get(|| async { asset(CSS, "text/css; charset=utf-8") }))
        .route("/page.js", get(|| async { asset(JS, "text/javascript; charset=utf-8") }))
        .route("/api/scenario", get(scenario))
        .route("/api/run", post(run))
        .route("/api/variant", post(variant))
        .route("/api/report", post(report))
        .fallback(|| async { reply(StatusCode::NOT_FOUND, json!({ "error": "no such page" })) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(Arc::new(guard), guard::check))
        .with_state(workshop)
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'"),
    );
    r
}

fn reply(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A request refused: 400 with the message as the command line prints it.
fn bad(e: &Error) -> Response {
    reply(StatusCode::BAD_REQUEST, json!({ "error": message::error(e) }))
}

/// A variant refused: 400 with the command line's message and the overrides it points at.
fn refused(r: Refusal, which: &str) -> Response {
    reply(StatusCode::BAD_REQUEST, json!({ "error": r.message, "overrides": r.overrides, "which": which }))
}

fn cancelled() -> Response {
    reply(StatusCode::CONFLICT, json!({ "status": "cancelled", "error": "a newer change replaced this run" }))
}

fn busy() -> Response {
    reply(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({ "error": "the server is busy with other runs; try again in a moment" }),
    )
}

fn failed(message: String) -> Response {
    reply(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": message }))
}

/// The body as the JSON `T`, or 400 with what is wrong with it (413 when it is over
/// the limit without having said so in its `Content-Length`, as a chunked body may).
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Box<Response>> {
    let body = body.map_err(|e| {
        Box::new(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            guard::refuse(&guard::too_large(None))
        } else {
            e.into_response()
        })
    })?;
    serde_json::from_slice(&body).map_err(|e| Box::new(bad(&Error::NotJson(e.to_string()))))
}

async fn scenario(State(w): State<Arc<Workshop>>) -> Response {
    let s = &w.base.scenario;
    let warnings = if w.base.warnings.is_empty() { String::new() } else { w.base.sources.render_all(&w.base.warnings) };
    reply(
        StatusCode::OK,
        json!({
            "name": s.name,
            "file": w.file,
            "start": s.start.to_string(),
            "months": s.months,
            "trials": s.trials,
            "seed": s.seed,
            "quick_trials": QUICK_TRIALS,
            "max_trials": MAX_TRIALS,
            "groups": levers::groups(&w.base),
            "warnings": visible(&warnings),
        }),
    )
}

/// `POST /api/run`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// The variant's overrides, `key.path=value`.
    #[serde(default)]
    overrides: Vec<String>,
    /// The baseline's overrides (default: none, the file itself).
    #[serde(default)]
    baseline: Vec<String>,
    /// The first, quick answer on [`QUICK_TRIALS`] trials, rather than all.
    #[serde(default)]
    quick: bool,
    /// The page's id: a newer change from the same page stops this run.
    session: Option<String>,
    /// The change's number within the page's session, increasing.
    #[serde(default)]
    generation: u64,
}

async fn run(State(w): State<Arc<Workshop>>, body: Result<Bytes, BytesRejection>) -> Response {
    let req: RunRequest = match parse(body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    if req.session.as_ref().is_some_and(|s| s.len() > 100) {
        return bad(&Error::SessionTooLong);
    }
    let variant = match w.variant(&req.overrides) {
        Ok(l) => l,
        Err(r) => return refused(r, "variant"),
    };
    let baseline = match w.variant(&req.baseline) {
        Ok(l) => l,
        Err(r) => return refused(r, "baseline"),
    };
    let full = variant.scenario.trials;
    let seed = variant.scenario.seed;
    let trials = if req.quick { full.min(QUICK_TRIALS) } else { full };
    let key = RunKey { overrides: req.overrides, trials, seed };
    let base_key = RunKey { overrides: req.baseline, trials, seed };
    let Some((stop, _dropped)) = w.stop_for(req.session.as_deref(), req.generation) else { return cancelled() };
    let started = Instant::now();
    if let (Some(v), Some(b)) = (w.kept(&key), w.kept(&base_key)) {
        return reply(StatusCode::OK, answer(&v, &b, full, started, true));
    }
    let Some(permit) = w.slot().await else { return busy() };
    if stop.now() {
        return cancelled();
    }
    let worker = w.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let v = worker.compute(&key, variant, &stop)?;
        let b = if base_key == key { v.clone() } else { worker.compute(&base_key, baseline, &stop)? };
        Ok::<_, Stopped>((v, b))
    })
    .await;
    match joined {
        Ok(Ok((v, b))) => reply(StatusCode::OK, answer(&v, &b, full, started, false)),
        Ok(Err(Stopped::Cancelled)) => cancelled(),
        Ok(Err(Stopped::Failed(m))) => failed(m),
        Err(e) => failed(format!("the run failed: {e}")),
    }
}

/// Quantiles of `metric` by month at `level`.
fn by_month(r: &RunResults, metric: &str, level: f64) -> Vec<f64> {
    (0..r.layout.months).map(|t| r.get(metric, t).map_or(f64::NAN, |s| s.at(level))).collect()
}

/// The trials' totals of `metric` over the horizon in whole people, `16 (12–21)` (P50
/// and P10–P90); `None` when the run has no such total.
fn people_over_horizon(r: &RunResults, metric: &str) -> Option<String> {
    r.total(metric).map(|s| crate::format::people(s.at(0.10), s.p50(), s.at(0.90)))
}

/// Means of `metric` by month.
fn means(r: &RunResults, metric: &str) -> Vec<f64> {
    (0..r.layout.months).map(|t| r.get(metric, t).map_or(f64::NAN, |s| s.mean)).collect()
}

/// ARR's P10, P25, P50, P75 and P90 by month.
fn fan(r: &RunResults) -> Value {
    json!({
        "p10": by_month(r, "arr", 0.10),
        "p25": by_month(r, "arr", 0.25),
        "p50": by_month(r, "arr", 0.50),
        "p75": by_month(r, "arr", 0.75),
        "p90": by_month(r, "arr", 0.90),
    })
}

/// The answer sentence of `report.html` for a run.
fn sentence(c: &Computed) -> String {
    let run = Run {
        scenario: &c.loaded.scenario,
        results: &c.results,
        file: "",
        sources: &c.loaded.sources,
        warnings: &c.loaded.warnings,
        realised: &crate::engine::params::NO_CORRELATIONS,
    };
    visible(&html::answer(&run)).into_owned()
}

fn p_hit(c: &Computed) -> (Option<f64>, Option<f64>) {
    match &c.results.target {
        Some(t) => (Some(t.p_hit), Some(t.standard_error)),
        None => (None, None),
    }
}

/// The JSON of a variant's run against its baseline's on the same trials; `kept` when
/// both were kept from an earlier run rather than computed for this request.
fn answer(v: &Computed, b: &Computed, full: u64, started: Instant, kept: bool) -> Value {
    let s = &v.loaded.scenario;
    let r = &v.results;
    let months = r.layout.months;
    let labels: Vec<String> = (0..months).map(|t| s.start.offset(t as i64).short_label()).collect();
    let keys: Vec<String> = (0..months).map(|t| s.start.offset(t as i64).to_string()).collect();
    let roles: Vec<Value> = s
        .roles
        .iter()
        .map(|role| {
            let hc = format!("headcount.{}", role.id);
            json!({
                "id": visible(&role.id),
                "name": visible(role.display_name()),
                "hires": means(r, &format!("hires.{}", role.id)),
                "hires_people": people_over_horizon(r, &format!("hires.{}", role.id)),
                "headcount": by_month(r, &hc, 0.5),
                "headcount_p10": by_month(r, &hc, 0.1),
                "headcount_p90": by_month(r, &hc, 0.9),
            })
        })
        .collect();
    let (p, se) = p_hit(v);
    let (bp, bse) = p_hit(b);
    let (dp, dse) = paired(&b.outcomes.hit, &v.outcomes.hit);
    let (da, dase) = paired(&b.outcomes.arr, &v.outcomes.arr);
    let target = s
        .target
        .as_ref()
        .map(|t| json!({ "arr": t.arr, "month": t.month, "label": labels.get(t.month), "confidence": t.confidence }));
    let words = match (p, s.target.as_ref()) {
        (Some(p), Some(t)) => format!(
            "P(hit) {} ± {}; {} the {} confidence asked",
            percent1(p),
            percent1(se.unwrap_or(f64::NAN)),
            if p >= t.confidence { "meets" } else { "below" },
            crate::format::percent(t.confidence)
        ),
        _ => String::new(),
    };
    let warnings =
        if v.loaded.warnings.is_empty() { String::new() } else { v.loaded.sources.render_all(&v.loaded.warnings) };
    json!({
        "status": "done",
        "quick": r.trials < full,
        "trials": r.trials,
        "full_trials": full,
        "seed": r.seed,
        "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        "kept": kept,
        "name": visible(&s.name),
        "answer": sentence(v),
        "verdict": words,
        "p_hit": p,
        "p_hit_se": se,
        "target": target,
        "months": labels,
        "keys": keys,
        "fan": fan(r),
        "roles": roles,
        "hires_people": people_over_horizon(r, "hires"),
        "capacity": {
            "demand": means(r, "opportunities.demand"),
            "worked": means(r, "opportunities.worked"),
            "lost": means(r, "opportunities.lost"),
        },
        "baseline": {
            "same": v.loaded.sources.overrides == b.loaded.sources.overrides,
            "answer": sentence(b),
            "p_hit": bp,
            "p_hit_se": bse,
            "arr_mean": mean_se(&b.outcomes.arr).0,
            "fan": fan(&b.results),
        },
        "paired": { "p_hit": dp, "p_hit_se": dse, "arr_mean": da, "arr_se": dase },
        "hints": levers::hints(&v.loaded),
        "warnings": visible(&warnings),
    })
}

/// `POST /api/variant` and `POST /api/report`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantRequest {
    /// The variant's overrides.
    #[serde(default)]
    overrides: Vec<String>,
    /// What the room calls it.
    #[serde(default)]
    name: String,
}

/// A file name made of the file's stem and the variant's name.
fn file_name(w: &Workshop, name: &str) -> String {
    let stem = std::path::Path::new(&w.file).file_stem().map(|s| s.to_string_lossy().into_owned());
    let stem = stem.unwrap_or_else(|| "scenario".into());
    let name: String = name.chars().take(60).collect();
    let leaf = if name.trim().is_empty() { format!("{stem}-variant") } else { format!("{stem}-{}", name.trim()) };
    format!("{}.toml", crate::report::safe_name(&leaf))
}

async fn variant(State(w): State<Arc<Workshop>>, body: Result<Bytes, BytesRejection>) -> Response {
    let req: VariantRequest = match parse(body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    if let Err(r) = w.variant(&req.overrides) {
        return refused(r, "variant");
    }
    let toml = match edit::apply(&w.text, &req.overrides) {
        Ok(t) => t,
        Err(e) => return failed(format!("cannot write the variant: {e}")),
    };
    let name = visible(&req.name).replace(['\n', '\r'], " ");
    let mut head = format!(
        "# Variant{} of {}, saved from `sopsim serve`.\n",
        if name.trim().is_empty() { String::new() } else { format!(" \"{}\"", name.trim()) },
        visible(&w.file).replace(['\n', '\r'], " ")
    );
    for o in &req.overrides {
        head.push_str(&format!("#   --set {}\n", visible(o).replace(['\n', '\r'], " ")));
    }
    let toml = format!("{head}{toml}");
    let check: Result<Loaded, _> = crate::scenario::load_str(&toml, &w.file, &[]);
    if let Err(e) = check {
        return failed(format!("the variant written does not load, which is a fault of sopsim:\n{}", e.render()));
    }
    let diff = match compare::input_differences(&[&w.text, &toml]) {
        Ok(d) => d,
        Err(e) => return failed(format!("cannot read the variant's keys: {e}")),
    };
    let diff: Vec<Value> =
        diff.into_iter().map(|(key, values)| json!({ "key": key, "file": values[0], "variant": values[1] })).collect();
    reply(StatusCode::OK, json!({ "filename": file_name(&w, &req.name), "toml": toml, "diff": diff }))
}

async fn report(State(w): State<Arc<Workshop>>, body: Result<Bytes, BytesRejection>) -> Response {
    let req: VariantRequest = match parse(body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let loaded = match w.variant(&req.overrides) {
        Ok(l) => l,
        Err(r) => return refused(r, "variant"),
    };
    let key = RunKey { overrides: req.overrides, trials: loaded.scenario.trials, seed: loaded.scenario.seed };
    let Some((stop, _dropped)) = w.stop_for(None, 0) else { return cancelled() };
    // The report's charts are drawn on the worker threads too: it takes the run slot.
    let Some(permit) = w.slot().await else { return busy() };
    let worker = w.clone();
    let made = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let computed = worker.compute(&key, loaded, &stop).map_err(|e| match e {
            Stopped::Cancelled => "the server is stopping".to_string(),
            Stopped::Failed(m) => m,
        })?;
        let html = Formats { html: true, ..Formats::NONE };
        let (files, _) =
            crate::report::run_files(&computed.loaded, &worker.file, &computed.results, html, worker.threads())
                .map_err(|e| e.to_string())?;
        files.into_iter().find(|f| f.name == "report.html").map(|f| f.bytes).ok_or("no report was made".to_string())
    })
    .await;
    match made {
        Ok(Ok(bytes)) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"report.html\""));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Ok(Err(m)) => failed(m),
        Err(e) => failed(format!("the report failed: {e}")),
    }
}
