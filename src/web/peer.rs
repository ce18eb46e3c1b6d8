//! Who is at the other end of a connection.
//!
//! The HTTPS listener records the client's socket address; the unix-socket listener records
//! the caller's uid from the kernel (`SO_PEERCRED`), which is what gives a local root the
//! admin role without a password.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::extract::connect_info::Connected;
use axum::http::Request;
use axum::serve::IncomingStream;
use tokio::net::UnixListener;

use crate::auth::Role;

/// The caller on the unix socket.
#[derive(Debug, Clone, Copy)]
pub struct UnixPeer {
    /// The caller's uid, when the kernel told it.
    pub uid: Option<u32>,
}

impl Connected<IncomingStream<'_, UnixListener>> for UnixPeer {
    fn connect_info(stream: IncomingStream<'_, UnixListener>) -> Self {
        UnixPeer {
            uid: stream.io().peer_cred().ok().map(|c| c.uid()),
        }
    }
}

impl UnixPeer {
    /// The role of a local caller: root and the service's own user are admins, anyone else
    /// who may open the socket (its group) is a viewer.
    pub fn role(&self) -> Option<Role> {
        let uid = self.uid?;
        let own = own_uid();
        Some(if uid == 0 || Some(uid) == own {
            Role::Admin
        } else {
            Role::Viewer
        })
    }
}

/// The service's effective uid: `/proc/self` belongs to it, and reading it needs no libc call.
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The client of a request: its address over TCP, `local` over the socket.
pub fn client_key<B>(req: &Request<B>) -> String {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        return addr.ip().to_string();
    }
    "local".to_string()
}

/// The unix-socket caller of a request, if it came over the socket.
pub fn unix_peer<B>(req: &Request<B>) -> Option<UnixPeer> {
    req.extensions().get::<ConnectInfo<UnixPeer>>().map(|c| c.0)
}
