//! Table cells for inventory pages: text, links, numbers with units, capacity bars.

use serde_json::Value;

/// One cell of a table.
#[derive(Debug, Clone, Default)]
pub(super) struct Cell {
    /// What it says.
    pub text: String,
    /// Where it links, if anywhere.
    pub href: Option<String>,
    /// Right-aligned (numbers).
    pub num: bool,
    /// A capacity bar: percent used, 0 to 100.
    pub bar: Option<u64>,
    /// A status badge class (ready, warning, critical, info).
    pub badge: Option<&'static str>,
}

impl Cell {
    /// Plain text.
    pub(super) fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }
    /// A link.
    pub(super) fn link(t: impl Into<String>, href: String) -> Cell {
        Cell {
            text: t.into(),
            href: Some(href),
            ..Cell::default()
        }
    }
    /// A number, right-aligned.
    pub(super) fn num(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            num: true,
            ..Cell::default()
        }
    }
    /// A status with a badge colour that carries its meaning.
    pub(super) fn status(s: &str) -> Cell {
        let badge = match s {
            "up" | "ok" | "active" => "ready",
            "down" | "maintenance" | "unattached" | "locked" | "image_locked" | "suspended"
            | "paused" => "warning",
            "non_responsive" | "error" | "illegal" | "unknown" | "not_responding" | "inactive" => {
                "critical"
            }
            _ => "info",
        };
        Cell {
            text: s.to_string(),
            badge: Some(badge),
            ..Cell::default()
        }
    }
}

/// What a page shows for a value the engine did not give: unknown, never 0.
pub(super) const UNKNOWN: &str = "–";

/// Bytes as people read them (GiB, MiB, ...): the same on the pages and in the CLI.
pub(super) use crate::units::bytes;

/// A JSON scalar as text.
pub(super) fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}
