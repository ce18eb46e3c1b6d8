//! The simulator speaks the engine's wire format: serving the recorded engine, every answer
//! equals the recorded one; faults come with the engine's fault bodies and codes.

use crate::common;

use common::*;
use serde_json::Value;
use vmyard::sim::Source;

async fn login(c: &reqwest::Client, base: &str, user: &str, pw: &str) -> reqwest::Response {
    c.post(format!("{base}/ovirt-engine/sso/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", user),
            ("password", pw),
            ("scope", "ovirt-app-api"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_recorded_engine_is_served_exactly() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let base = engine.url.trim_end_matches("/ovirt-engine/api").to_string();
    let c = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(engine.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    // Bad credentials: 400, the SSO error shape.
    let bad = login(&c, &base, "admin@internal", "wrong").await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert!(body["error"].is_string() && body["error_description"].is_string());
    let (user, pw) = engine.sim.state.lock().unwrap().credentials.clone();
    let token: Value = login(&c, &base, &user, &pw).await.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert!(token["exp"].is_string(), "exp is a string of epoch ms");
    let token = token["access_token"].as_str().unwrap().to_string();

    let recorded = |path: &str| -> Value {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/sim/fixtures/ovirt-engine-4.4.10")
            .join(path)
            .join("content.json");
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    };
    let cases = [
        ("", ""),
        ("datacenters", "datacenters"),
        ("clusters", "clusters"),
        ("hosts", "hosts?follow=network_attachments,nics"),
        (
            "vms",
            "vms?follow=disk_attachments,host_devices,snapshots,watchdogs,cdroms,nics",
        ),
        ("networks", "networks?follow=vnic_profiles"),
        ("vnicprofiles", "vnicprofiles"),
        ("diskprofiles", "diskprofiles"),
        ("storagedomains", "storagedomains"),
        ("disks", "disks"),
        ("options/ServerCPUList", "options/ServerCPUList"),
        ("events", "events"),
    ];
    for (file, request) in cases {
        let url = if request.is_empty() {
            engine.url.clone()
        } else {
            format!("{}/{request}", engine.url)
        };
        let r = c
            .get(&url)
            .bearer_auth(&token)
            .header("Accept", "application/json")
            .header("Version", "4")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{request}");
        let served: Value = r.json().await.unwrap();
        assert_eq!(
            served,
            recorded(file),
            "GET {request} differs from the recorded answer"
        );
    }
    // Without follow=, the sub-collections are not inlined.
    let plain: Value = c
        .get(format!("{}/vms", engine.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(plain["vm"][0].get("nics").is_none());
    // A single object by id, by href, and the fault body for a missing one.
    let vm = recorded("vms")["vm"][0].clone();
    let href = vm["href"].as_str().unwrap();
    let one: Value = c
        .get(format!("{base}{href}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], vm["id"]);
    let missing = c
        .get(format!(
            "{}/vms/00000000-0000-0000-0000-00000000dead",
            engine.url
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let fault: Value = missing.json().await.unwrap();
    assert!(fault["reason"].is_string() && fault["detail"].is_string());
    // search and max.
    let name = vm["name"].as_str().unwrap();
    let found: Value = c
        .get(format!("{}/vms?search=name%3D{name}", engine.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["vm"].as_array().unwrap().len(), 1);
    let none: Value = c
        .get(format!("{}/vms?search=name%3Dno-such-vm", engine.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none, serde_json::json!({}), "an empty collection is {{}}");
    let max: Value = c
        .get(format!("{}/vms?max=1", engine.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(max["vm"].as_array().unwrap().len(), 1);
    // An unknown token is a 401.
    let r = c
        .get(format!("{}/vms", engine.url))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
