//! Readiness over time: each change of a VM's concerns is kept with its cause (added, an
//! engine change with its event, a rule change), served by the history and trend APIs.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

const PACKAGE: &str = "package io.konveyor.forklift.ovirt\nimport rego.v1\n";

async fn get(s: &TestServer, path: &str) -> (reqwest::StatusCode, Value) {
    let r = s
        .socket_client()
        .get(format!("http://localhost{path}"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The changes the history API lists now.
async fn changes(s: &TestServer, query: &str) -> Vec<Value> {
    let (status, body) = get(s, &format!("/api/v1/providers/e1/history?{query}")).await;
    assert_eq!(status, 200, "{body}");
    body["changes"].as_array().unwrap().clone()
}

fn concern_ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_change_of_concerns_is_kept_with_its_cause() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    // A site rule that raises nothing yet.
    let quiet = format!(
        "{PACKAGE}concerns contains {{\"id\": \"site.checked\", \"category\": \"Warning\", \"label\": \"Checked\", \"assessment\": \"a\"}} if input.name == \"no such VM\"\n"
    );
    std::fs::write(rules.join("site.rego"), &quiet).unwrap();
    let config = std::fs::read_to_string(&config_path).unwrap();
    write_private(
        &config_path,
        &format!(
            "{config}\n[validation]\npolicy_dir = \"{}\"\nsearch_interval = \"1s\"\n",
            rules.display()
        ),
    );
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    // First validation: every VM is added, with the concerns it has.
    assert!(
        eventually(Duration::from_secs(30), || async {
            changes(&s, "").await.len() == 2
        })
        .await,
        "{:?} {:?}",
        s.running.state.validation.status(),
        changes(&s, "").await,
    );
    let added = changes(&s, "").await;
    assert!(
        added.iter().all(|c| c["cause"]["kind"] == "added"),
        "{added:?}"
    );
    assert!(added.iter().all(|c| c["before"].is_null()), "{added:?}");
    let vm = added[0]["vm"].as_str().unwrap().to_string();
    let vm_name = added[0]["vm_name"].as_str().unwrap().to_string();
    assert_ne!(vm_name, vm, "named: {added:?}");

    // An engine change: KSM turned off on the cluster (the recorded engine has it on)
    // clears a concern on both VMs.
    let cluster = {
        let sim = engine.sim.state.lock().unwrap();
        let v = &sim.objects("vms").unwrap()[vm.as_str()];
        v["cluster"]["id"].as_str().unwrap().to_string()
    };
    let ksm_off = json!({"collection": "clusters", "id": cluster, "set": {"ksm": {"enabled": "false", "merge_across_nodes": "true"}}});
    assert!(engine.control("update", ksm_off).await.is_success());
    let ksm_changes = || {
        let s = &s;
        async move { changes(s, "concern=ovirt.cluster.ksm_enabled").await }
    };
    assert!(
        eventually(Duration::from_secs(30), || async {
            ksm_changes().await.len() == 4
        })
        .await,
        "{:?}",
        changes(&s, "").await
    );
    for c in &ksm_changes().await[..2] {
        assert_eq!(c["cause"]["kind"], "engine", "{c}");
        assert!(
            c["cause"]["event"].as_u64().is_some(),
            "with its event: {c}"
        );
        assert_eq!(
            concern_ids(&c["cleared"]),
            ["ovirt.cluster.ksm_enabled"],
            "{c}"
        );
        assert!(c["appeared"].as_array().unwrap().is_empty(), "{c}");
        assert_eq!(c["cluster"], cluster.as_str(), "{c}");
        assert_eq!(c["cluster_name"], "Test", "{c}");
    }

    // A rule change: a site rule raises a new concern on every VM, and its removal clears
    // it, both told apart from engine changes.
    std::fs::write(
        rules.join("site.rego"),
        format!("{PACKAGE}concerns contains {{\"id\": \"site.checked\", \"category\": \"Warning\", \"label\": \"Checked\", \"assessment\": \"a\"}} if is_string(input.name)\n"),
    )
    .unwrap();
    let site = || {
        let s = &s;
        async move { changes(s, "concern=site.checked").await }
    };
    assert!(
        eventually(Duration::from_secs(30), || async {
            site().await.len() == 2
        })
        .await,
        "{:?}",
        site().await
    );
    for c in site().await {
        assert_eq!(c["cause"]["kind"], "rules", "{c}");
        assert_eq!(c["after"], "warnings", "{c}");
    }
    std::fs::write(rules.join("site.rego"), &quiet).unwrap();
    assert!(
        eventually(Duration::from_secs(30), || async {
            site().await.len() == 4
        })
        .await,
        "{:?}",
        site().await
    );
    let cleared = &site().await[0];
    assert_eq!(cleared["cause"]["kind"], "rules", "{cleared}");
    assert_eq!(concern_ids(&cleared["cleared"]), ["site.checked"]);
    // The policy versions in force are listed too.
    let (_, body) = get(&s, "/api/v1/providers/e1/history").await;
    assert!(body["policies"].as_array().unwrap().len() >= 2, "{body}");

    // One VM's timeline, by its name, oldest change last; and a time span.
    let timeline = changes(&s, &format!("vm={vm_name}")).await;
    assert_eq!(
        timeline.len(),
        4,
        "added, ksm off, site rule, site rule quiet: {timeline:?}"
    );
    assert!(timeline.iter().all(|c| c["vm"] == vm.as_str()));
    assert_eq!(timeline.last().unwrap()["cause"]["kind"], "added");
    assert!(
        changes(&s, "from=2000-01-01&to=2000-01-02")
            .await
            .is_empty()
    );

    // The day's readiness was counted.
    let (status, trend) = get(&s, "/api/v1/providers/e1/trend?days=30").await;
    assert_eq!(status, 200, "{trend}");
    let today = trend
        .as_array()
        .unwrap()
        .last()
        .expect("a count today")
        .clone();
    let total: u64 = today["readiness"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 2, "{today}");

    // The same from the CLI.
    let socket = s.running.socket.clone().unwrap();
    let cli = |args: &[&str]| vmyard_over(&socket, args);
    let table = tokio::task::block_in_place(|| cli(&["changes", "--since", "1d"]));
    assert!(table.starts_with("e1: 8 changes from "), "{table}");
    assert!(table.contains("rules changed to version"), "{table}");
    assert!(table.contains("engine change (after event"), "{table}");
    assert!(table.contains(&vm_name), "{table}");
    let mine = tokio::task::block_in_place(|| {
        cli(&["history", "--vm", &vm_name, "--concern", "site.checked"])
    });
    assert!(mine.starts_with("e1: 2 changes"), "{mine}");
    assert!(mine.contains("warnings → "), "{mine}");
    let trend = tokio::task::block_in_place(|| cli(&["trend", "-o", "json"]));
    let days: Vec<Value> = serde_json::from_str(&trend).unwrap();
    assert!(!days.is_empty(), "{trend}");

    // The pages: the History page lists the changes with their causes and draws the
    // trend; the VM's page has its timeline; the concern's page its count over time.
    let page = s.get_text("/history?since=1d").await;
    assert!(page.contains("id=\"history-e1\""), "{page}");
    assert!(page.contains(&format!(">{vm_name}</a>")), "{page}");
    assert!(
        page.contains("changed in oVirt, after engine event"),
        "{page}"
    );
    assert!(page.contains("rules changed (from "), "{page}");
    assert!(page.contains("the rules changed to version"), "{page}");
    assert!(
        page.contains("class=\"trend-plot\""),
        "a trend is drawn: {page}"
    );
    let vm_page = s.get_text(&format!("/inventory/e1/vms/{vm}")).await;
    let timeline = &vm_page[vm_page.find("id=\"timeline\"").expect("a timeline")..];
    let timeline = &timeline[..timeline.find("</table>").expect("a table")];
    assert_eq!(
        timeline.matches("<tr>").count(),
        5,
        "a header and 4 changes: {timeline}"
    );
    assert!(timeline.contains("first validated"), "{timeline}");
    // One the VMs still have (KSM is off now).
    let concern = concern_ids(&added[0]["appeared"])
        .into_iter()
        .find(|id| *id != "ovirt.cluster.ksm_enabled")
        .expect("another concern")
        .to_string();
    let concern_page = s.get_text(&format!("/concerns/{concern}")).await;
    assert!(concern_page.contains("id=\"over-time\""), "{concern_page}");
    assert!(
        concern_page.contains("VMs with it per day · e1"),
        "{concern_page}"
    );

    // Wrong parameters are errors that say what is right.
    for (query, words) in [
        ("from=yesterday", "is no time"),
        ("vm=no-such-vm", "no-such-vm"),
        ("from=1d&to=2d", "must come before"),
    ] {
        let (status, body) = get(&s, &format!("/api/v1/providers/e1/history?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.to_string().contains(words), "{query}: {body}");
    }
    let (status, body) = get(&s, "/api/v1/providers/e1/trend?days=7").await;
    assert_eq!(status, 400, "{body}");
    s.stop().await;
}
