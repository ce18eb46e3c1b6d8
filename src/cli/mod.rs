//! The command line: `vmyard serve` runs the service; the other commands either work on
//! files (`config check`, `user hash`) or talk to a running service (`token ...`,
//! `status`, `node ...`) over its unix socket or, with `--server`, over HTTPS with a token.

mod assets;
mod client;
mod inventory;
mod machine;
mod node;
mod output;
mod policy;
mod store;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::auth::token::ApiToken;
use crate::auth::{Role, password};
use crate::config::{self, redact};
use crate::web::read::service::Status;
use crate::web::read::tokens::{CreatedToken, NewToken};
use client::Client;
pub use output::Format;

/// vmyard: oVirt inventory, migration readiness, machines and node facts.
#[derive(Debug, Parser)]
#[command(name = "vmyard", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (collector, validator, web pages and API).
    Serve(ServeArgs),
    /// Work with config files.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Work with users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the store, or move a damaged one aside (with the service stopped).
    #[command(subcommand)]
    Store(store::StoreCommand),
    /// Manage API tokens of a running service (admin).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List the providers and their collection state.
    Providers {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List or show inventory objects: datacenters, clusters, hosts, vms, networks,
    /// vnicprofiles, diskprofiles, storagedomains, disks.
    Inventory(inventory::InventoryArgs),
    /// Work with the Rego rules: test them, evaluate a workload, show a VM's workload.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Facts of this node and its peers: hardware, disks, packages, patches, users,
    /// groups, addresses, SAN.
    #[command(subcommand)]
    Node(node::NodeCommand),
    /// Machines: declare, list, show and delete them (through a running service).
    Machine {
        #[command(subcommand)]
        command: machine::MachineCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Machine sets: declare, scale, list and delete them.
    Machineset {
        #[command(subcommand)]
        command: machine::SetCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Machine classes: list, show, make and delete them.
    Machineclass {
        #[command(subcommand)]
        command: machine::ClassCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Call one machine-driver method against the engine of the config, and print its
    /// response or its coded error (`machine codes error: code = [..] message = [..]`).
    Driver(machine::DriverArgs),
    /// Show the status of a running service.
    Status {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Run a simulated oVirt engine (for trying vmyard, tests and benchmarks).
    Sim(SimArgs),
    /// Print the version.
    Version,
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Write the man pages and the bash, zsh and fish completions into a folder. Hidden:
    /// the packages are built with it, so what they ship always matches this binary.
    #[command(hide = true)]
    Assets {
        /// The folder; `man/` and `completions/` are made inside it.
        out: PathBuf,
    },
}

/// `vmyard serve`'s arguments; the service runs them (see [`main`]).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The config file.
    #[arg(
        long,
        short,
        default_value = "/etc/vmyard/vmyard.toml",
        env = "VMYARD_CONFIG"
    )]
    pub config: PathBuf,
    /// Run with a built-in config and data in ./vmyard-data; prints the URL and the login.
    #[arg(long)]
    pub demo: bool,
    /// The HTTPS address for the demo (default 127.0.0.1:8443).
    #[arg(long, requires = "demo")]
    pub listen: Option<SocketAddr>,
    /// How many VMs the demo's simulated engine holds.
    #[arg(long, requires = "demo", default_value_t = 2000)]
    pub vms: usize,
}

/// What runs `vmyard serve`: the service, which the CLI does not depend on (the binary
/// passes it in).
pub type Serve = fn(ServeArgs) -> anyhow::Result<ExitCode>;

#[derive(Debug, Args)]
struct SimArgs {
    /// The HTTPS address of the simulated engine.
    #[arg(long, default_value = "127.0.0.1:8444")]
    listen: SocketAddr,
    /// Serve the recorded engine 4.4.10 instead of a generated inventory.
    #[arg(long)]
    fixtures: bool,
    /// How many VMs to generate (the rest scales as in the reference mix).
    #[arg(long, default_value_t = 1000)]
    vms: usize,
    /// The generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep changing a few VMs every few seconds, like a live engine.
    #[arg(long)]
    churn: bool,
    /// Write the simulator's CA certificate here.
    #[arg(long)]
    ca_out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a config file and print the effective config, secrets redacted.
    Check {
        /// The file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Print an argon2 hash of a password read from stdin, for `password_hash`.
    Hash,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token; its secret is printed once.
    Create {
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// viewer, operator or admin.
        #[arg(long, default_value = "viewer")]
        role: Role,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token id, as `token list` shows it.
        id: String,
    },
}

/// How to reach a running service.
#[derive(Debug, Args, Clone)]
pub struct ClientArgs {
    /// Talk to this URL over HTTPS instead of the local socket (needs --token).
    #[arg(long, env = "VMYARD_SERVER", global = true)]
    server: Option<reqwest::Url>,
    /// The API token for --server.
    #[arg(long, env = "VMYARD_TOKEN", hide_env_values = true, global = true)]
    token: Option<String>,
    /// The local socket (default /run/vmyard/vmyard.sock, else ./vmyard-data/vmyard.sock).
    #[arg(long, env = "VMYARD_SOCKET", global = true)]
    socket: Option<PathBuf>,
    /// A CA bundle to verify --server with.
    #[arg(long, global = true)]
    ca: Option<PathBuf>,
    /// Do not verify --server's certificate.
    #[arg(long, global = true)]
    insecure: bool,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table, global = true)]
    output: Format,
}

