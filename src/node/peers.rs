//! Forwarding to peers: a request for a peer's facts is sent on, one hop, with this node's
//! token for that peer and the caller's name and role in headers. The peer takes the lower
//! of that role and its token's role, so forwarding never grants more than either side
//! allows; it answers from its own facts and never forwards again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::auth::Identity;
use crate::config::Peer;

/// The node that forwarded a request (its presence marks a forwarded request).
pub const FORWARDED_BY: &str = "x-vmyard-forwarded-by";
/// The name of the caller a request is forwarded for.
pub const FORWARDED_USER: &str = "x-vmyard-user";
/// The role of the caller a request is forwarded for.
pub const FORWARDED_ROLE: &str = "x-vmyard-role";

/// A peer's answer, passed on as it came.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Its HTTP status.
    pub status: u16,
    /// Its content type.
    pub content_type: String,
    /// Its body.
    pub body: Bytes,
}

/// Why a peer gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PeerError {
    /// It could not be reached.
    #[error("peer {0} is unreachable: {1}")]
    Down(String, String),
    /// It did not answer in time.
    #[error("peer {0} did not answer within {1:?}")]
    Slow(String, Duration),
    /// It refused this node's credentials.
    #[error("peer {0} refused this node's token (HTTP {1}); check its token in [[peers]]")]
    Refused(String, u16),
    /// Its entry in the config cannot be used.
    #[error("peer {0}: {1}")]
    Config(String, String),
    /// It was not asked: the other peer requests in flight did not leave room in time.
    #[error(
        "peer {0} was not asked within {1:?}: {CONCURRENT} peer requests were already in flight"
    )]
    Busy(String, Duration),
    /// Its answer was over [`MAX_ANSWER`].
    #[error("peer {0} sent an answer over {MAX_ANSWER} bytes; not read")]
    TooLarge(String),
}

impl PeerError {
    /// The HTTP status a caller sees for this failure.
    pub fn status(&self) -> u16 {
        match self {
            PeerError::Slow(..) | PeerError::Busy(..) => 504,
            _ => 502,
        }
    }
}

/// Peer requests in flight at once, over every caller: a site of thousands of peers asked
/// by several callers at once must not open a socket per peer per caller.
pub const CONCURRENT: usize = 64;

/// The largest peer answer read.
pub const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// HTTP clients for the peers, rebuilt when a peer's entry changes.
#[derive(Clone)]
pub struct Peers {
    clients: Arc<Mutex<HashMap<String, (String, reqwest::Client)>>>,
    /// One permit per request in flight ([`CONCURRENT`]).
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl Default for Peers {
    fn default() -> Self {
        Peers::with_concurrency(CONCURRENT)
    }
}

impl Peers {
    /// Peers asked at most `n` at a time.
    pub fn with_concurrency(n: usize) -> Self {
        Peers {
            clients: Arc::default(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(n)),
        }
    }

    /// How many more peer requests could start now.
    pub fn available(&self) -> usize {
        self.in_flight.available_permits()
    }
}

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peers").finish_non_exhaustive()
    }
}

/// What the client of a peer depends on.
fn fingerprint(peer: &Peer) -> String {
    format!(
        "{}|{:?}|{}|{:?}",
        peer.url.0, peer.ca_file, peer.insecure, peer.timeout.0
    )
}

impl Peers {
    fn client(&self, peer: &Peer) -> Result<reqwest::Client, PeerError> {
        let key = fingerprint(peer);
        let mut clients = self.clients.lock().expect("peer clients lock");
        if let Some((k, c)) = clients.get(&peer.name)
            && *k == key
        {
            return Ok(c.clone());
        }
        crate::install_crypto_provider();
        let config = |e: String| PeerError::Config(peer.name.clone(), e);
        let mut builder = reqwest::Client::builder()
            .timeout(peer.timeout.0)
            // One client per peer: keep at most one idle connection each, not for long.
            .pool_max_idle_per_host(1)
            .pool_idle_timeout(Duration::from_secs(30))
            .connect_timeout(peer.timeout.0.min(Duration::from_secs(5)))
            .danger_accept_invalid_certs(peer.insecure);
        if let Some(ca) = &peer.ca_file {
            let pem = crate::config::file::read_regular_bytes(ca)
                .map_err(|e| config(format!("cannot read {}: {e}", ca.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| config(format!("{}: {e}", ca.display())))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|e| config(e.to_string()))?;
        clients.insert(peer.name.clone(), (key, client.clone()));
        Ok(client)
    }

    /// GETs `path` (with its query) from `peer` on behalf of `caller`, as node `from`.
    pub async fn get(
        &self,
        peer: &Peer,
        path: &str,
        caller: &Identity,
        from: &str,
    ) -> Result<Answer, PeerError> {
        let client = self.client(peer)?;
        let _permit = tokio::time::timeout(peer.timeout.0, self.in_flight.acquire())
            .await
            .map_err(|_| PeerError::Busy(peer.name.clone(), peer.timeout.0))?
            .expect("the semaphore is never closed");
        let url = peer
            .url
            .0
            .join(path.trim_start_matches('/'))
            .map_err(|e| PeerError::Config(peer.name.clone(), e.to_string()))?;
        let mut req = client
            .get(url)
            .header(FORWARDED_BY, from)
            .header(FORWARDED_USER, &caller.name)
            .header(FORWARDED_ROLE, caller.role.as_str());
        if let Some(token) = peer.token() {
            req = req.bearer_auth(token.expose());
        }
        let resp = req.send().await.map_err(|e| self.failure(peer, e))?;
        let status = resp.status().as_u16();
        if status == 401 {
            return Err(PeerError::Refused(peer.name.clone(), status));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_string();
        if resp.content_length().is_some_and(|n| n > MAX_ANSWER as u64) {
            return Err(PeerError::TooLarge(peer.name.clone()));
        }
        let mut resp = resp;
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.failure(peer, e))? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(PeerError::TooLarge(peer.name.clone()));
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    fn failure(&self, peer: &Peer, e: reqwest::Error) -> PeerError {
        if e.is_timeout() {
            PeerError::Slow(peer.name.clone(), peer.timeout.0)
        } else {
            // The innermost cause says what happened (refused, reset, bad certificate).
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            PeerError::Down(peer.name.clone(), cause.to_string())
        }
    }
}
