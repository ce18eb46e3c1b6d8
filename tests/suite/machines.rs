//! The machine controller in a running vmyard against the simulated engine: a set made,
//! scaled and deleted with its VMs seen coming and going in the engine and the inventory;
//! the orphan sweep and its guards; the freeze while the engine is away; and state that
//! survives SIGKILL during creates and deletes without a duplicate or a leaked VM.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::machines::model::{Machine, Phase};
use vmyard::sim::Source;

fn vm_named(engine: &TestEngine, name: &str) -> bool {
    let state = engine.sim.state.lock().unwrap();
    state
        .objects("vms")
        .unwrap()
        .values()
        .any(|v| v["name"] == name)
}

fn machines(s: &TestServer) -> Vec<Machine> {
    s.running
        .state
        .store
        .read()
        .unwrap()
        .list::<Machine>()
        .unwrap()
        .into_iter()
        .map(|(_, m)| m.value)
        .collect()
}

async fn api(
    s: &TestServer,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s.client().request(method, s.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Adds a VM straight into the engine, with `tags` and a creation time `age` ago.
async fn add_vm(engine: &TestEngine, id: &str, name: &str, tags: &[&str], age: Duration) {
    let created = vmyard::sim::state::now_ms() - age.as_millis() as u64;
    let tags: Vec<Value> = tags
        .iter()
        .map(|t| json!({"name": t, "id": format!("tag-{t}")}))
        .collect();
    let mut object = json!({"id": id, "name": name, "status": "down",
        "href": format!("/ovirt-engine/api/vms/{id}"), "creation_time": created.to_string()});
    if !tags.is_empty() {
        object["tags"] = json!({ "tag": tags });
    }
    assert!(
        engine
            .control("add", json!({"collection": "vms", "object": object}))
            .await
            .is_success()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_set_is_made_scaled_and_deleted_with_its_vms() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(200, 100);
    let s = machine_server(&engine, "").await;
    let operator = s.token("operator").await;
    let viewer = s.token("viewer").await;

    // A viewer may read but not change.
    let (status, _) = api(
        &s,
        &viewer,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "web", "class": "web", "replicas": 3})),
    )
    .await;
    assert_eq!(status, 403);
    // Bad requests are refused with the reason.
    let (status, body) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "web", "class": "nope", "replicas": 3})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "bad name!", "class": "web", "replicas": 3})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "web"})),
    )
    .await;
    assert_eq!(status, 422);

    let (status, body) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "web", "class": "web", "replicas": 3})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let all_running = eventually(Duration::from_secs(30), || async {
        let m = machines(&s);
        m.len() == 3 && m.iter().all(|m| m.phase == Phase::Running)
    })
    .await;
    assert!(all_running, "{:#?}", machines(&s));
    let names: Vec<String> = {
        let mut n: Vec<String> = machines(&s).into_iter().map(|m| m.name).collect();
        n.sort();
        n
    };
    assert_eq!(tagged_vms(&engine), names, "one tagged VM per machine");
    for m in machines(&s) {
        assert!(m.name.starts_with("web-"));
        // Running: the guest reported in, so an IP address is among them, after the host name.
        assert!(m.addresses.iter().any(|a| a.is_ip()), "{m:?}");
        assert_eq!(m.addresses[0].address, m.name, "{m:?}");
        let ops: Vec<_> = m
            .history
            .iter()
            .map(|o| format!("{:?} {:?}", o.kind, o.state))
            .collect();
        assert_eq!(
            ops,
            ["Create Successful", "Initialize Successful"],
            "{}",
            m.name
        );
    }
    // The set reports them ready; the machines' VMs reach the inventory through the collector.
    let (_, set) = api(
        &s,
        &viewer,
        reqwest::Method::GET,
        "/api/v1/machinesets/web",
        None,
    )
    .await;
    assert_eq!(set["ready"], 3, "{set}");
    let first = machines(&s).remove(0);
    let vm_id = first
        .provider_id
        .as_deref()
        .unwrap()
        .trim_start_matches("ovirt://")
        .to_string();
    let in_inventory = eventually(Duration::from_secs(20), || async {
        api(
            &s,
            &viewer,
            reqwest::Method::GET,
            &format!("/api/v1/providers/e1/vms/{vm_id}"),
            None,
        )
        .await
        .0 == 200
    })
    .await;
    assert!(in_inventory, "the machine's VM is collected like any VM");
    // The provider's VM count follows the VMs that events added.
    let engine_vms = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .len() as u64;
    let counted = eventually(Duration::from_secs(20), || async {
        provider_state(&s, "e1").is_some_and(|p| p.counts.get("vms") == Some(&engine_vms))
    })
    .await;
    assert!(counted, "{:?}", provider_state(&s, "e1").map(|p| p.counts));
    let (_, view) = api(
        &s,
        &viewer,
        reqwest::Method::GET,
        &format!("/api/v1/machines/{}", first.name),
        None,
    )
    .await;
    assert_eq!(view["vm_id"], vm_id.as_str());
    assert_eq!(view["provider"], "e1");

    // Scale down to one: two machines and their VMs go, once they are confirmed. Unconfirmed,
    // the scale is refused with their names; a dry run names them and changes nothing.
    let (status, refused) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets/web/scale",
        Some(json!({"replicas": 1})),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "unconfirmed", "{refused}");
    let (status, plan) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets/web/scale",
        Some(json!({"replicas": 1, "dry_run": true})),
    )
    .await;
    assert_eq!(status, 200, "{plan}");
    let deletes: Vec<String> = serde_json::from_value(plan["deletes"].clone()).unwrap();
    assert_eq!(deletes.len(), 2, "{plan}");
    for d in &deletes {
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains(d.as_str()),
            "{refused}"
        );
    }
    assert_eq!(machines(&s).len(), 3, "neither answer changed anything");
    let (status, scaled) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets/web/scale",
        Some(json!({"replicas": 1, "confirm": deletes})),
    )
    .await;
    assert_eq!(status, 200, "{scaled}");
    assert_eq!(scaled["replicas"], 1);
    let scaled = eventually(Duration::from_secs(30), || async {
        machines(&s).len() == 1 && tagged_vms(&engine).len() == 1
    })
    .await;
    assert!(scaled, "{:?} {:?}", machines(&s), tagged_vms(&engine));
    assert_eq!(tagged_vms(&engine), [machines(&s)[0].name.clone()]);
    let gone_from_inventory = eventually(Duration::from_secs(20), || async {
        let (_, list) = api(
            &s,
            &viewer,
            reqwest::Method::GET,
            "/api/v1/providers/e1/vms?q=web-",
            None,
        )
        .await;
        list["total"] == 1 || list["items"].as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    let (_, list) = api(
        &s,
        &viewer,
        reqwest::Method::GET,
        "/api/v1/providers/e1/vms?q=web-",
        None,
    )
    .await;
    assert!(
        gone_from_inventory,
        "the removed VMs leave the inventory: {list}"
    );

    // Delete the set: its last machine goes, then the set.
    let (status, _) = api(
        &s,
        &operator,
        reqwest::Method::DELETE,
        "/api/v1/machinesets/web",
        None,
    )
    .await;
    assert_eq!(status, 202);
    let deleted = eventually(Duration::from_secs(30), || async {
        machines(&s).is_empty()
            && tagged_vms(&engine).is_empty()
            && api(
                &s,
                &viewer,
                reqwest::Method::GET,
                "/api/v1/machinesets/web",
                None,
            )
            .await
            .0 == 404
    })
    .await;
    assert!(deleted, "{:?} {:?}", machines(&s), tagged_vms(&engine));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_deletes_old_orphans_only_and_never_foreign_vms() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(100, 50);
    let hour = Duration::from_secs(3600);
    // An old orphan of the class, a young one, a foreign VM with a set-like name and a VM
    // with only one of the two tags.
    add_vm(
        &engine,
        "cccccccc-0000-0000-0000-000000000001",
        "web-old01",
        &[CLUSTER_TAG, ROLE_TAG],
        hour,
    )
    .await;
    add_vm(
        &engine,
        "cccccccc-0000-0000-0000-000000000002",
        "web-young",
        &[CLUSTER_TAG, ROLE_TAG],
        Duration::ZERO,
    )
    .await;
    add_vm(
        &engine,
        "cccccccc-0000-0000-0000-000000000003",
        "web-abcde",
        &[],
        hour,
    )
    .await;
    add_vm(
        &engine,
        "cccccccc-0000-0000-0000-000000000004",
        "web-half1",
        &[CLUSTER_TAG],
        hour,
    )
    .await;
    let s = machine_server(&engine, "").await;
    let swept = eventually(Duration::from_secs(20), || async {
        !vm_named(&engine, "web-old01")
    })
    .await;
    assert!(swept, "the old orphan is deleted");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(vm_named(&engine, "web-young"), "a young orphan is spared");
    assert!(
        vm_named(&engine, "web-abcde"),
        "a VM without the tags is never touched"
    );
    assert!(
        vm_named(&engine, "web-half1"),
        "a VM with one tag is never touched"
    );
    let viewer = s.token("viewer").await;
    let (_, c) = api(
        &s,
        &viewer,
        reqwest::Method::GET,
        "/api/v1/machines/controller",
        None,
    )
    .await;
    assert!(c["last_sweep"]["spared"].as_u64() >= Some(1), "{c}");
    let metrics = s
        .client()
        .get(s.url("/metrics"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_machines_orphans_deleted_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vmyard_machines{phase=\"Running\"} 0"),
        "{metrics}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_controller_freezes_while_the_engine_is_away() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(100, 50);
    let s = machine_server(&engine, "health_timeout = \"2s\"").await;
    let operator = s.token("operator").await;
    let (status, _) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machines",
        Some(json!({"name": "solo", "class": "web"})),
    )
    .await;
    assert_eq!(status, 201);
    let running = eventually(Duration::from_secs(20), || async {
        machines(&s)
            .first()
            .is_some_and(|m| m.phase == Phase::Running)
    })
    .await;
    assert!(running, "{:?}", machines(&s));

    // The engine fails every call; an orphan appears meanwhile.
    add_vm(
        &engine,
        "dddddddd-0000-0000-0000-000000000001",
        "web-orphan",
        &[CLUSTER_TAG, ROLE_TAG],
        Duration::from_secs(3600),
    )
    .await;
    assert!(
        engine
            .control("faults", json!({"error_rate": 1.0}))
            .await
            .is_success()
    );
    let frozen = eventually(Duration::from_secs(20), || async {
        s.running.state.machines.reach().iter().any(|r| r.frozen)
    })
    .await;
    assert!(frozen, "{:?}", s.running.state.machines.reach());
    let metrics = s
        .client()
        .get(s.url("/metrics"))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_machines_frozen{provider=\"e1\"} 1"),
        "{metrics}"
    );
    let (status, _) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machines",
        Some(json!({"name": "later", "class": "web"})),
    )
    .await;
    assert_eq!(status, 201);
    // Longer than the health timeout: nothing is marked Failed, nothing created or swept.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let during: Vec<Machine> = machines(&s);
    assert!(
        during.iter().all(|m| m.phase != Phase::Failed),
        "{during:#?}"
    );
    let later = during.iter().find(|m| m.name == "later").unwrap();
    assert_eq!(later.phase, Phase::Creating, "no create while frozen");
    assert!(later.history.is_empty(), "{later:?}");
    assert!(!vm_named(&engine, "later"));
    assert!(
        vm_named(&engine, "web-orphan"),
        "no orphan deleted while frozen"
    );

    // The engine answers again: the controller picks up where it was.
    assert!(engine.control("faults", json!({})).await.is_success());
    let resumed = eventually(Duration::from_secs(30), || async {
        let m = machines(&s);
        m.len() == 2
            && m.iter().all(|m| m.phase == Phase::Running)
            && !vm_named(&engine, "web-orphan")
    })
    .await;
    assert!(resumed, "{:#?}", machines(&s));
    assert!(s.running.state.machines.reach().iter().all(|r| !r.frozen));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_creates_and_deletes_leaves_no_duplicate_and_no_leak() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(150, 100);
    // A foreign VM with a set-like name that must survive everything.
    add_vm(
        &engine,
        "eeeeeeee-0000-0000-0000-000000000001",
        "web-zzzzz",
        &[],
        Duration::from_secs(3600),
    )
    .await;
    let (dir, config) = engine_config(&engine);
    let text = std::fs::read_to_string(&config).unwrap();
    // Orphans count as old at once here, so one sweep after the last start collects any leak.
    write_private(
        &config,
        &format!(
            "{text}\n{}",
            machines_config(&engine, "")
                .replace("orphan_min_age = \"30s\"", "orphan_min_age = \"1s\"")
        ),
    );
    // The set is declared and scaled through the store between runs, as the API would.
    let mut dice = 0x9e37_79b9_u64;
    for round in 0..20 {
        {
            let store = vmyard::store::Store::open(&dir.path().join("data")).unwrap();
            let replicas = [4, 1, 3, 0, 2, 4, 1, 2, 3, 0, 4, 2, 1, 3, 2, 0, 3, 1, 4, 2][round];
            if round == 0 {
                let config = vmyard::config::load_file(&config).unwrap();
                vmyard::machines::commands::create_set(&config, &store, "web", "web", replicas)
                    .unwrap();
            } else {
                let plan =
                    vmyard::machines::commands::scale_set(&store, "web", replicas, None, true)
                        .unwrap();
                vmyard::machines::commands::scale_set(
                    &store,
                    "web",
                    replicas,
                    Some(&plan.deletes),
                    false,
                )
                .unwrap();
            }
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("VMYARD_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        dice ^= dice << 13;
        dice ^= dice >> 7;
        dice ^= dice << 17;
        tokio::time::sleep(Duration::from_millis(300 + dice % 1200)).await;
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The last wish is 2 machines; a last start is left to settle and sweep.
    let s = TestServer::start_in(dir, config).await;
    let settled = eventually(Duration::from_secs(60), || async {
        let m = machines(&s);
        let mut names: Vec<String> = m.iter().map(|m| m.name.clone()).collect();
        names.sort();
        m.len() == 2 && m.iter().all(|m| m.phase == Phase::Running) && tagged_vms(&engine) == names
    })
    .await;
    // One more sweep after settling, then the counts are checked again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let m = machines(&s);
    let mut names: Vec<String> = m.iter().map(|m| m.name.clone()).collect();
    names.sort();
    assert!(
        settled,
        "machines {names:?}, tagged VMs {:?}",
        tagged_vms(&engine)
    );
    assert_eq!(tagged_vms(&engine), names, "no duplicate, no leaked VM");
    assert!(
        vm_named(&engine, "web-zzzzz"),
        "the foreign VM is untouched"
    );
    s.stop().await;
}

/// The CLI over the local socket: declare a set, list its machines, scale it, delete it.
#[tokio::test(flavor = "multi_thread")]
async fn the_cli_declares_lists_and_deletes_a_set() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(50, 50);
    let s = machine_server(&engine, "").await;
    let socket = s.dir.path().join("vmyard.sock");
    let run = |args: &[&str]| vmyard_over(&socket, args);
    tokio::task::block_in_place(|| {
        run(&[
            "machineset",
            "create",
            "cli",
            "--class",
            "web",
            "--replicas",
            "2",
        ])
    });
    let up = eventually(Duration::from_secs(30), || async {
        let out =
            tokio::task::block_in_place(|| run(&["machine", "ls", "--set", "cli", "-o", "json"]));
        let list: Value = serde_json::from_str(&out).unwrap();
        list.as_array()
            .is_some_and(|a| a.len() == 2 && a.iter().all(|m| m["phase"] == "Running"))
    })
    .await;
    assert!(up);
    let table = tokio::task::block_in_place(|| run(&["machineset", "ls"]));
    assert!(table.contains("cli") && table.contains("web"), "{table}");
    // A scale down names the machines it deletes and asks; with no terminal to ask on, it
    // stops, and `--yes` goes ahead.
    let asked = Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(["machineset", "scale", "cli", "--replicas", "1", "--socket"])
        .arg(&socket)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&asked.stderr);
    assert!(!asked.status.success(), "{said}");
    assert!(
        said.contains("deletes 1 machine(s)") && said.contains("cli-"),
        "{said}"
    );
    assert_eq!(machines(&s).len(), 2, "nothing deleted: {said}");
    tokio::task::block_in_place(|| {
        run(&["machineset", "scale", "cli", "--replicas", "1", "--yes"])
    });
    let one = eventually(Duration::from_secs(30), || async {
        machines(&s).len() == 1
    })
    .await;
    assert!(one);
    tokio::task::block_in_place(|| run(&["machineset", "delete", "cli"]));
    let gone = eventually(Duration::from_secs(30), || async {
        tagged_vms(&engine).is_empty() && machines(&s).is_empty()
    })
    .await;
    assert!(gone);
    s.stop().await;
}

/// Malformed requests get a clear error and change nothing.
#[tokio::test(flavor = "multi_thread")]
async fn malformed_machine_requests_are_refused_clearly() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let s = machine_server(&engine, "").await;
    let operator = s.token("operator").await;
    for (method, path, body, status) in [
        (
            reqwest::Method::GET,
            "/api/v1/machines?phase=Dancing",
            None,
            400,
        ),
        (reqwest::Method::GET, "/api/v1/machines?sett=web", None, 400),
        (
            reqwest::Method::POST,
            "/api/v1/machines",
            Some(json!({"name": "x"})),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machines",
            Some(json!({"name": "x", "class": "web", "extra": 1})),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machines",
            Some(json!({"name": "-x", "class": "web"})),
            400,
        ),
        // A machine's name is its VM's and its guest's host name: a DNS label.
        (
            reqwest::Method::POST,
            "/api/v1/machines",
            Some(json!({"name": "Bad_Name.x", "class": "web"})),
            400,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machinesets",
            Some(json!({"name": "web.x", "class": "web", "replicas": 1})),
            400,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machinesets",
            Some(json!({"name": "w", "class": "web", "replicas": -1})),
            422,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machinesets",
            Some(json!({"name": "w", "class": "web", "replicas": 501})),
            400,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machinesets/none/scale",
            Some(json!({"replicas": 1})),
            404,
        ),
        (reqwest::Method::DELETE, "/api/v1/machines/none", None, 404),
        (
            reqwest::Method::POST,
            "/api/v1/machineclasses",
            Some(
                json!({"name": "c2", "provider": "e1", "cluster": "x", "template": "t", "tags": {"cluster": "a", "role": ""}}),
            ),
            400,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/machineclasses",
            Some(
                json!({"name": "c3", "provider": "nope", "cluster": "x", "template": "t", "tags": {"cluster": "a", "role": "b"}}),
            ),
            400,
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/machineclasses/web",
            None,
            409,
        ),
    ] {
        let (got, answer) = api(&s, &operator, method.clone(), path, body).await;
        assert_eq!(got, status, "{method} {path}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{method} {path}: {answer}"
        );
    }
    // A crafted link cannot put words on the Machines page: messages are kept on the server.
    let page = s
        .get_text("/machines?flash=Your%20account%20is%20locked&error=Call%20555-0100")
        .await;
    assert!(
        page.contains("<h1>Machines</h1>") || page.contains("Machines"),
        "{page}"
    );
    assert!(!page.contains("Your account is locked"), "{page}");
    assert!(!page.contains("Call 555-0100"), "{page}");

    // Numbers out of range are refused with the field named, never wrapped: 2^44 MiB once
    // made a 2 GiB VM.
    for (extra, field) in [
        (json!({"memory_mib": 17592186046464u64}), "memory_mib"),
        (json!({"memory_mib": 0}), "memory_mib"),
        (
            json!({"cpu": {"sockets": 65536, "cores": 65536, "threads": 2}}),
            "cpu",
        ),
        (
            json!({"cpu": {"sockets": 1, "cores": 0, "threads": 1}}),
            "cpu.cores",
        ),
    ] {
        let mut class = json!({"name": "big", "provider": "e1", "cluster": "x", "template": "t", "tags": {"cluster": "a", "role": "b"}});
        for (k, v) in extra.as_object().unwrap() {
            class[k] = v.clone();
        }
        let (got, answer) = api(
            &s,
            &operator,
            reqwest::Method::POST,
            "/api/v1/machineclasses",
            Some(class),
        )
        .await;
        assert_eq!(got, 422, "{extra}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{extra}: {answer}"
        );
    }

    // A machine in a set is deleted by scaling the set, not one by one.
    let (status, _) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machinesets",
        Some(json!({"name": "w", "class": "web", "replicas": 1})),
    )
    .await;
    assert_eq!(status, 201);
    let named = eventually(Duration::from_secs(10), || async {
        !machines(&s).is_empty()
    })
    .await;
    assert!(named);
    let member = machines(&s)[0].name.clone();
    let (status, answer) = api(
        &s,
        &operator,
        reqwest::Method::DELETE,
        &format!("/api/v1/machines/{member}"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scale the set"),
        "{answer}"
    );
    assert_eq!(machines(&s).len(), 1);

    // Priorities: 1 to 5, 3 by default, as MCM's annotation; a number on the wire.
    let get = |name: String| {
        let s = &s;
        let operator = operator.clone();
        async move {
            api(
                s,
                &operator,
                reqwest::Method::GET,
                &format!("/api/v1/machines/{name}"),
                None,
            )
            .await
            .1
        }
    };
    let m = get(member.clone()).await;
    assert_eq!(m["priority"], json!(3), "{m}");
    for (body, status) in [
        (json!({"priority": 0}), 400),
        (json!({"priority": 6}), 400),
        (json!({"priority": 300}), 422),
        (json!({"priority": "1"}), 422),
        (json!({"priority": 1}), 200),
    ] {
        let (got, answer) = api(
            &s,
            &operator,
            reqwest::Method::POST,
            &format!("/api/v1/machines/{member}/priority"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(got, status, "{body}: {answer}");
    }
    let (got, _) = api(
        &s,
        &operator,
        reqwest::Method::POST,
        "/api/v1/machines/none/priority",
        Some(json!({"priority": 1})),
    )
    .await;
    assert_eq!(got, 404);
    let m = get(member.clone()).await;
    assert_eq!(m["priority"], json!(1), "{m}");
    // The phase is one of MCM's names (`""` while creating); addresses are NodeAddresses.
    let phases = [
        "",
        "Pending",
        "Available",
        "Running",
        "CrashLoopBackOff",
        "Unknown",
        "Failed",
        "Terminating",
    ];
    assert!(
        m["phase"].as_str().is_some_and(|p| phases.contains(&p)),
        "{m}"
    );
    for a in m["addresses"].as_array().into_iter().flatten() {
        assert_node_address(a);
    }
    s.stop().await;
}
