//! The engine's HTTP face: SSO, the API root, every collection with `follow`, `search`,
//! `max` and `from`, single objects by id, and the engine's fault bodies.

use std::collections::HashMap;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::Sim;
use super::faults::Fault;
use super::state::{asked, followable, singular, unasked_nested, unlisted};

/// The engine's routes.
pub fn router(sim: Sim) -> Router {
    let api = Router::new()
        .route("/ovirt-engine/api", get(root))
        .route("/ovirt-engine/api/options/ServerCPUList", get(server_cpus))
        .route("/ovirt-engine/api/events", get(events))
        .route("/ovirt-engine/api/events/{id}", get(event))
        .route(
            "/ovirt-engine/api/{collection}",
            get(list).post(super::writes::create),
        )
        .route(
            "/ovirt-engine/api/{collection}/{id}",
            get(one).delete(super::writes::delete),
        )
        .route(
            "/ovirt-engine/api/{collection}/{id}/{sub}",
            get(super::writes::sub_list).post(super::writes::act),
        )
        .route(
            "/ovirt-engine/api/{collection}/{id}/{sub}/{item}",
            delete(super::writes::detach),
        )
        .route_layer(from_fn_with_state(sim.clone(), authorize_and_fault));
    Router::new()
        .route("/ovirt-engine/sso/oauth/token", post(sso))
        .route("/ovirt-engine/services/pki-resource", get(pki_resource))
        .merge(api)
        .merge(super::control::router(sim.clone()))
        .with_state(sim)
}

/// The engine's CA certificate, handed out without a login so that a client can learn
/// whom to trust (`?resource=ca-certificate&format=X509-PEM-CA`).
async fn pki_resource(
    State(sim): State<Sim>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let wanted = q.get("resource").map(String::as_str) == Some("ca-certificate")
        && q.get("format").map(String::as_str) == Some("X509-PEM-CA");
    let pem = sim.ca_pem.lock().expect("sim ca").clone();
    if !wanted || pem.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "application/x-x509-ca-cert")], pem).into_response()
}

/// An engine fault: `{"reason", "detail"}` with a status.
pub fn fault(status: StatusCode, reason: &str, detail: &str) -> Response {
    (
        status,
        axum::Json(json!({"reason": reason, "detail": detail})),
    )
        .into_response()
}

async fn sso(State(sim): State<Sim>, body: String) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let mut state = sim.state.lock().expect("sim state");
    let (user, password) = state.credentials.clone();
    if form.get("grant_type").map(String::as_str) != Some("password")
        || form.get("username") != Some(&user)
        || form.get("password") != Some(&password)
    {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "access_denied", "error_description": "Cannot authenticate user: invalid credentials"})),
        )
            .into_response();
    }
    let token = crate::auth::random_token(32);
    state.tokens.insert(token.clone());
    let exp = super::state::now_ms() + 3_600_000;
    axum::Json(json!({"access_token": token, "token_type": "Bearer", "exp": exp.to_string()}))
        .into_response()
}

async fn authorize_and_fault(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let (faults, known) = {
        let mut state = sim.state.lock().expect("sim state");
        // Timed transitions (a new VM's image lock, a boot) land before anything is read.
        state.settle();
        (
            sim.faults.lock().expect("faults").clone(),
            state.tokens.contains(&token),
        )
    };
    sim.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if !known {
        return fault(StatusCode::UNAUTHORIZED, "Unauthorized", "");
    }
    // An endpoint this engine does not have: the REST layer's bare 404, no fault body.
    if sim
        .profile
        .lock()
        .expect("sim profile")
        .lacks(req.uri().path())
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    match faults.draw(&sim.dice) {
        Fault::None => next.run(req).await,
        Fault::Error => fault(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Operation Failed",
            "injected fault",
        ),
        Fault::Unauthorized => fault(StatusCode::UNAUTHORIZED, "Unauthorized", ""),
        Fault::Drop => {
            let broken = tokio_stream::iter(vec![
                Ok(bytes::Bytes::from_static(b"{\"vm\": [")),
                Err(std::io::Error::other("dropped")),
            ]);
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(broken),
            )
                .into_response()
        }
        Fault::Truncate => {
            let resp = next.run(req).await;
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut resp = Response::from_parts(parts, Body::from(half));
            resp.headers_mut().remove(header::CONTENT_LENGTH);
            resp
        }
    }
}

