//! A data center's removal takes what it held out of the store once the engine confirms each
//! piece gone, and leaves what the engine still serves (a cluster moved elsewhere).
//!
//! The engine logs one event for the data center, none for its clusters, hosts, VMs and
//! networks, as a real engine does when a removal takes them along.

use crate::common;

use common::*;
use serde_json::Value;
use vmyard::inventory::decode::Kind;
use vmyard::sim::Source;
use vmyard::web::api::inventory::get_json;

fn stored(s: &TestServer, kind: Kind, id: &str) -> Option<Value> {
    let r = s.running.state.store.read().unwrap();
    get_json(&r, "e1", kind, id).unwrap()
}

fn ids_where(
    sim: &vmyard::sim::state::SimState,
    collection: &str,
    is_in: impl Fn(&Value) -> bool,
) -> Vec<String> {
    sim.objects(collection)
        .unwrap()
        .iter()
        .filter(|(_, o)| is_in(o))
        .map(|(id, _)| id.clone())
        .collect()
}

#[tokio::test]
async fn a_removed_data_center_takes_what_the_engine_confirms_gone() {
    let engine = TestEngine::start(Source::Generated { vms: 1000, seed: 5 }).await;
    // A second data center for a cluster to move to, added as an engine adds one.
    let added = {
        let mut sim = engine.sim.state.lock().unwrap();
        let dcs = sim.collections.get_mut("datacenters").unwrap();
        let mut dc = dcs.values().next().unwrap().clone();
        let id = "5a1e0000-0000-4000-8000-00000000d0c2".to_string();
        dc["id"] = Value::String(id.clone());
        dc["name"] = Value::String("moved-to".into());
        dc["href"] = Value::String(format!("/ovirt-engine/api/datacenters/{id}"));
        dcs.insert(id.clone(), dc);
        sim.log_event(
            950,
            "Data Center moved-to was added",
            &[("data_center", &id)],
        )
    };
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", added).await;

    let (gone, moved, kept_dc, last) = {
        let mut sim = engine.sim.state.lock().unwrap();
        let dcs: Vec<String> = sim
            .objects("datacenters")
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert!(
            dcs.len() >= 2,
            "the inventory needs two data centers: {dcs:?}"
        );
        let clusters_of = |sim: &vmyard::sim::state::SimState, dc: &str| {
            ids_where(sim, "clusters", |c| c["data_center"]["id"] == dc)
        };
        // The data center to remove: one with at least two clusters, so one can move.
        let dc = dcs
            .iter()
            .find(|d| clusters_of(&sim, d).len() >= 2)
            .expect("a data center with two clusters")
            .clone();
        let kept_dc = dcs.iter().find(|d| **d != dc).unwrap().clone();
        let clusters = clusters_of(&sim, &dc);
        let (moved, removed_clusters) = clusters.split_first().unwrap();
        let moved = moved.clone();
        sim.collections.get_mut("clusters").unwrap()[&moved]["data_center"]["id"] =
            Value::String(kept_dc.clone());
        let mut gone: Vec<(Kind, &str, String)> = Vec::new();
        for c in removed_clusters {
            for h in ids_where(&sim, "hosts", |h| h["cluster"]["id"] == c.as_str()) {
                gone.push((Kind::Host, "hosts", h));
            }
            for v in ids_where(&sim, "vms", |v| v["cluster"]["id"] == c.as_str()) {
                gone.push((Kind::Vm, "vms", v));
            }
            gone.push((Kind::Cluster, "clusters", c.clone()));
        }
        for n in ids_where(&sim, "networks", |n| n["data_center"]["id"] == dc.as_str()) {
            gone.push((Kind::Network, "networks", n));
        }
        assert!(
            gone.iter().any(|(k, ..)| *k == Kind::Vm)
                && gone.iter().any(|(k, ..)| *k == Kind::Host),
            "the removed clusters hold hosts and VMs: {gone:?}"
        );
        // Taken along without events of their own.
        for (_, collection, id) in &gone {
            sim.collections
                .get_mut(collection)
                .unwrap()
                .shift_remove(id)
                .unwrap();
        }
        assert!(sim.remove("datacenters", &dc, 954));
        gone.push((Kind::DataCenter, "datacenters", dc));
        let last = sim.next_event - 1;
        (gone, moved, kept_dc, last)
    };
    for (kind, _, id) in &gone {
        assert!(stored(&s, *kind, id).is_some(), "{kind:?} {id} was loaded");
    }

    wait_parity(&s, "e1", last).await;
    for (kind, _, id) in &gone {
        assert_eq!(stored(&s, *kind, id), None, "{kind:?} {id} is still stored");
    }
    let cluster = stored(&s, Kind::Cluster, &moved).expect("the moved cluster stays");
    assert_eq!(cluster["data_center"], Value::String(kept_dc.clone()));
    assert!(stored(&s, Kind::DataCenter, &kept_dc).is_some());
    s.stop().await;
}
