//! The engine simulator: an oVirt 4.x REST engine on loopback that the collector cannot tell
//! from a real one, used by `vmyard sim`, `serve --demo`, the tests and the benchmarks.
//!
//! - [`state`]: the objects in wire form, the event log, tokens; mutations log events;
//! - [`fixtures`]: the recorded answers of a real engine 4.4.10, as a base inventory;
//! - [`generate`]: inventories of any size from a seed, with every condition the concern
//!   rules look for;
//! - [`engine`]: the engine's HTTP API (SSO, collections, `follow`, `search`, `max`, `from`);
//! - [`control`]: changes, faults and token expiry, behind a control token;
//! - [`faults`]: what can be injected, at what rate;
//! - [`writes`]: the writes a machine driver needs (add a VM from a template, start, stop,
//!   remove, tags), with [`lifecycle`] (the VM states and their timed transitions) and
//!   [`templates`] (the templates every inventory serves).

mod adding;
pub mod control;
pub mod engine;
pub mod faults;
pub mod fixtures;
pub mod generate;
pub mod lifecycle;
pub mod profile;
mod rng;
pub mod state;
pub mod templates;
pub mod writes;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::lifecycle::Shutdown;
use faults::{Dice, Faults};
use state::SimState;

/// A handle on a simulated engine; cheap to clone.
#[derive(Clone)]
pub struct Sim {
    /// The engine's data.
    pub state: Arc<Mutex<SimState>>,
    /// The faults in force.
    pub faults: Arc<Mutex<Faults>>,
    /// The fault dice.
    pub dice: Arc<Dice>,
    /// API requests answered.
    pub requests: Arc<AtomicU64>,
    /// The token of the control API.
    pub control_token: Arc<String>,
    /// The engine it plays (version, missing endpoints).
    pub profile: Arc<Mutex<profile::EngineProfile>>,
    /// The CA certificate it hands out at `/ovirt-engine/services/pki-resource`.
    pub ca_pem: Arc<Mutex<String>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sim")
    }
}

/// Where the simulated inventory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The recorded engine.
    Fixtures,
    /// Generated: this many VMs (the rest scaled as in the 10k mix), from a seed.
    Generated {
        /// How many VMs.
        vms: usize,
        /// The seed.
        seed: u64,
    },
}

/// A running simulator.
pub struct RunningSim {
    /// The handle.
    pub sim: Sim,
    /// Its HTTPS address.
    pub addr: SocketAddr,
    /// The PEM of its self-signed certificate, to trust it.
    pub cert_pem: String,
}

impl RunningSim {
    /// The API root URL, as a provider's `url`.
    pub fn api_url(&self) -> String {
        format!("https://127.0.0.1:{}/ovirt-engine/api", self.addr.port())
    }
}

impl Sim {
    /// A simulator over `source`.
    pub fn new(source: Source) -> Sim {
        let mut state = match source {
            Source::Fixtures => fixtures::state(),
            Source::Generated { vms, seed } => {
                let g = generate::generate(generate::Scale::for_vms(vms), seed);
                let root = fixtures::answer("").unwrap_or(Value::Null);
                let cpus = fixtures::answer("options/ServerCPUList").unwrap_or(Value::Null);
                let mut state = SimState::new(root, cpus, g.collections, 1000);
                state.numa_nodes = g.numa_nodes.into_iter().collect();
                state.count_summary = true;
                state
            }
        };
        state.seed_templates();
        Sim {
            state: Arc::new(Mutex::new(state)),
            faults: Arc::new(Mutex::new(Faults::default())),
            dice: Arc::new(Dice::new(0x5eed)),
            requests: Arc::new(AtomicU64::new(0)),
            control_token: Arc::new(crate::auth::random_token(24)),
            profile: Arc::default(),
            ca_pem: Arc::default(),
        }
    }

    /// Sets top-level fields of an object and logs its update event; returns the event id.
    pub fn update(
        &self,
        collection: &'static str,
        id: &str,
        set: serde_json::Map<String, Value>,
        code: Option<u32>,
    ) -> Result<u64, String> {
        let mut state = self.state.lock().expect("sim state");
        let mut object = state
            .objects(collection)
            .and_then(|c| c.get(id))
            .cloned()
            .ok_or_else(|| format!("Entity not found: {id}"))?;
        for (k, v) in set {
            if v.is_null() {
                object.as_object_mut().map(|m| m.remove(&k));
            } else {
                object[k] = v;
            }
        }
        let code = code
            .or(control::codes(collection).map(|(u, _, _)| u))
            .unwrap_or(0);
        state.put(collection, object, code)?;
        Ok(state.next_event - 1)
    }

    /// Sets how long a new VM stays `image_locked` and a started one `powering_up`.
    pub fn set_timing(&self, image_lock_ms: u64, boot_ms: u64) {
        let mut state = self.state.lock().expect("sim state");
        state.writes.image_lock = Duration::from_millis(image_lock_ms);
        state.writes.boot = Duration::from_millis(boot_ms);
    }

