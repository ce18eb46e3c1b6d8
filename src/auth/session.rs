//! Browser sessions, kept in the store so that their expiry survives a restart.
//!
//! The cookie holds a random secret; the store holds only its SHA-256, with the user, the
//! CSRF token and the expiry. The expiry slides forward as the session is used.

use serde::{Deserialize, Serialize};

use super::{digest, now, random_token};
use crate::store::{Record, Store, StoreError};

/// A logged-in browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The user name from the config.
    pub user: String,
    /// The token every form of this session must send back.
    pub csrf: String,
    /// When it was created (seconds since the epoch).
    pub created_at: i64,
    /// When it expires unless used again.
    pub expires_at: i64,
}

impl Record for Session {
    const KIND: &'static str = "session";
}

/// The extension of the expiry is written at most this often, not on every request.
const RENEW_AFTER_SECS: i64 = 60;

/// Opens a session for `user`; returns the cookie value and the session.
pub fn create(store: &Store, user: &str, ttl_secs: i64) -> Result<(String, Session), StoreError> {
    let secret = random_token(32);
    let t = now();
    let session = Session {
        user: user.to_string(),
        csrf: random_token(24),
        created_at: t,
        expires_at: t + ttl_secs,
    };
    let mut w = store.write()?;
    w.upsert(&digest(&secret), &session)?;
    w.commit()?;
    Ok((secret, session))
}

/// Finds the live session for a cookie value, extending its expiry.
pub fn lookup(store: &Store, secret: &str, ttl_secs: i64) -> Result<Option<Session>, StoreError> {
    let key = digest(secret);
    let Some(found) = store.read()?.get::<Session>(&key)? else {
        return Ok(None);
    };
    let mut session = found.value;
    let t = now();
    if session.expires_at <= t {
        end(store, secret)?;
        return Ok(None);
    }
    // A lowered `session_ttl` shortens live sessions too: none outlives the new TTL.
    let shortened = session.expires_at > t + ttl_secs;
    if shortened || t + ttl_secs - session.expires_at >= RENEW_AFTER_SECS {
        session.expires_at = t + ttl_secs;
        let mut w = store.write()?;
        w.upsert(&key, &session)?;
        w.commit()?;
    }
    Ok(Some(session))
}

/// Ends a session (logout).
pub fn end(store: &Store, secret: &str) -> Result<(), StoreError> {
    let mut w = store.write()?;
    w.delete::<Session>(&digest(secret))?;
    w.commit()
}

/// Removes expired sessions; returns how many.
pub fn sweep(store: &Store) -> Result<usize, StoreError> {
    let t = now();
    let mut w = store.write()?;
    let n = w.delete_where::<Session>(|_, s| s.expires_at <= t)?;
    w.commit()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lowered_ttl_shortens_live_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (secret, _) = create(&store, "admin", 12 * 3600).unwrap();
        let long = lookup(&store, &secret, 12 * 3600).unwrap().unwrap();
        assert!(long.expires_at > now() + 11 * 3600);
        let short = lookup(&store, &secret, 60).unwrap().unwrap();
        assert!(short.expires_at <= now() + 60, "{short:?}");
        // The shortening is kept: the session ends by the new TTL.
        let stored = store
            .read()
            .unwrap()
            .get::<Session>(&digest(&secret))
            .unwrap()
            .unwrap();
        assert!(stored.value.expires_at <= now() + 60);
    }
}
