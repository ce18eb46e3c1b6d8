//! Every long-lived loop beats: `/readyz` lists the collector of each engine, the validator,
//! the machine controller and the session sweeper, and none of them is stalled.

use crate::common;

use std::time::Duration;

use common::*;
use vmyard::sim::Source;

#[tokio::test]
async fn readyz_follows_every_loop() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    let readyz = || async {
        serde_json::from_str::<serde_json::Value>(&s.get_text("/readyz").await).unwrap()
    };
    let loops_of = |r: &serde_json::Value| -> Vec<String> {
        r["loops"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect()
    };
    let wanted = [
        "collector e1",
        "validation",
        "machine controller",
        "session-sweeper",
    ];
    let all_beat = eventually(Duration::from_secs(20), || async {
        let loops = loops_of(&readyz().await);
        wanted.iter().all(|l| loops.iter().any(|x| x == l))
    })
    .await;
    let last = readyz().await;
    assert!(all_beat, "{last}");
    assert_eq!(last["ready"], true, "{last}");
    assert_eq!(last["stalled_loops"], serde_json::json!([]), "{last}");
    s.stop().await;
}

/// A collector stuck on the store (another writer holds the only write transaction) stops
/// beating: within its allowance `/readyz` names it and says not ready, and once the store
/// is free again it beats and the service is ready. The runtime has worker threads to
/// spare, as the service's has: the stuck collector holds one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wedged_collector_shows_in_readyz_within_its_allowance() {
    let engine = TestEngine::start(Source::Fixtures).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    // Beat allowance: max(refresh, 12 × retry) + 4 × request_timeout = 2.4 s + 4 s.
    let provider = engine.provider(dir.path(), "e1") + "request_timeout = \"1s\"\n";
    write_private(&path, &config_text(dir.path(), &provider));
    let s = TestServer::start_in(dir, path).await;
    wait_parity(&s, "e1", 0).await;
    let readyz = || async {
        serde_json::from_str::<serde_json::Value>(&s.get_text("/readyz").await).unwrap()
    };
    assert!(
        eventually(Duration::from_secs(20), || async {
            readyz().await["ready"] == true
        })
        .await
    );

    // Hold the store's write transaction on a thread of its own, and change the engine so
    // that the collector has something to write.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (taken, is_taken) = std::sync::mpsc::channel::<()>();
    let store = s.running.state.store.clone();
    let holder = std::thread::spawn(move || {
        let txn = store.write().unwrap();
        taken.send(()).unwrap();
        let _ = held.recv();
        drop(txn);
    });
    is_taken.recv().unwrap();
    let vm = {
        let r = s.running.state.store.read().unwrap();
        let vms = r.list::<vmyard::inventory::model::Vm>().unwrap();
        vmyard::inventory::engine_id(&vms[0].0).to_string()
    };
    assert!(
        engine
            .control(
                "update",
                serde_json::json!({"collection": "vms", "id": vm, "set": {"description": "wedge"}}),
            )
            .await
            .is_success()
    );
    let seen = eventually(Duration::from_secs(30), || async {
        let r = readyz().await;
        r["ready"] == false
            && r["stalled_loops"]
                .as_array()
                .is_some_and(|l| l.iter().any(|x| x == "collector e1"))
    })
    .await;
    let last = readyz().await;
    release.send(()).unwrap();
    holder.join().unwrap();
    assert!(seen, "the wedged collector never showed: {last}");

    let recovered = eventually(Duration::from_secs(30), || async {
        let r = readyz().await;
        r["ready"] == true && r["stalled_loops"] == serde_json::json!([])
    })
    .await;
    assert!(recovered, "{}", readyz().await);
    s.stop().await;
}
