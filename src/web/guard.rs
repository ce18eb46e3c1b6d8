//! The guard in front of every route: authentication, roles, CSRF.
//!
//! Who is calling is decided in this order: an `Authorization: Bearer` API token; the
//! session cookie; the uid of a unix-socket caller. A request with no identity gets a 401
//! (API) or a redirect to the login page (pages). A browser session must send its CSRF token
//! with every unsafe request, as the `csrf` form field or the `X-CSRF-Token` header; tokens
//! and the socket are not ambient credentials, so they need none.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::AppState;
use super::body_limit::BODY_LIMIT;
use super::respond::problem::{is_node_path, problem_at};
use super::respond::{ApiError, refusal, wants_json};
use crate::auth::{AuthMethod, Identity, Role, session, token};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the login page, static files, health probes.
    Public,
    /// `/metrics`: public when `server.metrics_public` is set, viewers otherwise.
    Metrics,
    /// Callers with at least this role.
    Role(Role),
}

/// The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
pub const SESSION_COOKIE: &str = "__Host-vmyard-session";

/// The middleware applied to each route by the registry.
pub async fn guard(
    State((app, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let required = match access {
        Access::Public => return next.run(req).await,
        Access::Metrics if app.config.current().server.metrics_public => {
            return next.run(req).await;
        }
        Access::Metrics => Role::Viewer,
        Access::Role(role) => role,
    };
    let identity = match super::basic::credentials(&req) {
        Some(basic) => {
            let path = req.uri().path();
            if !is_node_path(path) {
                return refuse(
                    &req,
                    StatusCode::UNAUTHORIZED,
                    "basic authentication is accepted on the node API only; send an API token as Authorization: Bearer".into(),
                );
            }
            let verified = match basic {
                Ok(c) => {
                    let client = super::peer::client_key(&req);
                    super::basic::verify(&app, client, c).await
                }
                Err(why) => Err(super::basic::Refusal::Bad(why)),
            };
            match verified {
                Ok(id) => id,
                Err(r) => {
                    let (status, message) = r.status();
                    return refuse(&req, status, message);
                }
            }
        }
        None => match identify(&app, &req) {
            Ok(Some(id)) => id,
            Ok(None) => return unauthenticated(&req),
            Err(e) => return e.into_response(),
        },
    };
    if identity.role < required {
        return forbidden(&req, required);
    }
    let mut req = req;
    if let AuthMethod::Session { csrf } = &identity.method
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
    {
        req = match super::csrf::check(req, csrf).await {
            Ok(req) => req,
            Err(resp) => return resp,
        };
    }
    req.extensions_mut().insert(identity);
    next.run(req).await
}

/// Works out who is calling, if anyone.
pub fn identify(app: &AppState, req: &Request) -> Result<Option<Identity>, ApiError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        // A presented token decides alone: a bad token is not rescued by a cookie.
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let Some((identity, due)) = token::authenticate(&app.store, presented.trim())? else {
            return Ok(None);
        };
        if due && let AuthMethod::Token { id } = &identity.method {
            // Its last use is written at most once a minute, off the async workers; a
            // failed write loses a timestamp, never the request.
            let (store, id) = (app.store.clone(), id.clone());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = token::touch(&store, &id) {
                    tracing::warn!(token = %id, "cannot note the token's last use: {e}");
                }
            });
        }
        return Ok(Some(forwarded(identity, req)));
    }
    let jar = CookieJar::from_headers(req.headers());
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let config = app.config.current();
        let ttl = config.server.session_ttl.0.as_secs() as i64;
        if let Some(s) = session::lookup(&app.store, cookie.value(), ttl)? {
            // The role comes from the config in force, so an edit of a user applies at once,
            // and a user removed from the config is logged out.
            if let Some(user) = config.users.iter().find(|u| u.name == s.user) {
                return Ok(Some(Identity {
                    name: user.name.clone(),
                    role: user.role,
                    method: AuthMethod::Session { csrf: s.csrf },
                }));
            }
        }
    }
    if let Some(peer) = super::peer::unix_peer(req)
        && let (Some(uid), Some(role)) = (peer.uid, peer.role())
    {
        return Ok(Some(Identity {
            name: format!("uid:{uid}"),
            role,
            method: AuthMethod::LocalSocket { uid },
        }));
    }
    Ok(None)
}

