//! Idle HTTPS connections are closed: one that holds no request for `server.idle_timeout`
//! (10 s by default) is cut, whatever it sends meanwhile.
//!
//! Timeouts on the handshake and on the request headers leave gaps a client can sit in: a
//! TLS connection that never sends a request (hyper waits for its first bytes to tell
//! HTTP/1 from HTTP/2 without a timer), an HTTP/2 connection kept open with pings and no
//! streams, an HTTP/1 connection idle between requests. Thousands of those filled the
//! connection cap, and `/healthz` was refused to everybody. So each connection counts its
//! requests in flight, from the moment the service is called until the answer's body has
//! been sent or dropped; once none has been in flight for the allowance, its next read
//! fails and hyper closes it. A slow request body is the body timeout's to cut
//! ([`super::body_limit`]), and a long download is in flight until its last byte is sent.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// What a connection's stream and its service share: requests in flight, and since when
/// none has been.
#[derive(Debug)]
pub struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `opened` when the last request ended (0: none yet).
    idle_since_ms: AtomicU64,
}

impl Activity {
    /// The activity of a connection opened now.
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
        })
    }

    /// When the connection became idle, or `None` while a request is in flight.
    fn idle_since(&self) -> Option<Instant> {
        (self.in_flight.load(Ordering::Acquire) == 0).then(|| {
            self.opened + Duration::from_millis(self.idle_since_ms.load(Ordering::Acquire))
        })
    }

    fn start(self: &Arc<Self>) -> InFlightGuard {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlightGuard(self.clone())
    }
}

/// One request in flight; its end is noted when dropped.
#[derive(Debug)]
struct InFlightGuard(Arc<Activity>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let ms = self.0.opened.elapsed().as_millis() as u64;
        self.0.idle_since_ms.store(ms, Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A stream whose reads fail once its connection has been idle for `limit`.
#[derive(Debug)]
pub struct IdleStream<S> {
    inner: S,
    activity: Arc<Activity>,
    limit: Duration,
    timer: Pin<Box<Sleep>>,
    /// The timer has been polled (it holds the task's waker).
    armed: bool,
}

impl<S> IdleStream<S> {
    /// Wraps `inner`, sharing `activity` with the connection's service.
    pub fn new(inner: S, activity: Arc<Activity>, limit: Duration) -> Self {
        let timer = Box::pin(tokio::time::sleep(limit));
        IdleStream {
            inner,
            activity,
            limit,
            timer,
            armed: false,
        }
    }

    /// Pending while the connection may stay; ready once it has been idle too long.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        // The timer holds the connection task's waker once polled, and that waker does not
        // change: until the deadline, polling it again on every read that would block only
        // costs time on a busy connection.
        if self.armed && Instant::now() < self.timer.deadline() {
            return Poll::Pending;
        }
        self.armed = true;
        loop {
            ready!(self.timer.as_mut().poll(cx));
            // The timer is set lazily: when it fires, it is moved to the real deadline.
            let deadline = match self.activity.idle_since() {
                Some(since) => since + self.limit,
                None => Instant::now() + self.limit,
            };
            if deadline <= Instant::now() {
                return Poll::Ready(());
            }
            self.timer.as_mut().reset(deadline);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for IdleStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Poll::Ready(r) = Pin::new(&mut self.inner).poll_read(cx, buf) {
            return Poll::Ready(r);
        }
        match self.poll_expired(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the connection held no request for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for IdleStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A connection's service that counts its requests in flight until their answers' bodies
/// are done.
#[derive(Debug, Clone)]
pub struct CountRequests<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> CountRequests<S> {
    /// Wraps the service of a connection whose stream shares `activity`.
    pub fn new(inner: S, activity: Arc<Activity>) -> Self {
        CountRequests { inner, activity }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> tower_service::Service<Request<B>> for CountRequests<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let guard = self.activity.start();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let response = answer.await?;
            // In flight until the body is sent (or dropped): the guard goes with it.
            Ok(response.map(|body| {
                Body::new(http_body_util::BodyExt::map_frame(body, move |frame| {
                    let _in_flight = &guard;
                    frame
                }))
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_expires_only_when_no_request_is_in_flight() {
        let activity = Activity::new();
        let (client, server) = tokio::io::duplex(64);
        let mut stream = IdleStream::new(server, activity.clone(), Duration::from_secs(10));
        let guard = activity.start();
        let mut buf = [0u8; 8];
        // With a request in flight, twenty seconds of silence are fine.
        let read = tokio::time::timeout(
            Duration::from_secs(20),
            tokio::io::AsyncReadExt::read(&mut stream, &mut buf),
        )
        .await;
        assert!(read.is_err(), "still open while a request is in flight");
        drop(guard);
        // Idle from now: the read fails after the allowance.
        let started = Instant::now();
        let read = tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await;
        assert_eq!(read.unwrap_err().kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_secs(10));
        drop(client);
    }
}
