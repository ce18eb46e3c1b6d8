//! Request bodies over the limit: refused with 413 on every protocol.
//!
//! A body whose declared length is over the limit is refused before the handler runs. Over
//! HTTP/1.1 the answer goes out at once and the connection closes. Over HTTP/2 an answer
//! sent while the client is still sending leaves many clients unable to read it: some wait
//! to finish sending first and stall on flow control, others see the stream end early and
//! report a reset. So on HTTP/2 the body is read and dropped first, up to [`DRAIN_LIMIT`]
//! and for at most [`DRAIN_TIME`], and then refused; beyond those the answer is sent
//! anyway. A body sent without a length is cut at the limit as it is read (tower-http's
//! `RequestBodyLimitLayer`), and its handler answers 413 the same way.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::api::ApiError;

/// The largest request body taken (forms and JSON are small).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The most of an oversized HTTP/2 body read (and dropped) before it is refused.
pub const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// The longest an oversized HTTP/2 body is read before it is refused.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Refuses a request whose declared body length is over [`BODY_LIMIT`].
pub async fn refuse_declared_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let Some(length) = declared.filter(|n| *n > BODY_LIMIT as u64) else {
        return next.run(req).await;
    };
    if req.version() == Version::HTTP_2 && length <= DRAIN_LIMIT {
        let mut body = req.into_body();
        let drained = tokio::time::timeout(DRAIN_TIME, async {
            while let Some(frame) = body.frame().await {
                if frame.is_err() {
                    break;
                }
            }
        })
        .await;
        if drained.is_err() {
            tracing::debug!(
                length,
                "an oversized HTTP/2 body was still arriving; refused"
            );
        }
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the body is {length} bytes; at most {BODY_LIMIT} are taken"),
    )
    .into_response()
}