/// A token-authenticated request that a peer forwarded for one of its callers: the caller's
/// name, with the lower of the caller's role and the token's. Without the forwarding header
/// the token's own identity stands. Only a token can carry these headers: a session or the
/// socket identifies a person or a local user, never a node.
fn forwarded(token: Identity, req: &Request) -> Identity {
    use crate::node::peers::{FORWARDED_BY, FORWARDED_ROLE, FORWARDED_USER};
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (Some(node), AuthMethod::Token { id }) = (header(FORWARDED_BY), &token.method) else {
        return token;
    };
    // A missing or unknown role claims the least.
    let claimed = header(FORWARDED_ROLE)
        .and_then(|r| r.parse::<Role>().ok())
        .unwrap_or(Role::Viewer);
    Identity {
        name: header(FORWARDED_USER).unwrap_or_else(|| token.name.clone()),
        role: claimed.min(token.role),
        method: AuthMethod::Forwarded {
            node,
            token: id.clone(),
        },
    }
}

/// A refusal of presented credentials, in the form the path answers in.
fn refuse(req: &Request, status: StatusCode, message: String) -> Response {
    let path = req.uri().path();
    let mut resp = if is_node_path(path) {
        problem_at(path, status, "Unauthenticated", message)
    } else if super::respond::opa::is_opa_path(path) {
        super::respond::opa::opa_error(status, message)
    } else {
        ApiError::new(status, "unauthenticated", message).into_response()
    };
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"vmyard node API\", Bearer"),
        );
    }
    resp
}

fn unauthenticated(req: &Request) -> Response {
    let path = req.uri().path();
    if is_node_path(path) {
        let mut resp = problem_at(
            path,
            StatusCode::UNAUTHORIZED,
            "Unauthenticated",
            "send an API token as Authorization: Bearer, or a user's name and password as Authorization: Basic",
        );
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"vmyard node API\", Bearer"),
        );
        return resp;
    }
    if super::respond::opa::is_opa_path(path) {
        let mut resp = super::respond::opa::opa_error(
            StatusCode::UNAUTHORIZED,
            "send an API token as Authorization: Bearer",
        );
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    if wants_json(path) {
        let mut resp = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in or send an API token as Authorization: Bearer",
        )
        .into_response();
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let next: String = url_encode(target);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

fn forbidden(req: &Request, required: Role) -> Response {
    refusal(
        req.uri().path(),
        StatusCode::FORBIDDEN,
        "forbidden",
        if is_node_path(req.uri().path()) {
            "Forbidden"
        } else {
            "Not allowed"
        },
        format!("this needs the {required} role"),
    )
}

fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Marks the answer to a request whose handler panicked, for the request counter.
#[derive(Debug, Clone, Copy)]
struct Panicked;

/// The answer to a request whose handler panicked: a 500 in the API's error shape, the
/// panic logged once. The process and every other request carry on.
fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!("a request handler panicked: {what}");
    let mut resp =
        ApiError::internal("vmyard failed while answering; the error is logged").into_response();
    resp.extensions_mut().insert(Panicked);
    resp
}

/// Catches a panic in any handler below it (see [`panic_answer`]).
fn catch_panics()
-> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> Response>
{
    tower_http::catch_panic::CatchPanicLayer::custom(panic_answer as fn(_) -> Response)
}

/// Adds what every route shares: the state, the 404 fallback, panic catching, body limit,
/// security headers, request counting and tracing.
pub fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(not_found)
        .layer(catch_panics())
        .layer(from_fn_with_state(state.clone(), count_requests))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::body_limit::bounded_body,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    let route = format!("no such route: {} {path}", req.method());
    if is_node_path(&path) || wants_json(&path) || super::respond::opa::is_opa_path(&path) {
        refusal(
            &path,
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            route,
        )
    } else {
        refusal(
            &path,
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            format!("There is no page at {path}."),
        )
    }
}

/// Counts every answer by method and status, and tells its server time in a
/// `Server-Timing` header (`app;dur=<ms>`, the W3C form browsers' tools show): the time from
/// the request reaching vmyard to its answer being ready, guard and rendering included.
async fn count_requests(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let mut resp = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        resp.headers_mut().insert("server-timing", v);
    }
    if resp.extensions().get::<Panicked>().is_some() {
        app.metrics.http_panics.inc();
    }
    let status = format!("{}xx", resp.status().as_u16() / 100);
    app.metrics
        .http_requests
        .get_or_create(&crate::metrics::HttpLabels { method, status })
        .inc();
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("boom at the handler")
    }

    /// A handler that panics gets a 500 in the error shape, marked for the counter, and
    /// the router keeps answering.
    #[tokio::test]
    async fn a_panicking_handler_is_answered_500_and_the_router_carries_on() {
        let app: Router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer(catch_panics());
        let boom = app
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(boom.extensions().get::<Panicked>().is_some());
        let body = axum::body::to_bytes(boom.into_body(), 1 << 16)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(json["error"]["message"].as_str().is_some(), "{json}");
        let fine = app
            .oneshot(
                Request::builder()
                    .uri("/fine")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(fine.status(), StatusCode::OK);
    }
}
