//! API tokens: created by an admin, shown once, stored hashed, revocable.
//!
//! A token reads `vmy_<id>_<secret>`. The id finds the record; the secret is compared by its
//! SHA-256 in constant time. Tokens are long random strings, so a fast hash is enough.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{Identity, Role, digest, random_hex, random_token};
use crate::store::{Record, Store, StoreError};

/// A stored API token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// The public part of the token, used to revoke it.
    pub id: String,
    /// What it is for, e.g. `prometheus` or `backup-script`.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Who created it.
    pub created_by: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    /// When it stops working; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<jiff::Timestamp>,
    /// When it was last presented (to the minute); never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<jiff::Timestamp>,
    /// SHA-256 of the secret part.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    #[schema(ignore)]
    pub secret_sha256: String,
}

impl Record for ApiToken {
    const KIND: &'static str = "api_token";
}

const PREFIX: &str = "vmy_";

/// Creates a token; returns the full token text (shown once) and its record.
pub fn create(
    store: &Store,
    name: &str,
    role: Role,
    created_by: &str,
    expires_at: Option<jiff::Timestamp>,
) -> Result<(String, ApiToken), StoreError> {
    let id = random_hex(6);
    let secret = random_token(32);
    let token = ApiToken {
        id: id.clone(),
        name: name.to_string(),
        role,
        created_by: created_by.to_string(),
        created_at: jiff::Timestamp::now(),
        expires_at,
        last_used_at: None,
        secret_sha256: digest(&secret),
    };
    let mut w = store.write()?;
    w.upsert(&id, &token)?;
    w.commit()?;
    Ok((format!("{PREFIX}{id}_{secret}"), token))
}

/// Every token, without secrets.
pub fn list(store: &Store) -> Result<Vec<ApiToken>, StoreError> {
    Ok(store
        .read()?
        .list::<ApiToken>()?
        .into_iter()
        .map(|(_, t)| ApiToken {
            secret_sha256: String::new(),
            ..t.value
        })
        .collect())
}

/// Revokes a token by id; returns whether it existed.
pub fn revoke(store: &Store, id: &str) -> Result<bool, StoreError> {
    let mut w = store.write()?;
    let existed = w.delete::<ApiToken>(id)?;
    w.commit()?;
    Ok(existed)
}

/// How stale a token's last use may get before it is written again: one write per token per
/// minute at most, whatever the request rate.
pub const LAST_USE_GRAIN: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// The identity a presented token stands for, if it is valid (known, the secret matches,
/// not expired), and whether its last use is due to be written ([`touch`]).
pub fn authenticate(
    store: &Store,
    presented: &str,
) -> Result<Option<(Identity, bool)>, StoreError> {
    let Some((id, secret)) = presented
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(None);
    };
    let Some(stored) = store.read()?.get::<ApiToken>(id)? else {
        return Ok(None);
    };
    let token = stored.value;
    let matches: bool = digest(secret)
        .as_bytes()
        .ct_eq(token.secret_sha256.as_bytes())
        .into();
    let now = jiff::Timestamp::now();
    if !matches || token.expires_at.is_some_and(|at| at <= now) {
        return Ok(None);
    }
    let due = token
        .last_used_at
        .is_none_or(|at| now.duration_since(at) >= LAST_USE_GRAIN);
    Ok(Some((
        Identity {
            name: token.name,
            role: token.role,
            method: super::AuthMethod::Token { id: token.id },
        },
        due,
    )))
}

/// Writes that token `id` was used now (a blocking write: call it off the async workers).
pub fn touch(store: &Store, id: &str) -> Result<(), StoreError> {
    let mut w = store.write()?;
    if let Some(stored) = w.get::<ApiToken>(id)? {
        let mut token = stored.value;
        token.last_used_at = Some(jiff::Timestamp::now());
        w.upsert(id, &token)?;
    }
    w.commit()
}
