//! The oVirt machine driver against the simulated engine: every method, adoption instead of
//! a second create, foreign VMs left alone, and each engine answer mapped to its code, with
//! the exact error text other controllers parse.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vmyard::machines::codes::{Code, MachineError};
use vmyard::machines::driver::ovirt::{OvirtDriver, Timing};
use vmyard::machines::driver::{Driver, MachineRef, MachineRequest, vm_id};
use vmyard::machines::model::{CpuTopology, MachineClass, MachineTags};
use vmyard::sim::Source;

fn class() -> MachineClass {
    MachineClass {
        name: "workers".into(),
        provider: "e1".into(),
        cluster: "Default".into(),
        template: "rhcos-4".into(),
        clone: true,
        cpu: Some(CpuTopology {
            sockets: 1,
            cores: 2,
            threads: 1,
        }),
        memory_mib: Some(2048),
        vnic_profile: None,
        storage_domain: None,
        user_data: Some("#cloud-config\nhostname: <<MACHINE_NAME>>\n".into()),
        user_data_ref: None,
        tags: MachineTags {
            cluster: "kubernetes.io-cluster-test".into(),
            role: "kubernetes.io-role-worker".into(),
        },
    }
}

fn timing() -> Timing {
    Timing {
        call_timeout: Duration::from_secs(5),
        wait: Duration::from_secs(10),
        poll: Duration::from_millis(50),
        calls_per_second: 0,
    }
}

/// A driver for `engine`, as the config of a running vmyard would make it.
fn driver(engine: &TestEngine, dir: &std::path::Path, timing: Timing) -> OvirtDriver {
    let text = config_text(dir, &engine.provider(dir, "e1"));
    let path = dir.join("vmyard.toml");
    write_private(&path, &text);
    let config = vmyard::config::load_file(&path).unwrap();
    OvirtDriver::new(&config.providers[0], timing).unwrap()
}

fn req(name: &str, provider_id: Option<&str>) -> MachineRequest {
    MachineRequest {
        machine: MachineRef {
            name: name.into(),
            provider_id: provider_id.map(str::to_string),
        },
        class: class(),
    }
}

/// The engine's VMs named `name`.
fn named(engine: &TestEngine, name: &str) -> Vec<serde_json::Value> {
    let state = engine.sim.state.lock().unwrap();
    state
        .objects("vms")
        .unwrap()
        .values()
        .filter(|v| v["name"] == name)
        .cloned()
        .collect()
}

#[tokio::test]
async fn create_initialize_status_list_delete() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(300, 200);
    let dir = tempfile::tempdir().unwrap();
    let d = driver(&engine, dir.path(), timing());
    let mut class_in_fixture = class();
    class_in_fixture.cluster = template_cluster(&engine);

    let r = MachineRequest {
        class: class_in_fixture.clone(),
        ..req("w-1", None)
    };
    let created = d.create_machine(&r).await.expect("created");
    assert!(created.provider_id.starts_with("ovirt://"), "{created:?}");
    assert_eq!(created.node_name, "w-1");
    assert_eq!(created.last_known_state, "image_locked");
    let vm = &named(&engine, "w-1")[0];
    assert_eq!(vm["initialization"]["host_name"], "w-1");
    assert_eq!(
        vm["initialization"]["custom_script"], "#cloud-config\nhostname: w-1\n",
        "the machine name is put in the user data"
    );
    assert_eq!(vm["memory"], (2048u64 << 20).to_string());

    // A second create adopts: still one VM.
    let again = d.create_machine(&r).await.expect("adopted");
    assert_eq!(again.provider_id, created.provider_id);
    assert_eq!(named(&engine, "w-1").len(), 1);

    // Not up yet: Uninitialized, by name and by provider id.
    let e = d.get_machine_status(&r).await.unwrap_err();
    assert_eq!(e.code, Code::Uninitialized, "{e}");

    let up = d.initialize_machine(&r).await.expect("initialized");
    assert_eq!(up.state, "up");
    assert!(up.addresses.iter().any(|a| a.is_ip()), "{up:?}");
    for a in serde_json::to_value(&up.addresses)
        .unwrap()
        .as_array()
        .unwrap()
    {
        assert_node_address(a);
    }
    let by_id = MachineRequest {
        machine: MachineRef {
            name: "w-1".into(),
            provider_id: Some(created.provider_id.clone()),
        },
        class: class_in_fixture.clone(),
    };
    let st = d.get_machine_status(&by_id).await.expect("status");
    assert_eq!(st.provider_id, created.provider_id);
    assert_eq!(st.addresses, up.addresses);

    let list = d.list_machines(&class_in_fixture).await.expect("list");
    assert_eq!(
        list.get(&created.provider_id).map(String::as_str),
        Some("w-1")
    );

    // Delete while up: stopped, then removed; a second delete is OK.
    let gone = d.delete_machine(&by_id).await.expect("deleted");
    assert_eq!(gone.last_known_state, "deleted");
    assert!(named(&engine, "w-1").is_empty());
    d.delete_machine(&by_id).await.expect("already gone is OK");
    let e = d.get_machine_status(&by_id).await.unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    assert!(d.list_machines(&class_in_fixture).await.unwrap().is_empty());
}

