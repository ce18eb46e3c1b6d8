//! Clients that open connections and never finish a request cannot starve the service:
//! one address holds at most `PER_CLIENT` HTTPS connections (the next is closed at once),
//! the unix socket keeps answering meanwhile, a connection that never completes its TLS
//! handshake is closed after the handshake timeout, and closed connections give their
//! places back.

use crate::common;

use std::time::Duration;

use common::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use vmyard::web::limit::PER_CLIENT;

/// Waits until the server closes `stream` (EOF or reset); false if it is still open after
/// `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 64];
    match tokio::time::timeout(within, stream.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => false,
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_are_capped_per_client_and_time_out() {
    let s = TestServer::start().await;
    let addr = s.running.https;

    // One client opens more connections than its share, none sending anything. The server
    // takes them in whatever order its tasks run, so which ones are refused is not fixed:
    // exactly the excess is closed at once (the handshake timeout is far longer).
    const EXCESS: usize = 8;
    let mut conns = Vec::new();
    for _ in 0..PER_CLIENT + EXCESS {
        conns.push(TcpStream::connect(addr).await.unwrap());
    }
    let outcomes = futures_util::future::join_all(
        conns
            .iter_mut()
            .map(|c| closed_within(c, Duration::from_secs(3))),
    )
    .await;
    let closed = outcomes.iter().filter(|c| **c).count();
    assert_eq!(
        closed, EXCESS,
        "the connections over the cap, and only those"
    );
    let mut held: Vec<TcpStream> = conns
        .into_iter()
        .zip(outcomes)
        .filter(|(_, closed)| !closed)
        .map(|(c, _)| c)
        .collect();
    // The operator's way in still answers.
    let health = s.get_text("/healthz").await;
    assert!(!health.is_empty());

    // The held connections never start TLS: the handshake timeout closes them.
    let first = held.first_mut().unwrap();
    assert!(
        closed_within(first, Duration::from_secs(30)).await,
        "a connection that never completes its handshake is closed"
    );
    drop(held);

    // Their places are given back: HTTPS answers again.
    let client = s.client();
    let back = eventually(Duration::from_secs(20), || async {
        client
            .get(s.url("/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(back, "HTTPS answers once the idle connections are gone");
    s.stop().await;
}

/// A TLS connection to `s` that trusts its certificate, offering `alpn`.
async fn tls(s: &TestServer, alpn: &[u8]) -> tokio_rustls::client::TlsStream<TcpStream> {
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&s.cert_pem()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut config = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = TcpStream::connect(s.running.https).await.unwrap();
    connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap()
}

/// Reads until the server closes the stream; how long that took, or `None` if it did not
/// within `within`. `poke` runs between reads (every 300 ms) to keep bytes flowing.
async fn time_to_close<S, F>(stream: &mut S, within: Duration, mut poke: F) -> Option<Duration>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    F: FnMut() -> Vec<u8>,
{
    use tokio::io::AsyncWriteExt;
    let started = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    while started.elapsed() < within {
        match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
            Err(_) => {
                let bytes = poke();
                if !bytes.is_empty() && stream.write_all(&bytes).await.is_err() {
                    return Some(started.elapsed());
                }
            }
        }
    }
    None
}

/// An HTTP/2 frame: 24-bit length, type, flags, stream 0.
fn frame(kind: u8, flags: u8, payload: &[u8]) -> Vec<u8> {
    let n = payload.len();
    let mut f = vec![
        (n >> 16) as u8,
        (n >> 8) as u8,
        n as u8,
        kind,
        flags,
        0,
        0,
        0,
        0,
    ];
    f.extend_from_slice(payload);
    f
}

/// A server whose connections may idle, and bodies take, 2 s (the test config has a
/// `[server]` table of its own: the keys go into it).
async fn server_with_short_timeouts() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vmyard.toml");
    let text = config_text(dir.path(), "").replacen(
        "[server]\n",
        "[server]\nidle_timeout = \"2s\"\nbody_timeout = \"2s\"\n",
        1,
    );
    write_private(&path, &text);
    TestServer::start_in(dir, path).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_connection_that_sends_no_request_is_closed() {
    let s = server_with_short_timeouts().await;
    let mut conn = tls(&s, b"http/1.1").await;
    let took = time_to_close(&mut conn, Duration::from_secs(15), Vec::new).await;
    assert!(
        took.is_some_and(|t| t >= Duration::from_secs(1) && t < Duration::from_secs(8)),
        "closed after the idle timeout: {took:?}"
    );

    // Between requests too: one request, then silence.
    use tokio::io::AsyncWriteExt;
    let mut conn = tls(&s, b"http/1.1").await;
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let took = time_to_close(&mut conn, Duration::from_secs(15), Vec::new).await;
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(8)),
        "an idle keep-alive connection is closed: {took:?}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_http2_connection_is_closed_though_it_pings() {
    let s = server_with_short_timeouts().await;
    let mut conn = tls(&s, b"h2").await;
    assert_eq!(conn.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    use tokio::io::AsyncWriteExt;
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(frame(0x4, 0, &[])); // SETTINGS
    hello.extend(frame(0x4, 0x1, &[])); // ACK of the server's SETTINGS
    conn.write_all(&hello).await.unwrap();
    // A PING every 300 ms: bytes flow both ways, but no request is ever made.
    let took = time_to_close(&mut conn, Duration::from_secs(15), || {
        frame(0x6, 0, &[1, 2, 3, 4, 5, 6, 7, 8])
    })
    .await;
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(8)),
        "an HTTP/2 connection with no stream is closed: {took:?}"
    );
    // The service answers on.
    assert!(!s.get_text("/healthz").await.is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_body_is_refused_with_408() {
    let s = server_with_short_timeouts().await;
    let mut conn = tls(&s, b"http/1.1").await;
    use tokio::io::AsyncWriteExt;
    conn.write_all(
        b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
    )
    .await
    .unwrap();
    // One byte every 300 ms: 100 bytes would take 30 s.
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(15) {
        match tokio::time::timeout(Duration::from_millis(300), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {
                if conn.write_all(b"a").await.is_err() {
                    break;
                }
            }
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "cut at the body timeout, not at the body's end"
    );
    s.stop().await;
}
