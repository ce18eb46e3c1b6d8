//! A real vmyard, started in-process on an ephemeral port with a config file in a temp
//! folder, and HTTP clients that trust its generated certificate.

#![allow(dead_code)]

pub mod browser;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use vmyard::config::watch::LiveConfig;
use vmyard::service::{self, Running};

pub const ADMIN_PW: &str = "admin-password-1";
pub const VIEWER_PW: &str = "viewer-password-1";

/// A running server and the folder it lives in.
pub struct TestServer {
    pub running: Running,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    pub base: String,
}

/// Hashes are slow by design; the tests share these.
pub fn hashes() -> &'static (String, String) {
    static H: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        (
            vmyard::auth::password::hash(ADMIN_PW).unwrap(),
            vmyard::auth::password::hash(VIEWER_PW).unwrap(),
        )
    })
}

/// The config text of a test server; `extra` is appended.
pub fn config_text(dir: &Path, extra: &str) -> String {
    let (admin, viewer) = hashes();
    format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nsocket = \"{sock}\"\nlogin_max_failures = 3\nlogin_window = \"1m\"\n\n\
         [storage]\ndata_dir = \"{data}\"\n\n\
         [[users]]\nname = \"admin\"\nrole = \"admin\"\npassword_hash = \"{admin}\"\n\n\
         [[users]]\nname = \"viewer\"\nrole = \"viewer\"\npassword_hash = \"{viewer}\"\n\n{extra}",
        sock = dir.join("vmyard.sock").display(),
        data = dir.join("data").display(),
    )
}

pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with("").await
    }

    pub async fn start_with(extra: &str) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("vmyard.toml");
        write_private(&config_path, &config_text(dir.path(), extra));
        Self::start_in(dir, config_path).await
    }

    /// Starts on an existing folder and config (for restarts).
    pub async fn start_in(dir: tempfile::TempDir, config_path: PathBuf) -> TestServer {
        vmyard::install_crypto_provider();
        let config = vmyard::config::load_file(&config_path).unwrap();
        let live = LiveConfig::new(config, Some(config_path.clone()));
        let running = service::start(live, false).await.unwrap();
        let base = format!("https://127.0.0.1:{}", running.https.port());
        TestServer {
            running,
            dir,
            config_path,
            base,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn cert_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("data/tls/cert.pem")).unwrap()
    }

    /// A client that trusts the server's certificate, keeps cookies, follows no redirect.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&self.cert_pem()).unwrap())
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
    }

    /// [`TestServer::client`], connecting from another loopback address (`127.0.0.N`).
    pub fn client_from(&self, from: std::net::IpAddr) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&self.cert_pem()).unwrap())
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .local_address(from)
            .build()
            .unwrap()
    }

    /// The body of a GET over the unix socket (as admin).
    #[allow(dead_code)]
    pub async fn get_text(&self, path: &str) -> String {
        self.socket_client()
            .get(format!("http://localhost{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A client on the unix socket (the test runs as the service's own user: admin).
    pub fn socket_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .unix_socket(self.running.socket.clone().unwrap())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
    }

    /// The login form's CSRF token (and its cookie, kept by `client`).
    pub async fn login_csrf(&self, client: &reqwest::Client) -> String {
        let html = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden_value(&html, "csrf").expect("the login form has a csrf field")
    }

    /// Logs `client` in; returns the status of the login POST.
    pub async fn login(
        &self,
        client: &reqwest::Client,
        user: &str,
        pw: &str,
    ) -> reqwest::StatusCode {
        let csrf = self.login_csrf(client).await;
        client
            .post(self.url("/login"))
            .form(&[
                ("username", user),
                ("password", pw),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The session CSRF token from a page's forms.
    pub async fn page_csrf(&self, client: &reqwest::Client) -> String {
        let html = client
            .get(self.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden_value(&html, "csrf").expect("pages carry a csrf field")
    }

    /// An API token with `role`, made over the socket.
    pub async fn token(&self, role: &str) -> String {
        let v: serde_json::Value = self
            .socket_client()
            .post("http://localhost/api/v1/tokens")
            .json(&serde_json::json!({"name": format!("test-{role}"), "role": role}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["token"].as_str().unwrap().to_string()
    }

    pub async fn stop(self) -> (tempfile::TempDir, PathBuf) {
        self.running.stop().await;
        (self.dir, self.config_path)
    }
}

/// The value of `<input type="hidden" name="NAME" value="...">` in a page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// Polls `check` until it holds or `within` passes.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A simulated engine serving over HTTPS on loopback, and the config text of a provider
/// pointing at it (password and CA in files in `dir`).
pub struct TestEngine {
    pub sim: vmyard::sim::Sim,
    pub url: String,
    pub ca_pem: String,
    pub stop: vmyard::service::ShutdownTrigger,
}

impl TestEngine {
    pub async fn start(source: vmyard::sim::Source) -> TestEngine {
        vmyard::install_crypto_provider();
        let (stop, shutdown) = vmyard::service::shutdown_pair();
        let sim = vmyard::sim::Sim::new(source);
        let running = sim
            .clone()
            .serve("127.0.0.1:0".parse().unwrap(), shutdown)
            .await
            .unwrap();
        TestEngine {
            sim,
            url: running.api_url(),
            ca_pem: running.cert_pem,
            stop,
        }
    }

    /// A `[[providers]]` entry for this engine, with its secret and CA written into `dir`.
    pub fn provider(&self, dir: &Path, name: &str) -> String {
        let (user, password) = self.sim.state.lock().unwrap().credentials.clone();
        std::fs::write(dir.join(format!("{name}.password")), password).unwrap();
        let ca = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&ca, &self.ca_pem).unwrap();
        format!(
            "[[providers]]\nname = \"{name}\"\nurl = \"{}\"\nuser = \"{user}\"\npassword_file = \"{name}.password\"\nca_file = \"{}\"\nretry_interval = \"200ms\"\nrefresh_interval = \"200ms\"\n",
            self.url,
            ca.display()
        )
    }

    /// Calls the control API.
    pub async fn control(&self, path: &str, body: serde_json::Value) -> reqwest::StatusCode {
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        let base = self.url.trim_end_matches("/ovirt-engine/api");
        client
            .post(format!("{base}/sim/{path}"))
            .bearer_auth(self.sim.control_token.as_str())
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        self.stop.fire();
    }
}

/// A folder with a server config whose one provider, `e1`, is `engine`.
pub fn engine_config(engine: &TestEngine) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    write_private(
        &path,
        &config_text(dir.path(), &engine.provider(dir.path(), "e1")),
    );
    (dir, path)
}

/// The provider's collection state, from the store.
pub fn provider_state(
    s: &TestServer,
    name: &str,
) -> Option<vmyard::collector::status::ProviderState> {
    s.running
        .state
        .store
        .read()
        .unwrap()
        .get(name)
        .unwrap()
        .map(|st| st.value)
}

/// Waits until the provider is at parity with its cursor at least `event`.
pub async fn wait_parity(
    s: &TestServer,
    name: &str,
    min_cursor: u64,
) -> vmyard::collector::status::ProviderState {
    let ok = eventually(Duration::from_secs(30), || async {
        provider_state(s, name)
            .is_some_and(|p| p.parity && p.cursor.is_some_and(|c| c >= min_cursor))
    })
    .await;
    let st = provider_state(s, name);
    assert!(ok, "no parity: {st:?}");
    st.unwrap()
}

// Machines: a class `web` on a simulated engine, and the engine's VMs that carry its tags.

pub const CLUSTER_TAG: &str = "kubernetes.io-cluster-t";
pub const ROLE_TAG: &str = "kubernetes.io-role-web";

/// The `[machines]` section and a class `web` on the template's cluster of `engine`.
/// The id of the cluster of the engine's `rhcos-4` template: one with a host that is up.
pub fn template_cluster(engine: &TestEngine) -> String {
    let state = engine.sim.state.lock().unwrap();
    state
        .objects("templates")
        .unwrap()
        .values()
        .find(|t| t["name"] == "rhcos-4")
        .and_then(|t| t["cluster"]["id"].as_str())
        .unwrap()
        .to_string()
}

pub fn machines_config(engine: &TestEngine, extra: &str) -> String {
    let cluster = template_cluster(engine);
    format!(
        "[machines]\npoll = \"50ms\"\nwait = \"20s\"\nhealth_interval = \"300ms\"\nsweep_interval = \"1s\"\n\
         orphan_min_age = \"30s\"\nfreeze_after = \"1s\"\ncalls_per_second = 0\n{extra}\n\
         [[machines.classes]]\nname = \"web\"\nprovider = \"e1\"\ncluster = \"{cluster}\"\ntemplate = \"rhcos-4\"\n\
         memory_mib = 1024\nuser_data = \"#cloud-config\\nhostname: <<MACHINE_NAME>>\\n\"\n\
         tags = {{ cluster = \"{CLUSTER_TAG}\", role = \"{ROLE_TAG}\" }}\n"
    )
}

/// A server whose provider `e1` is `engine`, with the machines config.
pub async fn machine_server(engine: &TestEngine, extra: &str) -> TestServer {
    let (dir, path) = engine_config(engine);
    let text = std::fs::read_to_string(&path).unwrap();
    write_private(
        &path,
        &format!("{text}\n{}", machines_config(engine, extra)),
    );
    TestServer::start_in(dir, path).await
}

/// The engine's VMs that carry both tags, by name.
pub fn tagged_vms(engine: &TestEngine) -> Vec<String> {
    let state = engine.sim.state.lock().unwrap();
    let mut names: Vec<String> = state
        .objects("vms")
        .unwrap()
        .values()
        .filter(|v| {
            let tags: Vec<&str> = v["tags"]["tag"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["name"].as_str())
                .collect();
            tags.contains(&CLUSTER_TAG) && tags.contains(&ROLE_TAG)
        })
        .filter_map(|v| v["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Checks one address against Kubernetes' `NodeAddress` (core/v1), which MCM's driver
/// responses carry: exactly `type` and `address`, both strings, `type` one of
/// `NodeAddressType`'s values.
pub fn assert_node_address(a: &serde_json::Value) {
    let object = a
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {a}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["address", "type"], "{a}");
    let kind = a["type"].as_str().unwrap_or_else(|| panic!("type: {a}"));
    assert!(
        [
            "Hostname",
            "InternalIP",
            "ExternalIP",
            "InternalDNS",
            "ExternalDNS"
        ]
        .contains(&kind),
        "{a}"
    );
    assert!(a["address"].as_str().is_some_and(|s| !s.is_empty()), "{a}");
}

/// Runs the `vmyard` command against the service on `socket`, as a person would, and
/// gives its standard output; fails the test, with its standard error, when it fails.
/// Blocking: call it from `tokio::task::block_in_place` in a multi-threaded test.
pub fn vmyard_over(socket: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vmyard"))
        .args(args)
        .arg("--socket")
        .arg(socket)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
