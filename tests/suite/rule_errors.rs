//! A site rule that fails on one VM of a recorded engine: that VM's readiness is `error`
//! (never ready), the message names the rule file and line, and the failure shows in the
//! validation status, the metrics, the VM's API and page, and the Concerns page. The other
//! VM is validated as usual.

use crate::common;

use std::time::Duration;

use common::*;
use vmyard::inventory::model::Vm;
use vmyard::sim::Source;
use vmyard::validation::{Readiness, VmConcerns};

/// The rule: an invalid pattern for the VM named `name`, a pattern that never matches for
/// any other. Line 5 is the `regex.match`.
fn failing_rule(name: &str) -> String {
    format!(
        "package io.konveyor.forklift.ovirt\nimport rego.v1\npatterns := {{\"{name}\": \"(\"}}\nconcerns contains {{\"id\": \"site.pattern\", \"category\": \"Warning\", \"label\": \"Site pattern\", \"assessment\": \"The name matches the site pattern.\"}} if {{\n\tregex.match(object.get(patterns, input.name, \"^none$\"), input.name)\n}}\n"
    )
}

fn result(s: &TestServer, key: &str) -> Option<VmConcerns> {
    s.running
        .state
        .store
        .read()
        .unwrap()
        .get::<VmConcerns>(key)
        .unwrap()
        .map(|r| r.value)
}

#[tokio::test]
async fn a_rule_that_fails_on_a_vm_makes_it_error_everywhere_it_shows() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (broken, healthy) = {
        let sim = engine.sim.state.lock().unwrap();
        let mut vms: Vec<(String, String)> = sim
            .objects("vms")
            .unwrap()
            .values()
            .map(|v| {
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        vms.sort();
        assert!(vms.len() >= 2, "the recorded engine has two VMs");
        (vms[0].clone(), vms[1].clone())
    };
    let (dir, config_path) = engine_config(&engine);
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("site.rego"), failing_rule(&broken.1)).unwrap();
    let config = std::fs::read_to_string(&config_path).unwrap();
    write_private(
        &config_path,
        &format!(
            "{config}\n[validation]\npolicy_dir = \"{}\"\n",
            rules.display()
        ),
    );
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let broken_key = format!("e1/{}", broken.0);
    let healthy_key = format!("e1/{}", healthy.0);
    let validated = eventually(Duration::from_secs(30), || async {
        result(&s, &broken_key).is_some() && result(&s, &healthy_key).is_some()
    })
    .await;
    assert!(validated, "{:?}", s.running.state.validation.status());

    // The stored results: the failing VM is `error` with the place named; the other is not.
    let failed = result(&s, &broken_key).unwrap();
    assert_eq!(failed.readiness(), Readiness::Error, "{failed:?}");
    assert!(
        failed.errors.iter().any(|e| e.contains("site.rego:5")),
        "{:?}",
        failed.errors
    );
    let fine = result(&s, &healthy_key).unwrap();
    assert_ne!(fine.readiness(), Readiness::Error, "{fine:?}");
    assert!(fine.errors.is_empty(), "{:?}", fine.errors);
    let stored: Vec<String> = s
        .running
        .state
        .store
        .read()
        .unwrap()
        .keys_prefix::<Vm>("e1/")
        .unwrap();
    assert!(stored.contains(&broken_key));

    // The validation status and the metrics count it.
    let status: serde_json::Value =
        serde_json::from_str(&s.get_text("/api/v1/validation").await).unwrap();
    assert!(status["failed"].as_u64().unwrap() >= 1, "{status}");
    assert!(
        status["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("site.rego:5")),
        "{status}"
    );
    let metrics = s.get_text("/metrics").await;
    let counted = metrics
        .lines()
        .find(|l| l.starts_with("vmyard_validation_failed_total "))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(counted >= 1, "{metrics}");
    assert!(!metrics.contains("vmyard_vmyard"), "one prefix: {metrics}");

    // The VM's API answer and page.
    let api: serde_json::Value = serde_json::from_str(
        &s.get_text(&format!("/api/v1/providers/e1/vms/{}/concerns", broken.0))
            .await,
    )
    .unwrap();
    assert_eq!(api["readiness"], "error", "{api}");
    let page = s.get_text(&format!("/inventory/e1/vms/{}", broken.0)).await;
    assert!(page.contains(r#"id="readiness">error</span>"#), "{page}");
    assert!(page.contains(r#"id="rules-failed""#), "{page}");
    assert!(page.contains("site.rego:5"), "{page}");
    let healthy_page = s
        .get_text(&format!("/inventory/e1/vms/{}", healthy.0))
        .await;
    assert!(!healthy_page.contains(r#"id="rules-failed""#));

    // The Concerns page: a banner linking to the VMs the rules failed on, and those VMs.
    let concerns = s.get_text("/concerns").await;
    assert!(concerns.contains(r#"id="failed-e1""#), "{concerns}");
    assert!(
        concerns.contains("/inventory/e1/vms?readiness=error"),
        "{concerns}"
    );
    let listed = s.get_text("/inventory/e1/vms?readiness=error").await;
    assert!(listed.contains(&broken.1), "{listed}");
    assert!(!listed.contains(&format!(">{}<", healthy.1)), "{listed}");
    s.stop().await;
}
