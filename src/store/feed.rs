//! The change feed: what each committed write transaction changed.
//!
//! Subscribers get an `Arc<ChangeSet>` per commit through a tokio broadcast channel. The feed
//! is best effort by design: a subscriber that falls behind is told it lagged and must catch
//! up from the store itself (as the validator's scheduled search does), so a slow reader can
//! never hold up a writer.

use serde::Serialize;

/// Whether a record was written or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Created or changed.
    Upsert,
    /// Removed.
    Delete,
}

/// One changed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The record kind ([`super::Record::KIND`]).
    pub kind: &'static str,
    /// The record id.
    pub id: String,
    /// The record's revision after the change (its last revision for a delete).
    pub revision: u64,
    /// Upsert or delete.
    pub op: ChangeKind,
}

/// Everything one write transaction changed, in the order it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeSet {
    /// The changes.
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// The changes to records of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Change> + 'a {
        self.changes.iter().filter(move |c| c.kind == kind)
    }
}
