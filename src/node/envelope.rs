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

/// Which form an answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// om3's own paths: om3's types, exactly (see [`super::om3`]).
    Om3,
    /// vmyard's `/api/v1/node/...`: the uniform envelope, `null` for unknown, exact units.
    Vmyard,
}

#[derive(Serialize)]
struct Om3List<'a> {
    kind: String,
    collected_at: String,
    errors: &'a [SourceError],
    items: Vec<Value>,
}

/// Serializes a snapshot as the answer of `node` in a dialect.
pub fn render_in(dialect: Dialect, section: Section, node: &str, snap: &Snapshot) -> Bytes {
    if dialect == Dialect::Vmyard {
        return render(section, node, snap);
    }
    let item_kind = format!("{}Item", section.kind());
    let items = snap
        .items
        .iter()
        .map(|data| {
            let data = super::om3::item(section, data);
            if super::om3::bare_items(section) {
                data
            } else {
                serde_json::json!({"kind": item_kind, "meta": {"node": node}, "data": data})
            }
        })
        .collect();
    let list = Om3List {
        kind: format!("{}List", section.kind()),
        collected_at: snap.collected_at.to_string(),
        errors: &snap.errors,
        items,
    };
    Bytes::from(serde_json::to_vec(&list).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn san_paths_are_bare_on_om3s_paths_and_wrapped_on_vmyards() {
        let path = json!({"initiator": {"name": "iqn.1994-05.com.redhat:a", "type": "iscsi"},
                          "target": {"name": "iqn.2003-01.org.example:t1", "type": "iscsi"}});
        let snap = Snapshot::of(Section::SanPath, vec![path.clone()]);
        let om3: Value = serde_json::from_slice(&snap.body("n1", Dialect::Om3)).unwrap();
        assert_eq!(om3["kind"], "SANPathList");
        assert_eq!(om3["items"], json!([path]));
        let ours: Value = serde_json::from_slice(&snap.body("n1", Dialect::Vmyard)).unwrap();
        assert_eq!(ours["items"][0]["kind"], "SANPathItem");
        assert_eq!(ours["items"][0]["meta"]["node"], "n1");
        assert_eq!(ours["items"][0]["data"], path);
        // The other sections stay wrapped on om3's paths.
        let users = Snapshot::of(Section::User, vec![json!({"id": 0, "name": "root"})]);
        let om3: Value = serde_json::from_slice(&users.body("n1", Dialect::Om3)).unwrap();
        assert_eq!(om3["items"][0]["kind"], "UserItem");
        assert_eq!(om3["items"][0]["data"], json!({"id": 0, "name": "root"}));
    }
}
