//! `-o table|json|yaml`: one JSON value printed the way the user asked.

use comfy_table::{Table, presets::NOTHING};
use serde_json::Value;

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

/// Prints `value`; as a table, an array of objects shows `columns` (all keys when empty).
pub(super) fn print(format: Format, value: &Value, columns: &[&str]) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(value)?),
        Format::Yaml => print!("{}", serde_norway::to_string(value)?),
        Format::Table => println!("{}", table(value, columns)),
    }
    Ok(())
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn table(value: &Value, columns: &[&str]) -> String {
    let rows: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let keys: Vec<String> = if columns.is_empty() {
        rows.first()
            .and_then(|r| r.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    } else {
        columns.iter().map(|c| c.to_string()).collect()
    };
    let mut t = Table::new();
    t.load_style(NOTHING);
    t.set_header(keys.iter().map(|k| k.to_uppercase()));
    for row in rows {
        t.add_row(keys.iter().map(|k| cell(&row[k.as_str()])));
    }
    t.to_string()
}
