//! Request bodies: read whole here, up to [`BODY_LIMIT`] and within `server.body_timeout`,
//! before any handler (or the guard) runs.
//!
//! - A body over the limit, declared or found while reading, is refused with 413.
//! - A body that does not arrive in time (a client sending a byte every few seconds) is
//!   refused with 408 and the connection closed: it cannot hold a connection open.
//! - Over HTTP/2, an answer sent while the client is still sending leaves many clients
//!   unable to read it: the stream is reset once the server drops the unread body, and curl
//!   reports the reset (exit 92) rather than the answer. So whatever a request left unread
//!   when its answer is ready (an oversized body, or any body of a request the guard
//!   refused) is read and dropped in the background for up to [`DRAIN_TIME`]: the client
//!   gets the answer, finishes sending, and the stream ends cleanly, at any size.

use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use http_body_util::BodyExt;

use super::AppState;
use super::respond::ApiError;

/// The largest request body taken (forms and JSON are small).
pub(super) const BODY_LIMIT: usize = 1024 * 1024;

/// The longest the rest of an unread HTTP/2 body is read (and dropped) after the answer.
pub(super) const DRAIN_TIME: Duration = Duration::from_secs(30);

/// Reads the request body whole before the rest of the stack (see the module).
pub(super) async fn bounded_body(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let http2 = req.version() == Version::HTTP_2;
    let (parts, body) = req.into_parts();
    if let Some(length) = declared.filter(|n| *n > BODY_LIMIT as u64) {
        return refuse(body, http2, too_large(Some(length)));
    }
    if body.is_end_stream() {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let within = app.config.current().server.body_timeout.0;
    match tokio::time::timeout(within, read_up_to_limit(body)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(Some(rest))) => refuse(rest, http2, too_large(None)),
        Ok(Err(None)) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request body could not be read",
        )
        .into_response(),
        Err(_) => {
            let mut answer = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request body did not arrive within {}",
                    humantime::format_duration(within)
                ),
            )
            .into_response();
            if !http2 {
                answer
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            answer
        }
    }
}

/// Answers `answer` to a request whose body was not read to its end. Over HTTP/2 the rest
/// is drained after the answer (see the module); over HTTP/1 hyper closes the connection.
fn refuse(rest: Body, http2: bool, answer: Response) -> Response {
    if http2 && !rest.is_end_stream() {
        // Short-lived, bounded by DRAIN_TIME: not one of the service's long-lived tasks.
        tokio::spawn(drain(rest));
    }
    answer
}

/// The body, when it is at most [`BODY_LIMIT`]; else what is left of it to drain
/// (`Some`), or `None` when it could not be read.
async fn read_up_to_limit(mut body: Body) -> Result<Bytes, Option<Body>> {
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| None)?;
        if let Some(data) = frame.data_ref() {
            buf.extend_from_slice(data);
            if buf.len() > BODY_LIMIT {
                return Err(Some(body));
            }
        }
    }
    Ok(buf.freeze())
}

/// Reads and drops the rest of a body, for at most [`DRAIN_TIME`].
async fn drain(mut body: Body) {
    let drained = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(_)) = body.frame().await {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!("an unread HTTP/2 body was still arriving after {DRAIN_TIME:?}; reset");
    }
}

fn too_large(length: Option<u64>) -> Response {
    let message = match length {
        Some(n) => format!("the body is {n} bytes; at most {BODY_LIMIT} are taken"),
        None => format!("the body is over {BODY_LIMIT} bytes, the most taken"),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message).into_response()
}
