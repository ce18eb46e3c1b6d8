//! The latency from a VM change in the engine to its concerns updated, in a running vmyard
//! against the simulated engine: the engine logs the change, the collector reads it at its
//! next refresh and writes the VM, the validator learns of it from the change feed and
//! writes its concerns. Measured from the engine's change to the result for the VM's new
//! revision in the store.

use std::time::{Duration, Instant};

use serde_json::json;
use vmyard::config::watch::LiveConfig;
use vmyard::inventory::model::Vm;
use vmyard::sim::{Sim, Source};
use vmyard::validation::VmConcerns;

/// Runs `changes` changes one after the other and returns each latency, in ms.
pub async fn measure(vms: usize, refresh: &str, changes: usize) -> Vec<f64> {
    vmyard::install_crypto_provider();
    let (_stop, shutdown) = vmyard::service::shutdown_pair();
    let sim = Sim::new(Source::Generated { vms, seed: 1 });
    let password = sim.state.lock().unwrap().credentials.1.clone();
    let engine = sim
        .clone()
        .serve("127.0.0.1:0".parse().unwrap(), shutdown)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate::bench_config::write_config(
        dir.path(),
        &engine.api_url(),
        &engine.cert_pem,
        &password,
        refresh,
    );
    let config = vmyard::config::load_file(&dir.path().join("vmyard.toml")).unwrap();
    let running = vmyard::service::start(LiveConfig::new(config, None), false)
        .await
        .unwrap();
    let store = running.state.store.clone();
    // Everything loaded and validated first.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let status = running.state.validation.status();
        let validated = store
            .read()
            .unwrap()
            .count_prefix::<VmConcerns>("p/")
            .unwrap();
        if validated >= vms && status.due == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "not validated in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: Vec<String> = sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .take(changes)
        .cloned()
        .collect();
    let mut latencies = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let key = format!("p/{id}");
        let before = store
            .read()
            .unwrap()
            .get::<Vm>(&key)
            .unwrap()
            .unwrap()
            .revision;
        let mut set = serde_json::Map::new();
        set.insert(
            "description".into(),
            json!(format!("changed by the bench, {i}")),
        );
        let started = Instant::now();
        sim.update("vms", id, set, Some(35)).unwrap();
        loop {
            let r = store.read().unwrap();
            let vm = r.get::<Vm>(&key).unwrap().unwrap().revision;
            let done = vm > before
                && r.get::<VmConcerns>(&key)
                    .unwrap()
                    .is_some_and(|c| c.value.revision_validated == vm);
            if done {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "VM {id} never revalidated"
            );
            drop(r);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    running.stop().await;
    latencies
}
