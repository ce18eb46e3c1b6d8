//! An authenticated client of one engine.
//!
//! It logs in through the engine's SSO endpoint, sends `Authorization: Bearer`, `Version: 4`
//! and `Accept: application/json`, logs in again and retries once when a call answers 401
//! (an expired or revoked token), and gives every request a timeout. Engine faults
//! (`{"reason", "detail"}`) become [`EngineError::Fault`] with their status.

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::{Provider, Secret};

/// Why a call to the engine failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    /// The engine could not be reached, or the connection broke.
    #[error("cannot reach the engine: {0}")]
    Transport(String),
    /// The engine did not answer in time.
    #[error("the engine did not answer within {0:?}")]
    Timeout(Duration),
    /// Login was refused.
    #[error("login refused: {0}")]
    Login(String),
    /// The engine answered with a fault.
    #[error("engine answered {status}: {reason}{}", if detail.is_empty() { String::new() } else { format!(" ({detail})") })]
    Fault {
        /// The HTTP status.
        status: u16,
        /// The fault's reason.
        reason: String,
        /// The fault's detail.
        detail: String,
    },
    /// The answer was larger than the provider's `max_answer_mib`.
    #[error("the answer to {path} is over {limit_mib} MiB (providers.max_answer_mib); not read")]
    TooLarge {
        /// What was asked.
        path: String,
        /// The limit, in MiB.
        limit_mib: u64,
    },
    /// The answer was not the JSON it should be.
    #[error("malformed answer from {path}: {problem}")]
    Malformed {
        /// What was asked.
        path: String,
        /// What was wrong.
        problem: String,
    },
}

impl EngineError {
    /// Whether the engine said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, EngineError::Fault { status: 404, .. })
    }
}

/// A client of one engine; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct EngineClient {
    http: reqwest::Client,
    api: Url,
    sso: Url,
    user: String,
    password: Secret,
    token: Mutex<Option<String>>,
    /// How long one request may take (the provider's `request_timeout`).
    timeout: Duration,
    /// The largest answer read, in MiB (the provider's `max_answer_mib`).
    max_answer_mib: u64,
}

impl EngineClient {
    /// A client for a configured provider (its CA, or the system roots, or no verification).
    pub fn new(provider: &Provider) -> anyhow::Result<EngineClient> {
        crate::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(provider.request_timeout.0)
            .connect_timeout(Duration::from_secs(10))
            .danger_accept_invalid_certs(provider.insecure);
        if let Some(ca) = &provider.ca_file {
            let pem = crate::config::file::read_regular_bytes(ca)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", ca.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let mut api = provider.url.0.clone();
        if !api.path().ends_with('/') {
            api.set_path(&format!("{}/", api.path()));
        }
        let sso = api.join("../sso/oauth/token")?;
        let password = provider
            .password()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("provider {} has no password", provider.name))?;
        Ok(EngineClient {
            http: builder.build()?,
            api,
            sso,
            user: provider.user.clone(),
            password,
            token: Mutex::new(None),
            timeout: provider.request_timeout.0,
            max_answer_mib: provider.max_answer_mib,
        })
    }

    /// Logs in and keeps the token.
    pub async fn login(&self) -> Result<(), EngineError> {
        let form = [
            ("grant_type", "password"),
            ("username", self.user.as_str()),
            ("password", self.password.expose()),
            ("scope", "ovirt-app-api"),
        ];
        let resp = self
            .http
            .post(self.sso.clone())
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| transport(e, &self.api, self.timeout))?;
        let status = resp.status();
        let sso_path = self.sso.path().to_string();
        let bytes = self.read_body(resp, &sso_path).await?;
        let body: Value = serde_json::from_slice(&bytes).map_err(|e| EngineError::Malformed {
            path: sso_path,
            problem: e.to_string(),
        })?;
        if !status.is_success() {
            let why = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("no reason given");
            return Err(EngineError::Login(format!("{status}: {why}")));
        }
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| EngineError::Malformed {
                path: self.sso.path().to_string(),
                problem: "no access_token".into(),
            })?;
        *self.token.lock().await = Some(token.to_string());
        Ok(())
    }

    /// GETs a path relative to the API root (`vms?follow=nics`), as JSON.
    pub async fn get(&self, path: &str) -> Result<Value, EngineError> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// POSTs a JSON body to a path relative to the API root.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, EngineError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// DELETEs a path relative to the API root.
    pub async fn delete(&self, path: &str) -> Result<Value, EngineError> {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, EngineError> {
        if self.token.lock().await.is_none() {
            self.login().await?;
        }
        match self.once(method.clone(), path, body).await {
            Err(EngineError::Fault { status: 401, .. }) => {
                self.login().await?;
                self.once(method, path, body).await
            }
            other => other,
        }
    }

    async fn once(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, EngineError> {
        let url = if path.is_empty() {
            // The API root is served without a trailing slash.
            let mut root = self.api.clone();
            root.set_path(self.api.path().trim_end_matches('/'));
            root
        } else {
            self.api
                .join(path.trim_start_matches('/'))
                .map_err(|e| EngineError::Malformed {
                    path: path.to_string(),
                    problem: e.to_string(),
                })?
        };
        let token = self.token.lock().await.clone().unwrap_or_default();
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(token)
            .header("Accept", "application/json")
            .header("Version", "4");
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| transport(e, &self.api, self.timeout))?;
        let status = resp.status();
        let bytes = self.read_body(resp, path).await?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(EngineError::Fault {
                status: 401,
                reason: "unauthorized".into(),
                detail: String::new(),
            });
        }
        let parsed: Result<Value, _> = if bytes.is_empty() {
            Ok(Value::Null)
        } else {
            serde_json::from_slice(&bytes)
        };
        if !status.is_success() {
            let fault = parsed.unwrap_or(Value::Null);
            return Err(EngineError::Fault {
                status: status.as_u16(),
                reason: fault["reason"]
                    .as_str()
                    .unwrap_or(status.canonical_reason().unwrap_or("error"))
                    .to_string(),
                detail: fault["detail"].as_str().unwrap_or_default().to_string(),
            });
        }
        parsed.map_err(|e| EngineError::Malformed {
            path: path.to_string(),
            problem: e.to_string(),
        })
    }
}

impl EngineClient {
    /// Reads an answer's body, up to `max_answer_mib`: an answer over it (declared, or
    /// found while reading) is an error, and what was read of it is dropped at once.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        path: &str,
    ) -> Result<bytes::Bytes, EngineError> {
        let limit = self.max_answer_mib.saturating_mul(1024 * 1024);
        let too_large = || EngineError::TooLarge {
            path: if path.is_empty() { "(API root)" } else { path }.to_string(),
            limit_mib: self.max_answer_mib,
        };
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transport(e, &self.api, self.timeout))?
        {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

fn transport(e: reqwest::Error, api: &Url, timeout: Duration) -> EngineError {
    if e.is_timeout() {
        EngineError::Timeout(timeout)
    } else if let Some(why) = super::tls::explain(&e, api) {
        EngineError::Transport(why)
    } else {
        EngineError::Transport(with_sources(&e))
    }
}

/// An error with its sources ("error sending request: connection refused"), since the
/// outermost message alone rarely says what went wrong.
fn with_sources(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = s.source();
    }
    text
}
