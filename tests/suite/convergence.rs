//! The store converges to the engine: after SIGKILLs at random points of load and refresh
//! while the engine keeps changing, and after faults injected into 10% of requests.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::collector::numa;
use vmyard::inventory::decode::{COLLECTIONS, Kind, Object, decode};
use vmyard::inventory::model::*;
use vmyard::sim::{Sim, Source};
use vmyard::store::Store;

/// Every difference between the engine and the store, as lines.
fn differences(sim: &Sim, store: &Store, provider: &str) -> Vec<String> {
    let state = sim.state.lock().unwrap().clone();
    let r = store.read().unwrap();
    let mut diffs = Vec::new();
    for c in &COLLECTIONS {
        let engine = state.objects(c.path).unwrap();
        let stored: Vec<(String, Value)> = match c.kind {
            Kind::DataCenter => as_json(
                r.list_prefix::<DataCenter>(&format!("{provider}/"))
                    .unwrap(),
            ),
            Kind::Cluster => as_json(r.list_prefix::<Cluster>(&format!("{provider}/")).unwrap()),
            Kind::Host => as_json(r.list_prefix::<Host>(&format!("{provider}/")).unwrap()),
            Kind::Vm => as_json(r.list_prefix::<Vm>(&format!("{provider}/")).unwrap()),
            Kind::Network => as_json(r.list_prefix::<Network>(&format!("{provider}/")).unwrap()),
            Kind::NicProfile => as_json(
                r.list_prefix::<NicProfile>(&format!("{provider}/"))
                    .unwrap(),
            ),
            Kind::DiskProfile => as_json(
                r.list_prefix::<DiskProfile>(&format!("{provider}/"))
                    .unwrap(),
            ),
            Kind::StorageDomain => as_json(
                r.list_prefix::<StorageDomain>(&format!("{provider}/"))
                    .unwrap(),
            ),
            Kind::Disk => as_json(r.list_prefix::<Disk>(&format!("{provider}/")).unwrap()),
            Kind::Template => as_json(r.list_prefix::<Template>(&format!("{provider}/")).unwrap()),
        };
        if stored.len() != engine.len() {
            diffs.push(format!(
                "{}: {} stored, {} in the engine",
                c.path,
                stored.len(),
                engine.len()
            ));
        }
        for (key, value) in stored {
            let id = key.split_once('/').unwrap().1;
            match engine.get(id) {
                None => diffs.push(format!("{} {id}: stored but gone from the engine", c.path)),
                Some(o) => {
                    let want = match decode(c.kind, o).unwrap() {
                        Object::Vm(mut v) => {
                            // The collector reads vNUMA pins from `vms/<id>/numanodes`,
                            // not from the VM's own answer.
                            if numa::candidate(o)
                                && let Some(nodes) = state.numa_nodes.get(id)
                            {
                                v.numa_node_affinity = Some(numa::pins(nodes).unwrap());
                            }
                            serde_json::to_value(*v).unwrap()
                        }
                        Object::Host(v) => serde_json::to_value(v).unwrap(),
                        Object::Cluster(v) => serde_json::to_value(v).unwrap(),
                        Object::DataCenter(v) => serde_json::to_value(v).unwrap(),
                        Object::Disk(v) => serde_json::to_value(v).unwrap(),
                        Object::Network(v) => serde_json::to_value(v).unwrap(),
                        Object::NicProfile(v) => serde_json::to_value(v).unwrap(),
                        Object::DiskProfile(v) => serde_json::to_value(v).unwrap(),
                        Object::StorageDomain(v) => serde_json::to_value(v).unwrap(),
                        Object::Template(v) => serde_json::to_value(v).unwrap(),
                    };
                    if want != value {
                        diffs.push(format!("{} {id}: differs", c.path));
                    }
                }
            }
        }
    }
    diffs
}

fn as_json<T: serde::Serialize>(
    list: Vec<(String, vmyard::store::Stored<T>)>,
) -> Vec<(String, Value)> {
    list.into_iter()
        .map(|(k, s)| (k, serde_json::to_value(s.value).unwrap()))
        .collect()
}

/// Changes a few VMs of the engine: descriptions, statuses, a removal and an addition.
fn change_engine(sim: &Sim, round: usize) {
    let ids: Vec<String> = sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .skip(round * 7 % 50)
        .take(5)
        .cloned()
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let mut set = serde_json::Map::new();
        set.insert(
            "description".into(),
            json!(format!("round {round} change {i}")),
        );
        sim.update("vms", id, set, None).unwrap();
    }
    if let Some(victim) = ids.last() {
        let vm = sim
            .state
            .lock()
            .unwrap()
            .objects("vms")
            .unwrap()
            .get(victim)
            .cloned()
            .unwrap();
        sim.state.lock().unwrap().remove("vms", victim, 113);
        let mut copy = vm;
        let new_id = format!("00000000-0000-4000-8000-{round:012}");
        copy["id"] = json!(new_id);
        copy["name"] = json!(format!("added-in-round-{round}"));
        sim.state.lock().unwrap().put("vms", copy, 34).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_converges_to_the_engine() {
    let engine = TestEngine::start(Source::Generated { vms: 3000, seed: 3 }).await;
    let (dir, config) = engine_config(&engine);
    let mut dice = 0x1234_5678_u64;
    for round in 0..8 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("VMYARD_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // A random point: somewhere in the load at first, in the refresh later.
        dice ^= dice << 13;
        dice ^= dice >> 7;
        dice ^= dice << 17;
        let wait = Duration::from_millis(100 + dice % 1500);
        tokio::time::sleep(wait / 2).await;
        change_engine(&engine.sim, round);
        tokio::time::sleep(wait / 2).await;
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // A last start, left to reach parity with the engine.
    let last_event = engine.sim.state.lock().unwrap().next_event - 1;
    let s = TestServer::start_in(dir, config).await;
    wait_parity(&s, "e1", last_event).await;
    let diffs = differences(&engine.sim, &s.running.state.store, "e1");
    assert!(
        diffs.is_empty(),
        "{} differences, e.g. {:?}",
        diffs.len(),
        &diffs[..diffs.len().min(5)]
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_in_ten_percent_of_requests_converge() {
    let engine = TestEngine::start(Source::Generated { vms: 300, seed: 5 }).await;
    let (dir, config) = engine_config(&engine);
    assert!(engine.control("faults", json!({"error_rate": 0.03, "unauthorized_rate": 0.02, "drop_rate": 0.025, "truncate_rate": 0.025})).await.is_success());
    let s = TestServer::start_in(dir, config).await;
    for round in 0..10 {
        change_engine(&engine.sim, round);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(engine.control("faults", json!({})).await.is_success());
    let last_event = engine.sim.state.lock().unwrap().next_event - 1;
    let st = wait_parity(&s, "e1", last_event).await;
    assert!(st.failures > 0, "faults were injected and seen");
    let diffs = differences(&engine.sim, &s.running.state.store, "e1");
    assert!(
        diffs.is_empty(),
        "{} differences, e.g. {:?}",
        diffs.len(),
        &diffs[..diffs.len().min(5)]
    );
    let metrics = s
        .socket_client()
        .get("http://localhost/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_collector_failures_total{provider=\"e1\"}"),
        "{metrics}"
    );
    s.stop().await;
}
