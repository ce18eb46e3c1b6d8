//! A full disk: the data folder is a small tmpfs, filled while vmyard runs. While the store
//! cannot be written, nothing may claim to be current: `/readyz` says not ready, the
//! provider loses its parity and names the store's fault, `/metrics` and every page say so.
//! Once there is room again the store reopens itself, the collector lists the engine again,
//! and what the engine changed meanwhile arrives. Needs root (the tmpfs mount), as CI has.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{self, TestEngine, TestServer, eventually, wait_parity};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "this test mounts a tmpfs, which needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros into `path` until the filesystem refuses more, to the last page.
fn fill(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    for chunk in [1 << 20, 4096] {
        let zeros = vec![0u8; chunk];
        while f.write_all(&zeros).is_ok() {}
    }
    let _ = f.sync_all();
}

async fn json_of(s: &TestServer, path: &str) -> Value {
    serde_json::from_str(&s.get_text(path).await).unwrap()
}

#[tokio::test]
async fn a_full_disk_shows_everywhere_and_the_store_reopens_when_there_is_room() {
    let engine = TestEngine::start(vmyard::sim::Source::Fixtures).await;
    let (dir, config) = common::engine_config(&engine);
    let data = dir.path().join("data");
    let tmpfs = Tmpfs::mount(&data, "24m");
    let s = TestServer::start_in(dir, config).await;
    wait_parity(&s, "e1", 0).await;
    let vm = first_vm(&s);
    assert_eq!(json_of(&s, "/readyz").await["store_writable"], true);

    let filler = data.join("filler");
    fill(&filler);
    // Changes the engine makes now cannot be kept: each one grows the VM, so the store's
    // file must grow to take it.
    let mut n = 0;
    let (engine_ref, server) = (&engine, &s);
    let faulted = eventually(Duration::from_secs(30), || {
        n += 1;
        let description = format!("{n}-{}", "x".repeat(256 * 1024));
        let (engine, s) = (engine_ref, server);
        let vm = vm.clone();
        async move {
            engine
                .control(
                    "update",
                    json!({"collection": "vms", "id": vm, "set": {"description": description}}),
                )
                .await;
            s.running.state.store.write_fault().is_some()
        }
    })
    .await;
    assert!(faulted, "the store never failed a write on a full tmpfs");

    // Health tells the truth.
    let ready = s
        .socket_client()
        .get("http://localhost/readyz")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["store_writable"], false, "{ready}");
    let why = ready["store_error"].as_str().unwrap();
    assert!(why.contains("No space left on device"), "{why}");

    // The provider is not at parity and names the store.
    let p = json_of(&s, "/api/v1/providers/e1").await;
    assert_eq!(p["state"]["parity"], false, "{p}");
    let message = p["state"]["error"]["message"].as_str().unwrap();
    assert!(message.contains("the store cannot be written"), "{message}");
    let metrics = s.get_text("/metrics").await;
    assert!(metrics.contains("vmyard_store_writable 0"), "{metrics}");
    assert!(
        metrics.contains("vmyard_collector_parity{provider=\"e1\"} 0"),
        "{metrics}"
    );
    let failures = figure(&metrics, "vmyard_store_write_failures_total");
    assert!(failures >= 1.0, "{metrics}");
    // Every page carries the banner.
    for page in ["/", "/inventory", "/inventory/e1/vms", "/concerns"] {
        let html = s.get_text(page).await;
        assert!(
            html.contains("The store cannot be written"),
            "{page} has no store banner"
        );
    }

    // Room again: the store reopens, the collector lists the engine again, and the last
    // change the engine made while the disk was full is in the store.
    std::fs::remove_file(&filler).unwrap();
    let last = format!("last-{n}");
    assert!(
        engine
            .control(
                "update",
                json!({"collection": "vms", "id": vm, "set": {"description": last}}),
            )
            .await
            .is_success()
    );
    let healed = eventually(Duration::from_secs(60), || async {
        let ready = json_of(&s, "/readyz").await;
        let p = json_of(&s, "/api/v1/providers/e1").await;
        ready["ready"] == true
            && p["state"]["parity"] == true
            && p["state"]["error"].is_null()
            && stored_description(&s, &vm).as_deref() == Some(last.as_str())
    })
    .await;
    assert!(
        healed,
        "not healed: {} {} {:?}",
        json_of(&s, "/readyz").await,
        json_of(&s, "/api/v1/providers/e1").await,
        stored_description(&s, &vm).map(|d| d.len())
    );
    let metrics = s.get_text("/metrics").await;
    assert!(metrics.contains("vmyard_store_writable 1"), "{metrics}");
    assert!(figure(&metrics, "vmyard_store_reopens_total") >= 1.0);
    assert!(
        !s.get_text("/")
            .await
            .contains("The store cannot be written")
    );
    s.stop().await;
    drop(tmpfs);
}

fn first_vm(s: &TestServer) -> String {
    let r = s.running.state.store.read().unwrap();
    let vms = r.list::<vmyard::inventory::model::Vm>().unwrap();
    let (key, _) = vms.first().expect("the fixtures have VMs");
    vmyard::inventory::engine_id(key).to_string()
}

fn stored_description(s: &TestServer, vm: &str) -> Option<String> {
    let r = s.running.state.store.read().ok()?;
    r.get::<vmyard::inventory::model::Vm>(&vmyard::inventory::key("e1", vm))
        .ok()?
        .map(|v| v.value.description)
}

fn figure(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}