async fn root(State(sim): State<Sim>) -> Response {
    let state = sim.state.lock().expect("sim state");
    let mut root = state.root.clone();
    // The engine counts its summary afresh on every read of the root, as here; a root
    // without a summary (a user who is not an admin) stays without one.
    if state.count_summary && root.get("summary").is_some() {
        for (field, collection, active) in [
            ("vms", "vms", "up"),
            ("hosts", "hosts", "up"),
            ("storage_domains", "storagedomains", "active"),
        ] {
            let objects = state.objects(collection);
            let total = objects.map_or(0, |o| o.len());
            let up = objects.map_or(0, |o| o.values().filter(|v| v["status"] == active).count());
            root["summary"][field] = json!({"active": up.to_string(), "total": total.to_string()});
        }
    }
    axum::Json(root).into_response()
}

async fn server_cpus(State(sim): State<Sim>) -> Response {
    axum::Json(sim.state.lock().expect("sim state").server_cpus.clone()).into_response()
}

/// The subset of the engine's search language vmyard uses: `name=x` (with `*`), `status=x`,
/// `tag=x` (VMs carrying a tag of that name), `type=N or type=M` (events), and `page N`
/// (with `max`).
#[derive(Debug, Default)]
struct Search {
    terms: Vec<(String, String)>,
    page: Option<usize>,
}

fn parse_search(s: &str) -> Search {
    let mut out = Search::default();
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.eq_ignore_ascii_case("page") {
            out.page = words.get(i + 1).and_then(|n| n.parse().ok());
            i += 2;
            continue;
        }
        if let Some((k, v)) = w.split_once('=') {
            out.terms
                .push((k.to_lowercase(), v.trim_matches('"').to_string()));
        }
        i += 1;
    }
    out
}

fn glob(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((pre, post)) => {
            s.starts_with(pre) && s[pre.len()..].ends_with(post.trim_end_matches('*'))
        }
    }
}

impl Search {
    /// Terms with the same key are alternatives (`type=1 or type=2`); different keys must all hold.
    fn matches(&self, o: &Value) -> bool {
        let mut by_key: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, v) in &self.terms {
            by_key.entry(k.as_str()).or_default().push(v.as_str());
        }
        by_key.iter().all(|(k, values)| {
            if *k == "tag" {
                // A VM's tags are inline, whether or not `follow=tags` shows them.
                let tags = o["tags"]["tag"].as_array();
                return tags.is_some_and(|tags| {
                    tags.iter().any(|t| {
                        let name = t["name"].as_str().unwrap_or_default();
                        values.iter().any(|v| glob(v, name))
                    })
                });
            }
            let field = match *k {
                "type" => "code",
                other => other,
            };
            let have = o[field].as_str().unwrap_or_default();
            values.iter().any(|v| glob(v, have))
        })
    }
}

/// Leaves out inlined sub-collections that `follow=` did not ask for, as the engine does.
pub(crate) fn shape(mut o: Value, collection: &str, follow: &[&str]) -> Value {
    if let Some(map) = o.as_object_mut() {
        for key in followable(collection) {
            if !asked(follow, key) {
                map.remove(*key);
            }
        }
        for (outer, item, inner) in unasked_nested(collection, follow) {
            for i in map
                .get_mut(outer)
                .and_then(|c| c.get_mut(item))
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(i) = i.as_object_mut() {
                    i.remove(inner);
                }
            }
        }
    }
    o
}

/// Whether an object carries something that `follow=` did not ask for: a sub-collection
/// in `unasked`, or an inner one in `nested` inside the items of a sub-collection.
fn carries_unasked(o: &Value, unasked: &[&str], nested: &[(&str, &str, &str)]) -> bool {
    unasked.iter().any(|k| o.get(k).is_some())
        || nested.iter().any(|(outer, item, inner)| {
            o[outer][item]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i.get(inner).is_some()))
        })
}

