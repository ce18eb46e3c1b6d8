//! Connection caps for the HTTPS listener: at most [`PER_CLIENT`] open connections from one
//! address and [`TOTAL`] in all. A connection over either cap is closed at once, before TLS.
//!
//! Without caps, a client that opens connections and never finishes a request holds a file
//! descriptor each. Twenty thousand of them exhausted the process's descriptors until
//! `/healthz` and the unix socket stopped answering. The TLS handshake (10 s), the request
//! headers (10 s, see [`super::server`]), a connection holding no request
//! (`server.idle_timeout`, see [`super::idle`]) and request bodies (`server.body_timeout`,
//! see [`super::body_limit`]) are timed out as well. The unix socket is
//! not capped: it is the operator's way in, and the unit's `LimitNOFILE` leaves far more
//! descriptors than [`TOTAL`] for it, the store and the engines.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::idle::{Activity, CountRequests, IdleStream};

/// Open connections one client address may hold.
pub const PER_CLIENT: usize = 256;
/// Open HTTPS connections in all.
pub const TOTAL: usize = 4096;

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// Wraps an acceptor (TLS) with the caps.
#[derive(Debug, Clone)]
pub struct ConnectionLimit<A> {
    inner: A,
    counts: Arc<Mutex<Counts>>,
    per_client: usize,
    total: usize,
    /// How long an admitted connection may hold no request ([`super::idle`]).
    idle: Duration,
}

impl<A> ConnectionLimit<A> {
    /// The caps of this module around `inner`; connections idle for `idle` are closed.
    pub fn new(inner: A, idle: Duration) -> Self {
        Self::with_caps(inner, PER_CLIENT, TOTAL, idle)
    }

    /// Other caps (for tests).
    pub fn with_caps(inner: A, per_client: usize, total: usize, idle: Duration) -> Self {
        ConnectionLimit {
            inner,
            counts: Arc::default(),
            per_client,
            total,
            idle,
        }
    }

    /// A slot for a connection from `client`, or `None` when a cap is reached.
    fn admit(&self, client: IpAddr) -> Option<Slot> {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mine = c.by_client.get(&client).copied().unwrap_or(0);
        if c.total >= self.total || mine >= self.per_client {
            return None;
        }
        c.total += 1;
        *c.by_client.entry(client).or_default() += 1;
        Some(Slot {
            counts: self.counts.clone(),
            client,
        })
    }
}

/// One admitted connection; gives its place back when dropped.
#[derive(Debug)]
struct Slot {
    counts: Arc<Mutex<Counts>>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                c.by_client.remove(&self.client);
            }
        }
    }
}

/// A TCP stream that holds its slot for as long as it is open.
#[derive(Debug)]
pub struct Counted {
    stream: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

impl<A, S> Accept<TcpStream, S> for ConnectionLimit<A>
where
    A: Accept<IdleStream<Counted>, CountRequests<S>> + Clone + Send + 'static,
    A::Future: Send + 'static,
    S: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(A::Stream, A::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let slot = stream.peer_addr().ok().and_then(|peer| {
            let slot = self.admit(peer.ip());
            if slot.is_none() {
                tracing::debug!(client = %peer.ip(), "connection refused: too many open");
            }
            slot
        });
        let inner = self.inner.clone();
        let idle = self.idle;
        Box::pin(async move {
            let Some(slot) = slot else {
                // Dropping the stream closes it.
                return Err(io::Error::other("too many open connections"));
            };
            let activity = Activity::new();
            let stream = Counted {
                stream,
                _slot: slot,
            };
            inner
                .accept(
                    IdleStream::new(stream, activity.clone(), idle),
                    CountRequests::new(service, activity),
                )
                .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_client_and_in_all_and_gives_places_back() {
        let limit = ConnectionLimit::with_caps((), 2, 3, Duration::from_secs(10));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = limit.admit(a).unwrap();
        let _a2 = limit.admit(a).unwrap();
        assert!(limit.admit(a).is_none(), "per client");
        let _b1 = limit.admit(b).unwrap();
        assert!(limit.admit(b).is_none(), "in all");
        drop(a1);
        assert!(
            limit.admit(b).is_some(),
            "a closed connection gives its place back"
        );
    }
}
