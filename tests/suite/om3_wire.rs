//! om3's own paths answer in om3's types, field for field: the schemas of om3's
//! `daemon/api/api.yaml` (as node.md writes them down), where every field is required. And
//! om3 clients may authenticate as om3's do, with HTTP basic auth, on the node API only.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// JSON types of om3's schema fields.
#[derive(Debug, Clone, Copy)]
enum T {
    Str,
    Int,
    Bool,
    /// `Property.value`: string, number or boolean.
    Scalar,
    Regions,
}

/// An om3 schema: each field and its JSON type.
type Schema = &'static [(&'static str, T)];

/// Each om3 section, its list kind, and its item schema (node.md, "om3's wire types").
const SCHEMAS: &[(&str, &str, Schema)] = &[
    (
        "disk",
        "Disk",
        &[
            ("id", T::Str),
            ("devpath", T::Str),
            ("vendor", T::Str),
            ("model", T::Str),
            ("type", T::Str),
            ("size", T::Int),
            ("regions", T::Regions),
        ],
    ),
    ("group", "Group", &[("id", T::Int), ("name", T::Str)]),
    ("user", "User", &[("id", T::Int), ("name", T::Str)]),
    (
        "hardware",
        "Hardware",
        &[
            ("path", T::Str),
            ("description", T::Str),
            ("class", T::Str),
            ("driver", T::Str),
            ("type", T::Str),
        ],
    ),
    (
        "ipaddress",
        "IPAddress",
        &[
            ("mac", T::Str),
            ("address", T::Str),
            ("intf", T::Str),
            ("mask", T::Str),
            ("type", T::Str),
            ("flagdeprecated", T::Bool),
        ],
    ),
    (
        "package",
        "Package",
        &[
            ("name", T::Str),
            ("version", T::Str),
            ("arch", T::Str),
            ("type", T::Str),
            ("sig", T::Str),
            ("installedat", T::Str),
        ],
    ),
    (
        "property",
        "Property",
        &[
            ("name", T::Str),
            ("title", T::Str),
            ("source", T::Str),
            ("error", T::Str),
            ("value", T::Scalar),
        ],
    ),
];

const REGION: &[(&str, T)] = &[
    ("id", T::Str),
    ("devpath", T::Str),
    ("object", T::Str),
    ("group", T::Str),
    ("size", T::Int),
];

fn check(place: &str, data: &Value, schema: &[(&str, T)]) {
    let keys: std::collections::BTreeSet<&str> = data
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let want: std::collections::BTreeSet<&str> = schema.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, want, "{place}: fields differ from om3's schema");
    for (field, t) in schema {
        let v = &data[*field];
        let ok = match t {
            T::Str => v.is_string(),
            T::Int => v.is_u64() || v.is_i64(),
            T::Bool => v.is_boolean(),
            T::Scalar => v.is_string() || v.is_number() || v.is_boolean(),
            T::Regions => {
                for (i, r) in v.as_array().unwrap().iter().enumerate() {
                    check(&format!("{place}.regions[{i}]"), r, REGION);
                }
                v.is_array()
            }
        };
        assert!(ok, "{place}.{field} is {v}, om3 wants {t:?}");
    }
}

