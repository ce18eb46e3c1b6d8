//! A section's items as a table people read: which columns each section shows and how
//! each value reads (sizes in bytes as GiB, a disk's regions, a SAN path's ends). The
//! pages and the CLI show a section through this one table, so they agree.

use serde_json::Value;

use super::Section;
use crate::units::bytes;

/// One cell of a section's table.
#[derive(Debug, Clone, PartialEq)]
pub struct FactCell {
    /// What it shows.
    pub text: String,
    /// The number it sorts by, when it is one.
    pub num: Option<f64>,
}

/// The columns of a section: the data key and its heading.
pub fn columns(section: Section) -> &'static [(&'static str, &'static str)] {
    match section {
        Section::Property => &[
            ("title", "Property"),
            ("name", "Name"),
            ("value", "Value"),
            ("source", "Source"),
            ("error", "Error"),
        ],
        Section::Asset => &[("key", "Key"), ("value", "Value")],
        Section::Hardware => &[
            ("type", "Type"),
            ("path", "Path"),
            ("class", "Class"),
            ("description", "Description"),
            ("driver", "Driver"),
        ],
        Section::Disk => &[
            ("id", "Device"),
            ("type", "Type"),
            ("size", "Size"),
            ("vendor", "Vendor"),
            ("model", "Model"),
            ("regions", "Regions"),
        ],
        Section::Package => &[
            ("name", "Name"),
            ("version", "Version"),
            ("arch", "Arch"),
            ("type", "Type"),
            ("installedat", "Installed"),
        ],
        Section::Patch => &[
            ("name", "Name"),
            ("installed_version", "Installed"),
            ("available_version", "Available"),
            ("security", "Security"),
            ("type", "Type"),
        ],
        Section::User | Section::Group => &[("id", "Id"), ("name", "Name")],
        Section::Ipaddress => &[
            ("intf", "Interface"),
            ("type", "Type"),
            ("address", "Address"),
            ("mask", "Prefix"),
            ("mac", "MAC"),
            ("flagdeprecated", "Deprecated"),
        ],
        Section::SanInitiator => &[("name", "Name"), ("type", "Type")],
        Section::SanPath => &[("initiator", "Initiator"), ("target", "Target")],
    }
}

/// A JSON scalar as text; null (not given) is empty.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        // A flag reads as a word (the Security column of patches, Deprecated of addresses).
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

fn cell(section: Section, key: &str, v: &Value) -> FactCell {
    let num = v.as_f64();
    let text = match (section, key) {
        (Section::Disk, "size") => v.as_u64().map(bytes).unwrap_or_default(),
        (Section::Disk, "regions") => v
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let size = r["size"].as_u64().map(bytes).unwrap_or_default();
                let object = text(&r["object"]);
                let on = if object.is_empty() {
                    String::new()
                } else {
                    format!(" on {object}")
                };
                format!("{} ({size}{on})", text(&r["id"]))
            })
            .collect::<Vec<_>>()
            .join(", "),
        (Section::SanPath, _) => format!("{} ({})", text(&v["name"]), text(&v["type"])),
        _ => text(v),
    };
    FactCell { text, num }
}

/// The rows of a section: one per item, or one per key for the asset summary.
pub fn rows<'a>(
    section: Section,
    items: impl IntoIterator<Item = &'a Value>,
) -> Vec<Vec<FactCell>> {
    if section == Section::Asset {
        return items
            .into_iter()
            .filter_map(Value::as_object)
            .flatten()
            .map(|(k, v)| {
                vec![
                    FactCell {
                        text: k.clone(),
                        num: None,
                    },
                    cell(section, "value", v),
                ]
            })
            .collect();
    }
    items
        .into_iter()
        .map(|i| {
            columns(section)
                .iter()
                .map(|(k, _)| cell(section, k, &i[*k]))
                .collect()
        })
        .collect()
}
