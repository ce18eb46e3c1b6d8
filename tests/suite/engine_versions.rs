//! Engines older than the simulator's own: an optional endpoint the engine lacks leaves a
//! warning on the provider and the load still reaches parity; a required one the engine
//! lacks stops the load with an error that names it.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vmyard::sim::Source;

#[tokio::test]
async fn an_engine_without_the_cpu_list_loads_to_parity_with_a_warning() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let played = engine
        .control(
            "engine",
            json!({"version": "4.2.8.2-1.el7", "missing": ["options/ServerCPUList"]}),
        )
        .await;
    assert!(played.is_success(), "{played}");
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let state = wait_parity(&s, "e1", 0).await;
    assert!(state.error.is_none(), "{state:?}");
    assert_eq!(state.engine_version, "4.2.8.2-1.el7");

    // Everything else is there: as many VMs as the engine serves.
    let served = engine
        .sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .len() as u64;
    assert_eq!(state.counts.get("vms").copied(), Some(served));

    let api: Value = serde_json::from_str(&s.get_text("/api/v1/providers/e1").await).unwrap();
    let warnings = api["state"]["warnings"]
        .as_array()
        .expect("warnings listed");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.starts_with("engine 4.2.8.2-1.el7 has no options/ServerCPUList (404)"),
        "{warning}"
    );

    // The dashboard's providers card shows it.
    let html = s.get_text("/partials/providers").await;
    assert!(html.contains("partial"), "{html}");
    assert!(html.contains("4.2.8.2-1.el7 has no options"), "{html}");

    s.stop().await;
}

#[tokio::test]
async fn an_engine_without_a_required_collection_fails_naming_it() {
    let engine = TestEngine::start(Source::Fixtures).await;
    assert!(
        engine
            .control("engine", json!({"missing": ["diskprofiles"]}))
            .await
            .is_success()
    );
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let failed = eventually(Duration::from_secs(30), || async {
        provider_state(&s, "e1").is_some_and(|p| p.error.is_some())
    })
    .await;
    let state = provider_state(&s, "e1").unwrap();
    assert!(failed, "{state:?}");
    assert!(!state.parity, "{state:?}");
    let message = state.error.unwrap().message;
    assert!(
        message.starts_with("GET diskprofiles: engine answered 404"),
        "{message}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_collector_that_cannot_start_says_so_and_never_shows_parity() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let dir = tempfile::tempdir().unwrap();
    // PEM-shaped, so the config loads, but no certificate inside: the client cannot be made.
    let provider = engine.provider(dir.path(), "e1");
    std::fs::write(
        dir.path().join("e1-ca.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let path = dir.path().join("vmyard.toml");
    write_private(&path, &config_text(dir.path(), &provider));
    let s = TestServer::start_in(dir, path).await;
    let failed = eventually(Duration::from_secs(30), || async {
        provider_state(&s, "e1").is_some_and(|p| p.error.is_some())
    })
    .await;
    let state = provider_state(&s, "e1").unwrap();
    assert!(failed, "{state:?}");
    assert!(!state.parity);
    let message = state.error.unwrap().message;
    assert!(message.contains("the collector cannot start"), "{message}");
    s.stop().await;
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_the_providers_error() {
    let engine = TestEngine::start(Source::Generated { vms: 300, seed: 3 }).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    let provider = format!("{}max_answer_mib = 1\n", engine.provider(dir.path(), "e1"));
    write_private(&path, &config_text(dir.path(), &provider));
    let s = TestServer::start_in(dir, path).await;
    let failed = eventually(Duration::from_secs(30), || async {
        provider_state(&s, "e1").is_some_and(|p| p.error.is_some())
    })
    .await;
    let state = provider_state(&s, "e1").unwrap();
    assert!(failed, "{state:?}");
    assert!(!state.parity, "{state:?}");
    let message = state.error.unwrap().message;
    assert!(message.contains("is over 1 MiB"), "{message}");
    assert!(message.contains("max_answer_mib"), "{message}");
    // Named by its request, as every failed request is.
    assert!(message.starts_with("GET "), "{message}");
    s.stop().await;
}

#[tokio::test]
async fn a_load_shows_each_kinds_count_against_the_engines_own_total() {
    let engine = TestEngine::start(Source::Generated { vms: 40, seed: 5 }).await;
    // The VM listing fails, so the load stops before it, where its progress can be read.
    assert!(
        engine
            .control("engine", json!({"missing": ["vms"]}))
            .await
            .is_success()
    );
    let (hosts, vms) = {
        let st = engine.sim.state.lock().unwrap();
        (
            st.objects("hosts").unwrap().len() as u64,
            st.objects("vms").unwrap().len() as u64,
        )
    };
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let stopped = eventually(Duration::from_secs(30), || async {
        provider_state(&s, "e1").is_some_and(|p| p.error.is_some())
    })
    .await;
    let state = provider_state(&s, "e1").unwrap();
    assert!(stopped, "{state:?}");
    // The totals are the engine's summary, counted from what it serves.
    assert_eq!(state.totals.get("vms"), Some(&vms), "{state:?}");
    assert_eq!(state.totals.get("hosts"), Some(&hosts), "{state:?}");
    // A kind the summary does not count has no total, not a total of 0.
    assert_eq!(state.totals.get("clusters"), None, "{state:?}");

    let html = s.get_text("/partials/providers").await;
    assert!(
        html.contains(&format!("Hosts {hosts} of {hosts} · 100 %")),
        "{html}"
    );
    assert!(html.contains(&format!("VMs 0 of {vms} · 0 %")), "{html}");
    assert!(
        html.contains("<progress value=\"100\" max=\"100\""),
        "{html}"
    );
    // Clusters were loaded, with no total to show a share of.
    assert!(html.contains("Clusters "), "{html}");
    assert!(!html.contains("Clusters 0 of"), "{html}");
    s.stop().await;
}