async fn list(
    State(sim): State<Sim>,
    Path(collection): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(key) = singular(&collection) else {
        return fault(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("no collection {collection}"),
        );
    };
    let follow: Vec<&str> = q
        .get("follow")
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let search = parse_search(q.get("search").map(String::as_str).unwrap_or_default());
    let max: Option<usize> = q.get("max").and_then(|m| m.parse().ok());
    let mut state = sim.state.lock().expect("sim state");
    *state.listings.entry(collection.clone()).or_default() += 1;
    let state = state;
    let objects = state
        .objects(&collection)
        .expect("served collections exist");
    let matching = objects.values().filter(|o| search.matches(o));
    let skip = match (search.page, max) {
        (Some(page), Some(max)) => page.saturating_sub(1) * max,
        _ => 0,
    };
    // Objects are serialized straight from the state; only those that must lose a
    // sub-collection `follow=` did not ask for are copied (a page of 1000 VMs is ~12 MB).
    // The check is per object: the collector follows all but `tags` and
    // `reported_devices`, which only the driver's VMs carry, and follows the NICs'
    // reported devices.
    let mut unasked: Vec<&str> = followable(&collection)
        .iter()
        .copied()
        .filter(|f| !asked(&follow, f))
        .collect();
    let unlisted = unlisted(&collection);
    unasked.extend(unlisted);
    let nested = unasked_nested(&collection, &follow);
    let items: Vec<std::borrow::Cow<'_, Value>> = matching
        .skip(skip)
        .take(max.unwrap_or(usize::MAX))
        .map(|o| {
            if !carries_unasked(o, &unasked, &nested) {
                std::borrow::Cow::Borrowed(o)
            } else {
                let mut o = shape(o.clone(), &collection, &follow);
                if let Some(map) = o.as_object_mut() {
                    for key in unlisted {
                        map.remove(*key);
                    }
                }
                std::borrow::Cow::Owned(o)
            }
        })
        .collect();
    let body = if items.is_empty() {
        b"{}".to_vec()
    } else {
        serde_json::to_vec(&std::collections::BTreeMap::from([(key, &items)])).unwrap_or_default()
    };
    drop(items);
    drop(state);
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn wrap(key: &str, items: Vec<Value>) -> Response {
    if items.is_empty() {
        return axum::Json(json!({})).into_response();
    }
    axum::Json(json!({ key: items })).into_response()
}

async fn one(
    State(sim): State<Sim>,
    Path((collection, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if singular(&collection).is_none() {
        return fault(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("no collection {collection}"),
        );
    }
    let follow: Vec<&str> = q
        .get("follow")
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let state = sim.state.lock().expect("sim state");
    let found = state.objects(&collection).and_then(|c| c.get(&id));
    // Template disks are kept out of the `disks` list, but served by id as the engine does.
    let found = found.or_else(|| {
        (collection == "disks")
            .then(|| state.template_disk(&id))
            .flatten()
    });
    match found {
        Some(o) => axum::Json(shape(o.clone(), &collection, &follow)).into_response(),
        None => fault(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Entity not found: {id}"),
        ),
    }
}

/// One event by id; 404 once it has been purged from the history.
async fn event(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    let state = sim.state.lock().expect("sim state");
    match state
        .events
        .iter()
        .find(|e| e["id"].as_str() == Some(id.as_str()))
    {
        Some(e) => axum::Json(e.clone()).into_response(),
        None => fault(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Entity not found: {id}"),
        ),
    }
}

/// `events`: newest first, like the engine; `from=N` gives only events newer than N.
async fn events(State(sim): State<Sim>, Query(q): Query<HashMap<String, String>>) -> Response {
    let search = parse_search(q.get("search").map(String::as_str).unwrap_or_default());
    let from: Option<u64> = q.get("from").and_then(|f| f.parse().ok());
    let max: usize = q
        .get("max")
        .and_then(|m| m.parse().ok())
        .unwrap_or(usize::MAX);
    let state = sim.state.lock().expect("sim state");
    let items: Vec<Value> = state
        .events
        .iter()
        .rev()
        .filter(|e| {
            from.is_none_or(|f| {
                e["id"]
                    .as_str()
                    .and_then(|i| i.parse::<u64>().ok())
                    .is_some_and(|i| i > f)
            })
        })
        .filter(|e| search.matches(e))
        .take(max)
        .cloned()
        .collect();
    drop(state);
    wrap("event", items)
}
