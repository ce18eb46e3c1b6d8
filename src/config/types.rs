//! The typed sections of the configuration file.
//!
//! Field types validate themselves while deserializing (see [`Listen`], [`Interval`],
//! [`Role`]), so the parser's error already carries the key and its position.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::auth::Role;

/// The whole configuration, as written in the file (secrets resolved).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The HTTPS listener, the local socket, sessions and login throttling.
    #[serde(default)]
    pub server: Server,
    /// Where the data lives.
    #[serde(default)]
    pub storage: Storage,
    /// oVirt engines to collect from, one collector each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<Provider>,
    /// The migration-readiness validator.
    #[serde(default)]
    pub validation: Validation,
    /// This node's identity for the node-facts API.
    #[serde(default)]
    pub node: Node,
    /// The machine controller and the machine classes declared here.
    #[serde(default)]
    pub machines: super::machines::Machines,
    /// Forklift plans: the target, and the network and storage mappings.
    #[serde(default)]
    pub migration: super::migration::Migration,
    /// Other vmyard nodes this one answers for by forwarding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<Peer>,
    /// People who may log in to the pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
}

/// `[server]`: how vmyard is reached.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// HTTPS address, `0.0.0.0:8443` by default.
    pub listen: Listen,
    /// Unix socket for the local CLI; empty disables it.
    pub socket: PathBuf,
    /// PEM certificate chain; when absent a self-signed one is generated in the data folder.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key matching `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// How long a browser session lasts without activity.
    pub session_ttl: Interval,
    /// Failed logins allowed per client and per user within `login_window`.
    pub login_max_failures: u32,
    /// The window over which failed logins are counted, and the lockout once exceeded.
    pub login_window: Interval,
    /// Serve `/metrics` without authentication (for a scraper on a trusted network).
    pub metrics_public: bool,
    /// How long an HTTPS connection may hold no request (after its handshake, and between
    /// requests, whatever it sends meanwhile) before it is closed.
    pub idle_timeout: Interval,
    /// How long a client may take to send a request body.
    pub body_timeout: Interval,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: Listen("0.0.0.0:8443".parse().expect("valid literal")),
            socket: PathBuf::from("/run/vmyard/vmyard.sock"),
            tls_cert: None,
            tls_key: None,
            session_ttl: Interval(Duration::from_secs(12 * 3600)),
            login_max_failures: 5,
            login_window: Interval(Duration::from_secs(300)),
            metrics_public: false,
            idle_timeout: Interval(Duration::from_secs(10)),
            body_timeout: Interval(Duration::from_secs(30)),
        }
    }
}

/// `[storage]`: the data folder (redb store, generated TLS key).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    /// The folder holding `vmyard.redb` and the generated certificate.
    pub data_dir: PathBuf,
}

impl Default for Storage {
    fn default() -> Self {
        Storage {
            data_dir: PathBuf::from("/var/lib/vmyard"),
        }
    }
}

/// `[[providers]]`: one oVirt engine.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// A short name, unique among providers; it keys the provider's data in the store.
    pub name: String,
    /// The engine's API root, e.g. `https://engine.example.com/ovirt-engine/api`.
    pub url: HttpUrl,
    /// The engine user, e.g. `admin@internal`.
    pub user: String,
    /// The password, inline (the file must then be private) ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// ... or read from this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    /// CA bundle to verify the engine's certificate; the system roots when absent.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification (flagged on the pages).
    #[serde(default)]
    pub insecure: bool,
    /// The content of `password_file`, read at load time.
    #[serde(skip)]
    pub password_from_file: Option<Secret>,
    /// Wait between retries after a failure.
    #[serde(default = "default_retry")]
    pub retry_interval: Interval,
    /// How often the event feed is read.
    #[serde(default = "default_refresh")]
    pub refresh_interval: Interval,
    /// How often every collection is listed again to repair any difference.
    #[serde(default = "default_reconcile")]
    pub reconcile_interval: Interval,
    /// How long one engine request may take (a large page of a slow engine takes long).
    #[serde(default = "default_request_timeout")]
    pub request_timeout: Interval,
    /// The largest engine answer read, in MiB: far above a page of 1000 VMs (tens of MiB),
    /// so that only a broken or hostile engine reaches it.
    #[serde(default = "default_max_answer_mib")]
    pub max_answer_mib: u64,
}

impl Provider {
    /// The engine password, wherever it was written.
    pub fn password(&self) -> Option<&Secret> {
        self.password.as_ref().or(self.password_from_file.as_ref())
    }
}

fn default_request_timeout() -> Interval {
    Interval(Duration::from_secs(60))
}
/// The default of `providers.max_answer_mib`.
pub const DEFAULT_MAX_ANSWER_MIB: u64 = 256;

fn default_max_answer_mib() -> u64 {
    DEFAULT_MAX_ANSWER_MIB
}
fn default_retry() -> Interval {
    Interval(Duration::from_secs(5))
}
fn default_refresh() -> Interval {
    Interval(Duration::from_secs(10))
}
fn default_reconcile() -> Interval {
    Interval(Duration::from_secs(3600))
}

