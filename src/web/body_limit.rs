//! Request bodies over the limit: refused with 413 on every protocol.
//!
//! A body whose declared length is over the limit is refused before the handler runs. Over
//! HTTP/1.1 the answer goes out at once and the connection closes. Over HTTP/2 an answer
//! sent while the client is still sending leaves many clients unable to read it: some wait
//! to finish sending first and stall on flow control, others see the stream end early and
//! report a reset. So on HTTP/2 the body is read and dropped first, up to [`DRAIN_LIMIT`]
//! and for at most [`DRAIN_TIME`], and then refused; beyond those the answer is sent
//! anyway. An HTTP/2 body sent without a length is read here, up to the limit, and over it
//! drained and refused the same way. Over HTTP/1.1 such a body is cut at the limit as it is
//! read (tower-http's `RequestBodyLimitLayer`), and its handler answers 413.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use http_body_util::BodyExt;

use super::api::ApiError;

/// The largest request body taken (forms and JSON are small).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The most of an oversized HTTP/2 body read (and dropped) before it is refused.
pub const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// The longest an oversized HTTP/2 body is read before it is refused.
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Refuses a request whose body is over [`BODY_LIMIT`] (see the module).
pub async fn refuse_declared_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let http2 = req.version() == Version::HTTP_2;
    match declared {
        Some(length) if length > BODY_LIMIT as u64 => {
            if http2 && length <= DRAIN_LIMIT {
                drain(req.into_body()).await;
            }
            too_large(Some(length))
        }
        // An HTTP/2 body without a length: read here up to the limit, so that a body over
        // it can be drained before the refusal, as above.
        None if http2 => {
            let (parts, body) = req.into_parts();
            match read_up_to_limit(body).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(Some(rest)) => {
                    drain(rest).await;
                    too_large(None)
                }
                Err(None) => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "the request body could not be read",
                )
                .into_response(),
            }
        }
        _ => next.run(req).await,
    }
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

/// Reads and drops the rest of a body, for at most [`DRAIN_TIME`] and [`DRAIN_LIMIT`].
async fn drain(mut body: Body) {
    let drained = tokio::time::timeout(DRAIN_TIME, async {
        let mut seen = 0u64;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len() as u64);
            if seen > DRAIN_LIMIT {
                break;
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::debug!("an oversized HTTP/2 body was still arriving; refused");
    }
}

fn too_large(length: Option<u64>) -> Response {
    let message = match length {
        Some(n) => format!("the body is {n} bytes; at most {BODY_LIMIT} are taken"),
        None => format!("the body is over {BODY_LIMIT} bytes, the most taken"),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message).into_response()
}
