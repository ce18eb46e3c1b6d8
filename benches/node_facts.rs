//! Node facts figures: a cold collection of every section (a new cache, all sections at
//! once, as at start-up), each section's own time, and a cached answer served over the
//! local socket. Prints one JSON object per figure.
//!
//! Run with `cargo bench --bench node_facts`.

// A test or bench crate sees every dependency of the package, and unwraps where a failure
// should stop it loudly, and its helpers are pub for its own modules: the library's lints
// on these do not apply here.
#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use vmyard::config::watch::LiveConfig;
use vmyard::node::{Facts, Section, Sources};

fn figure(name: &str, value: f64, unit: &str, params: serde_json::Value) {
    println!(
        "{}",
        serde_json::json!({"name": name, "value": value, "unit": unit, "params": params})
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    vmyard::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Cold: a new cache each run, every section collected at once.
        let runs = 7;
        let mut walls = Vec::new();
        let mut per_section: Vec<(Section, Vec<f64>)> =
            Section::ALL.iter().map(|s| (*s, Vec::new())).collect();
        let mut items = 0;
        for _ in 0..runs {
            let facts = Facts::new(
                LiveConfig::new(Default::default(), None),
                Sources::default(),
                8443,
            );
            let started = Instant::now();
            let snaps = futures_util::future::join_all(
                Section::ALL.iter().map(|s| facts.collect(*s)),
            )
            .await;
            walls.push(started.elapsed().as_secs_f64() * 1000.0);
            items = 0;
            for (snap, (_, times)) in snaps.into_iter().zip(per_section.iter_mut()) {
                let snap = snap.unwrap();
                items += snap.items.len();
                times.push(snap.took.as_secs_f64() * 1000.0);
            }
        }
        figure(
            "node_facts_cold_all_sections",
            median(walls),
            "ms",
            serde_json::json!({"runs": runs, "items": items, "target_ms": 250,
                "note": "new cache, all sections concurrently; the OS page cache is warm after the first run"}),
        );
        for (section, times) in per_section {
            figure(
                "node_facts_cold_section",
                median(times),
                "ms",
                serde_json::json!({"section": section.path(), "runs": runs}),
            );
        }

        // Cached: the largest section through the whole server, over the local socket.
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nsocket = \"{}\"\n[storage]\ndata_dir = \"{}\"\n",
            dir.path().join("vmyard.sock").display(),
            dir.path().join("data").display()
        );
        let config = vmyard::config::load_str(&config, dir.path()).unwrap();
        let running = vmyard::service::start(LiveConfig::new(config, None), false)
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .unix_socket(running.socket.clone().unwrap())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        for section in ["package", "property"] {
            let url = format!("http://localhost/api/node/name/_/system/{section}");
            let first = client.get(&url).send().await.unwrap().bytes().await.unwrap();
            let mut times = Vec::new();
            for _ in 0..300 {
                let started = Instant::now();
                let body = client.get(&url).send().await.unwrap().bytes().await.unwrap();
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(body.len(), first.len());
            }
            figure(
                "node_facts_cached_answer_median",
                median(times.clone()),
                "ms",
                serde_json::json!({"section": section, "bytes": first.len(), "requests": times.len(), "target_ms": 2, "via": "unix socket, HTTP/1.1"}),
            );
            figure(
                "node_facts_cached_answer_p99",
                percentile(times, 0.99),
                "ms",
                serde_json::json!({"section": section, "requests": 300}),
            );
        }
        running.stop().await;
    });
}
