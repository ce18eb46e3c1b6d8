//! Every long-lived loop beats: `/readyz` lists the collector of each engine and their
//! supervisor, the validator, the machine controller, the session sweeper, both file
//! watchers and every node-facts loop, and none of them is stalled.

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
        "collector supervisor",
        "validation",
        "machine controller",
        "session-sweeper",
        "config watcher",
        "rules watcher",
        "node facts property",
        "node facts package",
        "node facts san/path",
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

/// A node-facts loop whose source never answers (a FIFO where `/etc/passwd` should be:
/// the read blocks) stops beating: within its allowance (interval + twice the collection
/// timeout) the liveness names it, and the other loops go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wedged_node_facts_loop_is_named_within_its_allowance() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    let passwd = root.path().join("etc/passwd");
    let made = std::process::Command::new("mkfifo")
        .arg(&passwd)
        .status()
        .unwrap();
    assert!(made.success());
    let config = vmyard::config::load_str(
        "[node]\ncollect_timeout = \"1s\"\n[node.refresh]\nuser = \"1s\"\ngroup = \"1s\"\n",
        root.path(),
    )
    .unwrap();
    let live = vmyard::config::watch::LiveConfig::new(config, None);
    let facts = vmyard::node::Facts::new(live, vmyard::node::Sources::at(root.path()), 8443);
    let (trigger, shutdown) = vmyard::service::shutdown_pair();
    let liveness = shutdown.liveness();
    facts.spawn(shutdown.clone());
    let named = eventually(Duration::from_secs(15), || async {
        liveness.stalled() == ["node facts user"]
    })
    .await;
    assert!(named, "stalled: {:?}", liveness.stalled());
    assert!(liveness.loops().contains(&"node facts group".to_string()));

    // Unblock the read (a writer opens and closes the FIFO), then stop: every loop ends.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&passwd)
        .unwrap();
    trigger.fire();
    let left = shutdown.tasks().wait(Duration::from_secs(10)).await;
    assert!(left.is_ok(), "{left:?}");
}