#[tokio::test]
async fn foreign_vms_are_never_listed_adopted_or_deleted() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(50, 50);
    let dir = tempfile::tempdir().unwrap();
    let d = driver(&engine, dir.path(), timing());
    let mut c = class();
    c.cluster = template_cluster(&engine);
    // Foreign VMs: one with the machine's exact name, one with a similar name, neither tagged.
    for (id, name) in [
        ("aaaaaaaa-0000-0000-0000-000000000001", "w-2"),
        ("aaaaaaaa-0000-0000-0000-000000000002", "w-2x"),
    ] {
        let status = engine
            .control(
                "add",
                json!({"collection": "vms", "object": {"id": id, "name": name, "status": "up",
                    "href": format!("/ovirt-engine/api/vms/{id}"), "cluster": {"id": c.cluster}}}),
            )
            .await;
        assert!(status.is_success(), "{status}");
    }
    let r = MachineRequest {
        class: c.clone(),
        ..req("w-2", None)
    };
    let e = d.create_machine(&r).await.unwrap_err();
    assert_eq!(e.code, Code::AlreadyExists, "{e}");
    assert_eq!(
        d.get_machine_status(&r).await.unwrap_err().code,
        Code::NotFound
    );
    assert!(d.list_machines(&c).await.unwrap().is_empty());
    // Deleting by name finds none of ours; by the foreign VM's id it is refused.
    d.delete_machine(&r)
        .await
        .expect("nothing of ours to delete");
    let by_id = MachineRequest {
        machine: MachineRef {
            name: "w-2".into(),
            provider_id: Some("ovirt://aaaaaaaa-0000-0000-0000-000000000001".into()),
        },
        class: c.clone(),
    };
    let e = d.delete_machine(&by_id).await.unwrap_err();
    assert_eq!(e.code, Code::FailedPrecondition, "{e}");
    assert_eq!(
        named(&engine, "w-2").len(),
        1,
        "the foreign VM is still there"
    );
    assert_eq!(named(&engine, "w-2x").len(), 1);

    // Two VMs of ours with one name: OutOfRange.
    let ours = MachineRequest {
        class: c.clone(),
        ..req("w-3", None)
    };
    let first = d.create_machine(&ours).await.unwrap();
    let tags = engine.sim.state.lock().unwrap().objects("vms").unwrap()
        [vm_id(&first.provider_id).unwrap()]["tags"]
        .clone();
    let twin = "aaaaaaaa-0000-0000-0000-000000000003";
    assert!(engine
        .control(
            "add",
            json!({"collection": "vms", "object": {"id": twin, "name": "w-3", "status": "down",
                "href": format!("/ovirt-engine/api/vms/{twin}"), "cluster": {"id": c.cluster}, "tags": tags}}),
        )
        .await
        .is_success());
    let e = d.get_machine_status(&ours).await.unwrap_err();
    assert_eq!(e.code, Code::OutOfRange, "{e}");
    assert_eq!(
        d.create_machine(&ours).await.unwrap_err().code,
        Code::OutOfRange
    );
}

