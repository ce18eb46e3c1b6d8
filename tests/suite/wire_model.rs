//! The simulator sends what a real engine sends, and nothing else: every answer to every
//! request the collector makes (with its own `follow=`, taken from the collector's code) is
//! walked against the oVirt REST type model of the engine's SDK (`tests/wire_model/`), on
//! generated inventories and on the recorded engine, and any key the model lacks for that
//! type in that place fails the test. The recorded answers of a real engine are walked too,
//! so the model itself is checked against a real engine.

use crate::common;
#[path = "wire_model_walk.rs"]
mod walk;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use serde_json::Value;
use vmyard::collector::{numa, run::SERVER_CPUS};
use vmyard::inventory::decode::{COLLECTIONS, Kind};
use vmyard::ovirt::EngineClient;
use vmyard::sim::Source;
use walk::Model;

/// What walking found.
#[derive(Default)]
struct Walked {
    /// Answers walked.
    answers: usize,
    /// Non-empty `vms/<id>/numanodes` answers among them.
    numa: usize,
    /// Each violation, with where it was seen.
    violations: Vec<String>,
}

impl Walked {
    fn record(&mut self, source: &str, found: Vec<String>) {
        self.answers += 1;
        self.violations
            .extend(found.into_iter().map(|v| format!("{source}: {v}")));
    }

