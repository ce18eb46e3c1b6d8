//! The config of a vmyard under benchmark: a loopback listener, a data folder and one
//! provider `p` pointing at a simulated engine, its password and CA in files beside it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `vmyard.toml` (private, as a config naming a password file must be), `pw` and
/// `ca.pem` into `dir`.
pub fn write_config(dir: &Path, url: &str, ca: &str, password: &str, refresh: &str) {
    std::fs::write(dir.join("ca.pem"), ca).unwrap();
    std::fs::write(dir.join("pw"), password).unwrap();
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\nsocket = \"{sock}\"\n[storage]\ndata_dir = \"{data}\"\n\
         [[providers]]\nname = \"p\"\nurl = \"{url}\"\nuser = \"admin@internal\"\npassword_file = \"pw\"\nca_file = \"ca.pem\"\n\
         refresh_interval = \"{refresh}\"\nretry_interval = \"1s\"\n",
        sock = dir.join("vmyard.sock").display(),
        data = dir.join("data").display(),
    );
    let path = dir.join("vmyard.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}
