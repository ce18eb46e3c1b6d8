//! A cache of encoded answers, valid while the store has not changed.
//!
//! An inventory page is a pure function of the store and the query. The store's
//! [generation](crate::store::Store::generation) goes up on every commit that changes
//! anything, so an answer computed at generation `g` can be served again for as long as the
//! generation is still `g`. Under a steady engine (a few changes a minute) nearly every
//! repeated request is then a hash lookup; during a burst of changes every request computes
//! afresh, exactly as without the cache. Nothing here can serve data older than the last
//! commit the request could have seen.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;

/// How many answers are kept; past that, answers of older generations are dropped first,
/// then everything (a simple bound: the working set of a dashboard is a few dozen pages).
const CAPACITY: usize = 1024;

/// Encoded answers keyed by what was asked, each tagged with the generation it was
/// computed at.
#[derive(Debug, Default)]
pub struct AnswerCache {
    entries: Mutex<HashMap<String, (u64, Bytes)>>,
}

impl AnswerCache {
    /// The answer to `key` if it was computed at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((g, body)) if *g == generation => Some(body.clone()),
            _ => None,
        }
    }

    /// Keeps the answer to `key` computed from a read that began at `generation`.
    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.retain(|_, (g, _)| *g == generation);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (generation, body));
    }

    /// Answers `key` from the cache, or computes it with `compute` and keeps it.
    /// `generation` must be taken before `compute` opens its read transaction.
    pub fn get_or_compute<E>(
        &self,
        key: String,
        generation: u64,
        compute: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(body) = self.get(&key, generation) {
            return Ok(body);
        }
        let body = compute()?;
        self.put(key, generation, body.clone());
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_served_only_at_its_generation() {
        let cache = AnswerCache::default();
        cache.put("a".into(), 3, Bytes::from_static(b"three"));
        assert_eq!(cache.get("a", 3).as_deref(), Some(&b"three"[..]));
        assert_eq!(cache.get("a", 4), None, "a newer store invalidates it");
        assert_eq!(cache.get("b", 3), None);
    }

    #[test]
    fn compute_runs_once_per_generation() {
        let cache = AnswerCache::default();
        let mut runs = 0;
        for generation in [1, 1, 1, 2, 2] {
            let body: Result<Bytes, ()> = cache.get_or_compute("k".into(), generation, || {
                runs += 1;
                Ok(Bytes::from(format!("g{generation}")))
            });
            assert_eq!(body.unwrap(), format!("g{generation}"));
        }
        assert_eq!(runs, 2);
    }

    #[test]
    fn it_stays_bounded() {
        let cache = AnswerCache::default();
        for i in 0..CAPACITY * 3 {
            cache.put(format!("k{i}"), i as u64 / 10, Bytes::new());
        }
        assert!(cache.entries.lock().unwrap().len() <= CAPACITY);
        assert!(
            cache
                .get(
                    &format!("k{}", CAPACITY * 3 - 1),
                    (CAPACITY * 3 - 1) as u64 / 10
                )
                .is_some()
        );
    }
}
