//! The collector against the simulated engine: the recorded engine loaded exactly, events
//! applied, restarts resumed from the cursor, bad answers survived.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vmyard::inventory::model::*;
use vmyard::sim::Source;

const VM: &str = "31573c08-717b-43e0-825f-69a36fb0e1a1";

async fn start() -> (TestEngine, TestServer) {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let server = TestServer::start_in(dir, config_path).await;
    (engine, server)
}

fn vm(s: &TestServer, id: &str) -> Option<vmyard::store::Stored<Vm>> {
    s.running
        .state
        .store
        .read()
        .unwrap()
        .get::<Vm>(&format!("e1/{id}"))
        .unwrap()
}

#[tokio::test]
async fn the_recorded_engine_is_loaded_exactly() {
    let (engine, s) = start().await;
    let st = wait_parity(&s, "e1", 0).await;
    assert_eq!(st.engine_version, "4.4.10.6-1.el8");
    let r = s.running.state.store.read().unwrap();
    let counts = [
        ("datacenters", r.count_prefix::<DataCenter>("e1/").unwrap()),
        ("clusters", r.count_prefix::<Cluster>("e1/").unwrap()),
        ("hosts", r.count_prefix::<Host>("e1/").unwrap()),
        ("vms", r.count_prefix::<Vm>("e1/").unwrap()),
        ("networks", r.count_prefix::<Network>("e1/").unwrap()),
        ("vnicprofiles", r.count_prefix::<NicProfile>("e1/").unwrap()),
        (
            "diskprofiles",
            r.count_prefix::<DiskProfile>("e1/").unwrap(),
        ),
        (
            "storagedomains",
            r.count_prefix::<StorageDomain>("e1/").unwrap(),
        ),
        ("disks", r.count_prefix::<Disk>("e1/").unwrap()),
    ];
    {
        let sim = engine.sim.state.lock().unwrap();
        for (path, n) in counts {
            assert_eq!(n, sim.objects(path).unwrap().len(), "{path}");
            assert_eq!(st.counts[path] as usize, n, "{path} count in the state");
        }
    }
    let v = r.get::<Vm>(&format!("e1/{VM}")).unwrap().unwrap();
    assert_eq!(v.revision, 1);
    assert_eq!(v.value.nics[0].mac, "56:6f:a5:e5:00:03");
    // Containment indexes.
    let cluster = v.value.cluster.clone();
    assert!(
        r.ids_by::<Vm>("cluster", &format!("e1/{cluster}"))
            .unwrap()
            .contains(&format!("e1/{VM}"))
    );
    let profile = v.value.nics[0].profile.clone();
    assert!(
        r.ids_by::<Vm>("profile", &format!("e1/{profile}"))
            .unwrap()
            .contains(&format!("e1/{VM}"))
    );
    let disk = v.value.disk_attachments[0].disk.clone();
    assert_eq!(
        r.ids_by::<Vm>("disk", &format!("e1/{disk}")).unwrap(),
        vec![format!("e1/{VM}")]
    );
    s.stop().await;
}

#[tokio::test]
async fn events_update_and_delete_and_unchanged_reads_keep_the_revision() {
    let (engine, s) = start().await;
    wait_parity(&s, "e1", 0).await;
    let before = vm(&s, VM).unwrap();

    // An update event with a real change bumps the revision.
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {"description": "changed"}})
            )
            .await
            .is_success()
    );
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    wait_parity(&s, "e1", last).await;
    let after = vm(&s, VM).unwrap();
    assert_eq!(after.value.description, "changed");
    assert_eq!(after.revision, before.revision + 1);

    // An event with no real change (a re-read) leaves it alone.
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {}, "code": 253})
            )
            .await
            .is_success()
    );
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    wait_parity(&s, "e1", last).await;
    assert_eq!(vm(&s, VM).unwrap().revision, after.revision);

    // A removal deletes it, and its index entries.
    assert!(
        engine
            .control("remove", json!({"collection": "vms", "id": VM}))
            .await
            .is_success()
    );
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    wait_parity(&s, "e1", last).await;
    assert!(vm(&s, VM).is_none());
    let disk = before.value.disk_attachments[0].disk.clone();
    assert!(
        s.running
            .state
            .store
            .read()
            .unwrap()
            .ids_by::<Vm>("disk", &format!("e1/{disk}"))
            .unwrap()
            .is_empty()
    );
    s.stop().await;
}