/// `[validation]`: the Rego policies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Validation {
    /// A folder of `.rego` files that replaces or extends the built-in bundle.
    pub policy_dir: Option<PathBuf>,
    /// The folder replaces the built-in bundle instead of extending it.
    pub replace_builtin: bool,
    /// How often VMs due for validation are searched for.
    pub search_interval: Interval,
    /// How many days readiness is kept as daily counts (per provider, cluster and concern):
    /// the trends' span.
    pub history_days: u32,
    /// How many days each change of a VM's concerns is kept in full (who, what, why);
    /// older changes live on only in the daily counts.
    pub history_detail_days: u32,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            policy_dir: None,
            replace_builtin: false,
            search_interval: Interval(Duration::from_secs(30)),
            history_days: 400,
            history_detail_days: 90,
        }
    }
}

/// `[node]`: how this node names and labels itself, and how often its facts are read.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Node {
    /// The node name; the host name when absent.
    pub name: Option<String>,
    /// Labels used by node selectors (`label=value`).
    pub labels: BTreeMap<String, String>,
    /// Property overrides reported with source `config` (names from the property list).
    pub properties: BTreeMap<String, String>,
    /// How often each section of the node facts is collected again in the background.
    pub refresh: NodeRefresh,
    /// How long a request waits for a collection (`?refresh=true`, or a section never
    /// collected yet) before it gives up.
    pub collect_timeout: Interval,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            name: None,
            labels: BTreeMap::new(),
            properties: BTreeMap::new(),
            refresh: NodeRefresh::default(),
            collect_timeout: Interval(Duration::from_secs(10)),
        }
    }
}

/// `[node.refresh]`: one background refresh interval per section of the node facts.
///
/// Cheap sections that change often (addresses) are read every minute; the package
/// database and the pending updates, which are large and change rarely, less often.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeRefresh {
    /// `property`: OS, CPU, memory, DMI and config values.
    pub property: Interval,
    /// `asset`: the summary built from the other sections.
    pub asset: Interval,
    /// `hardware`: PCI devices and memory modules.
    pub hardware: Interval,
    /// `disk`: block devices and their regions.
    pub disk: Interval,
    /// `package`: installed packages.
    pub package: Interval,
    /// `patch`: pending updates.
    pub patch: Interval,
    /// `user`: local users.
    pub user: Interval,
    /// `group`: local groups.
    pub group: Interval,
    /// `ipaddress`: addresses of every interface.
    pub ipaddress: Interval,
    /// `san/initiator` and `san/path`.
    pub san: Interval,
}

impl Default for NodeRefresh {
    fn default() -> Self {
        let m = |n: u64| Interval(Duration::from_secs(n * 60));
        NodeRefresh {
            property: m(5),
            asset: m(5),
            hardware: m(60),
            disk: m(5),
            package: m(10),
            patch: m(60),
            user: m(10),
            group: m(10),
            ipaddress: m(1),
            san: m(10),
        }
    }
}

/// `[[peers]]`: another vmyard node.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// The peer's node name.
    pub name: String,
    /// Its base URL, e.g. `https://node2:8443`.
    pub url: HttpUrl,
    /// An API token of the peer, inline ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// ... or read from this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<PathBuf>,
    /// CA bundle to verify the peer's certificate (e.g. its generated `tls/cert.pem`).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Skip TLS verification of the peer (flagged on the Nodes page).
    #[serde(default)]
    pub insecure: bool,
    /// How long a forwarded request may take before the peer is reported slow.
    #[serde(default = "default_peer_timeout")]
    pub timeout: Interval,
    /// Labels for node selectors, added to those the peer reports (and used alone while it
    /// is down).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The content of `token_file`, read at load time.
    #[serde(skip)]
    pub token_from_file: Option<Secret>,
}

impl Peer {
    /// The token to present to this peer, wherever it was written.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref().or(self.token_from_file.as_ref())
    }
}

fn default_peer_timeout() -> Interval {
    Interval(Duration::from_secs(5))
}

/// `[[users]]`: a person who may log in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// An argon2 PHC string, as printed by `vmyard user hash`.
    pub password_hash: PasswordHash,
}

/// A socket address that parses while the config is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen(pub SocketAddr);

impl<'de> Deserialize<'de> for Listen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(Listen).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{s}` is not an address:port (e.g. \"0.0.0.0:8443\")"
            ))
        })
    }
}

impl Serialize for Listen {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A duration written the human way: `"5s"`, `"10m"`, `"1h 30m"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval(pub Duration);

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let d = humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{s}` is not a duration like \"30s\" or \"1h\": {e}"
            ))
        })?;
        if d.is_zero() {
            return Err(serde::de::Error::custom(
                "a duration must be more than zero",
            ));
        }
        Ok(Interval(d))
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(self.0))
    }
}

/// An `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(pub reqwest::Url);

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let url = reqwest::Url::parse(&s)
            .map_err(|e| serde::de::Error::custom(format!("`{s}` is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(serde::de::Error::custom(format!(
                "`{s}` must start with https:// (or http://)"
            )));
        }
        Ok(HttpUrl(url))
    }
}

impl Serialize for HttpUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// An argon2 hash in PHC form, checked for shape when read.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for PasswordHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        crate::auth::password::check_hash_format(&s).map_err(serde::de::Error::custom)?;
        Ok(PasswordHash(s))
    }
}

impl Serialize for PasswordHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(redact::REDACTED)
    }
}

/// A secret value: it never prints, in logs, pages, API answers or `config check`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value read from a secret file.
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(redact::REDACTED)
    }
}

use super::redact;
