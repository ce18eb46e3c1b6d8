//! The systemd protocol, with a notify socket of our own standing in for systemd: READY once
//! serving, WATCHDOG while the loops beat, STOPPING on SIGTERM; SIGHUP reloads the config.

use crate::common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn receive_until(sock: &UnixDatagram, want: &str, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            let hit = msg.lines().any(|l| l == want);
            seen.push(msg);
            if hit {
                return seen;
            }
        }
    }
    panic!("no {want} within {within:?}; got {seen:?}");
}

#[test]
fn ready_watchdog_stopping_and_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let notify = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&notify).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let cfg = dir.path().join("vmyard.toml");
    write_private(&cfg, &config_text(dir.path(), ""));

    let mut child = Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .env("NOTIFY_SOCKET", &notify)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    receive_until(&sock, "READY=1", Duration::from_secs(10));
    receive_until(&sock, "WATCHDOG=1", Duration::from_secs(3));

    // SIGHUP reloads even an unchanged file; the socket shows the count.
    let before = status_over_socket(dir.path());
    Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while status_over_socket(dir.path()) == before {
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    receive_until(&sock, "STOPPING=1", Duration::from_secs(10));
    assert!(child.wait().unwrap().success());
}

fn status_over_socket(dir: &std::path::Path) -> u64 {
    let out = Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args([
            "status",
            "-o",
            "json",
            "--socket",
            dir.join("vmyard.sock").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    v["config"]["reloads_ok"].as_u64().unwrap_or(0)
}