    /// The violations, one line per place (indexes left out) with how often it was seen.
    fn report(&self) -> String {
        let mut places: BTreeMap<String, (usize, &str)> = BTreeMap::new();
        for v in &self.violations {
            let general: String = v
                .split('[')
                .map(|p| p.split_once(']').map_or(p, |(_, rest)| rest))
                .collect::<Vec<_>>()
                .join("[]");
            places.entry(general).or_insert((0, v)).0 += 1;
        }
        places
            .values()
            .map(|(n, first)| format!("{n} x {first}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// An engine client of the collector's own kind, logged in to `engine`.
async fn client(engine: &TestEngine) -> EngineClient {
    let (_dir, path) = engine_config(engine);
    let config = vmyard::config::load_file(&path).unwrap();
    let client = EngineClient::new(&config.providers[0]).unwrap();
    client.login().await.unwrap();
    client
}

/// GETs `request` and walks the answer.
async fn get(
    client: &EngineClient,
    model: &Model,
    w: &mut Walked,
    source: &str,
    request: &str,
    element: &str,
    list: bool,
) -> Value {
    let body = client
        .get(request)
        .await
        .unwrap_or_else(|e| panic!("{source}: GET {request}: {e}"));
    let mut found = Vec::new();
    if list {
        model.walk_list(&body, element, &mut found);
    } else {
        model.walk_one(&body, element, &mut found);
    }
    w.record(&format!("{source} GET {request}"), found);
    body
}

/// Every request the collector makes of `engine`: the API root, the CPU list, the event
/// feed and each event, each collection's listing and each of its objects, and the NUMA
/// nodes of the VMs the collector reads them for.
async fn walk_engine(engine: &TestEngine, model: &Model, source: &str, w: &mut Walked) {
    let c = client(engine).await;
    get(&c, model, w, source, "", "api", false).await;
    get(&c, model, w, source, SERVER_CPUS, "system_option", false).await;
    get(&c, model, w, source, "events?max=1", "event", true).await;
    let events = get(&c, model, w, source, "events?from=0", "event", true).await;
    for e in events["event"].as_array().into_iter().flatten() {
        let id = e["id"].as_str().unwrap();
        get(
            &c,
            model,
            w,
            source,
            &format!("events/{id}"),
            "event",
            false,
        )
        .await;
    }
    for col in &COLLECTIONS {
        let list = get(
            &c,
            model,
            w,
            source,
            &col.list_request(),
            col.singular,
            true,
        )
        .await;
        for o in list[col.singular].as_array().into_iter().flatten() {
            let id = o["id"].as_str().unwrap();
            get(
                &c,
                model,
                w,
                source,
                &col.get_request(id),
                col.singular,
                false,
            )
            .await;
            if col.kind == Kind::Vm && numa::candidate(o) {
                let nodes = get(
                    &c,
                    model,
                    w,
                    source,
                    &numa::request(id),
                    "vm_numa_node",
                    true,
                )
                .await;
                if nodes.get("vm_numa_node").is_some() {
                    w.numa += 1;
                }
            }
        }
    }
}

/// Every recorded answer under `dir`, walked as what its path answers.
fn walk_recorded(dir: &Path, rel: &str, model: &Model, w: &mut Walked) {
    for entry in std::fs::read_dir(dir.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let sub = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            walk_recorded(dir, &sub, model, w);
            continue;
        }
        if name != "content.json" {
            continue;
        }
        let body: Value = serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap())
            .unwrap_or_else(|e| panic!("{sub}: {e}"));
        let mut found = Vec::new();
        let segments: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
        let list_key = body.as_object().and_then(|m| {
            let (k, v) = m.iter().next()?;
            (m.len() == 1 && v.is_array() && model.by_element(k).is_some()).then_some(k)
        });
        match (segments.as_slice(), list_key) {
            ([], _) => model.walk_one(&body, "api", &mut found),
            (["options", _], _) => model.walk_one(&body, "system_option", &mut found),
            (_, Some(k)) => model.walk_list(&body, k, &mut found),
            // A sub-collection recorded inside its parent's key, `{"nics": {"nic": [...]}}`:
            // walked as that key of the parent.
            ([.., collection, _, _], None) | ([.., collection, _], None) => {
                let kind = Kind::from_path(collection)
                    .unwrap_or_else(|| panic!("{sub}: no collection {collection}"));
                let element = kind.collection().singular;
                // Some single objects were recorded converted from the engine's XML: inside
                // their element, `{"vnic_profile": {...}}`, an empty list as `""`.
                match body.as_object() {
                    Some(m) if m.len() == 1 && m.get(element).is_some_and(Value::is_object) => {
                        let xml = Model {
                            xml_empty: true,
                            ..Model::load()
                        };
                        xml.walk_one(&m[element], element, &mut found)
                    }
                    _ => model.walk_one(&body, element, &mut found),
                }
            }
            // An empty list (`{}`) has nothing to walk.
            _ => assert_eq!(body, serde_json::json!({}), "{sub}: what does it answer?"),
        }
        w.record(&format!("recorded {}/{sub}", dir.display()), found);
    }
}

/// NICs carry their reported devices only for `follow=nics.reported_devices`, as the engine
/// inlines only what `follow=` names; the collector asks for them.
async fn nic_devices_only_when_followed(engine: &TestEngine) {
    let c = client(engine).await;
    let devices = |body: &Value| {
        body["vm"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|vm| vm["nics"]["nic"].as_array().into_iter().flatten())
            .filter(|n| n.get("reported_devices").is_some())
            .count()
    };
    let plain = c.get("vms?follow=nics").await.unwrap();
    assert!(
        plain["vm"][0]["nics"].is_object(),
        "follow=nics inlines NICs"
    );
    assert_eq!(
        devices(&plain),
        0,
        "follow=nics alone inlines no reported devices"
    );
    let asked = c.get(&Kind::Vm.collection().list_request()).await.unwrap();
    assert!(
        devices(&asked) > 0,
        "the collector's follow= brings the NICs' IPs"
    );
}

#[test]
fn the_walk_names_each_key_the_model_lacks_where_it_is() {
    let model = Model::load();
    let mut found = Vec::new();
    let vm = serde_json::json!({"vm": [{
        "id": "1", "name": "a", "numa_tune_mode_nodes": {"vm_numa_node": []},
        "nics": {"nic": [{"name": "n0"}, {"name": "n1", "foo": "x"}]},
        "cpu": {"topology": {"cores": "2", "bogus": "1"}},
        "os": {"boot": {"devices": {"device": ["hd"]}}},
        "link": [{"href": "/x", "rel": "nics"}],
        "actions": {"link": [{"href": "/x/start", "rel": "start"}]},
    }]});
    model.walk_list(&vm, "vm", &mut found);
    assert_eq!(
        found,
        [
            "vm.vm[0].cpu.topology.bogus: CpuTopology has no bogus",
            "vm.vm[0].nics.nic[1].foo: Nic has no foo",
            "vm.vm[0].numa_tune_mode_nodes: Vm has no numa_tune_mode_nodes",
        ]
    );
    let mut found = Vec::new();
    model.walk_one(
        &serde_json::json!({"nics": {"host_nic": []}, "memory": {"x": "1"}}),
        "vm",
        &mut found,
    );
    assert_eq!(found.len(), 2, "{found:?}");
}

#[tokio::test]
async fn every_answer_the_collector_asks_for_fits_the_engine_model() {
    let model = Model::load();
    let mut w = Walked::default();

    // The recorded engines: the model must fit a real engine.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut recorded = vec![here.join("src/sim/fixtures/ovirt-engine-4.4.10")];
    let shared = here.join("../shared/fixtures/ovirt-engine-4.4.10");
    if shared.is_dir() {
        recorded.push(shared);
    }
    for dir in &recorded {
        walk_recorded(dir, "", &model, &mut w);
    }
    let recorded_answers = w.answers;
    assert!(
        recorded_answers >= 15,
        "recorded answers walked: {recorded_answers}"
    );

    // The simulator on the recorded engine and on generated inventories, with events.
    let mut sources = vec![("fixtures".to_string(), Source::Fixtures)];
    for seed in [1, 7, 42] {
        sources.push((format!("seed {seed}"), Source::Generated { vms: 250, seed }));
    }
    for (name, source) in sources {
        let engine = TestEngine::start(source).await;
        // Updates log events that name their objects.
        let vm = engine
            .sim
            .state
            .lock()
            .unwrap()
            .objects("vms")
            .unwrap()
            .keys()
            .next()
            .cloned()
            .unwrap();
        let set = serde_json::Map::from_iter([("description".to_string(), Value::from("changed"))]);
        engine.sim.update("vms", &vm, set, None).unwrap();
        walk_engine(&engine, &model, &name, &mut w).await;
        if name != "fixtures" {
            nic_devices_only_when_followed(&engine).await;
        }
    }
    eprintln!(
        "walked {} answers ({} recorded, {} NUMA node lists), model of SDK {}",
        w.answers, recorded_answers, w.numa, model.sdk
    );
    assert!(
        w.numa >= 3,
        "each generated inventory has VMs with NUMA nodes"
    );
    assert!(
        w.violations.is_empty(),
        "{} keys the engine model lacks:\n{}",
        w.violations.len(),
        w.report()
    );
}
