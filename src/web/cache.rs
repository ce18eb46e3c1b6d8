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
/// How many bytes of answers are kept, by the same rule: distinct queries of large pages
/// (a thousand `per_page` values over a big inventory) must not grow memory without end.
const BYTES_CAPACITY: usize = 64 << 20;
/// An answer larger than this is not kept at all.
const MAX_ANSWER_BYTES: usize = 8 << 20;

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, (u64, Bytes)>,
    bytes: usize,
}

/// Encoded answers keyed by what was asked, each tagged with the generation it was
/// computed at.
#[derive(Debug, Default)]
pub struct AnswerCache {
    entries: Mutex<Entries>,
}

impl AnswerCache {
    /// The answer to `key` if it was computed at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.map.get(key) {
            Some((g, body)) if *g == generation => Some(body.clone()),
            _ => None,
        }
    }

    /// Keeps the answer to `key` computed from a read that began at `generation`.
    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        if body.len() > MAX_ANSWER_BYTES {
            return;
        }
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, old)) = e.map.remove(&key) {
            e.bytes -= old.len();
        }
        let full = |e: &Entries| e.map.len() >= CAPACITY || e.bytes + body.len() > BYTES_CAPACITY;
        if full(&e) {
            e.map.retain(|_, (g, _)| *g == generation);
            e.bytes = e.map.values().map(|(_, b)| b.len()).sum();
            if full(&e) {
                e.map.clear();
                e.bytes = 0;
            }
        }
        e.bytes += body.len();
        e.map.insert(key, (generation, body));
    }

    /// How many bytes of answers are kept (for tests and metrics).
    pub fn bytes(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).bytes
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
        assert!(cache.entries.lock().unwrap().map.len() <= CAPACITY);
        assert!(
            cache
                .get(
                    &format!("k{}", CAPACITY * 3 - 1),
                    (CAPACITY * 3 - 1) as u64 / 10
                )
                .is_some()
        );
    }

    #[test]
    fn memory_stays_bounded_by_bytes_as_well_as_entries() {
        let cache = AnswerCache::default();
        let page = Bytes::from(vec![b'x'; 2 << 20]);
        for per_page in 0..1000 {
            cache.put(format!("list\0{per_page}"), 7, page.clone());
            assert!(cache.bytes() <= BYTES_CAPACITY, "{}", cache.bytes());
        }
        cache.put("huge".into(), 7, Bytes::from(vec![0; MAX_ANSWER_BYTES + 1]));
        assert_eq!(cache.get("huge", 7), None, "too large to keep");
        // Replacing an answer does not count it twice.
        let before = cache.bytes();
        cache.put("list\0999".into(), 7, page.clone());
        assert_eq!(cache.bytes(), before);
    }
}
