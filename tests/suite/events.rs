//! Every event code of the table in ovirt.md, end to end: the simulated engine changes an
//! object and logs the code, and the collector brings the change into the store.
//!
//! For each code the change is made where the engine would make it: a VM event changes the
//! VM; a VM disk event (snapshot, disk attached, moved...) changes one of the VM's disks and
//! names the VM, so only a re-read of the VM *with its disks* can see it; a network, profile,
//! storage domain or disk event changes an object of the collection it relists.

use crate::common;

use common::*;
use serde_json::{Value, json};
use vmyard::collector::events::CODES;
use vmyard::inventory::decode::Kind;
use vmyard::sim::Source;
use vmyard::web::api::inventory::get_json;

/// What a code's event is about, in the simulated engine's collections.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// The object itself changes and the event names it (or its collection is relisted).
    Object(&'static str),
    /// A disk of the VM changes; the event names the VM.
    VmDisk,
}

fn target(code: u32) -> Target {
    match code {
        950 | 952 | 954 => Target::Object("datacenters"),
        942 | 1114 | 944 => Target::Object("networks"),
        1122 | 1124 | 1126 => Target::Object("vnicprofiles"),
        10120 | 10124 | 10122 => Target::Object("diskprofiles"),
        956 | 958 | 960 | 981 | 964 => Target::Object("storagedomains"),
        809 | 811 | 813 | 835 => Target::Object("clusters"),
        42 | 43 | 44 | 600 | 620 | 10453 | 13 => Target::Object("hosts"),
        // A new or imported VM brings its disks: the event names only the VM.
        34 | 53 | 1152 | 88 | 97 | 80 | 2016 | 2018 | 86 | 371 | 377 | 2010 => Target::VmDisk,
        2021 | 2014 | 2042 => Target::Object("disks"),
        _ => Target::Object("vms"),
    }
}

fn stored_name(s: &TestServer, collection: &str, id: &str) -> Option<String> {
    let kind = Kind::from_path(collection).unwrap();
    let r = s.running.state.store.read().unwrap();
    get_json(&r, "e1", kind, id)
        .unwrap()
        .map(|v| v["name"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn every_event_code_of_the_table_reaches_the_store() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;

    // The objects the events are about: the first of each collection, and the first disk of
    // a VM that has disks.
    let (first, vm_with_disk): (std::collections::BTreeMap<&str, String>, (String, String)) = {
        let sim = engine.sim.state.lock().unwrap();
        let first = [
            "datacenters",
            "networks",
            "vnicprofiles",
            "diskprofiles",
            "storagedomains",
            "clusters",
            "hosts",
            "disks",
            "vms",
        ]
        .into_iter()
        .map(|c| {
            let objects = sim.objects(c).unwrap();
            (c, objects.keys().next().unwrap().clone())
        })
        .collect::<std::collections::BTreeMap<_, _>>();
        let vm = sim
            .objects("vms")
            .unwrap()
            .values()
            .find(|v| v["disk_attachments"]["disk_attachment"][0]["disk"]["id"].is_string())
            .expect("a recorded VM with a disk")
            .clone();
        let disk = vm["disk_attachments"]["disk_attachment"][0]["disk"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The disk-collection events change another disk than the VM's, so the two kinds of
        // change made in one round cannot mask each other.
        let mut first = first;
        first.insert(
            "disks",
            sim.objects("disks")
                .unwrap()
                .keys()
                .find(|d| **d != disk)
                .unwrap()
                .clone(),
        );
        (first, (vm["id"].as_str().unwrap().to_string(), disk))
    };

    // One code per target per round, so no change hides another; every round ends at parity.
    let mut rounds: Vec<Vec<u32>> = Vec::new();
    let mut per_target: std::collections::HashMap<String, usize> = Default::default();
    for &code in CODES {
        let n = per_target.entry(format!("{:?}", target(code))).or_default();
        if rounds.len() <= *n {
            rounds.push(Vec::new());
        }
        rounds[*n].push(code);
        *n += 1;
    }
    let mut checked = 0;
    for round in rounds {
        let mut expect: Vec<(u32, &str, String, String)> = Vec::new();
        for code in round {
            let name = format!("after-event-{code}");
            match target(code) {
                Target::Object(collection) => {
                    let id = first[collection].clone();
                    // A disk's name is its alias on the engine.
                    let set = json!({"name": name, "alias": name});
                    let answer = engine
                        .control(
                            "update",
                            json!({"collection": collection, "id": id, "set": set, "code": code}),
                        )
                        .await;
                    assert!(answer.is_success(), "update for {code}");
                    expect.push((code, collection, id, name));
                }
                Target::VmDisk => {
                    let (vm, disk) = vm_with_disk.clone();
                    // The disk changes without an event of its own (as when a snapshot or a
                    // move rewrites it); only the VM event tells.
                    {
                        let mut sim = engine.sim.state.lock().unwrap();
                        let d = sim
                            .collections
                            .get_mut("disks")
                            .and_then(|c| c.get_mut(&disk))
                            .unwrap();
                        d["name"] = Value::String(name.clone());
                        d["alias"] = Value::String(name.clone());
                    }
                    let answer = engine
                        .control(
                            "update",
                            json!({"collection": "vms", "id": vm, "set": {}, "code": code}),
                        )
                        .await;
                    assert!(answer.is_success(), "vm event {code}");
                    expect.push((code, "disks", disk, name));
                }
            }
        }
        let last = engine.sim.state.lock().unwrap().next_event - 1;
        wait_parity(&s, "e1", last).await;
        for (code, collection, id, name) in expect {
            let served = engine
                .sim
                .state
                .lock()
                .unwrap()
                .objects(collection)
                .unwrap()[&id]["name"]
                .clone();
            assert_eq!(
                stored_name(&s, collection, &id).as_deref(),
                Some(name.as_str()),
                "event {code} did not bring the change of {collection}/{id} into the store (the engine has {served})"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, CODES.len());
    s.stop().await;
}
