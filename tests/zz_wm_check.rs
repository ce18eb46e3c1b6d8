//! The simulator sends only what a real engine sends: every key of every answer the
//! collector asks for (with its exact `follow=`) exists in the oVirt REST API model, at the
//! place where the engine puts it. The model (`wire_model/ovirt-4.x.json`) is extracted from
//! the engine's Python SDK by `wire_model/extract.py`. The recorded answers of a real engine
//! are walked the same way, so the model itself is checked against an engine.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::LazyLock;

use common::*;
use serde_json::Value;
use vmyard::inventory::decode::{COLLECTIONS, Kind};
use vmyard::sim::Source;

static MODEL: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("/tmp/wm-model.json")).expect("the model is JSON")
});

/// The type whose wire element is `element` (`vm` is `Vm`, `vm_numa_node` is
/// `VirtualNumaNode`).
fn type_of(element: &str) -> &'static str {
    static BY_ELEMENT: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
        MODEL["types"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(t, d)| Some((d["element"].as_str()?.to_string(), t.clone())))
            .collect()
    });
    BY_ELEMENT
        .get(element)
        .unwrap_or_else(|| panic!("no type for element {element}"))
}

/// Keys every object may carry beside its type's attributes.
const ON_OBJECTS: [&str; 4] = ["href", "id", "link", "actions"];

/// Walks an object of type `ty` at `at`, adding each key the model lacks there to `bad`.
fn walk(v: &Value, ty: &str, at: &str, bad: &mut BTreeSet<String>) {
    let Some(map) = v.as_object() else {
        bad.insert(format!("{at}: not an object ({ty})"));
        return;
    };
    let attributes = &MODEL["types"][ty]["attributes"];
    for (key, value) in map {
        let here = format!("{at}.{key}");
        let kind = &attributes[key.as_str()];
        if kind.is_null() {
            if !ON_OBJECTS.contains(&key.as_str()) {
                bad.insert(here);
            }
            continue;
        }
        if kind.get("scalar").is_some() {
            if value.is_object() || value.is_array() {
                bad.insert(format!("{here}: not a scalar"));
            }
        } else if let Some(t) = kind["struct"].as_str() {
            walk(value, t, &here, bad);
        } else if let Some(item) = kind["item"].as_str() {
            let Some(list) = value.as_object() else {
                bad.insert(format!("{here}: not a list"));
                continue;
            };
            for (k, items) in list {
                // One recording has an empty list as `{"data_center": ""}`.
                if k == item && items == "" {
                    continue;
                }
                let Some(items) = items.as_array().filter(|_| k == item) else {
                    bad.insert(format!("{here}.{k}"));
                    continue;
                };
                for (i, x) in items.iter().enumerate() {
                    let at = format!("{here}.{item}[{i}]");
                    match kind["list"].as_str() {
                        Some(t) => walk(x, t, &at, bad),
                        None if x.is_object() || x.is_array() => {
                            bad.insert(format!("{at}: not a scalar"));
                        }
                        None => {}
                    }
                }
            }
        }
    }
}

/// Walks an answer: a list of `element` (`{"<element>": [...]}`, or `{}`) or one object.
fn walk_answer(body: &Value, element: &str, list: bool, at: &str, bad: &mut BTreeSet<String>) {
    let ty = type_of(element);
    if !list {
        return walk(body, ty, &format!("{at} {element}"), bad);
    }
    for (k, items) in body.as_object().expect("an answer is an object") {
        let Some(items) = items.as_array().filter(|_| k == element) else {
            bad.insert(format!("{at} .{k}"));
            continue;
        };
        for (i, x) in items.iter().enumerate() {
            walk(x, ty, &format!("{at} {element}[{i}]"), bad);
        }
    }
}

/// The requests the collector makes of an engine, with how to read each answer:
/// `(request, element, list)`.
fn requests(engine: &TestEngine) -> Vec<(String, &'static str, bool)> {
    let mut out = vec![
        (String::new(), "api", false),
        ("options/ServerCPUList".into(), "system_option", false),
        ("events?max=1".into(), "event", true),
        ("events?from=0".into(), "event", true),
    ];
    let paged = [Kind::Vm, Kind::Disk, Kind::Host];
    let state = engine.sim.state.lock().unwrap();
    for c in &COLLECTIONS {
        let mut request = c.list_request();
        if paged.contains(&c.kind) {
            let sep = if request.contains('?') { '&' } else { '?' };
            let page = vmyard::collector::sync::PAGE;
            request = format!("{request}{sep}max={page}&search=page%201");
        }
        out.push((request, c.singular, true));
        let objects = state.objects(c.path).unwrap();
        // Single reads: the collector reads VMs (events) and disks (LUNs, events) by id.
        if matches!(c.kind, Kind::Vm | Kind::Disk) {
            for id in objects.keys() {
                out.push((c.get_request(id), c.singular, false));
            }
        }
        if c.kind == Kind::Vm {
            for id in objects.keys() {
                out.push((format!("vms/{id}/numanodes"), "vm_numa_node", true));
            }
        }
    }
    if let Some(event) = state.events.last() {
        let id = event["id"].as_str().unwrap();
        out.push((format!("events/{id}"), "event", false));
    }
    out
}

