//! NUMA read where a real engine serves it: a VM's vNUMA nodes are not in its own answer but
//! at `vms/<id>/numanodes`. The collector reads them only for the VMs that can have them
//! (a `numa_tune_mode`, or placement on named hosts), on the load and on each re-read, and
//! the NUMA concern fires from what it read there.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

const NUMA: &str = "ovirt.numa.tuning.detected";

/// How often the simulator answered `vms/<id>/numanodes`, by VM id.
async fn numa_reads(engine: &TestEngine) -> Vec<(String, u64)> {
    let stats: Value = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(format!(
            "{}/sim/stats",
            engine.url.trim_end_matches("/ovirt-engine/api")
        ))
        .bearer_auth(engine.sim.control_token.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["sub_reads"]
        .as_object()
        .expect("sub_reads in the stats")
        .iter()
        .filter_map(|(path, n)| {
            let id = path.strip_prefix("vms/")?.strip_suffix("/numanodes")?;
            Some((id.to_string(), n.as_u64().unwrap()))
        })
        .collect()
}

fn reads_of(reads: &[(String, u64)], id: &str) -> u64 {
    reads.iter().find(|(v, _)| v == id).map_or(0, |(_, n)| *n)
}

/// The concern ids of a VM's current validation, once there is one.
async fn concerns(s: &TestServer, id: &str) -> Option<Vec<String>> {
    let r = s
        .socket_client()
        .get(format!(
            "http://localhost/api/v1/providers/e1/vms/{id}/concerns"
        ))
        .send()
        .await
        .unwrap();
    if !r.status().is_success() {
        return None;
    }
    let v: Value = r.json().await.unwrap();
    if v["current"] != true {
        return None;
    }
    let list = v.get("concerns").or_else(|| v["result"].get("concerns"))?;
    Some(
        list.as_array()?
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect(),
    )
}

#[tokio::test]
async fn numa_nodes_are_read_from_numanodes_for_candidates_only_and_raise_the_concern() {
    let engine = TestEngine::start(Source::Generated { vms: 300, seed: 1 }).await;
    // The engine's view: which VMs have vNUMA nodes, which could have them.
    let (with_nodes, candidates, others) = {
        let sim = engine.sim.state.lock().unwrap();
        let with_nodes: BTreeSet<String> = sim.numa_nodes.keys().cloned().collect();
        let (mut candidates, mut others) = (BTreeSet::new(), BTreeSet::new());
        for (id, vm) in sim.objects("vms").unwrap() {
            assert!(
                vm.get("numa_tune_mode_nodes").is_none(),
                "not an engine field"
            );
            let pinned = vm["placement_policy"]["hosts"]["host"]
                .as_array()
                .is_some_and(|h| !h.is_empty());
            if vm.get("numa_tune_mode").is_some() || pinned {
                candidates.insert(id.clone());
            } else {
                others.insert(id.clone());
            }
        }
        (with_nodes, candidates, others)
    };
    assert!(
        !with_nodes.is_empty(),
        "the inventory has VMs with vNUMA nodes"
    );
    assert!(with_nodes.is_subset(&candidates));
    assert!(
        candidates.len() > with_nodes.len(),
        "pinned VMs without nodes too"
    );
    assert!(others.len() > candidates.len());

    let (dir, path) = engine_config(&engine);
    let s = TestServer::start_in(dir, path).await;
    wait_parity(&s, "e1", 0).await;

    // The load read the nodes of each candidate, and of no other VM.
    let reads = numa_reads(&engine).await;
    let read: BTreeSet<String> = reads.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(
        read, candidates,
        "numanodes read for exactly the candidates"
    );

    // The concern fires for each VM with nodes, and only for those.
    for id in with_nodes
        .iter()
        .chain(candidates.difference(&with_nodes).take(3))
    {
        let ok = eventually(Duration::from_secs(30), || async {
            concerns(&s, id).await.is_some()
        })
        .await;
        assert!(ok, "VM {id} validated");
        let flagged = concerns(&s, id).await.unwrap().iter().any(|c| c == NUMA);
        assert_eq!(flagged, with_nodes.contains(id), "NUMA concern of VM {id}");
    }

    // A re-read of a VM (an update event) reads its nodes again; one of a VM that cannot
    // have nodes does not.
    let numa_vm = with_nodes.first().unwrap().clone();
    let plain_vm = others.first().unwrap().clone();
    let before = reads_of(&reads, &numa_vm);
    for id in [&numa_vm, &plain_vm] {
        let status = engine
            .control(
                "update",
                json!({"collection": "vms", "id": id, "set": {"description": "re-read"}}),
            )
            .await;
        assert!(status.is_success());
    }
    let ok = eventually(Duration::from_secs(30), || async {
        reads_of(&numa_reads(&engine).await, &numa_vm) > before
    })
    .await;
    assert!(ok, "the update re-read the VM's numanodes");
    let ok = eventually(Duration::from_secs(30), || async {
        let r = s.running.state.store.read().unwrap();
        let vm = vmyard::web::api::inventory::get_json(
            &r,
            "e1",
            vmyard::inventory::decode::Kind::Vm,
            &plain_vm,
        )
        .unwrap();
        vm.is_some_and(|v| v["description"] == "re-read")
    })
    .await;
    assert!(ok, "the plain VM was re-read");
    assert_eq!(reads_of(&numa_reads(&engine).await, &plain_vm), 0);
    // Still flagged from the re-read nodes.
    let ok = eventually(Duration::from_secs(30), || async {
        concerns(&s, &numa_vm)
            .await
            .is_some_and(|c| c.iter().any(|c| c == NUMA))
    })
    .await;
    assert!(ok, "VM {numa_vm} still has the NUMA concern");
    s.stop().await;
}
