//! Start-up figures of the built binary: its size, the time from exec until `/healthz`
//! answers, and the resident memory once idle. Prints one JSON object per figure.
//!
//! Run with `cargo bench --bench startup` (release profile). Each start uses a fresh data
//! folder, so the first start includes generating the TLS certificate and creating the store;
//! the later ones open an existing store, which is the common case.

// A test or bench crate sees every dependency of the package, and unwraps where a failure
// should stop it loudly, and its helpers are pub for its own modules: the library's lints
// on these do not apply here.
#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn figure(name: &str, value: f64, unit: &str, params: serde_json::Value) {
    println!(
        "{}",
        serde_json::json!({"name": name, "value": value, "unit": unit, "params": params})
    );
}

fn rss_kib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    vmyard::install_crypto_provider();
    let bin = env!("CARGO_BIN_EXE_vmyard");
    let size = std::fs::metadata(bin).unwrap().len() as f64;
    figure(
        "binary_size",
        size / 1_048_576.0,
        "MiB",
        serde_json::json!({"path": bin}),
    );
    let ldd = Command::new("ldd")
        .arg(bin)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let libs: Vec<&str> = ldd
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    figure(
        "linked_libraries",
        libs.len() as f64,
        "count",
        serde_json::json!({"libs": libs}),
    );

    let dir = tempfile::tempdir().unwrap();
    let client = probe::Probe::new();
    let runs = 5;
    let mut times = Vec::new();
    for run in 0..runs {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let mut child = Command::new(bin)
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .env("VMYARD_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("https://127.0.0.1:{port}/healthz");
        while !client.ok(&url) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the service did not answer"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        times.push(elapsed);
        if run == runs - 1 {
            std::thread::sleep(Duration::from_secs(3));
            figure(
                "idle_rss",
                rss_kib(child.id(), "VmRSS:") / 1024.0,
                "MiB",
                serde_json::json!({"after_idle_s": 3}),
            );
            figure(
                "peak_rss_at_start",
                rss_kib(child.id(), "VmHWM:") / 1024.0,
                "MiB",
                serde_json::json!({}),
            );
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    figure(
        "startup_first",
        times[0],
        "ms",
        serde_json::json!({"note": "new data folder: generates the certificate, creates the store"}),
    );
    let mut rest = times[1..].to_vec();
    rest.sort_by(|a, b| a.partial_cmp(b).unwrap());
    figure(
        "startup_median",
        rest[rest.len() / 2],
        "ms",
        serde_json::json!({"runs": rest.len(), "note": "existing data folder, until /healthz answers"}),
    );
}

/// A tiny blocking probe over reqwest's async client, so the bench needs no extra crate.
mod probe {
    pub struct Probe {
        rt: tokio::runtime::Runtime,
        client: reqwest::Client,
    }
    impl Probe {
        pub fn new() -> Probe {
            Probe {
                rt: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap(),
                client: reqwest::Client::builder()
                    .danger_accept_invalid_certs(true)
                    .timeout(std::time::Duration::from_millis(500))
                    .build()
                    .unwrap(),
            }
        }

        pub fn ok(&self, url: &str) -> bool {
            self.rt.block_on(async {
                self.client
                    .get(url)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false)
            })
        }
    }
}
