//! Listing inventory records with filters, a name search, sorting and paging.
//!
//! Lists are served from the indexes: the name index gives every record of a provider in
//! name order without decoding one, the containment indexes narrow by cluster, host or
//! status, and only the records of the requested page are decoded. That keeps a page of
//! 100 VMs out of 10,000 cheap.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::store::{ReadTxn, Record, StoreError};

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Names containing this text (case-insensitive).
    pub q: Option<String>,
    /// Only records in this cluster (engine id).
    pub cluster: Option<String>,
    /// Only records on this host (engine id).
    pub host: Option<String>,
    /// Disks only: disks on this storage domain (engine id).
    pub storage_domain: Option<String>,
    /// Only records with this status.
    pub status: Option<String>,
    /// VMs only: VMs with this concern id.
    pub concern: Option<String>,
    /// VMs only: VMs with a concern of this category (`Critical`, `Warning`, `Information`).
    pub category: Option<String>,
    /// VMs only: VMs with this readiness (`ready`, `warnings`, `blocked`).
    pub readiness: Option<String>,
    /// Newest name first.
    pub desc: bool,
    /// The page, from 1.
    pub page: Option<usize>,
    /// Records per page (1 to 1000, 100 by default).
    pub per_page: Option<usize>,
}

impl ListQuery {
    /// The query parameters, one per field above: kept beside the fields so that a new
    /// filter is added to both at once.
    pub const PARAMETERS: [&'static str; 11] = [
        "q",
        "cluster",
        "host",
        "storage_domain",
        "status",
        "concern",
        "category",
        "readiness",
        "desc",
        "page",
        "per_page",
    ];
    /// The page number, from 1.
    pub fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }
    /// Records per page.
    pub fn per_page(&self) -> usize {
        self.per_page.unwrap_or(100).clamp(1, 1000)
    }

    /// The same query with its defaults and clamps applied and empty filters dropped: two
    /// queries that answer the same normalise to the same value (the answer cache's key).
    pub fn normalized(&self) -> ListQuery {
        let keep = |f: &Option<String>| f.clone().filter(|s| !s.is_empty());
        ListQuery {
            q: keep(&self.q).map(|q| q.to_lowercase()),
            cluster: keep(&self.cluster),
            host: keep(&self.host),
            storage_domain: keep(&self.storage_domain),
            status: keep(&self.status),
            concern: keep(&self.concern),
            category: keep(&self.category),
            readiness: keep(&self.readiness),
            desc: self.desc,
            page: Some(self.page()),
            per_page: Some(self.per_page()),
        }
    }
}

/// One listed record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item<T> {
    /// Its revision in the store.
    pub revision: u64,
    /// The record.
    #[serde(flatten)]
    pub value: T,
}

/// A page of records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListPage<T> {
    /// Records matching the filters, over all pages.
    pub total: usize,
    /// This page, from 1.
    pub page: usize,
    /// Records per page.
    pub per_page: usize,
    /// The records of this page.
    pub items: Vec<Item<T>>,
}

/// Lists a provider's records of type `T`. `outside`, when given, is the set of keys that
/// filters kept outside the inventory allow (the VMs with a concern, kept by validation):
/// only those are listed.
pub fn list<T: Record + Clone>(
    r: &ReadTxn,
    provider: &str,
    query: &ListQuery,
    outside: Option<HashSet<String>>,
) -> Result<ListPage<T>, StoreError> {
    let (page, per_page) = (query.page(), query.per_page());
    let (total, items) = window::<T>(r, provider, query, outside, (page - 1) * per_page, per_page)?;
    Ok(ListPage {
        total,
        page,
        per_page,
        items,
    })
}

/// Every record of type `T` the filters keep, in name order (or its reverse with `desc`),
/// whatever the page: for a list sorted by something other than the name, which must see
/// them all before it can tell which make a page.
pub fn list_all<T: Record + Clone>(
    r: &ReadTxn,
    provider: &str,
    query: &ListQuery,
    outside: Option<HashSet<String>>,
) -> Result<Vec<Item<T>>, StoreError> {
    Ok(window::<T>(r, provider, query, outside, 0, usize::MAX)?.1)
}

/// The number of records the filters keep, and `take` of them after skipping `skip`.
fn window<T: Record + Clone>(
    r: &ReadTxn,
    provider: &str,
    query: &ListQuery,
    outside: Option<HashSet<String>>,
    skip: usize,
    take: usize,
) -> Result<(usize, Vec<Item<T>>), StoreError> {
    let scope = format!("{provider}/");
    let mut allowed: Option<HashSet<String>> = None;
    for (index, value) in [
        ("cluster", &query.cluster),
        ("host", &query.host),
        ("storage_domain", &query.storage_domain),
        ("status", &query.status),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            let ids: HashSet<String> = r
                .ids_by::<T>(index, &format!("{scope}{v}"))?
                .into_iter()
                .collect();
            allowed = Some(match allowed {
                None => ids,
                Some(prev) => prev.intersection(&ids).cloned().collect(),
            });
        }
    }
    if let Some(ids) = outside {
        allowed = Some(match allowed {
            None => ids,
            Some(prev) => prev.intersection(&ids).cloned().collect(),
        });
    }
    let needle = query
        .q
        .as_deref()
        .map(str::to_lowercase)
        .filter(|q| !q.is_empty());
    // The index holds sort keys: the lower-case name comes first (see `sort_key`).
    let matches = |key: &str, id: &str| {
        allowed.as_ref().is_none_or(|a| a.contains(id))
            && needle
                .as_ref()
                .is_none_or(|n| super::folded_in_sort_key(key).contains(n.as_str()))
    };
    // One walk of the name index: count every match, keep only the ids of the page.
    let mut total = 0;
    let mut window: Vec<String> = Vec::with_capacity(take.min(1000));
    if query.desc {
        let mut all = Vec::new();
        r.index_walk::<T>("name", &scope, |name, id| {
            if matches(name, id) {
                all.push(id.to_string());
            }
            true
        })?;
        total = all.len();
        window = all.into_iter().rev().skip(skip).take(take).collect();
    } else {
        r.index_walk::<T>("name", &scope, |name, id| {
            if matches(name, id) {
                if total >= skip && window.len() < take {
                    window.push(id.to_string());
                }
                total += 1;
            }
            true
        })?;
    }
    let mut items = Vec::with_capacity(window.len());
    for id in &window {
        if let Some(stored) = r.get::<T>(id)? {
            items.push(Item {
                revision: stored.revision,
                value: stored.value,
            });
        }
    }
    Ok((total, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_that_answer_the_same_normalise_the_same() {
        let plain = ListQuery::default().normalized();
        for same in [
            ListQuery {
                per_page: Some(100),
                ..Default::default()
            },
            ListQuery {
                page: Some(0),
                status: Some(String::new()),
                ..Default::default()
            },
        ] {
            assert_eq!(format!("{:?}", same.normalized()), format!("{plain:?}"));
        }
        let big = |n| ListQuery {
            per_page: Some(n),
            ..Default::default()
        };
        assert_eq!(
            format!("{:?}", big(5000).normalized()),
            format!("{:?}", big(usize::MAX).normalized())
        );
        let q = |s: &str| ListQuery {
            q: Some(s.into()),
            ..Default::default()
        };
        assert_eq!(
            format!("{:?}", q("Web").normalized()),
            format!("{:?}", q("wEB").normalized())
        );
        assert_ne!(format!("{:?}", q("web").normalized()), format!("{plain:?}"));
    }
}