    /// Adds a template (no event, as for the inventory's own); returns its id.
    pub fn add_template(&self, spec: &templates::TemplateSpec) -> String {
        self.state.lock().expect("sim state").add_template(spec)
    }

    /// Plays another engine: an older version, optional endpoints it lacks.
    pub fn play(&self, profile: profile::EngineProfile) -> Result<(), String> {
        let mut state = self.state.lock().expect("sim state");
        let mut root = state.root.clone();
        profile.apply_version(&mut root)?;
        state.root = root;
        *self.profile.lock().expect("sim profile") = profile;
        Ok(())
    }

    /// Serves the engine on `addr` over HTTPS until shutdown, with a self-signed
    /// certificate for `localhost` and `127.0.0.1`.
    pub async fn serve(self, addr: SocketAddr, shutdown: Shutdown) -> anyhow::Result<RunningSim> {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])?;
        let cert_pem = certified.cert.pem();
        let chain = vec![certified.cert.der().clone()];
        let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .map_err(|e| anyhow::anyhow!("simulator key: {e}"))?;
        self.serve_with(addr, chain, key, cert_pem, shutdown).await
    }

    /// Serves the engine on `addr` over HTTPS with the given certificate chain and key (to
    /// play an engine whose certificate is wrong in a given way). `ca_pem` is the CA the
    /// engine hands out at its PKI resource, as a real engine hands out its own CA.
    pub async fn serve_with(
        self,
        addr: SocketAddr,
        chain: Vec<rustls::pki_types::CertificateDer<'static>>,
        key: rustls::pki_types::PrivateKeyDer<'static>,
        ca_pem: String,
        shutdown: Shutdown,
    ) -> anyhow::Result<RunningSim> {
        *self.ca_pem.lock().expect("sim ca") = ca_pem.clone();
        let cert_pem = ca_pem;
        let tls = crate::tls::config_for(chain, key)?;
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let handle = axum_server::Handle::<SocketAddr>::new();
        let server = axum_server::from_tcp_rustls(
            listener,
            axum_server::tls_rustls::RustlsConfig::from_config(tls),
        )?
        .handle(handle.clone());
        let app = engine::router(self.clone());
        shutdown.spawn("simulator", async move {
            if let Err(e) = server.serve(app.into_make_service()).await {
                tracing::error!("simulator: {e}");
            }
        });
        let mut stop = shutdown.clone();
        shutdown.spawn("simulator drain", async move {
            stop.wait().await;
            handle.graceful_shutdown(Some(Duration::from_secs(2)));
        });
        Ok(RunningSim {
            sim: self,
            addr,
            cert_pem,
        })
    }

    /// Keeps changing a few VMs every `every`, as a live engine does: starts and stops them,
    /// changes memory and descriptions. Each change logs its event.
    pub fn spawn_churn(&self, every: Duration, per_tick: usize, shutdown: Shutdown) {
        let sim = self.clone();
        let dice = Dice::new(7);
        shutdown.clone().spawn("simulator churn", async move {
            let mut shutdown = shutdown;
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = shutdown.wait() => return,
                    _ = tick.tick() => {}
                }
                for _ in 0..per_tick {
                    sim.churn_one(&dice);
                }
            }
        });
    }

    fn churn_one(&self, dice: &Dice) {
        let (id, status, hosts) = {
            let state = self.state.lock().expect("sim state");
            let vms = state.objects("vms").expect("vms");
            if vms.is_empty() {
                return;
            }
            let pick = (dice.roll() * vms.len() as f64) as usize % vms.len();
            let Some((id, vm)) = vms.iter().nth(pick) else {
                return;
            };
            // VMs that carry tags belong to someone's automation (vmyard's machines among
            // them): the churn leaves them to it.
            if vm["tags"]["tag"].as_array().is_some_and(|t| !t.is_empty()) {
                return;
            }
            let cluster = vm["cluster"]["id"].as_str().unwrap_or_default().to_string();
            let hosts: Vec<String> = state
                .objects("hosts")
                .expect("hosts")
                .values()
                .filter(|h| h["cluster"]["id"].as_str() == Some(cluster.as_str()))
                .filter_map(|h| h["id"].as_str().map(str::to_string))
                .collect();
            (
                id.clone(),
                vm["status"].as_str().unwrap_or_default().to_string(),
                hosts,
            )
        };
        let mut set = serde_json::Map::new();
        let code = if status == "up" {
            set.insert("status".into(), json!("down"));
            set.insert("host".into(), Value::Null);
            61
        } else if let Some(host) =
            hosts.get((dice.roll() * hosts.len().max(1) as f64) as usize % hosts.len().max(1))
        {
            set.insert("status".into(), json!("up"));
            set.insert(
                "host".into(),
                json!({"href": format!("/ovirt-engine/api/hosts/{host}"), "id": host}),
            );
            32
        } else {
            set.insert(
                "description".into(),
                json!(format!("changed at {}", state::now_ms())),
            );
            35
        };
        let _ = self.update("vms", &id, set, Some(code));
    }
}
