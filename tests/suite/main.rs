//! vmyard's integration tests, in one binary: each module is one area, and all of them
//! share `common` (a real vmyard started in-process, a simulated engine, HTTP and browser
//! clients). One binary rather than one per file: each test binary links the whole crate,
//! and three dozen of them filled gigabytes of disk and minutes of linking.
//!
//! Run one area with `cargo test --test suite <module>::`, e.g. `cargo test --test suite
//! packaging::`.

// A test or bench crate sees every dependency of the package, and unwraps where a failure
// should stop it loudly, and its helpers are pub for its own modules: the library's lints
// on these do not apply here.
#![allow(unused_crate_dependencies, unreachable_pub, clippy::unwrap_used)]

mod common;

mod auth;
mod body_limit;
mod browser;
mod browser_machines;
mod cli;
mod collector;
mod convergence;
mod detail_pages;
mod disk_full;
mod engine_tls;
mod engine_versions;
mod events;
mod fuzz_inputs;
mod history;
mod inventory_api;
mod layers;
mod liveness;
mod luns;
mod machines;
mod machines_driver;
mod node_facts;
mod node_peers;
mod numa;
mod om3_wire;
mod packaging;
mod page_errors;
mod page_walk;
mod plans;
mod policy_agent;
mod rego_functions;
mod reload;
mod removal;
mod restart;
mod routes;
mod rule_errors;
mod sim;
mod sim_writes;
mod slow_clients;
mod store_damage;
mod systemd;
mod systemd_boot;
mod unknown_values;
mod validation;
mod vms_kept;
mod wire_model;
