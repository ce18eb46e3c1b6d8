//! `serve --demo`: everything built in, nothing to write.
//!
//! The data goes to `vmyard-data/` in the working directory (store, generated certificate,
//! socket), HTTPS listens on loopback, and a fresh admin password is generated and printed
//! once per start; only its argon2 hash is kept, in memory.

use std::net::SocketAddr;
use std::path::Path;

use crate::auth::{Role, password, random_token};
use crate::config::{Config, Listen, PasswordHash, User};

/// The demo's default HTTPS address.
pub const DEMO_LISTEN: &str = "127.0.0.1:8443";

/// The demo's data folder, relative to the working directory.
pub const DEMO_DATA: &str = "vmyard-data";

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
