//! The per-provider collection state, which lives with the inventory (the collector writes
//! it; others read it from the store).

pub use crate::inventory::provider::*;
