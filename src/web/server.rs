//! The listeners: HTTPS on TCP for browsers and API clients, HTTP on a unix socket for the
//! local CLI. Both serve the same router; both finish in-flight requests on shutdown.

use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::task::JoinHandle;

use super::peer::UnixPeer;
use crate::lifecycle::Shutdown;

/// How long in-flight requests may take to finish once shutdown starts.
const DRAIN: Duration = Duration::from_secs(10);
/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Listeners bound and ready to serve.
pub struct Bound {
    tcp: std::net::TcpListener,
    unix: Option<(tokio::net::UnixListener, PathBuf)>,
}

impl Bound {
    /// The HTTPS address (with the real port when port 0 was asked for).
    pub fn https_addr(&self) -> SocketAddr {
        self.tcp
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The unix socket, if one is served.
    pub fn socket_path(&self) -> Option<&Path> {
        self.unix.as_ref().map(|(_, p)| p.as_path())
    }
}

/// Binds the HTTPS address and the socket, with errors that say what to do.
pub fn bind(listen: SocketAddr, socket: &Path) -> anyhow::Result<Bound> {
    let tcp = std::net::TcpListener::bind(listen).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("cannot listen on {listen}: the address is already in use (another vmyard? set server.listen)")
        }
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("cannot listen on {listen}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)")
        }
        _ => anyhow::anyhow!("cannot listen on {listen}: {e}"),
    })?;
    tcp.set_nonblocking(true)?;
    let unix = if socket.as_os_str().is_empty() {
        None
    } else {
        Some((bind_socket(socket)?, socket.to_path_buf()))
    };
    Ok(Bound { tcp, unix })
}

fn bind_socket(path: &Path) -> anyhow::Result<tokio::net::UnixListener> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            anyhow::bail!(
                "cannot create the socket {}: a file that is not a socket is in the way",
                path.display()
            );
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            anyhow::bail!(
                "cannot create the socket {}: another vmyard is serving it",
                path.display()
            );
        }
        // A socket nobody answers on is left over from a process that was killed.
        std::fs::remove_file(path)
            .with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let listener = tokio::net::UnixListener::bind(path)
        .with_context(|| format!("cannot create the socket {}", path.display()))?;
    // Owner and group: root and the service user are admins, the group's members viewers.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    Ok(listener)
}

/// Serves `router` on the bound listeners until `shutdown` fires; the handles finish when
/// the last in-flight request has.
pub fn serve(
    bound: Bound,
    router: Router,
    tls: Arc<rustls::ServerConfig>,
    idle: Duration,
    shutdown: Shutdown,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let mut tasks = Vec::new();
    let handle = axum_server::Handle::<SocketAddr>::new();
    let tls = axum_server::tls_rustls::RustlsAcceptor::new(
        axum_server::tls_rustls::RustlsConfig::from_config(tls),
    )
    .handshake_timeout(HANDSHAKE_TIMEOUT);
    let mut https = axum_server::from_tcp(bound.tcp)?
        .acceptor(super::limit::ConnectionLimit::new(tls, idle))
        .handle(handle.clone())
        // hyper reads a connection's first bytes to tell HTTP/1 from HTTP/2 without a
        // timer of its own; the idle timeout covers it too, this is the first line.
        .first_request_timeout(idle + HEADER_TIMEOUT);
    // A client that opens a connection and never finishes its headers is cut off.
    https
        .http_builder()
        .http1()
        .header_read_timeout(HEADER_TIMEOUT);
    let app = router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    tasks.push(shutdown.spawn("https server", async move {
        if let Err(e) = https.serve(app).await {
            tracing::error!("https server: {e}");
        }
    }));
    let mut stop = shutdown.clone();
    tasks.push(shutdown.spawn("https drain", async move {
        stop.wait().await;
        handle.graceful_shutdown(Some(DRAIN));
    }));
    if let Some((listener, path)) = bound.unix {
        let app = router.into_make_service_with_connect_info::<UnixPeer>();
        let mut stop = shutdown.clone();
        tasks.push(shutdown.spawn("socket server", async move {
            let served =
                axum::serve(listener, app).with_graceful_shutdown(async move { stop.wait().await });
            if let Err(e) = served.await {
                tracing::error!("socket server: {e}");
            }
            let _ = std::fs::remove_file(&path);
        }));
    }
    Ok(tasks)
}
