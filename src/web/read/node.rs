//! Getting a node's facts for a caller, wherever the node is: this node's from its cache,
//! a peer's by forwarding one hop. Shared by the API handlers and the Nodes pages.

use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{AuthMethod, Identity};
use crate::config::Peer;
use crate::node::envelope::{Dialect, ItemMeta, Problem, SystemItem, SystemList};
use crate::node::{CollectError, Section};
use crate::web::AppState;

/// Where a node name leads.
pub enum Target {
    /// This node.
    Local(String),
    /// A configured peer.
    Peer(Box<Peer>),
}

/// Resolves `nodename` (`_`, `localhost`, this node's name or a peer's) for `me`. A
/// forwarded request may only name the node it reached: forwarding is one hop.
pub fn resolve(app: &AppState, me: &Identity, nodename: &str) -> Result<Target, Problem> {
    let this = app.facts.node_name();
    if matches!(nodename, "_" | "localhost") || nodename == this {
        return Ok(Target::Local(this));
    }
    if let AuthMethod::Forwarded { node, .. } = &me.method {
        return Err(Problem::new(
            400,
            "Forwarded once already",
            format!(
                "{this} answers requests forwarded by {node} for itself only; ask {nodename} through a node that has it as a peer"
            ),
        ));
    }
    let config = app.config.current();
    match config.peers.iter().find(|p| p.name == nodename) {
        Some(p) => Ok(Target::Peer(Box::new(p.clone()))),
        None => {
            let mut known = vec![this];
            known.extend(config.peers.iter().map(|p| p.name.clone()));
            Err(Problem::new(
                404,
                "Unknown node",
                format!(
                    "no node `{nodename}`: this node answers for {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

/// A section's answer as bytes, with its status and content type.
pub struct Raw {
    /// The HTTP status.
    pub status: u16,
    /// The content type.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl Raw {
    /// A problem document, in a dialect's content type.
    fn problem(p: Problem, dialect: Dialect) -> Raw {
        Raw {
            status: p.status,
            content_type: crate::web::respond::problem::problem_type(dialect).into(),
            body: Bytes::from(serde_json::to_vec(&p).unwrap_or_default()),
        }
    }
}

fn collect_problem(e: CollectError) -> Problem {
    match e {
        CollectError::Timeout(..) => Problem::new(504, "Collection timed out", e.to_string()),
        CollectError::Failed(..) => Problem::new(500, "Collection failed", e.to_string()),
    }
}

/// The answer for one section of one node, as the API serves it.
pub async fn section_raw(
    app: &AppState,
    me: &Identity,
    dialect: Dialect,
    nodename: &str,
    section: Section,
    refresh: bool,
) -> Raw {
    match resolve(app, me, nodename) {
        Err(p) => Raw::problem(p, dialect),
        Ok(Target::Local(name)) => {
            let snap = if refresh {
                app.facts.refresh(section).await
            } else {
                app.facts.get(section).await
            };
            match snap {
                Ok(s) => Raw {
                    status: 200,
                    content_type: "application/json".into(),
                    body: s.body(&name, dialect),
                },
                Err(e) => Raw::problem(collect_problem(e), dialect),
            }
        }
        Ok(Target::Peer(peer)) => {
            let query = if refresh { "?refresh=true" } else { "" };
            // The peer answers in the dialect asked for, on the matching path.
            let prefix = match dialect {
                Dialect::Om3 => "/api/node",
                Dialect::Vmyard => "/api/v1/node",
            };
            let path = format!("{prefix}/name/_/system/{}{query}", section.path());
            forward(app, me, &peer, &path, dialect).await
        }
    }
}

async fn forward(app: &AppState, me: &Identity, peer: &Peer, path: &str, dialect: Dialect) -> Raw {
    match app.peers.get(peer, path, me, &app.facts.node_name()).await {
        Ok(a) => Raw {
            status: a.status,
            content_type: a.content_type,
            body: a.body,
        },
        Err(e) => Raw::problem(
            Problem::new(e.status(), "Peer unavailable", e.to_string()),
            dialect,
        ),
    }
}

/// The answer for one section of one node, decoded (for the pages).
pub async fn section(
    app: &AppState,
    me: &Identity,
    nodename: &str,
    section: Section,
) -> Result<SystemList, Problem> {
    if let Ok(Target::Local(name)) = resolve(app, me, nodename) {
        // This node's items are used as they are, without a trip through JSON.
        let snap = app.facts.get(section).await.map_err(collect_problem)?;
        let kind = format!("{}Item", section.kind());
        return Ok(SystemList {
            kind: format!("{}List", section.kind()),
            collected_at: snap.collected_at.to_string(),
            errors: snap.errors.clone(),
            items: snap
                .items
                .iter()
                .map(|data| SystemItem {
                    kind: kind.clone(),
                    meta: ItemMeta { node: name.clone() },
                    data: data.clone(),
                })
                .collect(),
        });
    }
    let raw = section_raw(app, me, Dialect::Vmyard, nodename, section, false).await;
    decode(&raw)
}

fn decode<T: serde::de::DeserializeOwned>(raw: &Raw) -> Result<T, Problem> {
    if raw.status != 200 {
        return Err(
            serde_json::from_slice::<Problem>(&raw.body).unwrap_or_else(|_| {
                Problem::new(
                    raw.status,
                    "Error",
                    String::from_utf8_lossy(&raw.body).into_owned(),
                )
            }),
        );
    }
    serde_json::from_slice(&raw.body).map_err(|e| {
        Problem::new(
            502,
            "Malformed answer",
            format!("the answer could not be read: {e}"),
        )
    })
}

/// Who a node thinks is asking.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Caller {
    /// The caller's name.
    pub name: String,
    /// The role the node grants them.
    pub role: String,
    /// The node that forwarded the request, when one did.
    pub forwarded_by: Option<String>,
}

/// What a node says of itself.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeInfo {
    /// Its name.
    pub name: String,
    /// Its labels (`[node].labels`).
    pub labels: BTreeMap<String, String>,
    /// Its vmyard version.
    pub version: String,
    /// Every property value by name.
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Value>,
    /// When the properties were read (RFC 3339).
    pub collected_at: Option<String>,
    /// Memory in use, load, uptime and file systems, read when asked; absent from a peer
    /// whose vmyard is older.
    #[serde(default)]
    pub live: Option<crate::node::live::Live>,
    /// Who the node thinks is asking (the identity a forwarded request arrived with).
    pub caller: Caller,
}

/// This node's own info.
pub async fn local_info(app: &AppState, me: &Identity) -> NodeInfo {
    let config = app.config.current();
    let snap = app.facts.get(Section::Property).await.ok();
    let properties = snap
        .as_ref()
        .map(|s| {
            s.items
                .iter()
                .filter_map(|i| Some((i["name"].as_str()?.to_string(), i["value"].clone())))
                .collect()
        })
        .unwrap_or_default();
    NodeInfo {
        name: app.facts.node_name(),
        labels: config.node.labels.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        properties,
        collected_at: snap.map(|s| s.collected_at.to_string()),
        live: Some(app.facts.live().await),
        caller: Caller {
            name: me.name.clone(),
            role: me.role.to_string(),
            forwarded_by: match &me.method {
                AuthMethod::Forwarded { node, .. } => Some(node.clone()),
                _ => None,
            },
        },
    }
}

/// A node's info, forwarded for a peer.
pub async fn info(app: &AppState, me: &Identity, nodename: &str) -> Result<NodeInfo, Problem> {
    match resolve(app, me, nodename)? {
        Target::Local(_) => Ok(local_info(app, me).await),
        Target::Peer(peer) => {
            decode(&forward(app, me, &peer, "/api/v1/nodes/_", Dialect::Vmyard).await)
        }
    }
}

/// A node as the node list shows it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeStatus {
    /// Its name.
    pub name: String,
    /// Whether it is the node that answers.
    pub local: bool,
    /// A peer's URL.
    pub url: Option<String>,
    /// Whether the peer's certificate goes unchecked.
    pub insecure: bool,
    /// Its labels: those it reports, plus those of its `[[peers]]` entry.
    pub labels: BTreeMap<String, String>,
    /// Whether it answered.
    pub reachable: bool,
    /// Why it did not.
    pub error: Option<String>,
    /// How long it took to answer, in milliseconds.
    pub latency_ms: Option<f64>,
    /// What it says of itself.
    pub info: Option<NodeInfo>,
}

/// This node and every peer, the peers asked in parallel.
pub async fn node_list(app: &AppState, me: &Identity) -> Vec<NodeStatus> {
    let config = app.config.current();
    let started = Instant::now();
    let local = local_info(app, me).await;
    let mut out = vec![NodeStatus {
        name: local.name.clone(),
        local: true,
        url: None,
        insecure: false,
        labels: local.labels.clone(),
        reachable: true,
        error: None,
        latency_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
        info: Some(local),
    }];
    let asks = config.peers.iter().map(|peer| async move {
        let started = Instant::now();
        let answer =
            decode::<NodeInfo>(&forward(app, me, peer, "/api/v1/nodes/_", Dialect::Vmyard).await);
        let latency = started.elapsed().as_secs_f64() * 1000.0;
        let mut labels = answer
            .as_ref()
            .map(|i| i.labels.clone())
            .unwrap_or_default();
        labels.extend(peer.labels.clone());
        NodeStatus {
            name: peer.name.clone(),
            local: false,
            url: Some(peer.url.0.to_string()),
            insecure: peer.insecure,
            labels,
            reachable: answer.is_ok(),
            error: answer.as_ref().err().map(|p| p.detail.clone()),
            latency_ms: answer.is_ok().then_some(latency),
            info: answer.ok(),
        }
    });
    out.extend(futures_util::future::join_all(asks).await);
    out
}
