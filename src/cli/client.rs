//! The CLI's HTTP client: the local unix socket by default, `--server URL` with a token
//! otherwise. API errors are shown as the server's `{"error": {"code", "message"}}`, or
//! the `detail` of a problem document.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ClientArgs;
use crate::node::envelope::Problem;
use crate::web::respond::ErrorBody;

/// A client bound to one service.
pub(super) struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    token: Option<String>,
    target: String,
}

const DEFAULT_SOCKET: &str = "/run/vmyard/vmyard.sock";

impl Client {
    /// Builds the client the arguments describe.
    pub(super) fn new(args: &ClientArgs) -> anyhow::Result<Client> {
        crate::install_crypto_provider();
        let builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
        if let Some(server) = &args.server {
            if args.token.is_none() {
                bail!("--server needs a token: pass --token or set VMYARD_TOKEN");
            }
            let mut builder = builder.danger_accept_invalid_certs(args.insecure);
            if let Some(ca) = &args.ca {
                let pem =
                    std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
                builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
            }
            return Ok(Client {
                http: builder.build()?,
                base: server.clone(),
                token: args.token.clone(),
                target: server.to_string(),
            });
        }
        let socket = args.socket.clone().unwrap_or_else(default_socket);
        // Plain HTTP over the socket: no TLS roots are needed, and asking for the system's
        // would fail on a host without a CA bundle (a minimal install).
        let builder = builder.tls_certs_only(Vec::new());
        Ok(Client {
            http: builder.unix_socket(socket.clone()).build()?,
            base: reqwest::Url::parse("http://localhost/").expect("valid literal"),
            token: args.token.clone(),
            target: socket.display().to_string(),
        })
    }

    /// GET a JSON resource.
    pub(super) async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.send(self.http.get(self.url(path)?))
            .await?
            .json()
            .await
            .context("malformed answer")
    }

    /// GET a resource as it is sent (a CSV report).
    pub(super) async fn get_bytes(&self, path: &str) -> anyhow::Result<bytes::Bytes> {
        self.send(self.http.get(self.url(path)?))
            .await?
            .bytes()
            .await
            .context("the answer could not be read")
    }

    /// GET a JSON resource, keeping a failure's status and body instead of turning it into
    /// an error (for answers that are read per node).
    pub(super) async fn get_answer(&self, path: &str) -> anyhow::Result<(u16, serde_json::Value)> {
        let mut req = self.http.get(self.url(path)?);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach vmyard at {}", self.target))?;
        let status = resp.status().as_u16();
        let body = resp.json().await.context("malformed answer")?;
        Ok((status, body))
    }

    /// POST a JSON body, returning the JSON answer.
    pub(super) async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        self.send(self.http.post(self.url(path)?).json(body))
            .await?
            .json()
            .await
            .context("malformed answer")
    }

    /// POST a JSON body, returning the answer as it is sent (YAML).
    pub(super) async fn post_bytes<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<bytes::Bytes> {
        self.send(self.http.post(self.url(path)?).json(body))
            .await?
            .bytes()
            .await
            .context("the answer could not be read")
    }

    /// DELETE a resource.
    pub(super) async fn delete(&self, path: &str) -> anyhow::Result<()> {
        self.send(self.http.delete(self.url(path)?))
            .await
            .map(|_| ())
    }

    fn url(&self, path: &str) -> anyhow::Result<reqwest::Url> {
        Ok(self.base.join(path.trim_start_matches('/'))?)
    }

    async fn send(&self, mut req: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach vmyard at {}", self.target))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.bytes().await.unwrap_or_default();
        if let Ok(e) = serde_json::from_slice::<ErrorBody>(&body) {
            bail!("{status}: {}: {}", e.error.code, e.error.message);
        }
        // The node API answers with problem documents.
        if let Ok(p) = serde_json::from_slice::<Problem>(&body) {
            bail!("{status}: {}", p.detail);
        }
        bail!("{status}")
    }
}

fn default_socket() -> PathBuf {
    let system = PathBuf::from(DEFAULT_SOCKET);
    let demo = PathBuf::from(crate::config::DEMO_DATA).join("vmyard.sock");
    if !system.exists() && demo.exists() {
        demo
    } else {
        system
    }
}
