//! The configuration: one TOML file with typed sections.
//!
//! Every value is checked while the file is parsed (addresses, durations, roles, URLs), so a
//! bad edit is refused with the file, line, column and key that caused it. Secrets may be
//! written inline or as a path to a file holding them (`password_file`, `token_file`); either
//! way they end up as [`Secret`] values that never print.
//!
//! - [`file`] reads the files a config names, refusing anything but a regular file;
//! - [`load`] reads and validates a file into a [`Config`];
//! - [`redact`] renders the effective config with secrets hidden;
//! - [`watch`] follows the file and swaps in every valid edit.

pub mod file;
pub mod load;
pub mod machines;
pub mod migration;
pub mod names;
pub mod properties;
pub mod redact;
mod types;
pub mod watch;

/// The demo's data folder, relative to the working directory (where the CLI also looks for
/// the demo's socket).
pub const DEMO_DATA: &str = "vmyard-data";

pub use load::{ConfigError, load_file, load_file_text, load_str};
pub use machines::Machines;
pub use types::*;
