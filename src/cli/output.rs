//! `-o table|json|yaml`: one JSON value printed the way the user asked.

use comfy_table::{Table, presets::NOTHING};
use serde::Serialize;
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
        Format::Json => println!("{}", serde_json::to_string_pretty(value)?),
        Format::Yaml => print!("{}", serde_norway::to_string(value)?),
        Format::Table => {
            let rows = table(value);
            let mut t = Table::new();
            t.load_style(NOTHING);
            t.set_header(rows.headers.iter().map(|h| h.to_uppercase()));
            for row in rows.rows {
                t.add_row(row);
            }
            println!("{t}");
        }
    }
    Ok(())
}
