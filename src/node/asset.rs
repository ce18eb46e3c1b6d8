//! `asset`: one summary object of the node, built from the other sections' snapshots: every
//! property value by name, plus the number of disks, packages, pending patches and addresses.

use serde_json::{Map, Value, json};

use super::{Collected, Snapshot, SourceError};

/// Builds the summary; a section that could not be had is reported and its count is null.
pub(crate) fn build(
    property: Result<&Snapshot, String>,
    counts: [(&str, Result<&Snapshot, String>); 4],
) -> Collected {
    let mut data = Map::new();
    let mut errors = Vec::new();
    match property {
        Ok(p) => {
            for item in &p.items {
                if let Some(name) = item["name"].as_str() {
                    data.insert(name.to_string(), item["value"].clone());
                }
            }
        }
        Err(e) => errors.push(SourceError::new("property", e)),
    }
    for (name, snap) in counts {
        match snap {
            Ok(s) => {
                data.insert(name.to_string(), json!(s.items.len()));
            }
            Err(e) => {
                data.insert(name.to_string(), Value::Null);
                errors.push(SourceError::new(name, e));
            }
        }
    }
    Collected {
        items: vec![Value::Object(data)],
        errors,
    }
}
