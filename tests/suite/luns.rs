//! Direct LUN disks: the engine lists them without their logical units and gives those only
//! on a read of the one disk; the collector reads them there, on the load and on every
//! reconcile, so a reconcile never erases them.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use vmyard::inventory::decode::Kind;
use vmyard::sim::Source;
use vmyard::web::api::inventory::get_json;

/// The LUN ids of a stored disk.
fn stored_luns(s: &TestServer, id: &str) -> Vec<String> {
    let r = s.running.state.store.read().unwrap();
    let disk = get_json(&r, "e1", Kind::Disk, id).unwrap().expect("stored");
    disk["logical_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["lun_id"].as_str().unwrap().to_string())
        .collect()
}

async fn engine_get(engine: &TestEngine, path: &str) -> Value {
    let c = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let base = engine.url.trim_end_matches("/ovirt-engine/api");
    let (user, password) = engine.sim.state.lock().unwrap().credentials.clone();
    let token: Value = c
        .post(format!("{base}/ovirt-engine/sso/oauth/token"))
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "password"),
            ("username", user.as_str()),
            ("password", password.as_str()),
            ("scope", "ovirt-app-api"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    c.get(format!("{}/{path}", engine.url))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn logical_units_are_read_per_disk_and_survive_reconciles() {
    let engine = TestEngine::start(Source::Generated { vms: 300, seed: 2 }).await;
    // The LUN disks and their logical units, as the engine holds them.
    let luns: Vec<(String, Vec<String>)> = {
        let sim = engine.sim.state.lock().unwrap();
        sim.objects("disks")
            .unwrap()
            .values()
            .filter(|d| d["storage_type"] == "lun")
            .map(|d| {
                let units = d["lun_storage"]["logical_units"]["logical_unit"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["id"].as_str().unwrap().to_string())
                    .collect();
                (d["id"].as_str().unwrap().to_string(), units)
            })
            .collect()
    };
    assert!(!luns.is_empty(), "the inventory has LUN disks");
    assert!(luns.iter().all(|(_, u)| !u.is_empty()));

    // Where the engine gives them: not in the listing, in the disk's own read.
    let listing = engine_get(&engine, "disks").await;
    let listed = listing["disk"].as_array().unwrap();
    assert!(listed.iter().any(|d| d["storage_type"] == "lun"));
    assert!(
        listed.iter().all(|d| d.get("lun_storage").is_none()),
        "a listing lacks LUN details"
    );
    let one = engine_get(&engine, &format!("disks/{}", luns[0].0)).await;
    assert!(one["lun_storage"]["logical_units"]["logical_unit"].is_array());

    let dir = tempfile::tempdir().unwrap();
    let provider = engine.provider(dir.path(), "e1") + "reconcile_interval = \"300ms\"\n";
    let path = dir.path().join("vmyard.toml");
    write_private(&path, &config_text(dir.path(), &provider));
    let s = TestServer::start_in(dir, path).await;
    let first = wait_parity(&s, "e1", 0).await;
    for (id, units) in &luns {
        assert_eq!(&stored_luns(&s, id), units, "disk {id} after the load");
    }

    // Two reconciles later, the units are still there.
    let mut seen = first.last_reconcile.clone();
    for _ in 0..2 {
        let ok = eventually(Duration::from_secs(30), || {
            let seen = seen.clone();
            let s = &s;
            async move {
                provider_state(s, "e1")
                    .is_some_and(|p| p.last_reconcile.is_some() && p.last_reconcile != seen)
            }
        })
        .await;
        assert!(ok, "no reconcile: {:?}", provider_state(&s, "e1"));
        seen = provider_state(&s, "e1").unwrap().last_reconcile;
    }
    for (id, units) in &luns {
        assert_eq!(&stored_luns(&s, id), units, "disk {id} after reconciles");
    }
    s.stop().await;
}
