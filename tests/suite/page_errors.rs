//! A page whose data cannot be read shows the error with its cause, never an empty table:
//! a record the store cannot decode makes the dashboard, the inventory tree and the data
//! center list answer with the error page, and the API with its error shape.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use vmyard::sim::Source;

/// A record written under the data centers' table that is not a data center.
#[derive(Serialize, Deserialize)]
struct NotADataCenter {
    wrong: u32,
}

impl vmyard::store::Record for NotADataCenter {
    const KIND: &'static str =
        <vmyard::inventory::model::DataCenter as vmyard::store::Record>::KIND;
    // In the name index, as every inventory record is, so lists walk into it.
    fn index_keys(&self) -> Vec<(&'static str, String)> {
        vec![("name", "zz-damaged".into())]
    }
}

#[tokio::test]
async fn a_store_failure_shows_as_an_error_page_not_an_empty_table() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let c = s.client();
    assert_eq!(s.login(&c, "admin", ADMIN_PW).await, StatusCode::SEE_OTHER);
    let before = c
        .get(s.url("/inventory/e1/datacenters"))
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), StatusCode::OK);

    // A record the store holds but cannot decode.
    {
        let mut w = s.running.state.store.write().unwrap();
        w.upsert("e1/zz-damaged", &NotADataCenter { wrong: 1 })
            .unwrap();
        w.commit().unwrap();
    }
    for page in ["/inventory/e1", "/inventory/e1/datacenters"] {
        let r = c.get(s.url(page)).send().await.unwrap();
        let status = r.status();
        let html = r.text().await.unwrap();
        assert!(status.is_server_error(), "{page}: {status} {html}");
        assert!(
            html.contains("The store could not be read"),
            "{page}: {html}"
        );
        assert!(
            html.contains("zz-damaged"),
            "{page} names the cause: {html}"
        );
        assert!(!html.contains("<table"), "{page} shows no table: {html}");
    }
    let api = c
        .get(s.url("/api/v1/providers/e1/datacenters"))
        .bearer_auth(s.token("viewer").await)
        .send()
        .await
        .unwrap();
    assert!(api.status().is_server_error(), "{}", api.status());
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(body["error"]["message"].is_string(), "{body}");
    s.stop().await;
}
