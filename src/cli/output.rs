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

/// A value as the API names it (an enum's wire name, `Running`, `processing`), for a
/// table cell; the API's own JSON when it is not a single word.
pub(super) fn word<T: Serialize>(value: &T) -> String {
    crate::units::wire_name(value)
}
