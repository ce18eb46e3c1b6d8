//! Health probes and `/metrics`.
//!
//! `/healthz` answers while the process can answer at all; `/readyz` answers 200 only while
//! the store can be read and written and every long-lived loop beats, which is what a load
//! balancer or an operator's check should wait for.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use super::AppState;
use super::routes::{Access, Routes};

/// Registers the probes and `/metrics`.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/healthz", Access::Public, healthz)
        .get("/readyz", Access::Public, readyz)
        .get("/metrics", Access::Metrics, metrics)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(app): State<AppState>) -> impl IntoResponse {
    let store_ok = app.store.read().is_ok();
    let fault = app.store.write_fault();
    let stalled = app.liveness.stalled();
    let ready = store_ok && fault.is_none() && stalled.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "ready": ready,
            "store": store_ok,
            "store_writable": fault.is_none(),
            "store_error": fault.map(|f| f.explain()),
            "loops": app.liveness.loops(),
            "stalled_loops": stalled,
        })),
    )
}

async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
}
