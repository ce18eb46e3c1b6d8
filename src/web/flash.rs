//! One-time messages shown after a form redirects ("Set web scaled to 1.").
//!
//! The message stays on the server; the redirect carries only a random id, taken once, and
//! only by the user it was made for. A link with `?flash=` of its own therefore shows
//! nothing: nobody can put words on another person's page.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a message waits to be shown.
const KEEP: Duration = Duration::from_secs(120);
/// The most messages waiting at once; the oldest go first past that.
const CAPACITY: usize = 4096;

#[derive(Debug)]
struct Waiting {
    user: String,
    message: String,
    made: Instant,
}

/// Messages waiting for the page that shows them.
#[derive(Debug, Default)]
pub struct Flashes {
    waiting: Mutex<HashMap<String, Waiting>>,
}

impl Flashes {
    /// Keeps `message` for `user`; returns the id the redirect carries.
    pub fn put(&self, user: &str, message: String) -> String {
        let id = hex::encode(rand::random::<[u8; 16]>());
        let mut w = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        w.retain(|_, m| m.made.elapsed() < KEEP);
        if w.len() >= CAPACITY
            && let Some(oldest) = w.iter().min_by_key(|(_, m)| m.made).map(|(k, _)| k.clone())
        {
            w.remove(&oldest);
        }
        w.insert(
            id.clone(),
            Waiting {
                user: user.to_string(),
                message,
                made: Instant::now(),
            },
        );
        id
    }

    /// The message `id` names, once, if it was made for `user` and is still fresh.
    pub fn take(&self, user: &str, id: &str) -> Option<String> {
        let mut w = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = w
            .get(id)
            .is_some_and(|m| m.user == user && m.made.elapsed() < KEEP);
        if !fresh {
            return None;
        }
        w.remove(id).map(|m| m.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_shown_once_and_only_to_its_user() {
        let f = Flashes::default();
        let id = f.put("alice", "Set web scaled to 1.".into());
        assert_eq!(f.take("bob", &id), None, "another user");
        assert_eq!(
            f.take("alice", "Set web scaled to 1."),
            None,
            "text is no id"
        );
        assert_eq!(
            f.take("alice", &id).as_deref(),
            Some("Set web scaled to 1.")
        );
        assert_eq!(f.take("alice", &id), None, "once");
    }
}
