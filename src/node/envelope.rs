//! The wire shapes of the om3-compatible node API: the list envelope
//! `{"kind": "<X>List", "items": [{"kind": "<X>Item", "meta": {"node"}, "data"}]}` (with
//! `collected_at` and the failed sources beside it), and problem documents for errors.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Section, Snapshot, SourceError};

/// A section's answer, as served and as read back from a peer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemList {
    /// `<X>List`, e.g. `DiskList`.
    pub kind: String,
    /// When the facts were read (RFC 3339).
    pub collected_at: String,
    /// Sources that could not be read; the items are what could.
    #[serde(default)]
    pub errors: Vec<SourceError>,
    /// The items, in a stable order.
    pub items: Vec<SystemItem>,
}

/// One item of a [`SystemList`].
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SystemItem {
    /// `<X>Item`, e.g. `DiskItem`.
    pub kind: String,
    /// Which node it describes.
    pub meta: ItemMeta,
    /// The section's fields (see the node facts documentation).
    #[schema(value_type = Object)]
    pub data: Value,
}

/// The `meta` of an item.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemMeta {
    /// The node name.
    pub node: String,
}

/// An error, as an RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A short summary.
    pub title: String,
    /// What happened, for people.
    pub detail: String,
    /// The HTTP status.
    pub status: u16,
}

impl Problem {
    /// A problem with its status, title and detail.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem {
            title: title.into(),
            detail: detail.into(),
            status,
        }
    }
}

#[derive(Serialize)]
struct ListRef<'a> {
    kind: String,
    collected_at: String,
    errors: &'a [SourceError],
    items: Vec<ItemRef<'a>>,
}

#[derive(Serialize)]
struct ItemRef<'a> {
    kind: &'a str,
    meta: MetaRef<'a>,
    data: &'a Value,
}

#[derive(Serialize)]
struct MetaRef<'a> {
    node: &'a str,
}

/// Serializes a snapshot as the answer of `node`, without copying its items.
pub fn render(section: Section, node: &str, snap: &Snapshot) -> Bytes {
    let item_kind = format!("{}Item", section.kind());
    let list = ListRef {
        kind: format!("{}List", section.kind()),
        collected_at: snap.collected_at.to_string(),
        errors: &snap.errors,
        items: snap
            .items
            .iter()
            .map(|data| ItemRef {
                kind: &item_kind,
                meta: MetaRef { node },
                data,
            })
            .collect(),
    };
    // Serializing plain JSON values into a Vec cannot fail.
    Bytes::from(serde_json::to_vec(&list).unwrap_or_default())
}
