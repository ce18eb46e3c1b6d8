//! The hand-off to Forklift: a plan for the ready VMs of one cluster, as YAML that passes
//! the schemas of Forklift's four kinds; blocked VMs, VMs with warnings and unmapped
//! sources are refused, each naming what to change.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::inventory::model::Vm;
use vmyard::sim::Source;
use vmyard::validation::{Readiness, VmConcerns};

fn schema(kind: &str) -> jsonschema::Validator {
    let file = format!(
        "{}/tests/forklift/{}.schema.json",
        env!("CARGO_MANIFEST_DIR"),
        kind.to_lowercase()
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    jsonschema::draft202012::new(&doc).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_for_the_ready_vms_of_a_cluster_passes_forklifts_schemas() {
    let engine = TestEngine::start(Source::Generated { vms: 300, seed: 4 }).await;
    let (dir, config_path) = engine_config(&engine);
    // Every vNIC profile to the pod network, every storage domain to one class.
    let (profiles, domains) = {
        let sim = engine.sim.state.lock().unwrap();
        let ids = |c: &str| -> Vec<String> { sim.objects(c).unwrap().keys().cloned().collect() };
        (ids("vnicprofiles"), ids("storagedomains"))
    };
    let mut migration = String::from("\n[migration]\ntarget_namespace = \"vms\"\n");
    for p in &profiles {
        migration.push_str(&format!(
            "[[migration.networks]]\nsource = \"{p}\"\ntype = \"pod\"\n"
        ));
    }
    for d in &domains {
        migration.push_str(&format!(
            "[[migration.storage]]\nsource = \"{d}\"\nstorage_class = \"ceph-rbd\"\naccess_mode = \"ReadWriteMany\"\nvolume_mode = \"Block\"\n"
        ));
    }
    let config = std::fs::read_to_string(&config_path).unwrap();
    write_private(&config_path, &format!("{config}{migration}"));
    // The generated clusters all have KSM and HA reservation on (a warning on every VM):
    // one site has fixed that on its clusters.
    let clusters: Vec<String> = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("clusters")
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for id in &clusters {
        let fixed = json!({"collection": "clusters", "id": id, "set": {
            "ksm": {"enabled": "false", "merge_across_nodes": "true"},
            "ha_reservation": "false"
        }});
        assert!(engine.control("update", fixed).await.is_success());
    }
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let results = || -> Vec<(Vm, Readiness)> {
        let r = s.running.state.store.read().unwrap();
        r.list_prefix::<Vm>("e1/")
            .unwrap()
            .into_iter()
            .filter_map(|(k, vm)| {
                let res = r.get::<VmConcerns>(&k).unwrap()?;
                Some((vm.value, res.value.readiness()))
            })
            .collect()
    };
    assert!(eventually(Duration::from_secs(30), || async { results().len() == 300 }).await);
    let all = results();
    // The cluster with the most ready VMs.
    let mut ready_per_cluster: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (vm, readiness) in &all {
        if *readiness == Readiness::Ready {
            ready_per_cluster
                .entry(vm.cluster.clone())
                .or_default()
                .push(vm.id.clone());
        }
    }
    let (cluster, ready) = ready_per_cluster
        .into_iter()
        .max_by_key(|(_, v)| v.len())
        .unwrap_or_else(|| {
            let r = s.running.state.store.read().unwrap();
            let sample: Vec<Vec<String>> = r
                .list_prefix::<VmConcerns>("e1/")
                .unwrap()
                .into_iter()
                .take(5)
                .map(|(_, c)| {
                    c.value
                        .concerns
                        .iter()
                        .filter(|c| c.category != "Information")
                        .map(|c| c.id.clone())
                        .collect()
                })
                .collect();
            panic!("no cluster with ready VMs: {sample:?}")
        });
    let cluster_name = {
        let r = s.running.state.store.read().unwrap();
        r.get::<vmyard::inventory::model::Cluster>(&format!("e1/{cluster}"))
            .unwrap()
            .unwrap()
            .value
            .name
    };

    let c = s.socket_client();
    let post = |body: Value| {
        let c = c.clone();
        async move {
            let r = c
                .post("http://localhost/api/v1/providers/e1/plans")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, yaml) =
        post(json!({"name": "wave-1", "cluster": cluster_name, "readiness": "ready"})).await;
    assert_eq!(status, 200, "{yaml}");
    let docs: Vec<Value> = yaml
        .split("\n---\n")
        .map(|d| serde_norway::from_str::<Value>(d).unwrap())
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Provider", "NetworkMap", "StorageMap", "Plan"]);
    for doc in &docs {
        let kind = doc["kind"].as_str().unwrap();
        let errors: Vec<String> = schema(kind)
            .iter_errors(doc)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{kind}: {errors:?}\n{doc}");
    }
    let plan = &docs[3]["spec"];
    let mut planned: Vec<String> = plan["vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    planned.sort();
    let mut want = ready.clone();
    want.sort();
    assert_eq!(planned, want, "the ready VMs of {cluster_name}");
    assert_eq!(plan["targetNamespace"], "vms");
    assert_eq!(plan["map"]["network"]["name"], "wave-1-network");
    assert_eq!(docs[0]["spec"]["type"], "ovirt");
    // Every network of the vNIC profiles the planned VMs use has its pair, and no other:
    // Forklift's oVirt adapter looks a NIC up by its profile's network.
    let network_of = |profile: &str| {
        let r = s.running.state.store.read().unwrap();
        r.get::<vmyard::inventory::model::NicProfile>(&format!("e1/{profile}"))
            .unwrap()
            .unwrap()
            .value
            .network
    };
    let used: std::collections::BTreeSet<String> = all
        .iter()
        .filter(|(vm, _)| want.contains(&vm.id))
        .flat_map(|(vm, _)| vm.nics.iter().map(|n| n.profile.clone()))
        .filter(|p| !p.is_empty())
        .map(|p| network_of(&p))
        .collect();
    let mapped: std::collections::BTreeSet<String> = docs[1]["spec"]["map"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(mapped, used);
    // A schema can fail: a field Forklift does not define is refused.
    let mut extra = docs[3].clone();
    extra["spec"]["vms"][0]["readiness"] = "ready".into();
    assert!(!schema("Plan").is_valid(&extra));

    // Blocked VMs are refused with their concerns; VMs with warnings need a choice.
    if let Some((blocked, _)) = all.iter().find(|(_, r)| *r == Readiness::Blocked) {
        let (status, body) = post(json!({"name": "wave-2", "vms": [blocked.name]})).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("blocked by ovirt."), "{body}");
    }
    let warned = all
        .iter()
        .find(|(_, r)| *r == Readiness::Warnings)
        .map(|(vm, _)| vm.name.clone())
        .expect("a VM with warnings");
    let (status, body) = post(json!({"name": "wave-3", "vms": [warned]})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("allow warnings"), "{body}");
    let (status, body) =
        post(json!({"name": "wave-3", "vms": [warned], "allow_warnings": true})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(json!({"name": "Not A Label", "readiness": "ready"})).await;
    assert_eq!(status, 422, "{body}");

    // A source without a mapping is named, never guessed.
    let r = s.running.state.store.read().unwrap();
    let provider = s.running.state.config.current().providers[0].clone();
    let unmapped = vmyard::web::read::plan::plan(
        &r,
        &provider,
        &vmyard::config::migration::Migration::default(),
        &vmyard::web::read::plan::PlanRequest {
            name: "wave-4".into(),
            readiness: Some("ready".into()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        unmapped.contains("no [[migration.networks]] mapping for the vNIC profiles"),
        "{unmapped}"
    );
    drop(r);

    // The Plans page shows the mappings and downloads the same file.
    let page = s.get_text("/plans").await;
    assert!(page.contains("id=\"mappings\""), "{page}");
    assert!(page.contains("ceph-rbd"), "{page}");
    let form = |readiness: &str| {
        let c = c.clone();
        let body = format!("name=wave-1&cluster={cluster}&readiness={readiness}");
        async move {
            c.post("http://localhost/plans")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let download = form("ready").await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"wave-1.yaml\""
    );
    assert_eq!(download.text().await.unwrap(), yaml);
    // Every VM of the cluster, blocked and warned ones too: refused on the page, with why.
    let refused = form("").await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"plan-error\""), "{html}");
    assert!(html.contains("cannot go"), "{html}");

    // The CLI writes the same for kubectl.
    let socket = s.running.socket.clone().unwrap();
    let exported = tokio::task::block_in_place(|| {
        vmyard_over(
            &socket,
            &[
                "plan",
                "export",
                "--name",
                "wave-1",
                "--cluster",
                &cluster_name,
                "--readiness",
                "ready",
            ],
        )
    });
    assert_eq!(exported, yaml);
    s.stop().await;
}
