//! Workshop page latency: from a change of a lever to the first (quick) answer and to
//! the full answer, for `scenarios/scale-up.toml`, through the server's router (the
//! request, the run, the JSON; no socket). Each repetition changes the mid-market win
//! rate to a value not run before, so nothing comes from the kept runs but the
//! baseline, as on the page. Prints the medians.
//!
//! `cargo bench --bench serve` (`-- --reps N` for another count than 10).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use sopsim::serve::{Guard, Workshop, router};
use tower::ServiceExt;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10usize);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale-up.toml");
    let workshop = Arc::new(Workshop::load(&file, 0, true).expect("the example loads"));
    let threads = workshop.threads();
    let app = router(workshop, Guard::new([127, 0, 0, 1].into(), 8470, &[]));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let call = |body: Value| -> (f64, Value) {
        rt.block_on(async {
            let started = Instant::now();
            let req = Request::post("/api/run")
                .header("host", "127.0.0.1:8470")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("a request");
            let resp = app.clone().oneshot(req).await.expect("an answer");
            assert!(resp.status().is_success(), "{}", resp.status());
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("a body");
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            (ms, serde_json::from_slice(&bytes).expect("JSON"))
        })
    };
    // The page's first load: the file itself, quick then full (the baseline afterwards).
    let (first_quick, _) = call(json!({ "overrides": [], "quick": true }));
    let (first_full, _) = call(json!({ "overrides": [], "quick": false }));
    let (mut quick, mut full, mut quick_run, mut full_run) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..reps {
        let low = 0.18 + 0.004 * k as f64;
        let change = format!("segments.mid-market.win_rate={{ low = {low:.3}, high = {:.3} }}", low + 0.09);
        let (ms, q) = call(json!({ "overrides": [change], "quick": true }));
        quick.push(ms);
        quick_run.push(q["elapsed_ms"].as_f64().unwrap_or(f64::NAN));
        let (ms, f) = call(json!({ "overrides": [change], "quick": false }));
        full.push(ms);
        full_run.push(f["elapsed_ms"].as_f64().unwrap_or(f64::NAN));
        assert_eq!((q["trials"].as_u64(), f["trials"].as_u64()), (Some(500), Some(10_000)));
    }
    println!("workshop page latency, scenarios/scale-up.toml, {threads} threads, {reps} changes of a win rate");
    println!("  page load (file, not kept yet): quick {first_quick:.0} ms, full {first_full:.0} ms");
    println!(
        "  change -> first answer (500 trials):     median {:.0} ms (in the handler {:.0} ms)",
        median(quick),
        median(quick_run)
    );
    println!(
        "  change -> full answer (10,000 trials):   median {:.0} ms (in the handler {:.0} ms)",
        median(full),
        median(full_run)
    );
}
