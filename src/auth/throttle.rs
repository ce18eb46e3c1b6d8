//! Login throttling, per client address and per user together, so that a stranger can
//! neither guess at leisure nor lock out a user who signs in from elsewhere.
//!
//! Failures are counted in a sliding window per key; once a key has its limit of failures
//! in the window, attempts on it are refused until the oldest failure leaves the window.
//! The keys of an attempt by client `A` as user `U`:
//!
//! - `client:A`: all of `A`'s failures, whatever user they named (`max`): one address
//!   cannot spray passwords over many users;
//! - `pair:A/U`: `A`'s failures as `U` (`max`);
//! - `user:U`: failures as `U` from every address, with a far higher limit
//!   (`max` × [`USER_WIDE_FACTOR`]), against guessing from many addresses. It does not
//!   apply to an address that signed in as `U` successfully within the last day: failures
//!   elsewhere never lock out a user at the desk they work from.
//!
//! The keys are checked before the password is, so a locked-out attacker does not even
//! cost an argon2 computation. A few lines over a map rather than a rate-limiter crate,
//! because what is limited is failures, not requests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed logins per key, and remembers where each user signed in.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    inner: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    failures: HashMap<String, VecDeque<Instant>>,
    /// `(user, client)` → when that client last signed in as that user.
    trusted: HashMap<(String, String), Instant>,
}

/// How many more failures against one user, from all addresses together, it takes to lock
/// the user for addresses it has not signed in from.
pub const USER_WIDE_FACTOR: u32 = 20;

/// How long a successful sign-in exempts its address from the user-wide lock.
const TRUSTED_FOR: Duration = Duration::from_secs(24 * 3600);

/// Keys kept before stale ones are pruned, so the maps cannot grow without bound.
const PRUNE_AT: usize = 10_000;

fn keys(client: &str, user: &str) -> [String; 3] {
    [
        format!("client:{client}"),
        format!("pair:{client}/{user}"),
        format!("user:{user}"),
    ]
}

impl LoginThrottle {
    /// Whether `client` may try to sign in as `user`; `Err` holds how long to wait.
    pub fn check(
        &self,
        client: &str,
        user: &str,
        max: u32,
        window: Duration,
    ) -> Result<(), Duration> {
        let now = Instant::now();
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let trusted = state
            .trusted
            .get(&(user.to_string(), client.to_string()))
            .is_some_and(|at| now.duration_since(*at) < TRUSTED_FOR);
        let [by_client, pair, by_user] = keys(client, user);
        let mut limits = vec![(by_client, max), (pair, max)];
        if !trusted {
            limits.push((by_user, max.saturating_mul(USER_WIDE_FACTOR)));
        }
        let mut wait = Duration::ZERO;
        for (key, limit) in limits {
            if let Some(list) = state.failures.get_mut(&key) {
                while list
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    list.pop_front();
                }
                if list.len() >= limit as usize
                    && let Some(oldest) = list.get(list.len() - limit as usize)
                {
                    wait = wait.max(window.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.max(Duration::from_secs(1)))
        }
    }

    /// Records a failed attempt by `client` as `user`.
    pub fn fail(&self, client: &str, user: &str, window: Duration) {
        let now = Instant::now();
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if state.failures.len() >= PRUNE_AT {
            state
                .failures
                .retain(|_, list| list.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in keys(client, user) {
            state.failures.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in: forgets the client's failures, and trusts it for `user`.
    pub fn succeed(&self, client: &str, user: &str) {
        let now = Instant::now();
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let [by_client, pair, _] = keys(client, user);
        state.failures.remove(&by_client);
        state.failures.remove(&pair);
        if state.trusted.len() >= PRUNE_AT {
            state
                .trusted
                .retain(|_, at| now.duration_since(*at) < TRUSTED_FOR);
        }
        state
            .trusted
            .insert((user.to_string(), client.to_string()), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_locked_after_max_failures_and_others_are_not() {
        let t = LoginThrottle::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(t.check("1", "bob", 3, w).is_ok());
            t.fail("1", "bob", w);
        }
        let wait = t.check("1", "bob", 3, w).unwrap_err();
        assert!(wait <= w && wait > Duration::from_secs(50));
        // The same client is locked for other users too ...
        assert!(t.check("1", "eve", 3, w).is_err());
        // ... but another client may still sign in as bob.
        assert!(t.check("2", "bob", 3, w).is_ok());
        t.succeed("1", "bob");
        assert!(t.check("1", "bob", 3, w).is_ok());
    }

    #[test]
    fn many_addresses_lock_a_user_except_where_it_signed_in() {
        let t = LoginThrottle::default();
        let w = Duration::from_secs(60);
        t.succeed("desk", "bob");
        for i in 0..3 * USER_WIDE_FACTOR {
            let client = format!("10.0.{}.{}", i / 250, i % 250);
            assert!(t.check(&client, "bob", 3, w).is_ok());
            t.fail(&client, "bob", w);
        }
        assert!(t.check("new-address", "bob", 3, w).is_err());
        assert!(t.check("desk", "bob", 3, w).is_ok());
        assert!(t.check("new-address", "eve", 3, w).is_ok());
    }

    #[test]
    fn failures_leave_the_window() {
        let t = LoginThrottle::default();
        let w = Duration::from_millis(30);
        t.fail("1", "x", w);
        assert!(t.check("1", "x", 1, w).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(t.check("1", "x", 1, w).is_ok());
    }
}
