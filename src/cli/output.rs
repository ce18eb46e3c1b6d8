//! `-o table|json|yaml`: one JSON value printed the way the user asked.

use comfy_table::{Table, presets::NOTHING};
use serde::Serialize;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts.
    Json,
    /// YAML for people and scripts.
    Yaml,
}

/// A table for people: headings and rows of text, built from typed answers.
pub(super) struct Rows {
    /// Column headings.
    pub headers: Vec<&'static str>,
    /// One row per item, one cell per heading.
    pub rows: Vec<Vec<String>>,
}

/// Prints a typed answer: as JSON or YAML the value itself (what the API sent), as a table
/// the rows that `table` builds from it.
pub(super) fn show<T: Serialize>(
    format: Format,
    value: &T,
    table: impl FnOnce(&T) -> Rows,
) -> anyhow::Result<()> {
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(value)?)?,
        Format::Yaml => say_raw!("{}", serde_norway::to_string(value)?)?,
        Format::Table => {
            let rows = table(value);
            let mut t = Table::new();
            t.load_style(NOTHING);
            t.set_header(rows.headers.iter().map(|h| h.to_uppercase()));
            for row in rows.rows {
                t.add_row(row);
            }
            say!("{t}")?;
        }
    }
    Ok(())
}

/// Prints one object: JSON or YAML as asked; YAML for people, since one object has too
/// many fields for a table.
pub(super) fn value<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    match format {
        Format::Json => say!("{}", serde_json::to_string_pretty(value)?)?,
        Format::Yaml | Format::Table => say_raw!("{}", serde_norway::to_string(value)?)?,
    }
    Ok(())
}

/// Prints one object for people: as a table, a block of `Label: value` lines (nothing empty
/// shown, lists joined, lists of records as small tables under their label); JSON and YAML
/// as asked.
pub(super) fn record<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    if format != Format::Table {
        return self::value(format, value);
    }
    say_raw!("{}", block(&serde_json::to_value(value)?))?;
    Ok(())
}

/// `cpu_cores` as people write it: `CPU cores`.
fn label(key: &str) -> String {
    let words: Vec<String> = key
        .split('_')
        .map(|w| match w {
            "cpu" | "ha" | "id" | "os" | "vm" | "nic" | "mac" | "usb" | "mtu" | "lun" | "ip"
            | "bios" | "numa" | "vlan" | "dns" | "url" | "tls" | "ssh" => w.to_uppercase(),
            "ips" | "nics" | "vms" | "cpus" | "luns" => {
                format!("{}s", w[..w.len() - 1].to_uppercase())
            }
            "io" => "I/O".into(),
            "qos" => "QoS".into(),
            other => other.to_string(),
        })
        .collect();
    let mut s = words.join(" ");
    if let Some(c) = s.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    s
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items.iter().filter_map(scalar).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// Whether a field holds a size in bytes.
fn is_size(key: &str) -> bool {
    matches!(key, "memory" | "available" | "used" | "committed" | "size")
        || key.ends_with("_size")
        || key.ends_with("_bytes")
}

fn block(v: &serde_json::Value) -> String {
    use serde_json::Value;
    let Value::Object(map) = v else {
        return scalar(v).map(|s| format!("{s}\n")).unwrap_or_default();
    };
    let width = map.keys().map(|k| label(k).len()).max().unwrap_or(0) + 1;
    let mut out = String::new();
    let mut tables = String::new();
    for (k, v) in map {
        match v {
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let columns: Vec<String> = items
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|o| o.keys().cloned())
                    .fold(Vec::new(), |mut seen, k| {
                        if !seen.contains(&k) {
                            seen.push(k);
                        }
                        seen
                    });
                let mut t = Table::new();
                t.load_style(NOTHING);
                t.set_header(columns.iter().map(|c| label(c).to_uppercase()));
                for item in items {
                    t.add_row(
                        columns
                            .iter()
                            .map(|c| scalar(&item[c.as_str()]).unwrap_or_default()),
                    );
                }
                tables.push_str(&format!("\n{}:\n{t}\n", label(k)));
            }
            Value::Object(_) => {
                let inner = block(v);
                if !inner.is_empty() {
                    tables.push_str(&format!("\n{}:\n", label(k)));
                    for line in inner.lines() {
                        tables.push_str(&format!("  {line}\n"));
                    }
                }
            }
            Value::Number(n) if is_size(k) => {
                if let Some(n) = n.as_u64() {
                    out.push_str(&format!(
                        "{:width$} {}\n",
                        format!("{}:", label(k)),
                        crate::units::bytes(n)
                    ));
                }
            }
            // The engine names nothing by the zero id (an empty CD-ROM drive).
            Value::String(id) if id.starts_with("00000000-0000-0000-0000-") => {}
            other => {
                if let Some(s) = scalar(other) {
                    out.push_str(&format!("{:width$} {s}\n", format!("{}:", label(k))));
                }
            }
        }
    }
    out + &tables
}

/// What a table shows for a value that is not known: never 0.
pub(super) const UNKNOWN: &str = "-";

/// A time as people read it, the same as on the pages.
pub(super) fn time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time the API sends as RFC 3339 text, as people read it; shown as sent when it is not
/// one.
pub(super) fn time_text(t: &str) -> String {
    t.parse::<jiff::Timestamp>()
        .map_or_else(|_| t.to_string(), time)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn one_object_reads_as_labelled_lines_with_nothing_empty() {
        let text = super::block(&json!({
            "name": "web-1",
            "cpu_cores": 4,
            "memory": 4294967296u64,
            "ha_enabled": false,
            "description": "",
            "numa": null,
            "ips": ["10.0.0.1", "fe80::1"],
            "tags": [],
            "nics": [{"name": "nic1", "mac": "56:6f"}],
        }));
        assert!(text.contains("Name:        web-1\n"), "{text}");
        assert!(text.contains("CPU cores:   4\n"), "{text}");
        assert!(text.contains("Memory:      4.0 GiB\n"), "{text}");
        assert!(text.contains("HA enabled:  no\n"), "{text}");
        assert!(text.contains("IPs:         10.0.0.1, fe80::1\n"), "{text}");
        assert!(
            !text.contains("Description") && !text.contains("Numa"),
            "{text}"
        );
        assert!(!text.contains("Tags") && !text.contains("[]"), "{text}");
        assert!(text.contains("NICs:\n") && text.contains("nic1"), "{text}");
    }
}