#[tokio::test]
async fn a_restart_resumes_from_the_cursor_without_reloading() {
    let (engine, s) = start().await;
    let st = wait_parity(&s, "e1", 0).await;
    let (dir, config) = s.stop().await;
    // A change while vmyard is down.
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {"memory": "2147483648"}})
            )
            .await
            .is_success()
    );
    let requests_before = engine
        .sim
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let s = TestServer::start_in(dir, config).await;
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    let after = wait_parity(&s, "e1", last).await;
    assert_eq!(vm(&s, VM).unwrap().value.memory, 2_147_483_648);
    assert_eq!(after.loaded_at, st.loaded_at, "no reload after a restart");
    let requests = engine
        .sim
        .requests
        .load(std::sync::atomic::Ordering::Relaxed)
        - requests_before;
    assert!(
        requests < 10,
        "a resume reads events, not collections: {requests} requests"
    );
    s.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_renewed_and_faults_are_survived() {
    let (engine, s) = start().await;
    wait_parity(&s, "e1", 0).await;
    assert!(
        engine
            .control("expire-tokens", json!({}))
            .await
            .is_success()
    );
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {"description": "after expiry"}})
            )
            .await
            .is_success()
    );
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    wait_parity(&s, "e1", last).await;
    assert_eq!(vm(&s, VM).unwrap().value.description, "after expiry");

    // Every request fails: parity is lost and the failure is shown once.
    assert!(
        engine
            .control("faults", json!({"error_rate": 1.0}))
            .await
            .is_success()
    );
    let failing = eventually(Duration::from_secs(10), || async {
        provider_state(&s, "e1").is_some_and(|p| !p.parity && p.error.is_some())
    })
    .await;
    assert!(failing, "{:?}", provider_state(&s, "e1"));
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {"description": "during faults"}})
            )
            .await
            .is_success()
    );
    assert!(engine.control("faults", json!({})).await.is_success());
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    let st = wait_parity(&s, "e1", last).await;
    assert!(st.error.is_none());
    assert!(st.failures > 0);
    assert_eq!(vm(&s, VM).unwrap().value.description, "during faults");
    s.stop().await;
}

#[tokio::test]
async fn a_malformed_object_is_reported_and_the_rest_goes_on() {
    let (engine, s) = start().await;
    wait_parity(&s, "e1", 0).await;
    // The engine sends a VM whose memory is not a number: that VM is kept as it was...
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": VM, "set": {"memory": "lots"}})
            )
            .await
            .is_success()
    );
    // ... while another object's change still applies.
    let other = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .find(|k| *k != VM)
        .cloned()
        .unwrap();
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": other, "set": {"description": "fine"}})
            )
            .await
            .is_success()
    );
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    let st = wait_parity(&s, "e1", last).await;
    assert!(st.bad_objects >= 1);
    assert!(vm(&s, VM).is_some(), "a malformed answer is not a deletion");
    assert_eq!(vm(&s, &other).unwrap().value.description, "fine");
    s.stop().await;
}

#[tokio::test]
async fn a_removed_provider_loses_its_data() {
    let (_engine, s) = start().await;
    wait_parity(&s, "e1", 0).await;
    let text = std::fs::read_to_string(&s.config_path).unwrap();
    let cut = text.find("[[providers]]").unwrap();
    // Cutting the only provider is refused as a mistaken edit: its data stays.
    write_private(&s.config_path, &text[..cut]);
    let refused = eventually(Duration::from_secs(5), || async {
        s.running.state.config.status().error.is_some()
    })
    .await;
    assert!(refused);
    {
        let r = s.running.state.store.read().unwrap();
        assert!(r.count_prefix::<Vm>("e1/").unwrap() > 0);
    }
    // Said explicitly, it applies, and the provider's data goes.
    write_private(&s.config_path, &format!("providers = []\n{}", &text[..cut]));
    let gone = eventually(Duration::from_secs(5), || async {
        let r = s.running.state.store.read().unwrap();
        r.count_prefix::<Vm>("e1/").unwrap() == 0 && provider_state(&s, "e1").is_none()
    })
    .await;
    assert!(gone);
    s.stop().await;
}

#[tokio::test]
async fn a_purged_event_history_is_caught_up_by_a_full_reconcile() {
    let (engine, s) = start().await;
    wait_parity(&s, "e1", 0).await;
    let (dir, config) = s.stop().await;
    let vms: Vec<String> = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .cloned()
        .collect();
    engine.sim.state.lock().unwrap().event_history = 2;
    for id in &vms {
        assert!(
            engine
                .control(
                    "update",
                    json!({"collection": "vms", "id": id, "set": {"description": "while away"}})
                )
                .await
                .is_success()
        );
    }
    let dc = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("datacenters")
        .unwrap()
        .keys()
        .next()
        .cloned()
        .unwrap();
    for n in 0..3 {
        assert!(engine.control("update", json!({"collection": "datacenters", "id": dc, "set": {"description": format!("dc {n}")}})).await.is_success());
    }
    let s = TestServer::start_in(dir, config).await;
    let last = engine.sim.state.lock().unwrap().next_event - 1;
    let st = wait_parity(&s, "e1", last).await;
    assert!(st.last_reconcile.is_some(), "a full reconcile ran");
    for id in &vms {
        assert_eq!(
            vm(&s, id).unwrap().value.description,
            "while away",
            "the change whose event was purged is not lost"
        );
    }
    s.stop().await;
}
