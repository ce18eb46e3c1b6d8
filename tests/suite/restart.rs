//! Stopping and starting again on the same data folder: what was stored is still there.

use crate::common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn sessions_tokens_and_certificate_survive_a_restart() {
    let s = TestServer::start().await;
    let token = s.token("viewer").await;
    let c = s.client();
    assert_eq!(s.login(&c, "admin", ADMIN_PW).await, StatusCode::SEE_OTHER);
    let cert = s.cert_pem();
    let cookie_jar_client = c.clone();
    let (dir, config) = s.stop().await;

    let s = TestServer::start_in(dir, config).await;
    assert_eq!(s.cert_pem(), cert, "the generated certificate is kept");
    let r = s
        .client()
        .get(s.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The old client's cookie still names a live session (the port changed; cookies are per host).
    let r = cookie_jar_client
        .get(s.url("/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the session is kept in the store"
    );
    s.stop().await;
}