/// Every answer the collector asks `engine` for, walked against the model.
async fn violations(engine: &TestEngine) -> BTreeSet<String> {
    let client = engine_client(engine).await;
    let mut bad = BTreeSet::new();
    for (request, element, list) in requests(engine) {
        let body = client.get(&request).await;
        walk_answer(&body, element, list, &format!("GET {request}:"), &mut bad);
    }
    bad
}

fn assert_none(bad: &BTreeSet<String>, what: &str) {
    assert!(
        bad.is_empty(),
        "{what}: {} keys the oVirt model lacks:\n{}",
        bad.len(),
        bad.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test]
async fn generated_inventories_send_only_what_the_model_has() {
    for seed in [1, 7, 42] {
        let engine = TestEngine::start(Source::Generated { vms: 300, seed }).await;
        let bad = violations(&engine).await;
        assert_none(&bad, &format!("seed {seed}"));
    }
}

#[tokio::test]
async fn the_recorded_engine_served_sends_only_what_the_model_has() {
    let engine = TestEngine::start(Source::Fixtures).await;
    assert_none(&violations(&engine).await, "fixtures");
}

/// The element of a recorded answer, from its path: `vms` (a list), `vms/<id>` (one VM),
/// `vms/<id>/nics` (a list of the VM's NICs).
fn recorded_element(rel: &Path) -> (&'static str, bool) {
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap()).collect();
    let element = |collection: &str| -> &'static str {
        match collection {
            "nics" => "nic",
            "diskattachments" => "disk_attachment",
            "numanodes" => "vm_numa_node",
            "events" => "event",
            c => {
                COLLECTIONS
                    .iter()
                    .find(|x| x.path == c)
                    .unwrap_or_else(|| panic!("unknown recording {}", rel.display()))
                    .singular
            }
        }
    };
    match parts.as_slice() {
        [] => ("api", false),
        ["options", _] => ("system_option", false),
        [c] => (element(c), true),
        [c, _] => (element(c), false),
        [_, _, sub] => (element(sub), true),
        _ => panic!("unknown recording {}", rel.display()),
    }
}

#[test]
fn the_recordings_of_a_real_engine_agree_with_the_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim/fixtures/ovirt-engine-4.4.10");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.file_name().unwrap() == "content.json" {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 15, "the recordings are there");
    let mut bad = BTreeSet::new();
    for f in &files {
        let rel = f.parent().unwrap().strip_prefix(&root).unwrap();
        let (element, mut list) = recorded_element(rel);
        let mut body: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        // Some recordings wrap the answer: a single object as a one-item list or inside
        // its element (`{"vm": [{...}]}`, `{"storage_domain": {...}}`), a sub-collection
        // inside its own name (`{"disk_attachments": {"disk_attachment": [...]}}`).
        let one_key = body
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next());
        if let Some((k, inner)) = one_key.map(|(k, v)| (k.clone(), v.clone())) {
            if !list && k == element {
                list = inner.is_array();
                body = if list { body } else { inner };
            } else if list && inner.get(element).is_some() {
                body = inner;
            }
        }
        walk_answer(&body, element, list, &rel.display().to_string(), &mut bad);
    }
    assert_none(&bad, "recordings");
}

/// The walk finds what it is meant to find: a key the model lacks, in a list item.
#[test]
fn a_key_the_model_lacks_is_named_where_it_is() {
    let vm = serde_json::json!({
        "id": "v", "name": "x", "numa_tune_mode_nodes": {},
        "nics": {"nic": [{"name": "a"}, {"name": "b", "foo": "1"}]},
        "cpu": {"topology": {"cores": "2", "bar": "3"}},
    });
    let mut bad = BTreeSet::new();
    walk(&vm, "Vm", "vm", &mut bad);
    let want: BTreeSet<String> = [
        "vm.numa_tune_mode_nodes",
        "vm.nics.nic[1].foo",
        "vm.cpu.topology.bar",
    ]
    .map(String::from)
    .into();
    assert_eq!(bad, want);
}

/// A logged-in client of the engine's API.
struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Client {
    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}/{path}", self.url).trim_end_matches('/'))
            .bearer_auth(&self.token)
            .header("Accept", "application/json")
            .header("Version", "4")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }
}

async fn engine_client(engine: &TestEngine) -> Client {
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let base = engine.url.trim_end_matches("/ovirt-engine/api");
    let (user, password) = engine.sim.state.lock().unwrap().credentials.clone();
    let token: Value = http
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
    Client {
        http,
        url: engine.url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    }
}