async fn get(s: &TestServer, token: &str, path: &str) -> (StatusCode, String, Value) {
    let r = s
        .client()
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn om3_paths_answer_in_om3_types() {
    let s = TestServer::start().await;
    let viewer = s.token("viewer").await;
    for (section, kind, schema) in SCHEMAS {
        let (status, ct, body) =
            get(&s, &viewer, &format!("/api/node/name/_/system/{section}")).await;
        assert_eq!(status, StatusCode::OK, "{section}: {body}");
        assert_eq!(ct, "application/json");
        assert_eq!(body["kind"], format!("{kind}List"));
        let items = body["items"].as_array().unwrap();
        for (i, item) in items.iter().enumerate() {
            assert_eq!(item["kind"], format!("{kind}Item"), "{section}[{i}]");
            assert!(item["meta"]["node"].is_string(), "{section}[{i}]");
            check(&format!("{section}[{i}]"), &item["data"], schema);
        }
        if matches!(*section, "property" | "package" | "user" | "group") {
            assert!(
                !items.is_empty(),
                "{section} lists something on any machine"
            );
        }
    }

    // Units: om3's on om3's path, exact on vmyard's.
    let prop = |body: &Value, name: &str| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["data"]["name"] == name)
            .map(|i| i["data"]["value"].clone())
            .unwrap()
    };
    let (_, _, om3) = get(&s, &viewer, "/api/node/name/_/system/property").await;
    let (_, _, ours) = get(&s, &viewer, "/api/v1/node/name/_/system/property").await;
    let bytes = prop(&ours, "mem_bytes")
        .as_u64()
        .expect("this machine's memory is known");
    assert_eq!(prop(&om3, "mem_bytes").as_u64(), Some(bytes / 1024 / 1024));
    let tz = prop(&om3, "tz");
    let tz = tz.as_str().unwrap();
    assert!(
        tz.is_empty()
            || (tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && &tz[3..4] == ":"),
        "tz is an offset like +01:00: {tz}"
    );
    if let Some(zone) = prop(&ours, "tz").as_str() {
        assert!(!tz.is_empty(), "a known zone ({zone}) has an offset");
    }
    // vmyard's path keeps numbers as numbers.
    let (_, _, addrs) = get(&s, &viewer, "/api/v1/node/name/_/system/ipaddress").await;
    assert!(addrs["items"][0]["data"]["mask"].is_u64(), "{addrs}");

    // SAN paths: bare SANPath items on om3's path, wrapped on vmyard's.
    let (status, _, san) = get(&s, &viewer, "/api/node/name/_/system/san/path").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(san["kind"], "SANPathList");
    for p in san["items"].as_array().unwrap() {
        assert!(p.get("kind").is_none() && p.get("data").is_none(), "{p}");
        for end in ["initiator", "target"] {
            check(end, &p[end], &[("name", T::Str), ("type", T::Str)]);
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn basic_auth_works_on_the_node_api_only_and_is_throttled() {
    let s = TestServer::start().await;
    let c = s.client();
    let basic =
        |path: &str, user: &str, pw: &str| c.get(s.url(path)).basic_auth(user, Some(pw)).send();

    let r = basic("/api/node/name/_/system/user", "viewer", VIEWER_PW)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = basic("/api/v1/node/name/_/system/user", "admin", ADMIN_PW)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Elsewhere a password is no credential.
    let r = basic("/api/v1/providers", "admin", ADMIN_PW).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A wrong password is refused, with the challenge; the login throttle (3 failures in the
    // test config) then locks the user out, even with the right password.
    for _ in 0..3 {
        let r = basic("/api/node/name/_/system/user", "viewer", "wrong")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let challenge = r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["status"], 401);
    }
    let r = basic("/api/node/name/_/system/user", "viewer", VIEWER_PW)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    s.stop().await;
}

async fn cli(s: &TestServer, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(args)
        .arg("--socket")
        .arg(s.running.socket.as_ref().unwrap())
        .env_remove("VMYARD_SERVER")
        .env_remove("VMYARD_TOKEN")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_cli_takes_ox_node_system_forms_and_prints_what_the_api_sends() {
    let s = TestServer::start_with("[node]\nname = \"alpha\"\n").await;
    // om3's aliases, the two-word SAN commands and the older plural forms name the same
    // section: the JSON they print is that section's list.
    for (args, kind) in [
        (&["disk"][..], "DiskList"),
        (&["dsk"], "DiskList"),
        (&["disks"], "DiskList"),
        (&["pkg"], "PackageList"),
        (&["packages"], "PackageList"),
        (&["patches"], "PatchList"),
        (&["addr"], "IPAddressList"),
        (&["prop"], "PropertyList"),
        (&["san", "initiator"], "SANPathInitiatorList"),
        (&["san", "init"], "SANPathInitiatorList"),
        (&["san", "path"], "SANPathList"),
    ] {
        let mut argv = vec!["node", "system"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--node", "alpha", "-o", "json"]);
        let out = cli(&s, &argv).await;
        assert!(
            out.status.success(),
            "{argv:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["kind"], kind, "{argv:?}");
        // The API's own envelope: its timestamp where the API puts it, not re-keyed by node.
        assert!(
            v["collected_at"]
                .as_str()
                .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()),
            "{argv:?}: {v}"
        );
    }
    // Without --node, this node; its items name it.
    let out = cli(&s, &["node", "system", "user", "-o", "json"]).await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["collected_at"].is_string(), "{v}");
    assert_eq!(v["items"][0]["meta"]["node"], "alpha");
    // An unknown section is refused by the parser, naming it.
    let out = cli(&s, &["node", "system", "nosuch"]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand 'nosuch'"));
    s.stop().await;
}
