//! `serve --demo`: everything built in, nothing to write.
//!
//! The data goes to `vmyard-data/` in the working directory (store, generated certificate,
//! socket), HTTPS listens on loopback, and a fresh admin password is generated and printed
//! once per start; only its argon2 hash is kept, in memory.

use std::net::SocketAddr;
use std::path::Path;

use std::time::Duration;

use crate::auth::{Role, password, random_token};
use crate::config::{Config, HttpUrl, Interval, Listen, PasswordHash, Provider, Secret, User};
use crate::lifecycle::Shutdown;
use crate::sim::{Sim, Source};

/// The demo's default HTTPS address.
pub const DEMO_LISTEN: &str = "127.0.0.1:8443";

pub use crate::config::DEMO_DATA;

/// The built-in demo config and the admin password it accepts.
pub fn config(
    listen: Option<SocketAddr>,
    data_dir: Option<&Path>,
) -> anyhow::Result<(Config, String)> {
    let secret = random_token(12);
    let hash = password::hash(&secret).map_err(anyhow::Error::msg)?;
    let cwd = std::env::current_dir()?;
    let data = data_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.join(DEMO_DATA));
    let mut config = Config::default();
    config.server.listen =
        Listen(listen.unwrap_or_else(|| DEMO_LISTEN.parse().expect("valid literal")));
    config.server.socket = data.join("vmyard.sock");
    config.storage.data_dir = data;
    config.users.push(User {
        name: "admin".into(),
        role: Role::Admin,
        password_hash: PasswordHash(hash),
    });
    Ok((config, secret))
}

/// Starts the demo's simulated engine (generated inventory, live changes) and adds it to
/// `config` as the provider `demo`, trusted through its CA. Returns the engine's URL.
pub async fn start_engine(
    config: &mut Config,
    vms: usize,
    shutdown: Shutdown,
) -> anyhow::Result<String> {
    let sim = Sim::new(Source::Generated { vms, seed: 1 });
    let password = random_token(12);
    sim.state.lock().expect("sim state").credentials = ("admin@internal".into(), password.clone());
    let running = sim
        .clone()
        .serve(
            "127.0.0.1:0".parse().expect("valid literal"),
            shutdown.clone(),
        )
        .await?;
    sim.spawn_churn(Duration::from_secs(3), 3, shutdown);
    std::fs::create_dir_all(&config.storage.data_dir)?;
    let ca = config.storage.data_dir.join("demo-engine-ca.pem");
    std::fs::write(&ca, &running.cert_pem)?;
    let url = running.api_url();
    config.providers.push(Provider {
        name: "demo".into(),
        url: HttpUrl(url.parse()?),
        user: "admin@internal".into(),
        password: Some(Secret::new(password)),
        password_file: None,
        ca_file: Some(ca),
        insecure: false,
        password_from_file: None,
        retry_interval: Interval(Duration::from_secs(5)),
        refresh_interval: Interval(Duration::from_secs(3)),
        reconcile_interval: Interval(Duration::from_secs(3600)),
        request_timeout: Interval(Duration::from_secs(60)),
        max_answer_mib: crate::config::DEFAULT_MAX_ANSWER_MIB,
    });
    let cluster = template_cluster(&sim).unwrap_or_else(|| "cluster-01".into());
    demo_machines(config, &cluster);
    Ok(url)
}

/// A machine class on the demo engine's `rhcos-4` template, in the template's cluster, so the
/// Machines pages can make sets at once; the controller polls briskly for the show.
fn demo_machines(config: &mut Config, cluster: &str) {
    use crate::machines::model::{CpuTopology, MachineClass, MachineTags};
    let m = &mut config.machines;
    m.poll = Interval(Duration::from_secs(1));
    m.health_interval = Interval(Duration::from_secs(10));
    m.sweep_interval = Interval(Duration::from_secs(60));
    m.orphan_min_age = Interval(Duration::from_secs(120));
    m.classes.push(MachineClass {
        name: "demo-worker".into(),
        provider: "demo".into(),
        cluster: cluster.into(),
        template: "rhcos-4".into(),
        clone: false,
        cpu: Some(CpuTopology {
            sockets: 1,
            cores: 2,
            threads: 1,
        }),
        memory_mib: Some(4096),
        vnic_profile: None,
        storage_domain: None,
        user_data: Some("#cloud-config\nhostname: <<MACHINE_NAME>>\n".into()),
        user_data_ref: None,
        tags: MachineTags {
            cluster: "kubernetes.io-cluster-demo".into(),
            role: "kubernetes.io-role-worker".into(),
        },
    });
}

/// The name of the cluster of the simulated engine's `rhcos-4` template.
fn template_cluster(sim: &Sim) -> Option<String> {
    let state = sim.state.lock().ok()?;
    let id = state
        .objects("templates")?
        .values()
        .find(|t| t["name"] == "rhcos-4")?["cluster"]["id"]
        .as_str()?
        .to_string();
    state.objects("clusters")?.get(&id)?["name"]
        .as_str()
        .map(str::to_string)
}
