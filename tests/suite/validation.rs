//! Validation in a running service: rules that stall and fail do not hold up the collector;
//! a broken edit of the rules is refused while the last good rules run; once the rules work
//! again every VM is validated under the new version; cascades revalidate stopped VMs too.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::*;
use serde_json::json;
use vmyard::inventory::model::Vm;
use vmyard::sim::Source;
use vmyard::validation::VmConcerns;

const PACKAGE: &str = "package io.konveyor.forklift.ovirt\nimport rego.v1\n";

/// A rule that works through far more than the evaluation time limit for any VM with a
/// name (a loop of 4·10⁸ steps): each VM stalls its batch for seconds, then fails.
fn stalling_rule() -> String {
    format!(
        "{PACKAGE}concerns contains {{\"id\": \"slow\", \"category\": \"Information\", \"label\": \"l\", \"assessment\": \"a\"}} if {{\n\tis_string(input.name)\n\tcount([x | some x in numbers.range(1, 20000); some y in numbers.range(1, 20000); x != y]) > 0\n}}\n"
    )
}

/// The same rule, fixed: it raises its concern at once.
fn fixed_rule() -> String {
    format!(
        "{PACKAGE}concerns contains {{\"id\": \"site.checked\", \"category\": \"Information\", \"label\": \"Checked by the site's rule\", \"assessment\": \"The site's own rule ran on this VM.\"}} if is_string(input.name)\n"
    )
}

fn results(s: &TestServer) -> Vec<VmConcerns> {
    s.running
        .state
        .store
        .read()
        .unwrap()
        .list::<VmConcerns>()
        .unwrap()
        .into_iter()
        .map(|(_, r)| r.value)
        .collect()
}

fn write_rule(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[tokio::test]
async fn failing_rules_never_hold_up_the_inventory_and_a_fix_revalidates_everything() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    write_rule(&rules, "site.rego", &stalling_rule());
    let config = std::fs::read_to_string(&config_path).unwrap();
    write_private(
        &config_path,
        &format!(
            "{config}\n[validation]\npolicy_dir = \"{}\"\nsearch_interval = \"1s\"\n",
            rules.display()
        ),
    );
    let s = TestServer::start_in(dir, config_path).await;
    let validation = s.running.state.validation.clone();
    let first_version = validation.status().policy_version.expect("a policy");

    // The collector loads and then applies changes while every validation batch stalls.
    wait_parity(&s, "e1", 0).await;
    let vm_id = results_free_vm(&s);
    for round in 0..3 {
        let before = validation.status().validated;
        assert!(
            engine
                .control(
                    "update",
                    json!({"collection": "vms", "id": vm_id, "set": {"description": format!("round {round}")}})
                )
                .await
                .is_success()
        );
        let last = engine.sim.state.lock().unwrap().next_event - 1;
        wait_parity(&s, "e1", last).await;
        let stored = s
            .running
            .state
            .store
            .read()
            .unwrap()
            .get::<Vm>(&format!("e1/{vm_id}"))
            .unwrap()
            .unwrap();
        assert_eq!(stored.value.description, format!("round {round}"));
        if round == 0 {
            assert_eq!(
                validation.status().validated,
                before,
                "the change was stored while a validation batch was still running"
            );
        }
    }

    // The stalled rules end in failures that are recorded, not silent.
    let failed = eventually(Duration::from_secs(60), || async {
        validation.status().failed > 0
    })
    .await;
    assert!(failed, "{:?}", validation.status());
    assert!(validation.status().last_error.is_some());
    assert!(
        eventually(Duration::from_secs(60), || async {
            let r = results(&s);
            r.len() == 2 && r.iter().all(|v| !v.errors.is_empty())
        })
        .await,
        "each VM's result says the rules failed on it"
    );

    // A broken edit is refused: the error shows, the last good policy stays.
    let rules = s.dir.path().join("rules");
    write_rule(
        &rules,
        "broken.rego",
        &format!("{PACKAGE}concerns contains x if {{ x := }}\n"),
    );
    let refused = eventually(Duration::from_secs(10), || async {
        validation.status().policy_error.is_some()
    })
    .await;
    assert!(refused, "{:?}", validation.status());
    let status = validation.status();
    assert!(status.policy_error.unwrap().contains("broken.rego"));
    assert_eq!(
        status.policy_version.as_deref(),
        Some(first_version.as_str())
    );
    let metrics = s.get_text("/metrics").await;
    assert!(
        metrics.contains("vmyard_validation_policy_error 1"),
        "{metrics}"
    );

    // Fixed: a new version, and every VM is validated under it with no failure.
    std::fs::remove_file(rules.join("broken.rego")).unwrap();
    write_rule(&rules, "site.rego", &fixed_rule());
    let revalidated = eventually(Duration::from_secs(60), || async {
        let st = validation.status();
        let version = st.policy_version.clone().unwrap_or_default();
        let r = results(&s);
        st.policy_error.is_none()
            && version != first_version
            && r.len() == 2
            && r.iter().all(|v| {
                v.policy_version == version
                    && v.errors.is_empty()
                    && v.concerns.iter().any(|c| c.id == "site.checked")
            })
    })
    .await;
    assert!(revalidated, "{:?} {:?}", validation.status(), results(&s));
    let metrics = s.get_text("/metrics").await;
    assert!(
        metrics.contains("vmyard_validation_policy_error 0"),
        "{metrics}"
    );
    s.stop().await;
}

/// Any recorded VM.
fn results_free_vm(s: &TestServer) -> String {
    let r = s.running.state.store.read().unwrap();
    let keys = r.keys_prefix::<Vm>("e1/").unwrap();
    keys[0].trim_start_matches("e1/").to_string()
}

#[tokio::test]
async fn a_cluster_change_revalidates_its_stopped_vms_too() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let validated = eventually(Duration::from_secs(20), || async { results(&s).len() == 2 }).await;
    assert!(validated);

    // Stop one VM (no host), then turn KSM off on the cluster: both VMs lose the concern.
    let (vm, cluster) = {
        let sim = engine.sim.state.lock().unwrap();
        let vm = sim.objects("vms").unwrap().values().next().unwrap().clone();
        (
            vm["id"].as_str().unwrap().to_string(),
            vm["cluster"]["id"].as_str().unwrap().to_string(),
        )
    };
    engine
        .control(
            "update",
            json!({"collection": "vms", "id": vm, "set": {"status": "down", "host": null}}),
        )
        .await;
    let ksm = |on: bool| json!({"collection": "clusters", "id": cluster, "set": {"ksm": {"enabled": on.to_string(), "merge_across_nodes": "true"}}});
    engine.control("update", ksm(true)).await;
    let has_ksm = |want: bool| {
        let s = &s;
        async move {
            let r = results(s);
            r.len() == 2
                && r.iter().all(|v| {
                    v.concerns
                        .iter()
                        .any(|c| c.id == "ovirt.cluster.ksm_enabled")
                        == want
                })
        }
    };
    assert!(
        eventually(Duration::from_secs(20), || has_ksm(true)).await,
        "{:?}",
        results(&s)
    );
    engine.control("update", ksm(false)).await;
    assert!(
        eventually(Duration::from_secs(20), || has_ksm(false)).await,
        "{:?}",
        results(&s)
    );
    s.stop().await;
}
