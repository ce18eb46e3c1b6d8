//! Login throttling: too many failures from one client, or against one user, lock further
//! attempts out for a while.
//!
//! Failures are counted in a sliding window per key (`client:ADDR`, `user:NAME`); once a key
//! has `max` failures in the window, attempts on it are refused until the oldest failure
//! leaves the window. Both keys are checked before the password is, so a locked-out attacker
//! does not even cost an argon2 computation. This is a few lines over a map rather than a
//! rate-limiter crate because what is limited is failures, not requests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed logins per key.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Keys kept before stale ones are pruned, so the map cannot grow without bound.
const PRUNE_AT: usize = 10_000;

impl LoginThrottle {
    /// Whether an attempt on these keys may go ahead; `Err` holds how long to wait.
    pub fn check(&self, keys: &[String], max: u32, window: Duration) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("throttle lock");
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(list) = map.get_mut(key) {
                while list
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    list.pop_front();
                }
                if list.len() >= max as usize
                    && let Some(oldest) = list.front()
                {
                    wait = wait.max(window - now.duration_since(*oldest));
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Records a failed attempt on these keys.
    pub fn fail(&self, keys: &[String], window: Duration) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() >= PRUNE_AT {
            map.retain(|_, list| list.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in keys {
            map.entry(key.clone()).or_default().push_back(now);
        }
    }

    /// Forgets the failures of these keys after a successful login.
    pub fn succeed(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("throttle lock");
        for key in keys {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_per_key() {
        let t = LoginThrottle::default();
        let w = Duration::from_secs(60);
        let a = vec!["client:1".to_string(), "user:bob".to_string()];
        for _ in 0..3 {
            assert!(t.check(&a, 3, w).is_ok());
            t.fail(&a, w);
        }
        let wait = t.check(&a, 3, w).unwrap_err();
        assert!(wait <= w && wait > Duration::from_secs(50));
        // Another client is locked out of the same user ...
        assert!(
            t.check(&["client:2".into(), "user:bob".into()], 3, w)
                .is_err()
        );
        // ... but may try another user.
        assert!(
            t.check(&["client:2".into(), "user:eve".into()], 3, w)
                .is_ok()
        );
        t.succeed(&a);
        assert!(t.check(&a, 3, w).is_ok());
    }

    #[test]
    fn failures_leave_the_window() {
        let t = LoginThrottle::default();
        let w = Duration::from_millis(30);
        let k = vec!["user:x".to_string()];
        t.fail(&k, w);
        assert!(t.check(&k, 1, w).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(t.check(&k, 1, w).is_ok());
    }
}
