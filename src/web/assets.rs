//! Static files (stylesheet, htmx, icons), embedded in the binary.
//!
//! Each answer carries a strong ETag (the file's SHA-256, computed at build time) and a
//! day-long cache lifetime; a conditional request gets a 304.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use super::routes::{Access, Routes};

#[derive(Embed)]
#[folder = "static/"]
struct Static;

/// Registers `/static/{file}` and the favicon.
pub fn register(r: Routes) -> Routes {
    r.get("/static/{*file}", Access::Public, serve)
        .get("/favicon.ico", Access::Public, favicon)
}

async fn favicon(headers: HeaderMap) -> Response {
    file("favicon.svg", &headers)
}

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    file(&path, &headers)
}

fn file(path: &str, headers: &HeaderMap) -> Response {
    let Some(f) = Static::get(path) else {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    };
    let etag = format!("\"{}\"", hex::encode(f.metadata.sha256_hash()));
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    };
    let mut resp = (cache, f.data.into_owned()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    resp
}
