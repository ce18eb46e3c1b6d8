//! The `vmyard` binary as a person runs it: exit codes and one-line errors for bad input,
//! the demo, and the client commands over the local socket.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn vmyard() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vmyard"));
    c.env_remove("VMYARD_CONFIG")
        .env_remove("VMYARD_SOCKET")
        .env_remove("VMYARD_SERVER")
        .env_remove("VMYARD_TOKEN");
    c
}

fn run(args: &[&str]) -> Output {
    vmyard().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `serve`, which must refuse to start: returns its output once it exits.
fn serve_refused(args: &[&str], cwd: &Path) -> Output {
    let mut child = vmyard()
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`vmyard {}` started instead of refusing", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn last_line(s: &str) -> &str {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

#[test]
fn config_check_prints_the_redacted_config_or_one_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    write_private(
        &path,
        &format!(
            "{}[[providers]]\nname = \"e\"\nurl = \"https://e/ovirt-engine/api\"\nuser = \"u\"\npassword = \"engine-secret\"\n",
            config_text(dir.path(), "")
        ),
    );
    let o = run(&["config", "check", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("password = \"<redacted>\""), "{out}");
    assert!(
        !out.contains("engine-secret") && !out.contains("$argon2"),
        "{out}"
    );
    assert!(
        out.contains("session_ttl = \"12h\""),
        "defaults are shown: {out}"
    );

    std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:1\"\nport = 3\n").unwrap();
    let o = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!("{}:3:1: ", path.display())),
        "{err}"
    );
    assert!(err.contains("port"), "{err}");

    let o = run(&["config", "check", "/nonexistent/vmyard.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read the file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn user_hash_reads_the_password_from_stdin() {
    let mut child = vmyard()
        .args(["user", "hash"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"s3cret passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap();
    assert!(vmyard::auth::password::verify(
        "s3cret passphrase",
        hash.trim()
    ));
    // Under 12 characters: refused unless forced.
    for (args, ok) in [
        (&["user", "hash"][..], false),
        (&["user", "hash", "--force"][..], true),
    ] {
        let mut child = vmyard()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"short pw\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.success(), ok, "{args:?}: {}", stderr(&out));
        if !ok {
            assert!(stderr(&out).contains("use 12 or more"), "{}", stderr(&out));
        }
    }
    let mut child = vmyard()
        .args(["user", "hash"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "an empty password is refused");
}

#[test]
fn serve_refuses_bad_starts_with_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("vmyard.toml");

    // Missing config file: points at the demo.
    let o = serve_refused(&["serve", "--config", cfg.to_str().unwrap()], dir.path());
    assert!(!o.status.success());
    assert!(
        last_line(&stderr(&o)).contains("serve --demo"),
        "{}",
        stderr(&o)
    );

    // A port in use.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let text =
        config_text(dir.path(), "").replace("127.0.0.1:0", &busy.local_addr().unwrap().to_string());
    write_private(&cfg, &text);
    let o = serve_refused(&["serve", "--config", cfg.to_str().unwrap()], dir.path());
    assert!(!o.status.success());
    assert!(
        last_line(&stderr(&o)).contains("already in use"),
        "{}",
        stderr(&o)
    );
    // The demo on a port in use: the error names --listen, and nothing is written (no store,
    // no key, no CA that a running demo in this folder would lose).
    let demo_dir = tempfile::tempdir().unwrap();
    let o = serve_refused(
        &[
            "serve",
            "--demo",
            "--listen",
            &busy.local_addr().unwrap().to_string(),
        ],
        demo_dir.path(),
    );
    assert!(!o.status.success());
    assert!(
        last_line(&stderr(&o)).contains("--listen"),
        "{}",
        stderr(&o)
    );
    assert!(
        !demo_dir.path().join("vmyard-data").exists(),
        "nothing written: {:?}",
        std::fs::read_dir(demo_dir.path().join("vmyard-data"))
            .map(|d| d.map(|e| e.unwrap().file_name()).collect::<Vec<_>>())
    );
    drop(busy);

    // A data folder that is a file.
    let _ = std::fs::remove_dir_all(dir.path().join("data"));
    std::fs::write(dir.path().join("data"), b"not a folder").unwrap();
    write_private(&cfg, &config_text(dir.path(), ""));
    let o = serve_refused(&["serve", "--config", cfg.to_str().unwrap()], dir.path());
    assert!(!o.status.success());
    assert!(
        last_line(&stderr(&o)).contains("data folder"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.path().join("data")).unwrap();

    // A garbage store: reported, never replaced.
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let store = dir.path().join("data/vmyard.redb");
    std::fs::write(&store, vec![7u8; 10_000]).unwrap();
    let o = serve_refused(&["serve", "--config", cfg.to_str().unwrap()], dir.path());
    assert!(!o.status.success());
    assert!(last_line(&stderr(&o)).contains("corrupt"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&store).unwrap(), vec![7u8; 10_000]);
    std::fs::remove_file(&store).unwrap();

    // An inline secret in a file others can read.
    let secret = format!(
        "{}[[providers]]\nname = \"e\"\nurl = \"https://e/api\"\nuser = \"u\"\npassword = \"p\"\n",
        config_text(dir.path(), "")
    );
    std::fs::write(&cfg, secret).unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = serve_refused(&["serve", "--config", cfg.to_str().unwrap()], dir.path());
    assert!(!o.status.success());
    let line = last_line(&stderr(&o)).to_string();
    assert!(
        line.contains("readable by other users") && line.contains("providers[0].password"),
        "{line}"
    );
}

fn read_demo_banner(child: &mut Child) -> (String, String) {
    let stdout = child.stdout.take().unwrap();
    let mut url = String::new();
    let mut login = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.trim().strip_prefix("URL:") {
            url = u.trim().to_string();
        }
        if let Some(l) = line.trim().strip_prefix("login:") {
            login = l.trim().to_string();
            break;
        }
    }
    // Not a terminal: the password is in a file only the user can read, never on stdout.
    if let Some((user, rest)) = login.split_once(", password in ") {
        let file = rest.split(" (").next().unwrap();
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
        let text = std::fs::read_to_string(file).unwrap();
        let password = text.lines().nth(1).unwrap();
        login = format!("{user} / {password}");
    }
    (url, login)
}

/// A client of the demo: it trusts the demo's own certificate, keeps cookies, follows no
/// redirect.
fn demo_client() -> reqwest::Client {
    vmyard::install_crypto_provider();
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in on the demo at `url` through the login form; the status of the form's POST.
async fn sign_in(c: &reqwest::Client, url: &str, user: &str, pw: &str) -> reqwest::StatusCode {
    let html = c
        .get(format!("{url}login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_value(&html, "csrf").unwrap();
    c.post(format!("{url}login"))
        .form(&[("username", user), ("password", pw), ("csrf", &csrf)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn demo_prints_url_and_login_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("demo.log");
    let mut child = vmyard()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let (url, login) = read_demo_banner(&mut child);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let (user, pw) = login.split_once(" / ").expect("user / password");
    assert_eq!(user, "admin");
    assert!(dir.path().join("vmyard-data/vmyard.redb").exists());

    let c = demo_client();
    assert_eq!(
        sign_in(&c, &url, user, pw).await,
        reqwest::StatusCode::SEE_OTHER
    );
    let dash = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        dash.contains("href=\"/inventory/demo\""),
        "the demo engine is on the dashboard: {dash}"
    );
    assert!(dash.contains(">demo<"));

    // The CLI finds the demo's socket from the working directory.
    let o = vmyard()
        .args(["status"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("built in (demo)"));

    // The demo shows a week of history, made up once its first validation is done.
    let days = || {
        let o = vmyard()
            .args(["trend", "-o", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).map_or(0, |d| d.len())
    };
    let week = eventually(Duration::from_secs(120), || async { days() == 7 }).await;
    assert!(week, "{} days of counts", days());
    let o = vmyard()
        .args(["history", "--from", "7d", "--to", "1d"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let changes = String::from_utf8_lossy(&o.stdout);
    assert!(changes.contains("engine change"), "{changes}");
    assert!(changes.contains("blocked → "), "{changes}");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "SIGTERM must stop the service cleanly: {status:?}"
    );
    assert!(
        !dir.path().join("vmyard-data/vmyard.sock").exists(),
        "the socket is removed on shutdown"
    );
    // The store was closed cleanly: it opens again at once.
    vmyard::store::Store::open(&dir.path().join("vmyard-data")).unwrap();
    // The log in a file: plain text, no colour codes, no password, no Rust debug values.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("serving"), "{log}");
    assert!(!log.contains('\u{1b}'), "no escape codes in a file: {log}");
    assert!(!log.contains(pw), "the password is never logged");
    assert!(!log.contains("Some("), "{log}");
}

/// A valid config that cannot be of use yet (nobody can sign in, nothing is collected)
/// passes the check with a warning for each.
#[test]
fn config_check_warns_when_nobody_can_sign_in_or_nothing_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    write_private(
        &path,
        &format!(
            "users = []\nproviders = []\n[storage]\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    );
    let o = run(&["config", "check", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("warning: no [[users]]"), "{err}");
    assert!(err.contains("warning: no [[providers]]"), "{err}");
}

/// A reader that goes away (`vmyard ... | head -1`) ends the command quietly and
/// successfully, as ripgrep does: no panic, no error, exit 0.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vmyard.toml");
    write_private(&config, &config_text(dir.path(), ""));
    let config = config.to_str().unwrap().to_string();
    for args in [
        vec!["completions", "zsh"],
        vec!["version"],
        vec!["config", "check", &config],
    ] {
        // The read end is closed before the command starts: its first write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = vmyard()
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn token_commands_work_over_the_socket() {
    let s = TestServer::start().await;
    let sock = s.running.socket.clone().unwrap();
    let sock = sock.to_str().unwrap().to_string();
    let socket_args = |extra: &[&str]| {
        let mut args = vec!["token"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--socket", &sock]);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let o = tokio::task::spawn_blocking({
        let args = socket_args(&["create", "--name", "ci", "--role", "operator"]);
        move || vmyard().args(args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let token = String::from_utf8(o.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("vmy_"));
    let who: serde_json::Value = s
        .client()
        .get(s.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["role"], "operator");

    let o = tokio::task::spawn_blocking({
        let args = socket_args(&["list", "-o", "json"]);
        move || vmyard().args(args).output().unwrap()
    })
    .await
    .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list[0]["name"], "ci");
    let id = list[0]["id"].as_str().unwrap().to_string();

    let o = tokio::task::spawn_blocking({
        let args = socket_args(&["list", "-o", "yaml"]);
        move || vmyard().args(args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("name: ci"));

    let o = tokio::task::spawn_blocking({
        let args = socket_args(&["revoke", &id]);
        move || vmyard().args(args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let r = s
        .client()
        .get(s.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);

    // Revoking again is an error with the API's code and message.
    let o = tokio::task::spawn_blocking({
        let args = socket_args(&["revoke", &id]);
        move || vmyard().args(args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not_found"), "{}", stderr(&o));

    // --server with a token, over HTTPS.
    let admin = s.token("admin").await;
    let base = s.base.clone();
    let ca = s.dir.path().join("data/tls/cert.pem");
    let o = tokio::task::spawn_blocking(move || {
        vmyard()
            .args([
                "token",
                "list",
                "--server",
                &base,
                "--ca",
                ca.to_str().unwrap(),
                "-o",
                "json",
            ])
            .env("VMYARD_TOKEN", admin)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    s.stop().await;
}

#[test]
fn completions_and_version() {
    let o = run(&["completions", "bash"]);
    assert!(o.status.success());
    let script = String::from_utf8_lossy(&o.stdout);
    assert!(script.contains("vmyard"));
    // Inventory kinds and node sections complete.
    for word in [
        "datacenters",
        "storagedomains",
        "vms",
        "ipaddress",
        "package",
    ] {
        assert!(script.contains(word), "{word} completes");
    }
    let o = run(&["version"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("vmyard {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn failed_logins_log_no_typed_name_and_no_forged_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut child = vmyard()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("JOURNAL_STREAM")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let (url, _) = read_demo_banner(&mut child);
    let c = demo_client();
    // A password typed into the user field, and a name that tries to start a log line.
    for typed in ["Tr0ub4dor&3", "x\nINFO vmyard: forged line\r"] {
        assert_eq!(
            sign_in(&c, &url, typed, "nope").await,
            reqwest::StatusCode::UNAUTHORIZED
        );
    }
    let logged = |needle: &'static str| {
        let path = dir.path().join("stderr.log");
        move || std::fs::read_to_string(&path).unwrap().contains(needle)
    };
    let failed = eventually(Duration::from_secs(10), || {
        let seen = logged("login failed");
        async move { seen() }
    })
    .await;
    assert!(failed, "the failed logins are logged");
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(child.wait().unwrap().success());
    let text = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(!text.contains("Tr0ub4dor"), "{text}");
    assert!(text.contains("unknown#"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("INFO vmyard: forged")),
        "no forged line: {text}"
    );
    assert!(!text.contains('\r'), "{text}");
}

/// A server that answers every request with `body` (status 200, JSON), on 127.0.0.1.
async fn answering(body: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move || async move {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
    });
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, task)
}

/// The CLI reads the API's answers as its types: an answer of the wrong shape is an error
/// that says so, never a table of blanks or zeros.
#[tokio::test]
async fn the_cli_refuses_answers_of_the_wrong_shape() {
    // A provider whose fields have the wrong types, and a VM page without its items.
    for (args, body) in [
        (
            &["providers"][..],
            r#"[{"name": 1, "url": "x", "insecure": false}]"#,
        ),
        (
            &["inventory", "vms", "--provider", "p"][..],
            r#"{"total": 3, "page": 1}"#,
        ),
        (&["status"][..], r#"{"version": "1"}"#),
        (&["node", "ls"][..], r#"[{"name": "a"}]"#),
    ] {
        let (url, server) = answering(body).await;
        let out = tokio::task::spawn_blocking({
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            move || {
                vmyard()
                    .args(&args)
                    .args(["--server", &url, "--token", "t"])
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        server.abort();
        assert!(!out.status.success(), "{args:?} must fail on {body}");
        assert!(
            stderr(&out).contains("malformed answer"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{args:?} printed nothing");
    }
}
