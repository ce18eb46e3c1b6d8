//! The inventory as users reach it: API lists with filters and paging, single objects,
//! metrics, the CLI.

use crate::common;

use common::*;
use vmyard::inventory::decode::COLLECTIONS;
use vmyard::sim::Source;

#[tokio::test]
async fn lists_filter_sort_page_and_fail_clearly() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let c = s.socket_client();
    let get = |path: String| {
        let c = c.clone();
        async move {
            c.get(format!("http://localhost{path}"))
                .send()
                .await
                .unwrap()
        }
    };

    let all: serde_json::Value = get("/api/v1/providers/e1/vms".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 2);
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "sorted by name");
    let desc: serde_json::Value = get("/api/v1/providers/e1/vms?desc=true".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(desc["items"][0]["name"], all["items"][1]["name"]);

    let first = &all["items"][0];
    let status = first["status"].as_str().unwrap();
    let by_status: serde_json::Value = get(format!("/api/v1/providers/e1/vms?status={status}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        by_status["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["status"] == status)
    );
    let cluster = first["cluster"].as_str().unwrap();
    let by_cluster: serde_json::Value = get(format!("/api/v1/providers/e1/vms?cluster={cluster}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(by_cluster["total"].as_u64().unwrap() >= 1);
    let name = first["name"].as_str().unwrap();
    let by_name: serde_json::Value = get(format!(
        "/api/v1/providers/e1/vms?q={}",
        &name[..2].to_uppercase()
    ))
    .await
    .json()
    .await
    .unwrap();
    assert!(
        by_name["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == name),
        "search ignores case"
    );
    let paged: serde_json::Value = get("/api/v1/providers/e1/vms?per_page=1&page=2".into())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged["items"][0]["name"], all["items"][1]["name"]);

    let id = first["id"].as_str().unwrap();
    let one: serde_json::Value = get(format!("/api/v1/providers/e1/vms/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["name"], name);
    assert_eq!(one["revision"], 1);

    for (path, code) in [
        ("/api/v1/providers/nope/vms", 404),
        ("/api/v1/providers/e1/toasters", 404),
        ("/api/v1/providers/e1/vms/not-an-id", 404),
        ("/api/v1/providers/e1/vms?page=abc", 400),
        ("/api/v1/providers/e1/vms?search=web", 400),
    ] {
        let r = get(path.to_string()).await;
        assert_eq!(r.status().as_u16(), code, "{path}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(v["error"]["message"].as_str().is_some(), "{path}: {v}");
    }
    // Every answer tells its server time, as browsers' tools read it.
    let r = get("/api/v1/providers".into()).await;
    let timing = r.headers()["server-timing"].to_str().unwrap().to_string();
    let ms: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    assert!(ms >= 0.0, "{timing}");
    let r = get("/api/v1/providers/e1/vms?search=web".into()).await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown parameter `search`"),
        "{v}"
    );

    // A filter that names nothing known is an error that says what is known, never an
    // empty list; a name stands for an id.
    for (path, says) in [
        (
            "/api/v1/providers/e1/vms?status=bogus",
            "the statuses are down",
        ),
        ("/api/v1/providers/e1/vms?cluster=nosuch", "its clusters: "),
        (
            "/api/v1/providers/e1/vms?readiness=fine",
            "use one of ready, warnings",
        ),
        (
            "/api/v1/providers/e1/clusters?status=up",
            "cannot be filtered by status",
        ),
        ("/inventory/e1/vms?host=nosuch", "no host named or numbered"),
    ] {
        let r = get(path.to_string()).await;
        assert_eq!(r.status().as_u16(), 400, "{path}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{path}: {text}");
    }
    let clusters: serde_json::Value = get("/api/v1/providers/e1/clusters".into())
        .await
        .json()
        .await
        .unwrap();
    let cluster = &clusters["items"][0];
    let by_name: serde_json::Value = get(format!(
        "/api/v1/providers/e1/vms?cluster={}",
        cluster["name"].as_str().unwrap()
    ))
    .await
    .json()
    .await
    .unwrap();
    let by_id: serde_json::Value = get(format!(
        "/api/v1/providers/e1/vms?cluster={}",
        cluster["id"].as_str().unwrap()
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(by_name["total"], by_id["total"], "{by_name}");

    let providers: serde_json::Value = get("/api/v1/providers".into()).await.json().await.unwrap();
    assert_eq!(providers[0]["state"]["phase"], "Refresh");
    assert_eq!(providers[0]["state"]["counts"]["vms"], 2);

    let metrics = get("/metrics".into()).await.text().await.unwrap();
    assert!(
        metrics.contains("vmyard_collector_phase{provider=\"e1\",phase=\"Refresh\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vmyard_collector_parity{provider=\"e1\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vmyard_inventory_objects{provider=\"e1\",kind=\"vms\"} 2"),
        "{metrics}"
    );

    // The CLI over the socket.
    let sock = s.running.socket.clone().unwrap();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .args([
                "inventory",
                "vms",
                "-o",
                "json",
                "--socket",
                sock.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["total"], 2);

    // Pages: the list and a detail page render with the objects' names.
    let c = s.client();
    assert_eq!(
        s.login(&c, "viewer", VIEWER_PW).await,
        reqwest::StatusCode::SEE_OTHER
    );
    let html = c
        .get(s.url("/inventory/e1/vms"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(name) && html.contains("2 matching"), "{html}");
    let html = c
        .get(s.url(&format!("/inventory/e1/vms/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<h2>Disks</h2>") && html.contains("<h2>NICs</h2>"),
        "{html}"
    );
    let html = c
        .get(s.url("/inventory/e1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data center") && html.contains("VMs</a>"),
        "{html}"
    );
    s.stop().await;
}

/// Every kind's list and objects are what the OpenAPI document says they are: typed by
/// the kind's own schema, checked with a JSON Schema validator against the served document.
#[tokio::test]
async fn every_kind_answers_in_the_schema_the_document_gives_it() {
    let engine = TestEngine::start(Source::Generated { vms: 60, seed: 11 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let doc: serde_json::Value =
        serde_json::from_str(&s.get_text("/api/v1/openapi.json").await).unwrap();
    // The document is the root the references resolve in; the validated schema is one of
    // its components.
    let validator = |component: &str| {
        let mut root = doc.clone();
        root["$ref"] = format!("#/components/schemas/{component}").into();
        jsonschema::draft202012::new(&root).expect("the document's schemas compile")
    };
    let page = validator("ObjectPage");
    let object = validator("InventoryObject");
    let any_of = doc["components"]["schemas"]["InventoryObject"]["allOf"][0]["anyOf"]
        .as_array()
        .expect("an object is one of the kinds");
    assert_eq!(any_of.len(), COLLECTIONS.len(), "{any_of:?}");
    for kind in COLLECTIONS.iter().map(|c| c.path) {
        let list: serde_json::Value = serde_json::from_str(
            &s.get_text(&format!("/api/v1/providers/e1/{kind}?per_page=1000"))
                .await,
        )
        .unwrap();
        let errors: Vec<String> = page
            .iter_errors(&list)
            .map(|e| e.to_string())
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{kind}: {errors:?}");
        let first = &list["items"][0];
        assert!(first.is_object(), "{kind} has objects: {list}");
        let one: serde_json::Value = serde_json::from_str(
            &s.get_text(&format!(
                "/api/v1/providers/e1/{kind}/{}",
                first["id"].as_str().unwrap()
            ))
            .await,
        )
        .unwrap();
        let errors: Vec<String> = object
            .iter_errors(&one)
            .map(|e| e.to_string())
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{kind} {}: {errors:?}", first["id"]);
        // The schema can fail: an object without its revision is refused.
        let mut bare = one.clone();
        bare.as_object_mut().unwrap().remove("revision");
        assert!(!object.is_valid(&bare), "{kind}: a revision is required");
        // A field no kind names, or a field of the wrong type, is refused: the object
        // must be exactly one of the kinds, not any of them that its fields happen to fit.
        let mut extra = one.clone();
        extra["colour"] = "blue".into();
        assert!(!object.is_valid(&extra), "{kind}: an unknown field");
        let mut wrong = one.clone();
        wrong["name"] = 7.into();
        assert!(!object.is_valid(&wrong), "{kind}: a name that is a number");
    }
    s.stop().await;
}
