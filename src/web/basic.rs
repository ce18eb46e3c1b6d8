//! HTTP basic authentication, for om3 clients of the node API only.
//!
//! om3's `ox` and its generated clients send a user's name and password as `Authorization:
//! Basic`. vmyard accepts that on the node API, and nowhere else: elsewhere a password
//! travels once, to the login page, and is throttled there. Here it is checked against the
//! same users, with the same throttle (per client and per user), so basic auth is no way
//! around the login page's lockout.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use base64::Engine;

use super::AppState;
use crate::auth::{AuthMethod, Identity, password};

/// A user name and password from an `Authorization: Basic` header.
pub(super) struct Credentials {
    user: String,
    password: String,
}

/// The basic credentials of a request, if it sends any (`Some(Err)` when they are malformed).
pub(super) fn credentials(req: &Request) -> Option<Result<Credentials, String>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| "the basic credentials are not base64".to_string())
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| "the basic credentials are not UTF-8".to_string())
        });
    Some(decoded.and_then(|text| match text.split_once(':') {
        Some((user, password)) => Ok(Credentials {
            user: user.to_string(),
            password: password.to_string(),
        }),
        None => Err("the basic credentials have no `user:password`".to_string()),
    }))
}

/// Why basic credentials were not accepted.
pub(super) enum Refusal {
    /// Wrong name or password (or malformed credentials).
    Bad(String),
    /// Too many failures: wait this many seconds.
    Throttled(u64),
}

impl Refusal {
    /// The status and message to answer with.
    pub(super) fn status(&self) -> (StatusCode, String) {
        match self {
            Refusal::Bad(why) => (StatusCode::UNAUTHORIZED, why.clone()),
            Refusal::Throttled(s) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many failed attempts; try again in {s} s"),
            ),
        }
    }
}

/// Checks basic credentials against the configured users, throttled as the login page is.
/// `client` is the caller's throttle key ([`super::peer::client_key`]).
pub(super) async fn verify(
    app: &AppState,
    client: String,
    c: Credentials,
) -> Result<Identity, Refusal> {
    let config = app.config.current();
    let server = &config.server;
    if let Err(wait) = app.throttle.check(
        &client,
        &c.user,
        server.login_max_failures,
        server.login_window.0,
    ) {
        tracing::warn!(user = %crate::auth::loggable_user(config.users.iter().map(|u| u.name.as_str()), &c.user), client, "basic auth throttled");
        return Err(Refusal::Throttled(wait.as_secs().max(1)));
    }
    let user = config.users.iter().find(|u| u.name == c.user).cloned();
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.0.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let pw = c.password;
    // Argon2 is deliberately slow: off the async workers.
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .unwrap_or(false);
    match user.filter(|_| ok) {
        Some(user) => {
            app.throttle.succeed(&client, &user.name);
            Ok(Identity {
                name: user.name,
                role: user.role,
                method: AuthMethod::Basic,
            })
        }
        None => {
            app.throttle.fail(&client, &c.user, server.login_window.0);
            tracing::warn!(user = %crate::auth::loggable_user(config.users.iter().map(|u| u.name.as_str()), &c.user), client, "basic auth failed");
            Err(Refusal::Bad("wrong user name or password".into()))
        }
    }
}
