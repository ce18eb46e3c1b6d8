//! The simulator's writes, driven over HTTPS as a machine driver would: VMs from a template
//! (image lock, then down), start, stop, shutdown, remove, tags and `search=tag=`, each
//! refusal with the engine's status and fault body.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

/// A logged-in engine client.
struct Api {
    c: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    async fn login(engine: &TestEngine) -> Api {
        let c = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(engine.ca_pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let base = engine.url.trim_end_matches("/ovirt-engine/api");
        let (user, pw) = engine.sim.state.lock().unwrap().credentials.clone();
        let token: Value = c
            .post(format!("{base}/ovirt-engine/sso/oauth/token"))
            .form(&[
                ("grant_type", "password"),
                ("username", user.as_str()),
                ("password", pw.as_str()),
                ("scope", "ovirt-app-api"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            c,
            url: engine.url.clone(),
            token: token["access_token"].as_str().unwrap().to_string(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let r = req
            .bearer_auth(&self.token)
            .header("Accept", "application/json")
            .header("Version", "4")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.c.get(format!("{}/{path}", self.url))).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.c.post(format!("{}/{path}", self.url)).json(&body))
            .await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.c.delete(format!("{}/{path}", self.url)))
            .await
    }

    /// Waits until the VM has `status`.
    async fn wait_status(&self, id: &str, status: &str) -> Value {
        let mut last = Value::Null;
        for _ in 0..100 {
            last = self.get(&format!("vms/{id}")).await.1;
            if last["status"] == status {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("VM {id} never became {status}: {last}");
    }

    /// The codes of the events naming VM `id`.
    async fn vm_events(&self, id: &str) -> Vec<String> {
        let (_, events) = self.get("events").await;
        events["event"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["vm"]["id"] == id)
            .map(|e| e["code"].as_str().unwrap().to_string())
            .collect()
    }
}

/// The engine with short lifecycle delays, a client, and the `rhcos-4` template:
/// (template, its disk, the disk's storage domain).
async fn setup() -> (TestEngine, Api, Value, String, String) {
    let engine = TestEngine::start(Source::Fixtures).await;
    let status = engine
        .control("timing", json!({"image_lock_ms": 300, "boot_ms": 300}))
        .await;
    assert_eq!(status, 204);
    let api = Api::login(&engine).await;
    let (status, found) = api.get("templates?search=name%3Drhcos-4").await;
    assert_eq!(status, 200);
    let templates = found["template"].as_array().unwrap();
    assert_eq!(templates.len(), 1);
    let template = templates[0].clone();
    let tid = template["id"].as_str().unwrap();
    assert_eq!(
        template["href"],
        format!("/ovirt-engine/api/templates/{tid}")
    );
    assert_eq!(template["os"]["type"], "rhcos_x64");
    assert!(template["memory"].is_string());
    assert!(template["cpu"]["topology"]["cores"].is_string());
    assert!(
        template.get("disk_attachments").is_none(),
        "only with follow="
    );
    let (status, one) = api.get(&format!("templates/{tid}")).await;
    assert_eq!((status, &one["name"]), (200, &json!("rhcos-4")));
    let (_, attachments) = api.get(&format!("templates/{tid}/diskattachments")).await;
    let disk = attachments["disk_attachment"][0]["disk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, tdisk) = api.get(&format!("disks/{disk}")).await;
    assert_eq!(status, 200, "a template disk is served by id");
    let sd = tdisk["storage_domains"]["storage_domain"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The collector lists `disks`: template disks are not in it.
    let (_, disks) = api.get("disks").await;
    assert!(
        disks["disk"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != disk.as_str())
    );
    // Blank is there too, without disks.
    let (_, blank) = api
        .get("templates/00000000-0000-0000-0000-000000000000?follow=disk_attachments")
        .await;
    assert_eq!(blank["name"], "Blank");
    assert_eq!(blank["disk_attachments"], json!({}));
    (engine, api, template, disk, sd)
}

fn cluster_of(template: &Value) -> Value {
    json!({"id": template["cluster"]["id"]})
}

async fn available(api: &Api, sd: &str) -> u64 {
    let (_, domain) = api.get(&format!("storagedomains/{sd}")).await;
    domain["available"].as_str().unwrap().parse().unwrap()
}

/// The JSON type of each key, recursively, as `path: type`.
fn key_types(v: &Value, path: &str, out: &mut std::collections::BTreeMap<String, &'static str>) {
    if let Value::Object(m) = v {
        for (k, v) in m {
            let p = format!("{path}.{k}");
            let t = match v {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                Value::Null => "null",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            out.insert(p.clone(), t);
            key_types(v, &p, out);
        }
    }
}

#[tokio::test]
async fn a_vm_from_a_template_is_locked_then_down() {
    let (_engine, api, template, disk, sd) = setup().await;
    let before = available(&api, &sd).await;
    let body = json!({
        "name": "m-1",
        "cluster": cluster_of(&template),
        "template": {"id": template["id"]},
        "memory": "4294967296",
        "cpu": {"topology": {"sockets": "1", "cores": "2", "threads": "1"}},
        "initialization": {"host_name": "m-1", "custom_script": "#cloud-config\n"},
        "disk_attachments": {"disk_attachment": [{"disk": {
            "id": disk, "format": "cow",
            "storage_domains": {"storage_domain": [{"id": sd}]}
        }}]}
    });
    let (status, vm) = api.post("vms?clone=true", body).await;
    assert_eq!(status, 201, "{vm}");
    let id = vm["id"].as_str().unwrap().to_string();
    assert_eq!(vm["status"], "image_locked");
    assert_eq!(vm["href"], format!("/ovirt-engine/api/vms/{id}"));
    assert_eq!(vm["name"], "m-1");
    assert_eq!(vm["memory"], "4294967296");
    assert_eq!(vm["cpu"]["topology"]["cores"], "2");
    assert_eq!(vm["template"]["id"], template["id"]);
    assert_eq!(vm["original_template"]["id"], template["id"]);
    assert_eq!(vm["cluster"]["id"], template["cluster"]["id"]);
    assert_eq!(vm["initialization"]["host_name"], "m-1");
    assert_eq!(vm["os"]["type"], "rhcos_x64");
    assert!(vm["creation_time"].is_number());
    assert!(vm.get("disk_attachments").is_none(), "only with follow=");

    // Its wire form has the same key types as a recorded VM, on the keys they share.
    let (_, fixtures) = api.get("vms").await;
    let recorded = &fixtures["vm"][0];
    let (mut a, mut b) = (Default::default(), Default::default());
    key_types(&vm, "", &mut a);
    key_types(recorded, "", &mut b);
    let shared: Vec<&String> = a.keys().filter(|k| b.contains_key(*k)).collect();
    assert!(shared.len() > 40, "{} shared keys", shared.len());
    for k in shared {
        assert_eq!(a[k], b[k], "type of {k}");
    }

    // Its disk is in `disks`, locked, in the chosen domain; the domain has less space.
    let (_, full) = api.get(&format!("vms/{id}?follow=disk_attachments")).await;
    let new_disk = full["disk_attachments"]["disk_attachment"][0]["disk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_disk, disk);
    let (_, d) = api.get(&format!("disks/{new_disk}")).await;
    assert_eq!(d["status"], "locked");
    assert_eq!(d["format"], "cow");
    assert_eq!(d["storage_domains"]["storage_domain"][0]["id"], sd.as_str());
    let size: u64 = d["provisioned_size"].as_str().unwrap().parse().unwrap();
    assert_eq!(available(&api, &sd).await, before - size);

    // After the lock delay: down, disk ok, events 34 then 53.
    api.wait_status(&id, "down").await;
    let (_, d) = api.get(&format!("disks/{new_disk}")).await;
    assert_eq!(d["status"], "ok");
    let codes = api.vm_events(&id).await;
    assert_eq!(codes, ["53", "34"], "newest first");
    let (_, events) = api.get("events?search=type%3D34").await;
    let added = &events["event"][0];
    assert_eq!(added["vm"]["id"], id.as_str());
    assert_eq!(added["cluster"]["id"], template["cluster"]["id"]);

    // A thin VM, cluster and template by name, everything else from the template.
    let (_, cluster) = api
        .get(&format!(
            "clusters/{}",
            template["cluster"]["id"].as_str().unwrap()
        ))
        .await;
    let (status, thin) = api
        .post(
            "vms?clone=false",
            json!({"name": "m-2", "cluster": {"name": cluster["name"]}, "template": {"name": "rhcos-4"}}),
        )
        .await;
    assert_eq!(status, 201, "{thin}");
    assert_eq!(thin["memory"], template["memory"]);
    assert_eq!(thin["cpu"]["topology"], template["cpu"]["topology"]);
    assert!(thin.get("initialization").is_none());
    // `search=name=` still finds VMs.
    let (_, found) = api.get("vms?search=name%3Dm-*").await;
    assert_eq!(found["vm"].as_array().unwrap().len(), 2);
    let (_, found) = api.get("vms?search=name%3Dm-2").await;
    assert_eq!(found["vm"][0]["id"], thin["id"]);
}

#[tokio::test]
async fn adds_are_refused_as_the_engine_refuses_them() {
    let (engine, api, template, _disk, sd) = setup().await;
    let ok =
        json!({"name": "m-1", "cluster": cluster_of(&template), "template": {"name": "rhcos-4"}});
    let without = |key: &str| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    for (key, what) in [
        ("name", "name"),
        ("cluster", "cluster"),
        ("template", "template"),
    ] {
        let (status, f) = api.post("vms", without(key)).await;
        assert_eq!(status, 400);
        assert_eq!(f["reason"], "Incomplete parameters");
        assert_eq!(f["detail"], format!("Vm [{what}] required for add"));
    }
    let mut b = ok.clone();
    b["cluster"] = json!({"name": "no-such-cluster"});
    let (status, f) = api.post("vms", b).await;
    assert_eq!((status, &f["reason"]), (404, &json!("Not Found")));
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .starts_with("Entity not found: ")
    );
    let mut b = ok.clone();
    b["template"] = json!({"id": "00000000-0000-0000-0000-00000000dead"});
    let (status, _) = api.post("vms", b).await;
    assert_eq!(status, 404);

    let (status, _) = api.post("vms", ok.clone()).await;
    assert_eq!(status, 201);
    let (status, f) = api.post("vms", ok.clone()).await;
    assert_eq!(status, 409);
    assert_eq!(f["reason"], "Operation Failed");
    assert_eq!(
        f["detail"],
        "[Cannot add VM. The VM name is already in use, please choose a unique name and try again.]"
    );

    // Not enough space on the domain.
    let mut set = serde_json::Map::new();
    set.insert("available".into(), json!("1000"));
    engine.sim.update("storagedomains", &sd, set, None).unwrap();
    let (_, domain) = api.get(&format!("storagedomains/{sd}")).await;
    let mut b = ok.clone();
    b["name"] = json!("m-2");
    let (status, f) = api.post("vms", b).await;
    assert_eq!(status, 409);
    assert_eq!(
        f["detail"],
        format!(
            "[Cannot add VM. Low disk space on Storage Domain {}.]",
            domain["name"].as_str().unwrap()
        )
    );
    assert_eq!(
        available(&api, &sd).await,
        1000,
        "a refused add takes nothing"
    );
    let (_, found) = api.get("vms?search=name%3Dm-2").await;
    assert_eq!(found, json!({}));
}

#[tokio::test]
async fn a_vm_starts_stops_and_is_removed() {
    let (_engine, api, template, _disk, sd) = setup().await;
    let before = available(&api, &sd).await;
    let (_, vm) = api
        .post(
            "vms",
            json!({"name": "m-1", "cluster": cluster_of(&template), "template": {"id": template["id"]}}),
        )
        .await;
    let id = vm["id"].as_str().unwrap().to_string();
    let (_, full) = api.get(&format!("vms/{id}?follow=disk_attachments")).await;
    let disk = full["disk_attachments"]["disk_attachment"][0]["disk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let locked = "[Cannot run VM. VM is locked. Please try again in a few minutes.]";
    let (status, f) = api.post(&format!("vms/{id}/start"), json!({})).await;
    assert_eq!((status, f["detail"].as_str().unwrap()), (409, locked));
    let (status, f) = api.delete(&format!("vms/{id}")).await;
    assert_eq!(status, 409, "{f}");
    api.wait_status(&id, "down").await;
    let (status, f) = api.post(&format!("vms/{id}/stop"), json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(f["detail"], "[Cannot stop VM. VM is not running.]");

    // Start: powering up on a host of its cluster, then up with a reported address.
    let (status, done) = api
        .post(
            &format!("vms/{id}/start"),
            json!({"use_cloud_init": "true"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(done["status"], "complete");
    let (_, vm) = api.get(&format!("vms/{id}")).await;
    assert_eq!(vm["status"], "powering_up");
    let host = vm["host"]["id"].as_str().unwrap().to_string();
    let (_, h) = api.get(&format!("hosts/{host}")).await;
    assert_eq!(h["cluster"]["id"], vm["cluster"]["id"]);
    let (status, f) = api.post(&format!("vms/{id}/start"), json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(f["detail"], "[Cannot run VM. VM is running.]");
    let vm = api.wait_status(&id, "up").await;
    assert!(vm.get("reported_devices").is_none(), "only with follow=");
    let (_, vm) = api.get(&format!("vms/{id}?follow=reported_devices")).await;
    let device = &vm["reported_devices"]["reported_device"][0];
    assert_eq!(device["name"], "eth0");
    assert!(
        device["mac"]["address"]
            .as_str()
            .unwrap()
            .starts_with("56:6f:")
    );
    let ip = device["ips"]["ip"][0]["address"].as_str().unwrap();
    assert!(ip.starts_with("10."), "{ip}");
    assert_eq!(device["ips"]["ip"][0]["version"], "v4");
    let (_, listed) = api.get(&format!("vms/{id}/reporteddevices")).await;
    assert_eq!(&listed["reported_device"][0], device);
    assert!(api.vm_events(&id).await.contains(&"32".to_string()));

    // Running: not removable.
    let (status, f) = api.delete(&format!("vms/{id}")).await;
    assert_eq!(status, 409);
    assert_eq!(f["detail"], "[Cannot remove VM. VM is running.]");
    let (status, done) = api.post(&format!("vms/{id}/stop"), json!({})).await;
    assert_eq!((status, &done["status"]), (200, &json!("complete")));
    let (_, vm) = api.get(&format!("vms/{id}?follow=reported_devices")).await;
    assert_eq!(vm["status"], "down");
    assert!(vm.get("host").is_none() && vm.get("reported_devices").is_none());
    assert_eq!(api.vm_events(&id).await[0], "61");

    // Again, with shutdown; a stop before the boot ends stays down.
    api.post(&format!("vms/{id}/start"), json!({})).await;
    let (status, _) = api.post(&format!("vms/{id}/shutdown"), json!({})).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, vm) = api.get(&format!("vms/{id}")).await;
    assert_eq!(vm["status"], "down", "the cancelled boot does not land");

    // Removed: gone, its disk gone, the space back, event 113.
    let (status, _) = api.delete(&format!("vms/{id}")).await;
    assert_eq!(status, 200);
    let (status, f) = api.get(&format!("vms/{id}")).await;
    assert_eq!(status, 404);
    assert!(f["detail"].is_string());
    let (status, _) = api.get(&format!("disks/{disk}")).await;
    assert_eq!(status, 404);
    assert_eq!(available(&api, &sd).await, before);
    assert_eq!(api.vm_events(&id).await[0], "113");
    for path in ["start", "stop", "shutdown"] {
        let (status, _) = api.post(&format!("vms/{id}/{path}"), json!({})).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = api.delete(&format!("vms/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn tags_are_made_attached_and_searched() {
    let (_engine, api, template, _disk, _sd) = setup().await;
    assert_eq!(api.get("tags").await, (200, json!({})));
    let (status, tag) = api
        .post("tags", json!({"name": "prod", "description": "production"}))
        .await;
    assert_eq!(status, 201);
    let tid = tag["id"].as_str().unwrap().to_string();
    assert_eq!(tag["href"], format!("/ovirt-engine/api/tags/{tid}"));
    assert_eq!(tag["description"], "production");
    let (status, f) = api.post("tags", json!({"name": "prod"})).await;
    assert_eq!(status, 409);
    assert_eq!(f["detail"], "[Cannot add Tag. Tag name is in use.]");
    let (status, f) = api.post("tags", json!({"description": "x"})).await;
    assert_eq!(
        (status, &f["reason"]),
        (400, &json!("Incomplete parameters"))
    );
    let (_, other) = api.post("tags", json!({"name": "test"})).await;
    let (_, listed) = api.get("tags").await;
    assert_eq!(listed["tag"].as_array().unwrap().len(), 2);
    let (status, one) = api.get(&format!("tags/{tid}")).await;
    assert_eq!((status, &one["name"]), (200, &json!("prod")));

    let mut ids = Vec::new();
    for name in ["m-1", "m-2"] {
        let (_, vm) = api
            .post(
                "vms",
                json!({"name": name, "cluster": cluster_of(&template), "template": {"name": "rhcos-4"}}),
            )
            .await;
        ids.push(vm["id"].as_str().unwrap().to_string());
    }
    let (a, b) = (&ids[0], &ids[1]);
    assert_eq!(api.get(&format!("vms/{a}/tags")).await, (200, json!({})));
    let (status, attached) = api
        .post(&format!("vms/{a}/tags"), json!({"name": "prod"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(attached["id"], tid.as_str());
    let (status, _) = api.post(&format!("vms/{a}/tags"), json!({"id": tid})).await;
    assert_eq!(status, 409, "already attached");
    let (status, _) = api
        .post(&format!("vms/{a}/tags"), json!({"name": "nope"}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .post(
            "vms/00000000-0000-0000-0000-00000000dead/tags",
            json!({"name": "prod"}),
        )
        .await;
    assert_eq!(status, 404);
    api.post(&format!("vms/{b}/tags"), json!({"id": other["id"]}))
        .await;
    let (_, tags) = api.get(&format!("vms/{a}/tags")).await;
    assert_eq!(tags["tag"][0]["name"], "prod");

    let (_, found) = api.get("vms?search=tag%3Dprod&follow=tags").await;
    let vms = found["vm"].as_array().unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0]["id"], a.as_str());
    assert_eq!(vms[0]["tags"]["tag"][0]["name"], "prod");
    let (_, plain) = api.get("vms?search=tag%3Dprod").await;
    assert!(
        plain["vm"][0].get("tags").is_none(),
        "only with follow=tags"
    );
    let (_, found) = api.get("vms?search=tag%3Dprod%20and%20name%3Dm-1").await;
    assert_eq!(found["vm"].as_array().unwrap().len(), 1);
    let (_, found) = api.get("vms?search=tag%3Dprod%20and%20name%3Dm-2").await;
    assert_eq!(found, json!({}));
    let (_, found) = api.get("vms?search=tag%3Dprod%20or%20tag%3Dtest").await;
    assert_eq!(found["vm"].as_array().unwrap().len(), 2);
    let (_, found) = api.get("vms?search=tag%3Dpr*").await;
    assert_eq!(found["vm"].as_array().unwrap().len(), 1);

    let (status, _) = api.delete(&format!("vms/{a}/tags/{tid}")).await;
    assert_eq!(status, 200);
    assert_eq!(api.get(&format!("vms/{a}/tags")).await, (200, json!({})));
    let (status, _) = api.delete(&format!("vms/{a}/tags/{tid}")).await;
    assert_eq!(status, 404);
    assert_eq!(api.get("vms?search=tag%3Dprod").await.1, json!({}));
}

#[tokio::test]
async fn writes_need_a_token_and_generated_inventories_have_templates() {
    let engine = TestEngine::start(Source::Generated { vms: 20, seed: 3 }).await;
    engine.sim.set_timing(50, 50);
    let api = Api::login(&engine).await;
    let r = api
        .c
        .post(format!("{}/vms", api.url))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (_, templates) = api.get("templates?search=name%3Drhcos-4").await;
    let template = templates["template"][0].clone();
    let (_, clusters) = api.get("clusters").await;
    assert_eq!(template["cluster"]["id"], clusters["cluster"][0]["id"]);
    let (status, vm) = api
        .post(
            "vms?clone=true",
            json!({"name": "g-1", "cluster": cluster_of(&template), "template": {"name": "rhcos-4"}}),
        )
        .await;
    assert_eq!(status, 201, "{vm}");
    let id = vm["id"].as_str().unwrap();
    api.wait_status(id, "down").await;
    api.post(&format!("vms/{id}/start"), json!({})).await;
    api.wait_status(id, "up").await;
    // The control stats count VMs by status.
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let stats: Value = client
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
    assert!(stats["vms_by_status"]["up"].as_u64().unwrap() >= 1);
    assert_eq!(stats["counts"]["templates"], 2);
}
