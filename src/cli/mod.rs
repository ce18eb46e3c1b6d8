//! The command line: `vmyard serve` runs the service; the other commands either work on
//! files (`config check`, `user hash`) or talk to a running service (`token ...`,
//! `status`, `node ...`) over its unix socket or, with `--server`, over HTTPS with a token.

/// Writes a line to standard output and returns the error rather than panicking, so that
/// a closed pipe (`vmyard inventory vms | head -1`) ends the command quietly ([`main`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// [`say!`] without the newline.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod assets;
mod client;
mod concerns;
mod history;
mod inventory;
mod machine;
mod node;
mod output;
mod plan;
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
    /// The migration readiness of a provider's VMs: how many are ready, and each concern
    /// with the number of VMs it stands in the way of.
    Concerns {
        /// The provider (needed when there are several).
        #[arg(long)]
        provider: Option<String>,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Readiness over time: each change of the VMs' concerns (appeared, cleared), with its
    /// cause, newest first; filter by VM, concern, cluster and time.
    History(history::HistoryArgs),
    /// What changed since a time: `vmyard changes --since 7d`.
    Changes {
        /// Since: an age (7d, 12h), a day (2026-12-01) or RFC 3339.
        #[arg(long, default_value = "7d")]
        since: String,
        /// The provider (needed when there are several).
        #[arg(long)]
        provider: Option<String>,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Readiness per day over 30, 90 or 365 days: ready, with warnings, blocked, error.
    Trend(history::TrendArgs),
    /// The hand-off to Forklift: `vmyard plan export --cluster C --readiness ready`.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// The readiness report: one row per VM with its readiness and concerns, as CSV or
    /// JSON, to hand on.
    Report {
        /// The provider (needed when there are several).
        #[arg(long)]
        provider: Option<String>,
        /// csv or json.
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
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
    /// Print an argon2 hash of a password, for `password_hash`: asked without echo on a
    /// terminal (twice), else read from the first line of stdin.
    Hash {
        /// Accept a password shorter than 12 characters.
        #[arg(long)]
        force: bool,
    },
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
        /// How long it works (`90d`, `1y`); it never expires when absent.
        #[arg(long, value_parser = humantime::parse_duration)]
        expires: Option<std::time::Duration>,
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
        // The reader went away (`| head`): what it wanted it has; as ripgrep does, end
        // quietly and successfully.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vmyard: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli, serve: Serve) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Config(ConfigCommand::Check { file }) => match config::load_file(&file) {
            Ok(c) => {
                say_raw!("{}", redact::to_toml(&c))?;
                // Valid, but not yet of use: say so, without failing the check.
                if c.users.is_empty() {
                    eprintln!(
                        "{}: warning: no [[users]]: nobody can sign in to the pages (the local socket still serves root)",
                        file.display()
                    );
                }
                if c.providers.is_empty() {
                    eprintln!(
                        "{}: warning: no [[providers]]: no engine is collected",
                        file.display()
                    );
                }
                eprintln!("{}: ok", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(ExitCode::FAILURE)
            }
        },
        Command::User(UserCommand::Hash { force }) => {
            let pw = read_password()?;
            let length = pw.chars().count();
            if length < MIN_PASSWORD && !force && !pw.is_empty() {
                anyhow::bail!(
                    "a password of {length} characters is short: use {MIN_PASSWORD} or more (or --force)"
                );
            }
            say!("{}", password::hash(&pw).map_err(anyhow::Error::msg)?)?;
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
        Command::Concerns { provider, client } => {
            runtime()?.block_on(concerns::concerns(provider, client))
        }
        Command::Report {
            provider,
            format,
            client,
        } => runtime()?.block_on(concerns::report(provider, &format, client)),
        Command::History(args) => runtime()?.block_on(history::history(args)),
        Command::Changes {
            since,
            provider,
            client,
        } => runtime()?.block_on(history::changes(since, provider, client)),
        Command::Trend(args) => runtime()?.block_on(history::trend(args)),
        Command::Plan(command) => runtime()?.block_on(plan::run(command)),
        Command::Sim(args) => sim(args),
        Command::Version => {
            say!("vmyard {}", env!("CARGO_PKG_VERSION"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            // Written whole and then copied out, so a closed pipe is an error, not a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vmyard", &mut script);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Assets { out } => {
            assets::write(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The shortest password `user hash` takes without `--force`.
const MIN_PASSWORD: usize = 12;

/// A password: asked twice without echo on a terminal, else the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("again:    ")?;
        if first != again {
            anyhow::bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    Ok(input.lines().next().unwrap_or_default().to_string())
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
        say!("simulated engine at {}", running.api_url())?;
        say!("  user:          {user}")?;
        say!("  password:      {password}")?;
        say!("  control token: {}", sim.control_token)?;
        if let Some(path) = &args.ca_out {
            say!("  CA:            {}", path.display())?;
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
        TokenCommand::Create {
            name,
            role,
            expires,
        } => {
            let expires_at = expires
                .map(|d| {
                    jiff::SignedDuration::try_from(d)
                        .map(|d| jiff::Timestamp::now() + d)
                        .map_err(|e| anyhow::anyhow!("--expires: {e}"))
                })
                .transpose()?;
            let created: CreatedToken = client
                .post(
                    "/api/v1/tokens",
                    &NewToken {
                        name,
                        role,
                        expires_at,
                    },
                )
                .await?;
            if args.output == Format::Table {
                say!("{}", created.token)?;
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
                headers: vec![
                    "id",
                    "name",
                    "role",
                    "created by",
                    "created",
                    "last used",
                    "expires",
                ],
                rows: list
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.clone(),
                            t.name.clone(),
                            t.role.to_string(),
                            t.created_by.clone(),
                            output::time(t.created_at),
                            t.last_used_at.map_or_else(|| "never".into(), output::time),
                            t.expires_at.map_or_else(|| "never".into(), output::time),
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
        say!("version:     {}", status.version)?;
        say!("started:     {}", output::time_text(&status.started_at))?;
        say!("store:       {}", status.store)?;
        say!(
            "config:      {}",
            status.config.file.as_ref().map_or_else(
                || "built in (demo)".to_string(),
                |f| f.display().to_string()
            )
        )?;
        match &status.config.error {
            Some(e) => say!("config error: {}", e.message)?,
            None => say!("config error: none")?,
        }
    } else {
        output::value(args.output, &status)?;
    }
    Ok(ExitCode::SUCCESS)
}
