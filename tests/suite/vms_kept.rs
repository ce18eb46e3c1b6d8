//! A VM the engine has is never dropped on a guess.
//!
//! - Engines 4.2 and 4.3 send `numa_tune_mode` on every VM, and may answer 404 for
//!   `vms/<id>/numanodes`. That 404 is not proof that the VM is gone: every VM loads, its
//!   NUMA pinning is unknown (null in the API and the workload, "unknown" on its page, a
//!   concern that says so), and the provider warns once, naming the endpoint and version.
//! - Listings are read in offset pages, so VMs removed on an earlier page while a load runs
//!   shift others past a page boundary. Every VM that still exists when the load is done is
//!   in the store; none is dropped for not being seen.

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

const OLD_ENGINE: &str = "4.3.10.4-1.el7";

/// The VM ids the simulated engine has now.
fn engine_vms(engine: &TestEngine) -> BTreeSet<String> {
    engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// The VM ids vmyard's store holds for provider `e1`.
fn stored_vms(s: &TestServer) -> BTreeSet<String> {
    let r = s.running.state.store.read().unwrap();
    r.keys_prefix::<vmyard::inventory::model::Vm>("e1/")
        .unwrap()
        .iter()
        .map(|k| vmyard::inventory::engine_id(k).to_string())
        .collect()
}

#[tokio::test]
async fn a_404_on_numanodes_keeps_every_vm_with_its_pinning_unknown() {
    let engine = TestEngine::start(Source::Fixtures).await;
    // As a 4.3 engine answers: a tune mode on every VM, and no NUMA nodes sub-collection.
    {
        let mut sim = engine.sim.state.lock().unwrap();
        for vm in sim.collections.get_mut("vms").unwrap().values_mut() {
            vm["numa_tune_mode"] = json!("interleave");
        }
    }
    let played = engine
        .control(
            "engine",
            json!({"version": OLD_ENGINE, "missing": ["vms/*/numanodes"]}),
        )
        .await;
    assert!(played.is_success(), "{played}");
    let served = engine_vms(&engine);
    assert!(!served.is_empty());

    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let state = wait_parity(&s, "e1", 0).await;
    assert!(state.error.is_none(), "{state:?}");
    assert_eq!(stored_vms(&s), served, "every VM the engine has is stored");
    assert_eq!(state.counts.get("vms").copied(), Some(served.len() as u64));

    // One warning for the provider, naming the endpoint and the engine's version.
    let numa_warnings: Vec<&String> = state
        .warnings
        .iter()
        .filter(|w| w.contains("numanodes"))
        .collect();
    assert_eq!(numa_warnings.len(), 1, "{:?}", state.warnings);
    assert!(
        numa_warnings[0].starts_with(&format!(
            "engine {OLD_ENGINE} has no vms/<id>/numanodes (404)"
        )),
        "{}",
        numa_warnings[0]
    );

    // Unknown in the API, the workload and the page; a concern says so.
    let id = served.first().unwrap().clone();
    let vm: Value =
        serde_json::from_str(&s.get_text(&format!("/api/v1/providers/e1/vms/{id}")).await).unwrap();
    assert_eq!(vm["numa_node_affinity"], Value::Null, "{vm}");
    let workload = {
        let r = s.running.state.store.read().unwrap();
        vmyard::validation::workload::of_vm(&r, "e1", &id)
            .unwrap()
            .unwrap()
    };
    assert_eq!(workload["numaNodeAffinity"], Value::Null);
    let page = s.get_text(&format!("/inventory/e1/vms/{id}")).await;
    assert!(
        page.contains("<dt>NUMA node affinity</dt><dd>unknown</dd>"),
        "{page}"
    );
    let flagged = eventually(Duration::from_secs(30), || async {
        let v: Value = serde_json::from_str(
            &s.get_text(&format!("/api/v1/providers/e1/vms/{id}/concerns"))
                .await,
        )
        .unwrap_or_default();
        v["current"] == true
            && v["concerns"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["id"] == "ovirt.numa.tuning.unknown"))
    })
    .await;
    assert!(flagged, "the VM's concerns say its NUMA pinning is unknown");

    // An event re-reads the VM the same way: it stays, still unknown, and the warning is
    // not repeated.
    let update = engine
        .control(
            "update",
            json!({"collection": "vms", "id": id, "set": {"description": "re-read"}}),
        )
        .await;
    assert!(update.is_success());
    let reread = eventually(Duration::from_secs(30), || async {
        let v: Value =
            serde_json::from_str(&s.get_text(&format!("/api/v1/providers/e1/vms/{id}")).await)
                .unwrap_or_default();
        v["description"] == "re-read"
    })
    .await;
    assert!(reread, "the updated VM was re-read and kept");
    let state = wait_parity(&s, "e1", 0).await;
    assert_eq!(stored_vms(&s), served);
    assert_eq!(
        state
            .warnings
            .iter()
            .filter(|w| w.contains("numanodes"))
            .count(),
        1,
        "{:?}",
        state.warnings
    );

    // A VM removed on the engine is still removed: its own read answers 404.
    assert!(
        engine
            .control("remove", json!({"collection": "vms", "id": id}))
            .await
            .is_success()
    );
    let gone = eventually(Duration::from_secs(30), || async {
        !stored_vms(&s).contains(&id)
    })
    .await;
    assert!(gone, "a VM the engine removed leaves the store");
    s.stop().await;
}

