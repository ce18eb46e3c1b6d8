//! Hot reload of a real config file: valid edits apply without a restart, invalid ones are
//! refused, keep the last good config and show everywhere until a valid edit comes.

use crate::common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;

async fn status(s: &TestServer) -> serde_json::Value {
    s.socket_client()
        .get("http://localhost/api/v1/status")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_valid_edit_applies_and_an_invalid_one_is_refused_and_shown() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    let provider = "[[providers]]\nname = \"engine1\"\nurl = \"https://engine.example/ovirt-engine/api\"\nuser = \"admin@internal\"\npassword = \"pw\"\n";

    // A valid edit: a provider appears without a restart, within 2 s.
    write_private(&s.config_path, &format!("{good}{provider}"));
    let applied = eventually(Duration::from_secs(2), || async {
        status(&s).await["providers"] == serde_json::json!(["engine1"])
    })
    .await;
    assert!(applied, "a valid edit must apply within 2 s");

    // An invalid edit: refused, the last good config stays.
    write_private(
        &s.config_path,
        &format!("{good}{provider}\n[server]\nlisten = 8443\n"),
    );
    let refused = eventually(Duration::from_secs(2), || async {
        !status(&s).await["config"]["error"].is_null()
    })
    .await;
    assert!(refused, "the refused edit must show in the API");
    let st = status(&s).await;
    assert_eq!(
        st["providers"],
        serde_json::json!(["engine1"]),
        "the last good config stays in force"
    );
    let msg = st["config"]["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("vmyard.toml:"),
        "the error names the file: {msg}"
    );

    // ... in the metrics ...
    let metrics = s
        .socket_client()
        .get("http://localhost/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_config_reload_error 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vmyard_config_reloads_total{result=\"error\"} 1"),
        "{metrics}"
    );

    // ... and as a banner on every page.
    let c = s.client();
    assert_eq!(s.login(&c, "admin", ADMIN_PW).await, StatusCode::SEE_OTHER);
    for page in [
        "/",
        "/inventory",
        "/concerns",
        "/machines",
        "/nodes",
        "/settings",
    ] {
        let html = c
            .get(s.url(page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Config edit refused"), "no banner on {page}");
    }
    let partial = c
        .get(s.url("/partials/banner"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(partial.contains("Config edit refused"));

    // A valid edit clears it.
    write_private(&s.config_path, &good);
    let cleared = eventually(Duration::from_secs(2), || async {
        let st = status(&s).await;
        st["config"]["error"].is_null() && st["providers"] == serde_json::json!([])
    })
    .await;
    assert!(cleared, "a valid edit must clear the error");
    let html = c
        .get(s.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Config edit refused"));
    let metrics = s
        .socket_client()
        .get("http://localhost/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_config_reload_error 0"),
        "{metrics}"
    );
    s.stop().await;
}

#[tokio::test]
async fn many_invalid_edits_never_replace_the_good_config() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    let bad = [
        "[server\n",
        "[server]\nunknown_key = 1\n",
        "[server]\nsession_ttl = \"forever\"\n",
        "[[users]]\nname = \"x\"\nrole = \"root\"\npassword_hash = \"h\"\n",
        "[[providers]]\nname = \"p\"\nurl = \"ftp://x\"\nuser = \"u\"\npassword = \"p\"\n",
        "[[providers]]\nname = \"p\"\nurl = \"https://x/api\"\nuser = \"u\"\npassword_file = \"/nonexistent/secret\"\n",
        "\u{0}\u{1}binary",
    ];
    for round in 0..3 {
        for b in bad {
            // Appending keeps the good part; each variant breaks the whole file.
            let before = status(&s).await["config"]["reloads_failed"]
                .as_u64()
                .unwrap();
            write_private(&s.config_path, &format!("{good}\n{b}"));
            let refused = eventually(Duration::from_secs(2), || async {
                status(&s).await["config"]["reloads_failed"]
                    .as_u64()
                    .unwrap()
                    > before
            })
            .await;
            let st = status(&s).await;
            assert!(
                refused && !st["config"]["error"].is_null(),
                "round {round}: `{b}` should be refused"
            );
            assert_eq!(
                st["config"]["reloads_ok"], 0,
                "round {round}: `{b}` was applied"
            );
        }
    }
    // Every user of the good config can still log in.
    let c = s.client();
    assert_eq!(
        s.login(&c, "viewer", VIEWER_PW).await,
        StatusCode::SEE_OTHER
    );
    // A config that others can read with an inline secret is refused at reload too.
    let world = format!(
        "{good}[[providers]]\nname = \"p\"\nurl = \"https://x/api\"\nuser = \"u\"\npassword = \"inline\"\n"
    );
    std::fs::write(&s.config_path, &world).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&s.config_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = eventually(Duration::from_secs(2), || async {
        status(&s).await["config"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("readable by other users"))
    })
    .await;
    assert!(refused);
    write_private(&s.config_path, &good);
    assert!(
        eventually(Duration::from_secs(2), || async {
            status(&s).await["config"]["error"].is_null()
        })
        .await
    );
    s.stop().await;
}

#[tokio::test]
async fn restart_only_keys_are_reported() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    write_private(&s.config_path, &good.replace("127.0.0.1:0", "127.0.0.1:1"));
    let flagged = eventually(Duration::from_secs(2), || async {
        status(&s).await["config"]["restart_needed"] == serde_json::json!(["server.listen"])
    })
    .await;
    assert!(
        flagged,
        "a changed listen address must be flagged as needing a restart"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_file_moved_away_and_back_clears_its_error() {
    let s = TestServer::start().await;
    let aside = s.config_path.with_extension("away");
    std::fs::rename(&s.config_path, &aside).unwrap();
    let failed = eventually(Duration::from_secs(5), || async {
        !status(&s).await["config"]["error"].is_null()
    })
    .await;
    assert!(failed, "a missing file is an error: {}", status(&s).await);
    // Back unchanged: the file is the config in force again, and the status follows it.
    std::fs::rename(&aside, &s.config_path).unwrap();
    let cleared = eventually(Duration::from_secs(5), || async {
        status(&s).await["config"]["error"].is_null()
    })
    .await;
    assert!(cleared, "the error must clear: {}", status(&s).await);
    s.stop().await;
}
