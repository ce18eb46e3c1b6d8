//! A node's facts as the pages show them: one section as a table of typed cells (text and
//! the number it sorts by), and the summary of a node (its key properties and sizes).
//! The items are om3's documents, from this node or a peer; this is the one place that
//! reads their fields, so the pages hold no JSON.

use serde_json::Value;

use super::node::{NodeInfo, section};
use crate::auth::Identity;
use crate::node::Section;
use crate::node::envelope::Problem;
use crate::node::table::{FactCell, columns, rows, text};
use crate::web::AppState;

/// One section of one node, as a table.
#[derive(Debug, Clone)]
pub struct FactTable {
    /// The node's name, as it reports it.
    pub node: String,
    /// When the facts were read.
    pub collected_at: String,
    /// Sources that could not be read, as `source: error`.
    pub errors: Vec<String>,
    /// Column keys (what `sort=` names) and headings.
    pub columns: Vec<(&'static str, &'static str)>,
    /// One row per item (per key for the asset summary).
    pub rows: Vec<Vec<FactCell>>,
}

/// One section of `nodename` as a table: this node's facts, or a peer's answer.
pub async fn section_table(
    app: &AppState,
    me: &Identity,
    nodename: &str,
    which: Section,
) -> Result<FactTable, Problem> {
    let list = section(app, me, nodename, which).await?;
    let node = list
        .items
        .first()
        .map_or_else(|| nodename.to_string(), |i| i.meta.node.clone());
    let items: Vec<Value> = list.items.into_iter().map(|i| i.data).collect();
    Ok(FactTable {
        node,
        collected_at: list.collected_at,
        errors: list
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.source, e.error))
            .collect(),
        columns: columns(which).to_vec(),
        rows: rows(which, &items),
    })
}

/// A node's key facts, as its summary page shows them.
#[derive(Debug, Clone)]
pub struct NodeSummary {
    /// The node's name, as it reports it.
    pub node: String,
    /// When the properties were read.
    pub collected_at: String,
    /// Key properties, labelled, in reading order: each its text, or why it is blank.
    pub facts: Vec<(&'static str, Result<String, String>)>,
    /// Its memory in bytes; `None` when not known.
    pub memory: Option<u64>,
    /// Threads, cores and sockets, each `None` when not known.
    pub cpu: Vec<(&'static str, Option<u64>)>,
    /// Its block devices with a size, or why they could not be read.
    pub disks: Result<Vec<(String, u64)>, String>,
    /// Memory in use, load, uptime and file systems, or why they could not be had.
    pub live: Result<crate::node::live::Live, String>,
    /// Pending updates and how many of them are security fixes, or why they could not be
    /// read.
    pub patches: Result<(usize, usize), String>,
    /// Sources that could not be read.
    pub problems: Vec<String>,
}

/// The summary of `nodename`: its properties, and its disks when they can be read.
pub async fn summary(
    app: &AppState,
    me: &Identity,
    nodename: &str,
) -> Result<NodeSummary, Problem> {
    let props = section(app, me, nodename, Section::Property).await?;
    let node = props
        .items
        .first()
        .map_or_else(|| nodename.to_string(), |i| i.meta.node.clone());
    let value = |n: &str| {
        props
            .items
            .iter()
            .find(|i| i.data["name"] == n)
            .map(|i| i.data["value"].clone())
            .unwrap_or(Value::Null)
    };
    let facts = [
        ("FQDN", "fqdn"),
        ("Operating system", "os_vendor"),
        ("Release", "os_release"),
        ("Kernel", "os_kernel"),
        ("Architecture", "os_arch"),
        ("CPU model", "cpu_model"),
        ("Manufacturer", "manufacturer"),
        ("Model", "model"),
        ("Serial", "serial"),
        ("Last boot", "last_boot"),
        ("Time zone", "tz"),
        ("vmyard", "version"),
    ]
    .into_iter()
    .map(|(label, name)| {
        (
            label,
            known(props.items.iter().find(|i| i.data["name"] == name)),
        )
    })
    .collect();
    let num = |n: &str| value(n).as_u64();
    let disks = match section(app, me, nodename, Section::Disk).await {
        Ok(disks) => Ok(disks
            .items
            .iter()
            .filter_map(|d| Some((text(&d.data["id"]), d.data["size"].as_u64()?)))
            .filter(|(_, size)| *size > 0)
            .collect()),
        Err(p) => Err(p.detail),
    };
    let live = match super::node::info(app, me, nodename).await {
        Ok(info) => info
            .live
            .ok_or_else(|| "the node's vmyard does not report them".to_string()),
        Err(p) => Err(p.detail),
    };
    let patches = match section(app, me, nodename, Section::Patch).await {
        Ok(list) => Ok((
            list.items.len(),
            list.items
                .iter()
                .filter(|i| i.data["security"] == Value::Bool(true))
                .count(),
        )),
        Err(p) => Err(p.detail),
    };
    Ok(NodeSummary {
        live,
        patches,
        node,
        collected_at: props.collected_at.clone(),
        facts,
        memory: num("mem_bytes"),
        cpu: vec![
            ("threads", num("cpu_threads")),
            ("cores", num("cpu_cores")),
            ("sockets", num("cpu_dies")),
        ],
        disks,
        problems: props
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.source, e.error))
            .collect(),
    })
}

/// A property's text, or why there is none: the reason the node gave (a DMI serial
/// "needs root"), a value the firmware left blank, or a property not reported at all.
fn known(item: Option<&crate::node::envelope::SystemItem>) -> Result<String, String> {
    let Some(item) = item else {
        return Err("not reported".into());
    };
    if let Some(why) = item.data["error"].as_str() {
        return Err(why.strip_prefix("unavailable: ").unwrap_or(why).to_string());
    }
    match text(&item.data["value"]) {
        t if !t.trim().is_empty() => Ok(t),
        _ if item.data["value"].is_null() => Err("not reported".into()),
        _ => Err("left blank by the maker".into()),
    }
}

impl NodeInfo {
    /// A property as text; empty when the node did not report it.
    pub fn property_text(&self, name: &str) -> String {
        self.properties.get(name).map(text).unwrap_or_default()
    }

    /// A property as a number, when it is one.
    pub fn property_u64(&self, name: &str) -> Option<u64> {
        self.properties.get(name).and_then(Value::as_u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::envelope::SystemItem;

    fn item(data: Value) -> SystemItem {
        serde_json::from_value(serde_json::json!({
            "kind": "PropertyItem",
            "meta": {"node": "n1"},
            "data": data,
        }))
        .unwrap()
    }

    #[test]
    fn a_blank_fact_says_why() {
        let serial = item(serde_json::json!({
            "name": "serial", "value": null, "error": "unavailable: needs root"
        }));
        assert_eq!(known(Some(&serial)), Err("needs root".to_string()));
        let blank = item(serde_json::json!({"name": "model", "value": "  "}));
        assert_eq!(
            known(Some(&blank)),
            Err("left blank by the maker".to_string())
        );
        let none = item(serde_json::json!({"name": "tz", "value": null}));
        assert_eq!(known(Some(&none)), Err("not reported".to_string()));
        assert_eq!(known(None), Err("not reported".to_string()));
        let model = item(serde_json::json!({"name": "model", "value": "PowerEdge R650"}));
        assert_eq!(known(Some(&model)), Ok("PowerEdge R650".to_string()));
    }
}
