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

    // A valid edit clears it (removing the one provider says so: `providers = []`).
    write_private(&s.config_path, &format!("providers = []\n{good}"));
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

/// How many users the config in force has.
fn users(s: &TestServer) -> usize {
    s.running.state.config.current().users.len()
}

/// Waits until the status shows a refused edit whose message contains `needle`.
async fn refused_with(s: &TestServer, needle: &str) -> serde_json::Value {
    let shown = eventually(Duration::from_secs(10), || async {
        status(s).await["config"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(needle))
    })
    .await;
    let st = status(s).await;
    assert!(shown, "a refusal naming `{needle}`: {st}");
    st
}

#[tokio::test]
async fn an_empty_file_is_an_invalid_edit_and_every_user_stays() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    for text in ["", "   \n\n"] {
        write_private(&s.config_path, text);
        let st = refused_with(&s, "sets nothing").await;
        assert_eq!(users(&s), 2, "{st}");
        // Still signed in with the old users.
        let client = s.client();
        assert_eq!(
            s.login(&client, "admin", ADMIN_PW).await,
            StatusCode::SEE_OTHER
        );
        write_private(&s.config_path, &good);
        let cleared = eventually(Duration::from_secs(10), || async {
            status(&s).await["config"]["error"].is_null()
        })
        .await;
        assert!(cleared);
    }
    s.stop().await;
}

#[tokio::test]
async fn removing_every_provider_or_user_needs_the_explicit_empty_list() {
    let engine_less = "[[providers]]\nname = \"engine1\"\nurl = \"https://engine.example/ovirt-engine/api\"\nuser = \"admin@internal\"\npassword = \"pw\"\n";
    let s = TestServer::start_with(engine_less).await;
    let dir = s.dir.path().to_path_buf();
    let without = config_text(&dir, "");
    assert_eq!(
        status(&s).await["providers"],
        serde_json::json!(["engine1"])
    );

    // The providers section is gone: refused, the provider stays.
    write_private(&s.config_path, &without);
    let st = refused_with(&s, "removes every one of the providers (engine1)").await;
    assert_eq!(st["providers"], serde_json::json!(["engine1"]));
    assert!(
        st["config"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("providers = []"),
        "{st}"
    );

    // Said explicitly: applied.
    write_private(&s.config_path, &format!("providers = []\n{without}"));
    let applied = eventually(Duration::from_secs(10), || async {
        let st = status(&s).await;
        st["providers"] == serde_json::json!([]) && st["config"]["error"].is_null()
    })
    .await;
    assert!(applied, "{}", status(&s).await);

    // Every user at once: refused the same way.
    let no_users = format!(
        "providers = []\n[server]\nlisten = \"127.0.0.1:0\"\nsocket = \"{}\"\n\n[storage]\ndata_dir = \"{}\"\n",
        dir.join("vmyard.sock").display(),
        dir.join("data").display()
    );
    write_private(&s.config_path, &no_users);
    let st = refused_with(&s, "removes every one of the users (admin, viewer)").await;
    assert_eq!(users(&s), 2, "{st}");
    s.stop().await;
}

#[tokio::test]
async fn an_error_clears_by_itself_once_its_cause_is_gone() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    let ca = s.dir.path().join("engine-ca.pem");
    let provider = format!(
        "[[providers]]\nname = \"engine1\"\nurl = \"https://engine.example/ovirt-engine/api\"\nuser = \"admin@internal\"\npassword = \"pw\"\nca_file = \"{}\"\n",
        ca.display()
    );
    write_private(&s.config_path, &format!("{good}{provider}"));
    refused_with(&s, "engine-ca.pem").await;
    // The CA appears; nobody touches the config file.
    let cert = rcgen_free_pem();
    std::fs::write(&ca, cert).unwrap();
    let cleared = eventually(Duration::from_secs(10), || async {
        let st = status(&s).await;
        st["config"]["error"].is_null() && st["providers"] == serde_json::json!(["engine1"])
    })
    .await;
    assert!(cleared, "{}", status(&s).await);
    s.stop().await;
}

/// A PEM certificate block, as a CA file holds one (the server's own will do).
fn rcgen_free_pem() -> String {
    let certified = rcgen::generate_simple_self_signed(vec!["engine.example".into()]).unwrap();
    certified.cert.pem()
}

#[tokio::test]
async fn a_fifo_in_place_of_the_config_is_refused_and_later_edits_apply() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    std::fs::remove_file(&s.config_path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&s.config_path)
        .status()
        .unwrap();
    assert!(made.success());
    let st = refused_with(&s, "not a regular file").await;
    assert_eq!(users(&s), 2, "{st}");

    // The watcher is not stuck: a regular file again applies, and the service stops.
    std::fs::remove_file(&s.config_path).unwrap();
    write_private(&s.config_path, &format!("{good}\n# back\n"));
    let cleared = eventually(Duration::from_secs(10), || async {
        status(&s).await["config"]["error"].is_null()
    })
    .await;
    assert!(cleared, "{}", status(&s).await);
    tokio::time::timeout(Duration::from_secs(30), s.stop())
        .await
        .expect("the service stops");
}

#[tokio::test]
async fn a_world_writable_config_is_refused() {
    let s = TestServer::start().await;
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    std::fs::write(&s.config_path, format!("{good}\n# edited\n")).unwrap();
    std::fs::set_permissions(
        &s.config_path,
        std::os::unix::fs::PermissionsExt::from_mode(0o666),
    )
    .unwrap();
    refused_with(&s, "writable by other users").await;
    s.stop().await;
}
