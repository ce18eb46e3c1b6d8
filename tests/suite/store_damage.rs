//! A damaged store is refused at start with one line, left as it is, and the operator's
//! `vmyard store check` / `recover` decide what happens to it.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::*;

async fn vmyard(args: &[&str]) -> std::process::Output {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(args)
        .env_remove("VMYARD_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("vmyard exits instead of serving a damaged store")
        .unwrap()
}

/// A store with some records, written and closed.
fn real_store(data: &Path) {
    let store = vmyard::store::Store::open(data).unwrap();
    let mut w = store.write().unwrap();
    for i in 0..3000 {
        w.upsert(
            &format!("p/{i:05}"),
            &vmyard::inventory::model::DataCenter {
                id: format!("{i:05}"),
                name: format!("data center {i}"),
                description: "a data center with a description long enough to fill pages".into(),
                status: "up".into(),
            },
        )
        .unwrap();
    }
    w.commit().unwrap();
}

fn damage(kind: &str, file: &Path) {
    match kind {
        "empty" => std::fs::write(file, b"").unwrap(),
        "garbage" => std::fs::write(file, vec![0x5a_u8; 256 * 1024]).unwrap(),
        "bytes in the middle" => {
            let mut bytes = std::fs::read(file).unwrap();
            let n = bytes.len();
            let mut x: u32 = 0x2545_f491;
            for b in &mut bytes[n / 3..n / 3 + 32 * 1024] {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = x as u8;
            }
            std::fs::write(file, bytes).unwrap();
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn each_kind_of_damage_is_refused_then_recovered_by_the_operator() {
    for kind in ["empty", "garbage", "bytes in the middle"] {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("vmyard.toml");
        write_private(&config, &config_text(dir.path(), ""));
        let data = dir.path().join("data");
        real_store(&data);
        let file = data.join(vmyard::store::FILE_NAME);
        damage(kind, &file);
        let damaged = std::fs::read(&file).unwrap();
        let config = config.to_str().unwrap();

        let out = vmyard(&["serve", "--config", config]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{kind}: serve must refuse: {stderr}");
        let refusal: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("is corrupt"))
            .collect();
        assert_eq!(refusal.len(), 1, "{kind}: one line says why: {stderr}");
        assert!(
            refusal[0].contains("vmyard store recover"),
            "{}",
            refusal[0]
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            damaged,
            "{kind}: left as it is"
        );

        let out = vmyard(&["store", "check", "--config", config]).await;
        assert!(!out.status.success(), "{kind}: check fails");
        assert!(String::from_utf8_lossy(&out.stderr).contains("is corrupt"));

        let out = vmyard(&["store", "recover", "--config", config]).await;
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!file.exists(), "{kind}: moved aside");
        let aside: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
            .collect();
        assert_eq!(aside.len(), 1, "{kind}");
        assert_eq!(
            std::fs::read(aside[0].path()).unwrap(),
            damaged,
            "{kind}: kept whole"
        );

        let out = vmyard(&["store", "check", "--config", config]).await;
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("no store yet"));
    }
}
