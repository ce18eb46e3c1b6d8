//! Node facts: what vmyard reports compared with the system's own tools (`lsblk`,
//! `dpkg-query`, `getent`, `ip`, `/proc`), the om3 envelopes and problem documents, and
//! two servers on loopback as peers of each other.

use crate::common;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// The output of a system tool, or `None` when it is not installed. CI installs them all
/// (`.ci/run`), so there a missing tool fails the test instead of skipping the comparison.
fn tool(cmd: &str, args: &[&str]) -> Option<String> {
    match Command::new(cmd).args(args).output() {
        Ok(o) => {
            assert!(
                o.status.success(),
                "{cmd} {args:?} failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            Some(String::from_utf8(o.stdout).unwrap())
        }
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{cmd} is missing on CI ({e}): .ci/run installs it"
            );
            eprintln!("comparison skipped: {cmd} is not installed here ({e})");
            None
        }
    }
}

async fn get(s: &TestServer, token: &str, path: &str) -> (StatusCode, Value) {
    let r = s
        .client()
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn section(s: &TestServer, token: &str, section: &str) -> Vec<Value> {
    // vmyard's own path: exact units, null for unknown (om3's path is checked in om3_wire.rs).
    let (status, body) = get(s, token, &format!("/api/v1/node/name/_/system/{section}")).await;
    assert_eq!(status, StatusCode::OK, "{section}: {body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["data"].clone())
        .collect()
}

#[tokio::test]
async fn sections_match_the_systems_own_tools() {
    let s = TestServer::start().await;
    let viewer = s.token("viewer").await;

    // Disks: every device lsblk lists at the top is a disk of the same size, and its
    // children (partitions, holders) are regions of it.
    if let Some(out) = tool("lsblk", &["-J", "-b"]) {
        let lsblk: Value = serde_json::from_str(&out).unwrap();
        let disks = section(&s, &viewer, "disk").await;
        for dev in lsblk["blockdevices"].as_array().unwrap() {
            let name = dev["name"].as_str().unwrap();
            let ours = disks
                .iter()
                .find(|d| d["id"] == name)
                .unwrap_or_else(|| panic!("lsblk lists {name}, vmyard does not: {disks:?}"));
            assert_eq!(ours["size"], dev["size"], "size of {name}");
            assert_eq!(ours["devpath"], format!("/dev/{name}"));
            for child in dev["children"].as_array().into_iter().flatten() {
                let cname = child["name"].as_str().unwrap();
                let regions = ours["regions"].as_array().unwrap();
                assert!(
                    regions
                        .iter()
                        .any(|r| r["id"] == cname || r["object"] == cname),
                    "{cname} should be a region of {name}: {regions:?}"
                );
            }
        }
    }

    // Packages: the installed ones, as dpkg-query sees them.
    if let Some(out) = tool(
        "dpkg-query",
        &[
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n",
        ],
    ) {
        let want: BTreeSet<(String, String, String)> = out
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f[3].as_bytes().get(1) == Some(&b'i'))
                    .then(|| (f[0].into(), f[1].into(), f[2].into()))
            })
            .collect();
        let packages = section(&s, &viewer, "package").await;
        let got: BTreeSet<(String, String, String)> = packages
            .iter()
            .filter(|p| p["type"] == "deb")
            .map(|p| {
                assert!(p["installedat"].is_string(), "install time of {p}");
                (
                    p["name"].as_str().unwrap().into(),
                    p["version"].as_str().unwrap().into(),
                    p["arch"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got, want, "packages differ from dpkg-query -W");
        let names: Vec<&str> = packages
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            names.windows(2).all(|w| w[0] <= w[1]),
            "packages are sorted by name"
        );
    }

    // Users and groups: the local files, as getent reads them.
    for (sec, db) in [("user", "passwd"), ("group", "group")] {
        if let Some(out) = tool("getent", &[db]) {
            let want: BTreeSet<(u64, String)> = out
                .lines()
                .map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    (f[2].parse().unwrap(), f[0].to_string())
                })
                .collect();
            let items = section(&s, &viewer, sec).await;
            let got: BTreeSet<(u64, String)> = items
                .iter()
                .map(|u| {
                    (
                        u["id"].as_u64().unwrap(),
                        u["name"].as_str().unwrap().into(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{sec} differs from getent {db}");
            let ids: Vec<u64> = items.iter().map(|u| u["id"].as_u64().unwrap()).collect();
            assert!(ids.windows(2).all(|w| w[0] <= w[1]), "{sec} sorted by id");
        }
    }

    // Addresses: every address of every interface, with its prefix, family, MAC and flags.
    if let Some(out) = tool("ip", &["-j", "addr"]) {
        let ip: Value = serde_json::from_str(&out).unwrap();
        let mut want = BTreeSet::new();
        for link in ip.as_array().unwrap() {
            for a in link["addr_info"].as_array().into_iter().flatten() {
                want.insert((
                    link["ifname"].as_str().unwrap().to_string(),
                    a["local"].as_str().unwrap().to_string(),
                    a["prefixlen"].as_u64().unwrap(),
                    if a["family"] == "inet" {
                        "ipv4"
                    } else {
                        "ipv6"
                    }
                    .to_string(),
                    link["address"].as_str().unwrap_or_default().to_string(),
                    a["deprecated"].as_bool().unwrap_or(false),
                ));
            }
        }
        let got: BTreeSet<_> = section(&s, &viewer, "ipaddress")
            .await
            .iter()
            .map(|a| {
                (
                    a["intf"].as_str().unwrap().to_string(),
                    a["address"].as_str().unwrap().to_string(),
                    a["mask"].as_u64().unwrap(),
                    a["type"].as_str().unwrap().to_string(),
                    a["mac"].as_str().unwrap().to_string(),
                    a["flagdeprecated"].as_bool().unwrap(),
                )
            })
            .collect();
        assert!(!want.is_empty(), "ip lists at least the loopback address");
        assert_eq!(got, want, "addresses differ from ip -j addr");
    }

    // Properties: CPU and memory as /proc tells them, bytes in bytes.
    let props = section(&s, &viewer, "property").await;
    let prop = |n: &str| props.iter().find(|p| p["name"] == n).unwrap()["value"].clone();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
    let threads = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    assert_eq!(prop("cpu_threads"), threads);
    if let Some(model) = cpuinfo.lines().find(|l| l.starts_with("model name")) {
        assert_eq!(prop("cpu_model"), model.split_once(':').unwrap().1.trim());
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kib: u64 = meminfo
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(prop("mem_bytes"), kib * 1024);
    assert_eq!(
        prop("os_kernel"),
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap()
            .trim()
    );
    assert_eq!(props.len(), vmyard::node::property::NAMES.len());
    let names: Vec<&str> = props.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vmyard::node::property::NAMES,
        "properties in their fixed order"
    );
    s.stop().await;
}

#[tokio::test]
async fn envelopes_and_problem_documents_keep_the_om3_shape() {
    let s = TestServer::start_with(
        "[node]\nname = \"alpha\"\n[node.properties]\nloc_city = \"Paris\"\n",
    )
    .await;
    let viewer = s.token("viewer").await;
    let kinds = [
        ("property", "Property"),
        ("asset", "Asset"),
        ("hardware", "Hardware"),
        ("disk", "Disk"),
        ("package", "Package"),
        ("patch", "Patch"),
        ("user", "User"),
        ("group", "Group"),
        ("ipaddress", "IPAddress"),
        ("san/initiator", "SANPathInitiator"),
        ("san/path", "SANPath"),
    ];
    for (sec, kind) in kinds {
        for prefix in ["/api/node", "/api/v1/node"] {
            for name in ["_", "localhost", "alpha"] {
                let (status, body) =
                    get(&s, &viewer, &format!("{prefix}/name/{name}/system/{sec}")).await;
                assert_eq!(status, StatusCode::OK, "{prefix} {name} {sec}: {body}");
                assert_eq!(body["kind"], format!("{kind}List"));
                let at = body["collected_at"].as_str().unwrap();
                assert!(at.parse::<jiff::Timestamp>().is_ok(), "collected_at {at}");
                assert!(body["errors"].is_array());
                for item in body["items"].as_array().unwrap() {
                    assert_eq!(item["kind"], format!("{kind}Item"), "{sec}");
                    assert_eq!(item["meta"]["node"], "alpha");
                    assert!(item["data"].is_object());
                }
            }
        }
    }
    let props = section(&s, &viewer, "property").await;
    let city = props.iter().find(|p| p["name"] == "loc_city").unwrap();
    assert_eq!(
        (&city["value"], &city["source"]),
        (&Value::from("Paris"), &Value::from("config"))
    );
    let asset = section(&s, &viewer, "asset").await;
    assert_eq!(asset.len(), 1);
    assert_eq!(asset[0]["loc_city"], "Paris");
    assert_eq!(asset[0]["nodename"], "alpha");
    assert_eq!(
        asset[0]["users"],
        Value::Null,
        "asset counts only what node.md names"
    );
    assert_eq!(
        asset[0]["packages"].as_u64().unwrap() as usize,
        section(&s, &viewer, "package").await.len()
    );

    // A fresh read is newer than the cached one; the cached one is served as it was.
    let (_, cached) = get(&s, &viewer, "/api/node/name/_/system/user").await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (_, again) = get(&s, &viewer, "/api/node/name/_/system/user").await;
    assert_eq!(
        cached, again,
        "the cache answers the same, in the same order"
    );
    let (_, fresh) = get(&s, &viewer, "/api/node/name/_/system/user?refresh=true").await;
    let t = |v: &Value| {
        v["collected_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
    };
    assert!(t(&fresh) > t(&cached), "refresh=true collects anew");

    // Errors are problem documents.
    let c = s.client();
    for (path, token, status) in [
        ("/api/node/name/_/system/nosuch", Some(&viewer), 404),
        ("/api/node/name/nosuch/system/disk", Some(&viewer), 404),
        (
            "/api/node/name/_/system/disk?refresh=maybe",
            Some(&viewer),
            400,
        ),
        ("/api/node/name/_/system/disk", None, 401),
        ("/api/v1/node/name/_/system/nosuch", Some(&viewer), 404),
        ("/api/v1/node/name/_/system/disk", None, 401),
    ] {
        let mut req = c.get(s.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        // om3 sends its problems as plain JSON; vmyard's own paths as RFC 9457 documents.
        let expected = if path.starts_with("/api/v1/") {
            "application/problem+json"
        } else {
            "application/json"
        };
        assert_eq!(r.headers()["content-type"], expected, "{path}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["status"], status, "{path}: {p}");
        assert!(
            p["title"].is_string() && p["detail"].is_string(),
            "{path}: {p}"
        );
    }
    s.stop().await;
}
