//! The simulator's control interface, behind its own token: change any object (which logs
//! the engine's event for it), inject faults, expire SSO tokens. Tests, benchmarks and the
//! demo's live changes all go through it.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Sim;
use super::engine::fault;
use super::faults::Faults;
use super::state::SERVED;

/// The control routes, under `/sim/`.
pub fn router(sim: Sim) -> Router<Sim> {
    Router::new()
        .route("/sim/faults", post(set_faults))
        .route("/sim/expire-tokens", post(expire_tokens))
        .route("/sim/update", post(update))
        .route("/sim/add", post(add))
        .route("/sim/remove", post(remove))
        .route("/sim/stats", get(stats))
        .route("/sim/timing", post(set_timing))
        .route("/sim/engine", post(set_engine))
        .route_layer(from_fn_with_state(sim, authorize))
}

async fn authorize(State(sim): State<Sim>, req: axum::extract::Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| crate::auth::same_secret(t, &sim.control_token));
    if ok {
        next.run(req).await
    } else {
        fault(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "the control API needs the control token",
        )
    }
}

/// The event codes a real engine logs for an update, an add and a remove in a collection.
pub fn codes(collection: &str) -> Option<(u32, u32, u32)> {
    Some(match collection {
        "datacenters" => (952, 950, 954),
        "clusters" => (811, 809, 813),
        "hosts" => (43, 42, 44),
        "networks" => (1114, 942, 944),
        "vnicprofiles" => (1124, 1122, 1126),
        "diskprofiles" => (10124, 10120, 10122),
        "storagedomains" => (958, 956, 960),
        "disks" => (86, 2021, 2014),
        "vms" => (35, 34, 113),
        _ => return None,
    })
}

fn collection(name: &str) -> Option<&'static str> {
    SERVED.iter().map(|(c, _, _)| *c).find(|c| *c == name)
}

fn unknown(name: &str) -> Response {
    fault(
        StatusCode::NOT_FOUND,
        "Not Found",
        &format!("no collection {name}"),
    )
}

async fn set_faults(State(sim): State<Sim>, Json(f): Json<Faults>) -> Response {
    *sim.faults.lock().expect("faults") = f;
    StatusCode::NO_CONTENT.into_response()
}

/// Plays another engine: `{"version": "4.2.8.2-1.el7", "missing": ["options/ServerCPUList"]}`.
async fn set_engine(
    State(sim): State<Sim>,
    Json(p): Json<super::profile::EngineProfile>,
) -> Response {
    match sim.play(p) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => fault(StatusCode::BAD_REQUEST, "Bad Request", &e),
    }
}

async fn expire_tokens(State(sim): State<Sim>) -> Response {
    sim.state.lock().expect("sim state").tokens.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// A change to one object: top-level fields to set (`null` removes a field).
#[derive(Debug, Deserialize)]
pub struct Update {
    /// The collection (`vms`, `hosts`, ...).
    pub collection: String,
    /// The object id.
    pub id: String,
    /// Fields to set.
    pub set: serde_json::Map<String, Value>,
    /// The event code to log instead of the collection's update code.
    #[serde(default)]
    pub code: Option<u32>,
}

async fn update(State(sim): State<Sim>, Json(u): Json<Update>) -> Response {
    let Some(c) = collection(&u.collection) else {
        return unknown(&u.collection);
    };
    match sim.update(c, &u.id, u.set, u.code) {
        Ok(event) => Json(json!({"event": event})).into_response(),
        Err(e) => fault(StatusCode::NOT_FOUND, "Not Found", &e),
    }
}

#[derive(Debug, Deserialize)]
struct Add {
    collection: String,
    object: Value,
}

async fn add(State(sim): State<Sim>, Json(a): Json<Add>) -> Response {
    let Some(c) = collection(&a.collection) else {
        return unknown(&a.collection);
    };
    let code = codes(c).map(|(_, add, _)| add).unwrap_or(0);
    match sim.state.lock().expect("sim state").put(c, a.object, code) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(e) => fault(StatusCode::BAD_REQUEST, "Bad Request", &e),
    }
}

#[derive(Debug, Deserialize)]
struct Remove {
    collection: String,
    id: String,
}

async fn remove(State(sim): State<Sim>, Json(r): Json<Remove>) -> Response {
    let Some(c) = collection(&r.collection) else {
        return unknown(&r.collection);
    };
    let code = codes(c).map(|(_, _, rm)| rm).unwrap_or(0);
    if sim.state.lock().expect("sim state").remove(c, &r.id, code) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        fault(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Entity not found: {}", r.id),
        )
    }
}

/// The delays of the VM lifecycle, in milliseconds; a missing one is left as it is.
#[derive(Debug, Deserialize)]
struct Timing {
    image_lock_ms: Option<u64>,
    boot_ms: Option<u64>,
}

async fn set_timing(State(sim): State<Sim>, Json(t): Json<Timing>) -> Response {
    let mut state = sim.state.lock().expect("sim state");
    if let Some(ms) = t.image_lock_ms {
        state.writes.image_lock = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = t.boot_ms {
        state.writes.boot = std::time::Duration::from_millis(ms);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn stats(State(sim): State<Sim>) -> Response {
    let mut state = sim.state.lock().expect("sim state");
    state.settle();
    let counts: serde_json::Map<String, Value> = state
        .collections
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.len())))
        .collect();
    Json(json!({
        "requests": sim.requests.load(std::sync::atomic::Ordering::Relaxed),
        "last_event": state.next_event - 1,
        "events": state.events.len(),
        "counts": counts,
        "vms_by_status": state.vms_by_status(),
        "sub_reads": state.sub_reads,
        "listings": state.listings,
    }))
    .into_response()
}