#[tokio::test]
async fn vms_removed_while_a_load_pages_through_the_listing_leave_no_live_vm_behind() {
    // Three pages of VMs; each answer a little slow, so that removals land between pages.
    let engine = TestEngine::start(Source::Generated {
        vms: 2_500,
        seed: 7,
    })
    .await;
    assert!(
        engine
            .control("faults", json!({"latency_ms": 20}))
            .await
            .is_success()
    );

    // After each of the first pages of VMs is served, remove five VMs from the front of
    // the listing (already seen): everything after them shifts back by five.
    let done = Arc::new(AtomicBool::new(false));
    let removed = Arc::new(std::sync::Mutex::new(Vec::new()));
    let remover = {
        let sim = engine.sim.clone();
        let done = done.clone();
        let removed = removed.clone();
        tokio::spawn(async move {
            let mut handled = 0;
            while !done.load(Ordering::Relaxed) && handled < 4 {
                let served = {
                    let mut state = sim.state.lock().unwrap();
                    let served = state.listings.get("vms").copied().unwrap_or(0);
                    if served > handled {
                        let front: Vec<String> = state
                            .objects("vms")
                            .unwrap()
                            .keys()
                            .take(5)
                            .cloned()
                            .collect();
                        for id in front {
                            assert!(state.remove("vms", &id, 113));
                            removed.lock().unwrap().push(id);
                        }
                    }
                    served
                };
                handled = handled.max(served);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };

    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let loaded = eventually(Duration::from_secs(120), || async {
        provider_state(&s, "e1").is_some_and(|p| p.loaded_at.is_some())
    })
    .await;
    assert!(loaded, "{:?}", provider_state(&s, "e1"));
    done.store(true, Ordering::Relaxed);
    remover.await.unwrap();
    assert!(
        removed.lock().unwrap().len() >= 10,
        "removals landed during the listing"
    );

    // Once the feed has caught up with the removals, the store holds exactly the VMs the
    // engine has: none removed is left, and no live one is missing.
    let last_event = engine.sim.state.lock().unwrap().next_event - 1;
    let state = wait_parity(&s, "e1", last_event).await;
    let (served, stored) = (engine_vms(&engine), stored_vms(&s));
    let missing: Vec<_> = served.difference(&stored).collect();
    let extra: Vec<_> = stored.difference(&served).collect();
    assert!(missing.is_empty(), "live VMs missing: {missing:?}");
    assert!(extra.is_empty(), "removed VMs kept: {extra:?}");
    assert_eq!(state.counts.get("vms").copied(), Some(served.len() as u64));
    s.stop().await;
}
