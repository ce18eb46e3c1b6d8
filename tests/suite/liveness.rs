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
