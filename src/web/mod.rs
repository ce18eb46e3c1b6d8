//! The web front: one router for the JSON API, the pages, `/metrics` and the health probes,
//! served over HTTPS and over the local unix socket.
//!
//! - [`routes`] is the route registry: every route is added with the access it requires, so
//!   the guard is applied by construction and tests can walk the whole table;
//! - [`guard`] works out who is calling (session cookie, API token, socket peer), enforces
//!   the role and the CSRF token;
//! - [`api`] and [`pages`] hold the handlers, one module per resource or page;
//! - [`server`] binds the listeners and shuts them down gracefully.

pub mod api;
pub mod assets;
mod basic;
mod body_limit;
pub mod cache;
mod csrf;
pub mod flash;
pub mod guard;
mod health;
pub mod idle;
pub mod limit;
pub mod pages;
pub mod peer;
pub mod read;
pub mod respond;
pub mod routes;
pub mod server;
pub mod tls;

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::config::watch::LiveConfig;
use crate::lifecycle::Liveness;
use crate::metrics::Metrics;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The config in force.
    pub config: LiveConfig,
    /// The store.
    pub store: Store,
    /// Counters and the `/metrics` registry.
    pub metrics: Arc<Metrics>,
    /// Failed-login counts.
    pub throttle: Arc<LoginThrottle>,
    /// Heartbeats of the long-lived loops.
    pub liveness: Liveness,
    /// When the service started.
    pub started_at: jiff::Timestamp,
    /// Whether this is `serve --demo`.
    pub demo: bool,
    /// The HTTPS address actually bound.
    pub listen: std::net::SocketAddr,
    /// The validator's status and policy.
    pub validation: crate::validation::Validation,
    /// The machine controller's state.
    pub machines: crate::machines::controller::MachinesHandle,
    /// Encoded API answers, valid until the store changes.
    pub answers: Arc<cache::AnswerCache>,
    /// Messages waiting for the page a form redirects to.
    pub flashes: Arc<flash::Flashes>,
    /// This node's facts, cached per section.
    pub facts: crate::node::Facts,
    /// Clients for forwarding to peers.
    pub peers: crate::node::peers::Peers,
}

pub use crate::auth::same_secret;

/// Every route of vmyard, with the access each requires.
pub fn routes(state: AppState) -> routes::Routes {
    let r = routes::Routes::new(state);
    let r = health::register(r);
    let r = assets::register(r);
    let r = api::register(r);
    // The reference page reads the document the API serves, typed.
    let reference = read::api_reference::build(&api::document());
    pages::register(r, std::sync::Arc::new(reference))
}
