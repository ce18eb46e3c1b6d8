//! # vmyard
//!
//! vmyard is one program that a site runs on its management node to watch an oVirt/RHV
//! engine. It keeps an inventory of the engine, tells which VMs are ready to migrate and why
//! not, creates and retires VMs on request, and reports the facts of the nodes it runs on.
//! People use it through a browser, a JSON API and this crate's CLI.
//!
//! ## How the program is put together
//!
//! ```text
//!   config file ──watch──▶ config::watch::LiveConfig (swapped whole on every valid edit)
//!                                   │ read by every part
//!   engine ◀─REST─ collector ──▶ store (redb) ──change feed──▶ validator, pages
//!                                   │
//!                 web: JSON API · HTML pages · /metrics  ◀── browser, CLI, peers
//! ```
//!
//! - [`config`]: the TOML file, typed and validated on load, with errors that name the
//!   file, line and key; secrets inline or in files; hot reload that keeps the last good
//!   config when an edit is invalid.
//! - [`store`]: the redb file. Typed tables ([`store::Record`]) so no part serializes by
//!   hand, a revision per record bumped only on real change, a schema version with
//!   migrations, and a change feed that publishes what each committed transaction changed.
//! - [`auth`]: roles, argon2 passwords, sessions kept in the store, hashed API tokens, login
//!   throttling.
//! - [`validation`]: Rego rules (regorus, in-process) that tell which VMs are ready to
//!   migrate and why not; scheduled from the change feed, never holding up the collector.
//! - [`web`]: one axum router (HTTPS with rustls, and a unix socket for the local CLI where
//!   the caller's uid decides the role), built from a registry that puts a guard on every
//!   route; the JSON API with its generated OpenAPI document; the askama pages.
//! - [`metrics`]: the Prometheus registry behind `/metrics`.
//! - [`node`]: the facts of this node (hardware, disks, packages, patches, users, groups,
//!   addresses, SAN) in om3's wire shape, cached per section, and forwarding to peers.
//! - [`service`]: start-up, one task per long-lived job, systemd notification and watchdog,
//!   graceful shutdown on SIGTERM; and the built-in demo.
//! - [`cli`]: `vmyard serve`, `config check`, `user hash`, `token ...`, `status`.
//!
//! Every long-lived job is a task that watches one shutdown signal
//! ([`lifecycle::Shutdown`]); parts learn of each other's work through the store's change
//! feed, never by calling into one another.
//!
//! ## The parts, bottom to top
//!
//! A part uses only parts of lower layers, and the parts of one layer never use each other:
//! the domain parts (layer 6) talk only through the store and its change feed. The service
//! wires everything and nothing uses it. `tests/suite/layers.rs` reads this table and fails
//! on any `crate::` path that goes up or sideways (test modules aside).
//!
//! ```text
//! layer 0: lifecycle logging tls units    shutdown, liveness, logs, TLS configs, units
//! layer 1: store                          the redb file, typed records, the change feed
//! layer 2: auth                           roles, passwords, sessions and tokens (in the store)
//! layer 3: config                         the TOML file's types, loading, hot reload
//! layer 4: ovirt                          the engine's REST wire and client
//! layer 5: inventory                      the inventory's records, queries, provider states
//! layer 6: collector validation machines node sim
//!                                         the domain parts, and the engine simulator
//! layer 7: metrics                        /metrics, read from the parts' state
//! layer 8: web                            pages, the JSON API, the HTTPS and socket servers
//! layer 9: cli                            the vmyard command's client side
//! layer 10: service                       wires the parts, runs `vmyard serve`
//! ```

// The library's test build also sees the dev-dependencies, which only tests/ uses.
#![cfg_attr(test, allow(unused_crate_dependencies))]

// Declared so that regorus's patterns get the `regex` crate's full Unicode and performance
// features (regorus enables only what it names); nothing here calls it directly.
use regex as _;

pub mod auth;
pub mod cli;
pub mod collector;
pub mod config;
pub mod inventory;
pub mod lifecycle;
pub mod logging;
pub mod machines;
pub mod metrics;
pub mod node;
pub mod ovirt;
pub mod service;
pub mod sim;
pub mod store;
pub mod tls;
pub mod units;
pub mod validation;
pub mod web;

/// Makes ring the process-wide TLS provider (rustls is built without aws-lc, so nothing
/// else could be picked, but reqwest asks for the default). Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
