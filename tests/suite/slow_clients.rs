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
