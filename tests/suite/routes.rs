//! Every registered route, walked: nothing but the login page, static files and health
//! probes answers without authentication, and every API route is in the OpenAPI document.

use crate::common;

use common::*;
use reqwest::{Method, StatusCode};
use vmyard::auth::Role;
use vmyard::web::routes::Access;

fn concrete(path: &str) -> String {
    path.replace("{*file}", "vmyard.css")
        .replace("{id}", "nonexistent")
        .replace("{nodename}", "_")
        .replace("{section}", "user")
        .replace("/san/{kind}", "/san/initiator")
}

#[tokio::test]
async fn every_route_but_the_public_ones_requires_authentication() {
    let s = TestServer::start().await;
    let table = vmyard::web::routes(s.running.state.clone())
        .table()
        .to_vec();
    assert!(
        table.len() >= 15,
        "the registry should hold every route, got {}",
        table.len()
    );
    let c = s.client();
    let viewer = s.token("viewer").await;
    let mut public = Vec::new();
    for route in &table {
        let url = s.url(&concrete(route.path));
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let anonymous = c
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap()
            .status();
        match route.access {
            Access::Public => {
                public.push(route.path);
                assert!(
                    anonymous != StatusCode::UNAUTHORIZED && anonymous != StatusCode::SEE_OTHER,
                    "{} {} is public but answered {anonymous}",
                    route.method,
                    route.path
                );
            }
            Access::Metrics | Access::Role(_) => {
                let json = route.path.starts_with("/api/")
                    || route.path.starts_with("/v1/data/")
                    || route.path == "/metrics"
                    || route.path.starts_with("/partials/");
                let expected = if json {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::SEE_OTHER
                };
                assert_eq!(
                    anonymous, expected,
                    "{} {} without credentials",
                    route.method, route.path
                );
                // A viewer is refused where more is needed, and let through otherwise.
                let as_viewer = c
                    .request(method, &url)
                    .bearer_auth(&viewer)
                    .send()
                    .await
                    .unwrap()
                    .status();
                match route.access {
                    Access::Role(r) if r > Role::Viewer => {
                        assert_eq!(
                            as_viewer,
                            StatusCode::FORBIDDEN,
                            "{} {} as viewer",
                            route.method,
                            route.path
                        )
                    }
                    _ => assert!(
                        as_viewer != StatusCode::UNAUTHORIZED && as_viewer != StatusCode::FORBIDDEN,
                        "{} {} as viewer answered {as_viewer}",
                        route.method,
                        route.path
                    ),
                }
            }
        }
    }
    public.sort();
    public.dedup();
    assert_eq!(
        public,
        vec![
            "/favicon.ico",
            "/healthz",
            "/login",
            "/readyz",
            "/static/{*file}"
        ]
    );
    s.stop().await;
}

#[tokio::test]
async fn metrics_can_be_made_public_by_config() {
    let s = TestServer::start_with("").await;
    let c = s.client();
    assert_eq!(
        c.get(s.url("/metrics")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let text = std::fs::read_to_string(&s.config_path).unwrap();
    write_private(
        &s.config_path,
        &text.replace("[server]\n", "[server]\nmetrics_public = true\n"),
    );
    let open = eventually(std::time::Duration::from_secs(5), || async {
        c.get(s.url("/metrics")).send().await.unwrap().status() == StatusCode::OK
    })
    .await;
    assert!(open, "metrics_public should apply without a restart");
    s.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let s = TestServer::start().await;
    let viewer = s.token("viewer").await;
    let doc: serde_json::Value = s
        .client()
        .get(s.url("/api/v1/openapi.json"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let table = vmyard::web::routes(s.running.state.clone())
        .table()
        .to_vec();
    // vmyard's API, and om3's node paths, which the document describes too.
    let api: Vec<_> = table
        .iter()
        .filter(|r| {
            (r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
                || r.path.starts_with("/api/node/")
        })
        .collect();
    for route in &api {
        let method = route.method.as_str().to_lowercase();
        assert!(
            paths.get(route.path).and_then(|p| p.get(&method)).is_some(),
            "{} {} is not documented",
            route.method,
            route.path
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        api.len(),
        "the document lists a route that is not served"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    s.stop().await;
}

#[tokio::test]
async fn static_files_are_cached_and_revalidated() {
    let s = TestServer::start().await;
    let c = s.client();
    let r = c.get(s.url("/static/vmyard.css")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "public, max-age=86400");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let etag = r.headers()["etag"].clone();
    let r = c
        .get(s.url("/static/vmyard.css"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        c.get(s.url("/static/htmx.min.js"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(s.url("/static/nope.css"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = c.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "ok\n");
    let r: serde_json::Value = c
        .get(s.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["ready"], true);
    s.stop().await;
}