/// Parses the arguments and runs the command.
pub fn main(serve: Serve) -> ExitCode {
    let cli = Cli::parse();
    match run(cli, serve) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vmyard: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, serve: Serve) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Config(ConfigCommand::Check { file }) => match config::load_file(&file) {
            Ok(c) => {
                print!("{}", redact::to_toml(&c));
                eprintln!("{}: ok", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(ExitCode::FAILURE)
            }
        },
        Command::User(UserCommand::Hash) => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            let pw = input.lines().next().unwrap_or_default();
            println!("{}", password::hash(pw).map_err(anyhow::Error::msg)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Store(command) => store::run(command),
        Command::Token { command, client } => runtime()?.block_on(token(command, client)),
        Command::Status { client } => runtime()?.block_on(status(client)),
        Command::Node(command) => runtime()?.block_on(node::run(command)),
        Command::Policy(command) => runtime()?.block_on(policy::run(command)),
        Command::Machine { command, client } => {
            runtime()?.block_on(machine::run_machine(command, client))
        }
        Command::Machineset { command, client } => {
            runtime()?.block_on(machine::run_set(command, client))
        }
        Command::Machineclass { command, client } => {
            runtime()?.block_on(machine::run_class(command, client))
        }
        Command::Driver(args) => runtime()?.block_on(machine::run_driver(args)),
        Command::Providers { client } => runtime()?.block_on(inventory::providers(client)),
        Command::Inventory(args) => runtime()?.block_on(inventory::inventory(args)),
        Command::Sim(args) => sim(args),
        Command::Version => {
            println!("vmyard {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "vmyard", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Assets { out } => {
            assets::write(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The runtime the commands run on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn sim(args: SimArgs) -> anyhow::Result<ExitCode> {
    crate::logging::init();
    runtime()?.block_on(async move {
        let source = if args.fixtures {
            crate::sim::Source::Fixtures
        } else {
            crate::sim::Source::Generated {
                vms: args.vms,
                seed: args.seed,
            }
        };
        let (stop, shutdown) = crate::lifecycle::shutdown_pair();
        let sim = crate::sim::Sim::new(source);
        let running = sim.clone().serve(args.listen, shutdown.clone()).await?;
        if args.churn {
            sim.spawn_churn(std::time::Duration::from_secs(3), 3, shutdown);
        }
        if let Some(path) = &args.ca_out {
            std::fs::write(path, &running.cert_pem)?;
        }
        let (user, password) = sim.state.lock().expect("sim state").credentials.clone();
        println!("simulated engine at {}", running.api_url());
        println!("  user:          {user}");
        println!("  password:      {password}");
        println!("  control token: {}", sim.control_token);
        if let Some(path) = &args.ca_out {
            println!("  CA:            {}", path.display());
        }
        tokio::signal::ctrl_c().await?;
        stop.fire();
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn token(command: TokenCommand, args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    match command {
        TokenCommand::Create { name, role } => {
            let created: CreatedToken = client
                .post("/api/v1/tokens", &NewToken { name, role })
                .await?;
            if args.output == Format::Table {
                println!("{}", created.token);
                eprintln!(
                    "token {} created; the line above is shown only once",
                    created.info.id
                );
            } else {
                output::value(args.output, &created)?;
            }
        }
        TokenCommand::List => {
            let list: Vec<ApiToken> = client.get("/api/v1/tokens").await?;
            output::show(args.output, &list, |list| output::Rows {
                headers: vec!["id", "name", "role", "created by", "created"],
                rows: list
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.clone(),
                            t.name.clone(),
                            t.role.to_string(),
                            t.created_by.clone(),
                            output::time(t.created_at),
                        ]
                    })
                    .collect(),
            })?;
        }
        TokenCommand::Revoke { id } => {
            client.delete(&format!("/api/v1/tokens/{id}")).await?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn status(args: ClientArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(&args)?;
    let status: Status = client.get("/api/v1/status").await?;
    if args.output == Format::Table {
        println!("version:     {}", status.version);
        println!("started:     {}", output::time_text(&status.started_at));
        println!("store:       {}", status.store);
        println!(
            "config:      {}",
            status.config.file.as_ref().map_or_else(
                || "built in (demo)".to_string(),
                |f| f.display().to_string()
            )
        );
        match &status.config.error {
            Some(e) => println!("config error: {}", e.message),
            None => println!("config error: none"),
        }
    } else {
        output::value(args.output, &status)?;
    }
    Ok(ExitCode::SUCCESS)
}
