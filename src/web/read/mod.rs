//! The read model of `web`: typed views built once from the store, which the JSON API
//! serializes and the pages render, so neither reads the other's output. It sits below
//! both: it depends on neither `api` nor `pages`.

pub mod api_reference;
pub mod concern;
pub mod describe;
pub mod detail;
pub mod filters;
pub mod history;
pub mod machines;
pub mod names;
pub mod node;
pub mod node_facts;
pub mod plan;
pub mod providers;
pub mod service;
pub mod tokens;
