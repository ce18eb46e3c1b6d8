//! The node facts API: om3's `GET /api/node/name/{nodename}/system/{section}` (and the same
//! under `/api/v1`, which the OpenAPI document lists), and the node list. Errors on these
//! paths are problem documents, as om3 clients expect.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::auth::Identity;
use crate::node::Section;
use crate::node::envelope::{Dialect, Problem, SystemList};
use crate::web::AppState;
use crate::web::read::node as fetch;
use fetch::{NodeInfo, NodeStatus};

use crate::web::respond::problem::problem as respond;
pub use crate::web::respond::problem::{
    OM3_PROBLEM, PROBLEM_JSON, dialect_of, is_node_path, problem_at, problem_type,
};

/// `?refresh=true` asks for a collection made now rather than the cached one.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SystemQuery {
    /// Collect now (within the node's `collect_timeout`) instead of answering from the cache.
    #[serde(default)]
    pub refresh: bool,
}

async fn answer(
    app: &AppState,
    me: &Identity,
    dialect: Dialect,
    nodename: &str,
    section: &str,
    query: Result<Query<SystemQuery>, QueryRejection>,
) -> Response {
    let problem = |status: StatusCode, title: &str, detail: String| {
        respond(dialect, Problem::new(status.as_u16(), title, detail))
    };
    let Ok(Query(q)) = query else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad query",
            "the only parameter is refresh=true|false".into(),
        );
    };
    let Some(section) = Section::from_path(section) else {
        let names: Vec<_> = Section::ALL.iter().map(|s| s.path()).collect();
        return problem(
            StatusCode::NOT_FOUND,
            "Unknown section",
            format!("no section `{section}`: use one of {}", names.join(", ")),
        );
    };
    let raw = fetch::section_raw(app, me, dialect, nodename, section, q.refresh).await;
    let status = StatusCode::from_u16(raw.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = HeaderValue::from_str(&raw.content_type)
        .unwrap_or(HeaderValue::from_static("application/json"));
    (status, [(header::CONTENT_TYPE, content_type)], raw.body).into_response()
}

/// om3's path: one section of a node's facts, in om3's own types (om3's schema defines
/// them), with om3's problem documents sent as plain JSON.
#[utoipa::path(get, path = "/api/node/name/{nodename}/system/{section}", tag = "node",
    operation_id = "om3_node_system",
    params(("nodename" = String, Path, description = "A node name, `_` or `localhost`"),
           ("section" = String, Path, description = "property, asset, hardware, disk, package, patch, user, group or ipaddress"),
           SystemQuery),
    responses((status = 200, description = "The section in om3's types", body = crate::web::api::inventory::Object),
              (status = 404, description = "No such node or section", body = Problem),
              (status = 502, description = "A peer failed", body = Problem),
              (status = 504, description = "A peer or the collection took too long", body = Problem)))]
pub async fn om3_system(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, section)): Path<(String, String)>,
    query: Result<Query<SystemQuery>, QueryRejection>,
) -> Response {
    answer(&app, &me, Dialect::Om3, &nodename, &section, query).await
}

/// om3's path for the SAN sections (`san/initiator`, `san/path`).
#[utoipa::path(get, path = "/api/node/name/{nodename}/system/san/{kind}", tag = "node",
    operation_id = "om3_node_system_san",
    params(("nodename" = String, Path, description = "A node name, `_` or `localhost`"),
           ("kind" = String, Path, description = "initiator or path"),
           SystemQuery),
    responses((status = 200, description = "The section in om3's types", body = crate::web::api::inventory::Object),
              (status = 404, description = "No such node or section", body = Problem),
              (status = 502, description = "A peer failed", body = Problem),
              (status = 504, description = "A peer or the collection took too long", body = Problem)))]
pub async fn om3_system_san(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path((nodename, kind)): Path<(String, String)>,
    query: Result<Query<SystemQuery>, QueryRejection>,
) -> Response {
    answer(
        &app,
        &me,
        Dialect::Om3,
        &nodename,
        &format!("san/{kind}"),
        query,
    )
    .await
}

/// One section of a node's facts.
///
/// Sections: `property`, `asset`, `hardware`, `disk`, `package`, `patch`, `user`, `group`,
/// `ipaddress`. `{nodename}` is this node's name, `_` or `localhost`, or a peer's name (the
/// request is then forwarded to the peer). vmyard's uniform envelope: `null` for unknown,
/// exact units (bytes), SAN paths wrapped like every item. om3's own path, without `/v1`,
/// answers in om3's types exactly (strings for unknown, om3's units, bare SAN paths).
#[utoipa::path(get, path = "/api/v1/node/name/{nodename}/system/{section}", tag = "node",
    params(("nodename" = String, Path, description = "A node name, `_` or `localhost`"),
           ("section" = String, Path, description = "property, asset, hardware, disk, package, patch, user, group or ipaddress"),
           SystemQuery),
    responses((status = 200, body = SystemList), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 502, body = Problem), (status = 504, body = Problem)))]
pub async fn system(
    state: State<AppState>,
    me: Extension<Identity>,
    path: Path<(String, String)>,
    query: Result<Query<SystemQuery>, QueryRejection>,
) -> Response {
    let (State(app), Extension(me), Path((nodename, section))) = (state, me, path);
    answer(&app, &me, Dialect::Vmyard, &nodename, &section, query).await
}

/// The SAN sections of a node's facts: `initiator` or `path`.
#[utoipa::path(get, path = "/api/v1/node/name/{nodename}/system/san/{kind}", tag = "node",
    params(("nodename" = String, Path, description = "A node name, `_` or `localhost`"),
           ("kind" = String, Path, description = "initiator or path"),
           SystemQuery),
    responses((status = 200, body = SystemList), (status = 401, body = Problem),
              (status = 404, body = Problem), (status = 502, body = Problem), (status = 504, body = Problem)))]
pub async fn system_san(
    state: State<AppState>,
    me: Extension<Identity>,
    path: Path<(String, String)>,
    query: Result<Query<SystemQuery>, QueryRejection>,
) -> Response {
    let (State(app), Extension(me), Path((nodename, kind))) = (state, me, path);
    let section = format!("san/{kind}");
    answer(&app, &me, Dialect::Vmyard, &nodename, &section, query).await
}

/// This node and its peers, with their reachability and what they say of themselves.
#[utoipa::path(get, path = "/api/v1/nodes", tag = "node",
    responses((status = 200, body = [NodeStatus]), (status = 401, body = Problem)))]
pub async fn nodes(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
) -> Json<Vec<NodeStatus>> {
    Json(fetch::node_list(&app, &me).await)
}

/// What one node says of itself, including who it thinks is asking.
#[utoipa::path(get, path = "/api/v1/nodes/{nodename}", tag = "node",
    params(("nodename" = String, Path, description = "A node name, `_` or `localhost`")),
    responses((status = 200, body = NodeInfo), (status = 404, body = Problem), (status = 502, body = Problem)))]
pub async fn node(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(nodename): Path<String>,
) -> Response {
    match fetch::info(&app, &me, &nodename).await {
        Ok(info) => Json(info).into_response(),
        Err(p) => respond(Dialect::Vmyard, p),
    }
}
