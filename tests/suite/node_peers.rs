//! Two vmyard servers on loopback as peers of each other: forwarding one hop with the
//! caller's identity, the CLI across both, and a peer that is down or slow.

use crate::common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn get(s: &TestServer, token: &str, path: &str) -> (StatusCode, Value) {
    let r = s
        .client()
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// Makes `from` a peer client of `to`: a token of `to` with `role`, in a file beside
/// `from`'s config, and `to`'s certificate as the CA.
async fn peer_entry(
    from: &TestServer,
    to: &TestServer,
    name: &str,
    role: &str,
    extra: &str,
) -> String {
    let token = to.token(role).await;
    let token_file = from.dir.path().join(format!("{name}.token"));
    write_private(&token_file, &token);
    let ca = from.dir.path().join(format!("{name}-ca.pem"));
    std::fs::write(&ca, to.cert_pem()).unwrap();
    format!(
        "[[peers]]\nname = \"{name}\"\nurl = \"{}\"\ntoken_file = \"{}\"\nca_file = \"{}\"\ntimeout = \"2s\"\n{extra}\n",
        to.base,
        token_file.display(),
        ca.display()
    )
}

fn add_to_config(s: &TestServer, text: &str) {
    let old = std::fs::read_to_string(&s.config_path).unwrap();
    write_private(&s.config_path, &format!("{old}\n{text}"));
}

/// Runs the CLI without blocking the runtime the servers run on.
async fn vmyard_cli(s: &TestServer, args: &[&str]) -> std::process::Output {
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
async fn peers_answer_for_each_other_one_hop_with_the_callers_identity() {
    let a =
        TestServer::start_with("[node]\nname = \"alpha\"\nlabels = { role = \"mgmt\" }\n").await;
    let b =
        TestServer::start_with("[node]\nname = \"beta\"\nlabels = { role = \"backup\" }\n").await;
    // alpha holds an admin token of beta; beta holds only a viewer token of alpha.
    let to_beta = peer_entry(&a, &b, "beta", "admin", "labels = { site = \"lyon\" }").await;
    let to_alpha = peer_entry(&b, &a, "alpha", "viewer", "").await;
    // A slow peer: it accepts connections and never answers.
    let slow = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let slow_entry = format!(
        "[[peers]]\nname = \"gamma\"\nurl = \"https://{}\"\ntoken = \"t\"\ninsecure = true\ntimeout = \"300ms\"\n",
        slow.local_addr().unwrap()
    );
    add_to_config(&a, &format!("{to_beta}\n{slow_entry}"));
    add_to_config(&b, &to_alpha);
    let a_viewer = a.token("viewer").await;
    let a_admin = a.token("admin").await;
    let b_admin = b.token("admin").await;
    let reached = eventually(Duration::from_secs(10), || async {
        let (_, nodes) = get(&a, &a_viewer, "/api/v1/nodes").await;
        let (_, back) = get(&b, &b_admin, "/api/v1/nodes").await;
        nodes[1]["reachable"] == true && back[1]["reachable"] == true
    })
    .await;
    assert!(
        reached,
        "the peers should reach each other once the config applies"
    );

    // A section of beta, asked of alpha, is beta's own.
    let (status, body) = get(&a, &a_viewer, "/api/node/name/beta/system/property").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "PropertyList");
    assert_eq!(body["items"][0]["meta"]["node"], "beta");
    assert_eq!(body["items"][0]["data"]["value"], "beta");
    let (_, back) = get(&b, &b_admin, "/api/v1/node/name/alpha/system/user").await;
    assert_eq!(back["items"][0]["meta"]["node"], "alpha");

    // The caller's identity travels; the role is the lower of the caller's and the token's.
    let (_, info) = get(&a, &a_viewer, "/api/v1/nodes/beta").await;
    assert_eq!(info["name"], "beta");
    assert_eq!(info["caller"]["name"], "test-viewer");
    assert_eq!(
        info["caller"]["role"], "viewer",
        "a viewer stays a viewer on the peer"
    );
    assert_eq!(info["caller"]["forwarded_by"], "alpha");
    let (_, info) = get(&a, &a_admin, "/api/v1/nodes/beta").await;
    assert_eq!(info["caller"]["role"], "admin");
    let (_, info) = get(&b, &b_admin, "/api/v1/nodes/alpha").await;
    assert_eq!(
        info["caller"]["role"], "viewer",
        "beta's token of alpha is a viewer's: an admin of beta is a viewer on alpha"
    );

    // The pages: the node list, a peer's summary, a section searched and sorted.
    let page = |path: &'static str| {
        let c = a.client();
        let url = a.url(path);
        let token = a_viewer.clone();
        async move {
            let r = c.get(url).bearer_auth(token).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = page("/nodes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/nodes/beta\"") && html.contains("alpha"),
        "{html}"
    );
    assert!(html.contains("unreachable"), "gamma shows as unreachable");
    let (status, html) = page("/nodes/beta").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Memory") && html.contains("<svg"),
        "charts: {html}"
    );
    // What Cockpit's overview shows, from the peer: memory in use, load, uptime, updates.
    for fact in [
        "<dt>Memory</dt><dd>",
        "<dt>Load (1, 5, 15 min)</dt><dd>",
        "<dt>Up</dt><dd>",
        "<dt>Pending updates</dt><dd>",
    ] {
        assert!(html.contains(fact), "{fact}: {html}");
    }
    assert!(html.contains(" used of "), "{html}");
    let (status, html) = page("/nodes/beta/system/user?q=root").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>root</td>"), "{html}");
    assert!(!html.contains("<td>daemon</td>"), "the search filters rows");
    let (_, html) = page("/nodes/alpha/system/user?sort=id&desc=true").await;
    let users = std::fs::read_to_string("/etc/passwd").unwrap();
    let top = users
        .lines()
        .filter_map(|l| l.split(':').nth(2)?.parse::<u64>().ok())
        .max()
        .unwrap();
    let first_cell = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</td>")
        .next()
        .unwrap();
    assert!(
        first_cell.ends_with(&format!(">{top}")),
        "highest uid first: {first_cell}"
    );
    let (status, _) = page("/nodes/nosuch").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // One hop: a forwarded request may only name the node it reached.
    let token_of_beta = std::fs::read_to_string(a.dir.path().join("beta.token")).unwrap();
    let r = b
        .client()
        .get(b.url("/api/node/name/alpha/system/disk"))
        .bearer_auth(token_of_beta.trim())
        .header("x-vmyard-forwarded-by", "alpha")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("for itself only"),
        "{p}"
    );

    // The node list: this node first, labels reported and configured.
    let (_, nodes) = get(&a, &a_viewer, "/api/v1/nodes").await;
    assert_eq!(nodes[0]["name"], "alpha");
    assert_eq!(nodes[0]["local"], true);
    assert_eq!(nodes[1]["labels"]["role"], "backup");
    assert_eq!(nodes[1]["labels"]["site"], "lyon");
    assert_eq!(nodes[2]["name"], "gamma");
    assert_eq!(nodes[2]["reachable"], false);

    // The CLI across both nodes, over alpha's socket.
    let out = vmyard_cli(&a, &["node", "system", "user", "--node", "alpha,beta"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header = text.lines().next().unwrap();
    assert!(
        header.trim_start().starts_with("NODE"),
        "NODE first: {header}"
    );
    for node in ["alpha", "beta"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(node) && l.contains("root")),
            "{node}: {text}"
        );
    }
    let out = vmyard_cli(
        &a,
        &[
            "node",
            "system",
            "package",
            "--node",
            "role=backup",
            "-o",
            "json",
        ],
    )
    .await;
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "PackageList");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["meta"]["node"] == "beta")
    );
    let out = vmyard_cli(&a, &["node", "ls"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("alpha") && text.contains("beta") && text.contains("gamma"),
        "{text}"
    );
    for bad in ["nosuch", "alpha,,beta", "role=", "web["] {
        let out = vmyard_cli(&a, &["node", "system", "disk", "--node", bad]).await;
        assert!(!out.status.success(), "--node {bad} should fail");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--node"),
            "{bad}"
        );
    }

    // A slow peer is an error for that node only, within its timeout.
    let started = std::time::Instant::now();
    let (status, p) = get(&a, &a_viewer, "/api/node/name/gamma/system/disk").await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("gamma"), "{p}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let out = vmyard_cli(&a, &["node", "system", "user", "--node", "*"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "a failed node makes the command fail"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("alpha") && l.contains("root")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("gamma") && l.contains("error:")),
        "{text}"
    );

    // A peer that is down: an error for that node only.
    b.stop().await;
    let (status, p) = get(&a, &a_viewer, "/api/node/name/beta/system/disk").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("beta"), "{p}");
    let (status, _) = get(&a, &a_viewer, "/api/node/name/alpha/system/disk").await;
    assert_eq!(status, StatusCode::OK);
    let (_, nodes) = get(&a, &a_viewer, "/api/v1/nodes").await;
    assert_eq!(nodes[1]["reachable"], false);
    assert!(nodes[1]["error"].as_str().unwrap().contains("beta"));
    assert_eq!(
        nodes[1]["labels"]["site"], "lyon",
        "configured labels stay while it is down"
    );
    drop(slow);
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_peers_asked_by_several_callers_open_a_bounded_number_of_sockets() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Every peer is this one address: it accepts connections, counts those open at once,
    // and never answers.
    let hole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = hole.local_addr().unwrap();
    let (open, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let counter = {
        let (open, most) = (open.clone(), most.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = hole.accept().await else {
                    return;
                };
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let open = open.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    while tokio::io::AsyncReadExt::read(&mut conn, &mut buf)
                        .await
                        .is_ok_and(|n| n > 0)
                    {}
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        })
    };
    const PEERS: usize = 1000;
    let entries: String = (0..PEERS)
        .map(|i| {
            format!(
                "[[peers]]\nname = \"p{i}\"\nurl = \"https://{addr}\"\ntoken = \"t\"\ninsecure = true\ntimeout = \"500ms\"\n"
            )
        })
        .collect();
    let s = TestServer::start_with(&entries).await;
    let token = s.token("viewer").await;
    let calls = (0..4).map(|_| get(&s, &token, "/api/v1/nodes"));
    let answers = futures_util::future::join_all(calls).await;
    for (status, nodes) in answers {
        assert_eq!(status, StatusCode::OK);
        let nodes = nodes.as_array().unwrap();
        // Every peer is listed, none reachable, each with the reason.
        assert_eq!(nodes.len(), PEERS + 1);
        assert!(
            nodes[1..]
                .iter()
                .all(|n| n["reachable"] == false && n["error"].is_string())
        );
    }
    // The listener notices a close only when its reader next runs, so a few closed
    // sockets may still count; unbounded, four callers opened one per peer each.
    let most = most.load(Ordering::SeqCst);
    assert!(
        most <= 2 * vmyard::node::peers::CONCURRENT,
        "{most} sockets open at once"
    );
    assert!(most > 0);
    counter.abort();
    s.stop().await;
}
