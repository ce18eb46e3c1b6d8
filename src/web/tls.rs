//! The server's TLS identity: the configured certificate, or a self-signed one generated on
//! first start and kept in the data folder so that browsers see the same one every time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};

/// Where the generated certificate and key are kept, inside the data folder.
pub fn generated_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("tls");
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// Loads the certificate and key, generating a self-signed pair when none is configured.
pub fn server_config(
    cert: Option<&Path>,
    key: Option<&Path>,
    data_dir: &Path,
) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let (cert, key) = match (cert, key) {
        (Some(c), Some(k)) => (c.to_path_buf(), k.to_path_buf()),
        _ => {
            let (c, k) = generated_paths(data_dir);
            if !c.exists() || !k.exists() {
                generate(&c, &k)?;
            }
            (c, k)
        }
    };
    let chain = CertificateDer::pem_file_iter(&cert)
        .with_context(|| format!("cannot read the certificate {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot parse the certificate {}", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!("{} holds no certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(&key)
        .with_context(|| format!("cannot read the private key {}", key.display()))?;
    config_for(chain, key)
}

pub use crate::tls::config_for;

/// Generates a self-signed certificate for this host's names and loopback addresses.
fn generate(cert_path: &Path, key_path: &Path) -> anyhow::Result<()> {
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let host = host.trim().to_string();
        if !host.is_empty() && !names.contains(&host) {
            names.push(host);
        }
    }
    let certified =
        rcgen::generate_simple_self_signed(names).context("cannot generate a certificate")?;
    let dir = cert_path.parent().expect("generated paths have a folder");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_private(key_path, certified.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(cert_path, certified.cert.pem())
        .with_context(|| format!("cannot write {}", cert_path.display()))?;
    tracing::info!(cert = %cert_path.display(), "tls: generated a self-signed certificate");
    Ok(())
}

fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(data)
        .with_context(|| format!("cannot write {}", path.display()))
}
