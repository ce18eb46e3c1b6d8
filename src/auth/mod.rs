//! Who is asking, and what they may do.
//!
//! Three ways in, one [`Identity`] out:
//! - people log in on the login page and get a [`session`] cookie;
//! - scripts present an API [`token`] created by an admin, as `Authorization: Bearer`;
//! - the local CLI connects over the unix socket, where the caller's uid decides the role.
//!
//! Passwords are argon2 hashes in the config ([`password`]); failed logins are
//! [`throttle`]d per client and per user.

pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// A user name as typed at a failed sign-in, as the log may show it. A configured user's
/// name is shown; anything else is often a password typed into the wrong field, so only a
/// short hash of it is (enough to tell repeated attempts apart).
pub fn loggable_user<'a>(mut users: impl Iterator<Item = &'a str>, typed: &str) -> String {
    if users.any(|u| u == typed) {
        return typed.to_string();
    }
    let digest = sha2::Sha256::digest(typed.as_bytes());
    format!("unknown#{}", hex::encode(&digest[..4]))
}

/// What a caller may do. Each role includes the ones before it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything.
    Viewer,
    /// Also drive machines and trigger refreshes.
    Operator,
    /// Also manage config, users and tokens.
    Admin,
}

impl Role {
    /// The role's name as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role `{other}`: use viewer, operator or admin"
            )),
        }
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthMethod {
    /// A browser session; unsafe requests must carry its CSRF token.
    Session {
        /// The session's CSRF token.
        #[serde(skip)]
        csrf: String,
    },
    /// An API token.
    Token {
        /// The token's id (not its secret).
        id: String,
    },
    /// A request a peer forwarded for one of its callers, authenticated by the peer's
    /// token; the role is the lower of the caller's and the token's.
    Forwarded {
        /// The node that forwarded it.
        node: String,
        /// The id of the token it presented.
        token: String,
    },
    /// HTTP basic authentication of a configured user (the node API only, for om3 clients).
    Basic,
    /// The local unix socket.
    LocalSocket {
        /// The caller's uid.
        uid: u32,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Identity {
    /// User name, token name, or `uid:N` for the socket.
    pub name: String,
    /// What the caller may do.
    pub role: Role,
    /// How they authenticated.
    pub method: AuthMethod,
}

/// Constant-time equality of two secrets; an empty secret never matches.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// `n` random bytes from the OS, as URL-safe base64 without padding.
pub fn random_token(n: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// `n` random bytes from the OS, hex encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    hex::encode(buf)
}

/// SHA-256 of a high-entropy secret, hex encoded: how session ids and token secrets are
/// kept, so that a copy of the store gives no working credential.
pub fn digest(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// Seconds since the epoch, the unit of every stored time.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_configured_user_names_are_logged_as_typed() {
        let users = || ["admin", "viewer"].into_iter();
        assert_eq!(super::loggable_user(users(), "admin"), "admin");
        let typed = super::loggable_user(users(), "hunter2");
        assert!(
            typed.starts_with("unknown#") && !typed.contains("hunter2"),
            "{typed}"
        );
        assert_eq!(typed, super::loggable_user(users(), "hunter2"), "stable");
    }
}