#[tokio::test]
async fn engine_answers_map_to_codes_with_the_exact_text() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(60_000, 50);
    let dir = tempfile::tempdir().unwrap();
    let d = driver(&engine, dir.path(), timing());
    let mut c = class();
    c.cluster = template_cluster(&engine);
    let r = MachineRequest {
        class: c.clone(),
        ..req("w-4", None)
    };

    // 404: a provider id the engine does not know.
    let missing = MachineRequest {
        machine: MachineRef {
            name: "w-4".into(),
            provider_id: Some("ovirt://bbbbbbbb-0000-0000-0000-000000000000".into()),
        },
        class: c.clone(),
    };
    let e = d.get_machine_status(&missing).await.unwrap_err();
    assert_eq!(e.code, Code::NotFound);
    let text = e.to_string();
    assert!(
        text.starts_with("machine codes error: code = [NotFound] message = [")
            && text.ends_with(']'),
        "{text}"
    );
    assert_eq!(MachineError::parse(&text), Some(e));

    // Locked: the image stays locked longer than the driver waits.
    let created = d.create_machine(&r).await.unwrap();
    assert_eq!(created.last_known_state, "image_locked");
    let short = driver(
        &engine,
        dir.path(),
        Timing {
            wait: Duration::from_millis(300),
            ..timing()
        },
    );
    let e = short.initialize_machine(&r).await.unwrap_err();
    assert_eq!(e.code, Code::DeadlineExceeded, "{e}");
    assert!(e.message.contains("image_locked"), "{e}");
    let e = short.delete_machine(&r).await.unwrap_err();
    assert_eq!(e.code, Code::DeadlineExceeded, "{e}");

    // A bad class is InvalidArgument before any engine call.
    let mut untagged = c.clone();
    untagged.tags.role = String::new();
    let e = d
        .create_machine(&MachineRequest {
            class: untagged,
            ..req("w-5", None)
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidArgument);

    // Unknown template: NotFound from the engine.
    let mut no_template = c.clone();
    no_template.template = "no-such-template".into();
    let e = d
        .create_machine(&MachineRequest {
            class: no_template,
            ..req("w-6", None)
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::NotFound, "{e}");

    // 5xx: Unavailable.
    assert!(
        engine
            .control("faults", json!({"error_rate": 1.0}))
            .await
            .is_success()
    );
    let e = d.list_machines(&c).await.unwrap_err();
    assert_eq!(e.code, Code::Unavailable, "{e}");
    // Slow: DeadlineExceeded after the call timeout.
    assert!(
        engine
            .control("faults", json!({"latency_ms": 1500}))
            .await
            .is_success()
    );
    let impatient = driver(
        &engine,
        dir.path(),
        Timing {
            call_timeout: Duration::from_millis(300),
            ..timing()
        },
    );
    let e = impatient.list_machines(&c).await.unwrap_err();
    assert_eq!(e.code, Code::DeadlineExceeded, "{e}");
    assert!(engine.control("faults", json!({})).await.is_success());

    // 401 that a new login cannot cure: Unauthenticated.
    engine.sim.state.lock().unwrap().credentials.1 = "changed".into();
    engine.sim.state.lock().unwrap().tokens.clear();
    let e = d.list_machines(&c).await.unwrap_err();
    assert_eq!(e.code, Code::Unauthenticated, "{e}");

    // Nothing listening: Unavailable.
    drop(engine);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let e = d.list_machines(&c).await.unwrap_err();
    assert!(
        matches!(e.code, Code::Unavailable | Code::Unauthenticated),
        "{e}"
    );
}

#[tokio::test]
async fn storage_full_is_resource_exhausted() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let dir = tempfile::tempdir().unwrap();
    let d = driver(&engine, dir.path(), timing());
    let mut c = class();
    c.cluster = template_cluster(&engine);
    // Every storage domain full.
    let domains: Vec<String> = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("storagedomains")
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for id in domains {
        let mut set = serde_json::Map::new();
        set.insert("available".into(), json!("0"));
        engine.sim.update("storagedomains", &id, set, None).unwrap();
    }
    let e = d
        .create_machine(&MachineRequest {
            class: c,
            ..req("w-7", None)
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::ResourceExhausted, "{e}");
    assert!(named(&engine, "w-7").is_empty());
}

/// `vmyard driver` as a script would call it: JSON on success, the coded error on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn the_driver_command_prints_responses_and_coded_errors() {
    let engine = TestEngine::start(Source::Fixtures).await;
    engine.sim.set_timing(50, 50);
    let dir = tempfile::tempdir().unwrap();
    let _ = driver(&engine, dir.path(), timing());
    let mut c = class();
    c.cluster = template_cluster(&engine);
    let class_file = dir.path().join("class.json");
    std::fs::write(&class_file, serde_json::to_string(&c).unwrap()).unwrap();
    let config = dir.path().join("vmyard.toml");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .arg("driver")
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let class_arg = class_file.to_str().unwrap();
    let (code, _, err) = tokio::task::block_in_place(|| {
        run(&["status", "--class-file", class_arg, "--machine", "cli-1"])
    });
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with("machine codes error: code = [NotFound] message = ["),
        "{err}"
    );
    let (code, out, err) = tokio::task::block_in_place(|| {
        run(&["create", "--class-file", class_arg, "--machine", "cli-1"])
    });
    assert_eq!(code, Some(0), "{err}");
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        created["provider_id"]
            .as_str()
            .unwrap()
            .starts_with("ovirt://")
    );
    // CreateMachine answers with the machine's addresses too: the host name at least.
    let addresses = created["addresses"].as_array().expect("addresses");
    assert_eq!(
        addresses[0],
        serde_json::json!({"type": "Hostname", "address": "cli-1"})
    );
    for a in addresses {
        assert_node_address(a);
    }
    let (code, out, _) = tokio::task::block_in_place(|| run(&["list", "--class-file", class_arg]));
    assert_eq!(code, Some(0));
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        listed["machine_list"][created["provider_id"].as_str().unwrap()],
        "cli-1"
    );
    let specs = dir.path().join("pv.json");
    std::fs::write(
        &specs,
        r#"[{"csi": {"driver": "csi.ovirt.org", "volumeHandle": "disk-1"}}, {"csi": {"driver": "other", "volumeHandle": "x"}}, {}]"#,
    )
    .unwrap();
    let (code, out, _) =
        tokio::task::block_in_place(|| run(&["volume-ids", "--input", specs.to_str().unwrap()]));
    assert_eq!(code, Some(0));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        json!({"volume_ids": ["disk-1"]})
    );
    let foreign = dir.path().join("foreign.json");
    std::fs::write(&foreign, r#"{"kind": "AWSMachineClass", "spec": {}}"#).unwrap();
    let (code, _, err) = tokio::task::block_in_place(|| {
        run(&["migrate-class", "--input", foreign.to_str().unwrap()])
    });
    assert_eq!(code, Some(1));
    assert!(err.contains("code = [Unimplemented]"), "{err}");
}
