//! vmyard as Forklift's policy agent: OPA's data API paths that Forklift's inventory calls,
//! answered in OPA's shapes with the concerns `vmyard policy eval` gives for the same
//! document, in vmyard's workload shape and in Forklift's own.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

const VALIDATE: &str = "/v1/data/io/konveyor/forklift/ovirt/validate";
const RULES_VERSION: &str = "/v1/data/io/konveyor/forklift/ovirt/rules_version";

/// The concern ids of a `validate` document, sorted.
fn ids(doc: &Value) -> Vec<String> {
    let mut ids: Vec<String> = doc["concerns"]
        .as_array()
        .unwrap_or_else(|| panic!("concerns in {doc}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// vmyard's workload document in the shape Forklift's inventory sends
/// (`../shared/design/validation.md`, "Forklift's own workload document").
fn forklift_shape(mut w: Value) -> Value {
    for nic in w["nics"].as_array_mut().into_iter().flatten() {
        let ips: Vec<Value> = nic["ipAddress"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|ip| match ip {
                        Value::String(s) => json!({"address": s, "version": if s.contains(':') { "v6" } else { "v4" }}),
                        other => other.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        nic["ipAddress"] = Value::Array(ips);
        let network = nic["profile"]["network"].clone();
        if let Some(id) = network.get("id") {
            nic["profile"]["network"] = id.clone();
        }
        let pass = &nic["profile"]["passThrough"];
        if let Some(mode) = pass.as_str() {
            nic["profile"]["passThrough"] = Value::Bool(mode == "enabled");
        }
    }
    if let Some(s) = w["stateless"].as_bool() {
        w["stateless"] = Value::String(s.to_string());
    }
    for k in ["major", "minor"] {
        if let Some(n) = w["cluster"]["version"][k].as_u64() {
            w["cluster"]["version"][k] = Value::String(n.to_string());
        }
    }
    if w["cpuPinningPolicy"] == "" {
        w["cpuPinningPolicy"] = "none".into();
    }
    w["selfLink"] = "providers/ovirt/x/vms/y".into();
    w["revisionValidated"] = 1.into();
    w
}

#[tokio::test(flavor = "multi_thread")]
async fn forklift_asks_vmyard_as_it_asks_opa() {
    let engine = TestEngine::start(Source::Generated { vms: 40, seed: 21 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let policy_ready = eventually(Duration::from_secs(30), || async {
        s.running.state.validation.policy().is_some()
    })
    .await;
    assert!(policy_ready);
    let token = s.token("viewer").await;
    let c = s.client();
    let post = |path: &str, body: String, token: Option<&str>| {
        let mut req = c
            .post(s.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };

    // OPA's rules_version document, Forklift's shape.
    let r = c
        .get(s.url(RULES_VERSION))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"result": {"rules_version": 1}})
    );

    // Every VM's workload, in both shapes, gives the concerns `vmyard policy eval` gives.
    let vms: Value =
        serde_json::from_str(&s.get_text("/api/v1/providers/e1/vms?per_page=40").await).unwrap();
    let mut compared = 0;
    let mut differ = Vec::new();
    for vm in vms["items"].as_array().unwrap() {
        let id = vm["id"].as_str().unwrap();
        let workload: Value = serde_json::from_str(
            &s.get_text(&format!("/api/v1/providers/e1/vms/{id}/workload"))
                .await,
        )
        .unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), workload.to_string()).unwrap();
        let eval = std::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .args(["policy", "eval", "--input"])
            .arg(file.path())
            .output()
            .unwrap();
        let expected: Value = serde_json::from_slice(&eval.stdout).unwrap();
        let ours = post(
            VALIDATE,
            json!({"input": workload}).to_string(),
            Some(&token),
        )
        .await
        .unwrap();
        assert_eq!(ours.status(), 200);
        let ours: Value = ours.json().await.unwrap();
        assert_eq!(ids(&ours["result"]), ids(&expected), "{id}: {ours}");
        assert_eq!(ours["result"]["rules_version"], 1);
        let theirs: Value = post(
            VALIDATE,
            json!({"input": forklift_shape(workload)}).to_string(),
            Some(&token),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        if ids(&theirs["result"]) != ids(&expected) {
            differ.push(format!(
                "{id}: {:?} vs {:?}",
                ids(&theirs["result"]),
                ids(&expected)
            ));
        }
        compared += 1;
    }
    assert_eq!(compared, 40);
    assert!(
        differ.is_empty(),
        "Forklift's shape gives other concerns: {differ:#?}"
    );

    // OPA's shapes for the rest: no input is an empty input, a malformed body and a missing
    // token are OPA errors.
    let empty: Value = post(VALIDATE, String::new(), Some(&token))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        empty["result"]["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{empty}"
    );
    let bad = post(VALIDATE, "{not json".into(), Some(&token))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["code"], "invalid_parameter", "{bad}");
    let anonymous = post(VALIDATE, "{}".into(), None).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let anonymous: Value = anonymous.json().await.unwrap();
    assert_eq!(anonymous["code"], "unauthorized", "{anonymous}");
    let missing = c
        .get(s.url("/v1/data/io/konveyor/forklift/vmware/validate"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing["code"], "resource_not_found", "{missing}");
    s.stop().await;
}
