//! Inventory figures against the simulated engine, printed as JSON lines
//! (`{"name", "value", "unit", "params"}`):
//! initial load to parity (wall, peak RSS) for 10k and 50k VMs, a burst of 10,000 VM
//! update events, restart until the API answers from the store, an API page of 100 VMs
//! under 64 concurrent clients, and the VM list page.
//!
//! `cargo bench --bench inventory` (set `VMYARD_BENCH_SIZES=10000` to skip the 50k run).
//! vmyard runs as its own process, so its memory is measured alone; the simulator runs in
//! this process on the same machine, as quality.md prescribes.

// A test or bench crate sees every dependency of the package, and unwraps where a failure
// should stop it loudly, and its helpers are pub for its own modules: the library's lints
// on these do not apply here.
#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

#[path = "common/bench_config.rs"]
mod bench_config;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use vmyard::sim::{Sim, Source};

fn figure(name: &str, value: f64, unit: &str, params: serde_json::Value) {
    println!(
        "{}",
        json!({"name": name, "value": value, "unit": unit, "params": params})
    );
}

fn hwm_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
        / 1024.0
}

struct Service {
    child: Child,
    socket: std::path::PathBuf,
}

impl Service {
    fn start(dir: &Path) -> Service {
        let child = Command::new(env!("CARGO_BIN_EXE_vmyard"))
            .args([
                "serve",
                "--config",
                dir.join("vmyard.toml").to_str().unwrap(),
            ])
            .env("VMYARD_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Service {
            child,
            socket: dir.join("vmyard.sock"),
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn client(socket: &Path) -> reqwest::Client {
    reqwest::Client::builder()
        .unix_socket(socket.to_path_buf())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn provider_state(c: &reqwest::Client) -> Option<serde_json::Value> {
    let v: serde_json::Value = c
        .get("http://localhost/api/v1/providers/p")
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    Some(v["state"].clone())
}

async fn wait_cursor(c: &reqwest::Client, at_least: u64) {
    loop {
        if let Some(s) = provider_state(c).await
            && s["parity"] == true
            && s["cursor"].as_u64().is_some_and(|x| x >= at_least)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `app;dur=` of an answer's `Server-Timing` header, in ms.
fn server_ms(r: &reqwest::Response) -> f64 {
    r.headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("app;dur="))
        .and_then(|v| v.parse().ok())
        .expect("vmyard tells its server time")
}

async fn run_size(vms: usize, full: bool) {
    let (_stop, shutdown) = vmyard::service::shutdown_pair();
    let t = Instant::now();
    let sim = Sim::new(Source::Generated { vms, seed: 1 });
    let generated = t.elapsed();
    let running = sim
        .clone()
        .serve("127.0.0.1:0".parse().unwrap(), shutdown)
        .await
        .unwrap();
    let password = sim.state.lock().unwrap().credentials.1.clone();
    let dir = tempfile::tempdir().unwrap();
    bench_config::write_config(
        dir.path(),
        &running.api_url(),
        &running.cert_pem,
        &password,
        "100ms",
    );
    let params = json!({"vms": vms, "generate_s": generated.as_secs_f64()});

    let started = Instant::now();
    let svc = Service::start(dir.path());
    let c = client(&svc.socket);
    wait_cursor(&c, 0).await;
    figure(
        &format!("initial_load_{}k", vms / 1000),
        started.elapsed().as_secs_f64(),
        "s",
        params.clone(),
    );
    figure(
        &format!("initial_load_{}k_peak_rss", vms / 1000),
        hwm_mib(svc.child.id()),
        "MiB",
        params.clone(),
    );
    if !full {
        svc.stop();
        return;
    }

    // A burst of 10,000 VM update events.
    let ids: Vec<String> = sim
        .state
        .lock()
        .unwrap()
        .objects("vms")
        .unwrap()
        .keys()
        .take(10_000)
        .cloned()
        .collect();
    let burst = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        let mut set = serde_json::Map::new();
        set.insert("description".into(), json!(format!("burst {i}")));
        sim.update("vms", id, set, None).unwrap();
    }
    let last = sim.state.lock().unwrap().next_event - 1;
    wait_cursor(&c, last).await;
    figure(
        "burst_10k_vm_events",
        burst.elapsed().as_secs_f64(),
        "s",
        json!({"events": ids.len(), "vms": vms}),
    );

    // Restart with the store: until the API answers from it.
    svc.stop();
    let restarted = Instant::now();
    let svc = Service::start(dir.path());
    let c = client(&svc.socket);
    loop {
        if let Ok(r) = c
            .get("http://localhost/api/v1/providers/p/vms?per_page=1")
            .send()
            .await
            && r.status().is_success()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    figure(
        "restart_to_first_api_answer",
        restarted.elapsed().as_secs_f64() * 1000.0,
        "ms",
        json!({"vms": vms}),
    );

    // An API page of 100 VMs, 64 concurrent clients, over HTTPS with a token.
    let token: serde_json::Value = c
        .post("http://localhost/api/v1/tokens")
        .json(&json!({"name": "bench", "role": "viewer"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let status: serde_json::Value = c
        .get("http://localhost/api/v1/status")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let https: std::net::SocketAddr = status["listen"].as_str().unwrap().parse().unwrap();
    let https = https.port();
    let url = format!("https://127.0.0.1:{https}/api/v1/providers/p/vms?per_page=100&page=3");
    let web = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (web, url, token) = (web.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = web.get(&url).bearer_auth(&token).send().await.unwrap();
                let _ = r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let load = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = load.elapsed().as_secs_f64();
    all.sort();
    figure(
        "api_page_100_vms_64_clients_throughput",
        all.len() as f64 / secs,
        "req/s",
        json!({"vms": vms, "requests": all.len()}),
    );
    figure(
        "api_page_100_vms_64_clients_p99",
        all[all.len() * 99 / 100].as_secs_f64() * 1000.0,
        "ms",
        json!({"vms": vms}),
    );

    // The VM list page (HTML, 100 rows), one client, median of 50.
    let mut times = Vec::new();
    let mut server = Vec::new();
    let page_url = format!("https://127.0.0.1:{https}/inventory/p/vms?page=5");
    for _ in 0..50 {
        let t = Instant::now();
        let r = web.get(&page_url).bearer_auth(&token).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        server.push(server_ms(&r));
        let _ = r.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    server.sort_by(f64::total_cmp);
    figure(
        "vm_list_page_100_rows_server_time",
        server[server.len() / 2],
        "ms",
        json!({"vms": vms, "note": "median of the Server-Timing vmyard reports: guard, query and rendering"}),
    );
    figure(
        "vm_list_page_100_rows",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        "ms",
        json!({"vms": vms, "note": "median round trip over loopback HTTPS, includes TLS and transfer"}),
    );
    svc.stop();
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    vmyard::install_crypto_provider();
    let sizes: Vec<usize> = std::env::var("VMYARD_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 50_000]);
    for (i, vms) in sizes.iter().enumerate() {
        run_size(*vms, i == 0).await;
    }
}
