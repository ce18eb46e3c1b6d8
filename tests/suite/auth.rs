//! Login, logout, sessions, CSRF, throttling, tokens and roles, against a real server.

use crate::common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn login_gives_a_strict_session_cookie_and_logout_ends_it() {
    let s = TestServer::start().await;
    let c = s.client();
    // Unauthenticated pages redirect to the login page, keeping where the user was going.
    let r = c.get(s.url("/settings")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Fsettings");

    let csrf = s.login_csrf(&c).await;
    let r = c
        .post(s.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PW),
            ("csrf", &csrf),
            ("next", "/settings"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/settings");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("__Host-vmyard-session="))
        .expect("a session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing from {cookie}");
    }

    let page = c.get(s.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("No engine configured"), "{html}");
    assert!(html.contains(">admin <span class=\"role\">admin</span>"));

    let csrf = s.page_csrf(&c).await;
    let r = c
        .post(s.url("/logout"))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The clearing cookie keeps `Secure` and `Path=/`: browsers ignore a `__Host-` cookie
    // without them, and would keep the session cookie.
    let cleared = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("__Host-vmyard-session="))
        .expect("logout clears the session cookie");
    for attr in ["Secure", "Path=/", "Max-Age=0"] {
        assert!(cleared.contains(attr), "{attr} missing from {cleared}");
    }
    let r = c.get(s.url("/")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the session must be gone after logout"
    );
    s.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_alike() {
    let s = TestServer::start().await;
    let c = s.client();
    assert_eq!(s.login(&c, "admin", "nope").await, StatusCode::UNAUTHORIZED);
    assert_eq!(s.login(&c, "ghost", "nope").await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        c.get(s.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    s.stop().await;
}

#[tokio::test]
async fn login_without_its_csrf_token_is_refused() {
    let s = TestServer::start().await;
    let c = s.client();
    let _ = s.login_csrf(&c).await;
    let r = c
        .post(s.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", ADMIN_PW),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A fresh client with no login cookie at all.
    let r = s
        .client()
        .post(s.url("/login"))
        .form(&[("username", "admin"), ("password", ADMIN_PW), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    s.stop().await;
}

#[tokio::test]
async fn session_forms_need_the_session_csrf_token() {
    let s = TestServer::start().await;
    let c = s.client();
    assert_eq!(s.login(&c, "admin", ADMIN_PW).await, StatusCode::SEE_OTHER);
    // No token, a wrong token: refused, and nothing is created.
    for form in [
        vec![("name", "x"), ("role", "viewer")],
        vec![("name", "x"), ("role", "viewer"), ("csrf", "wrong")],
    ] {
        let r = c
            .post(s.url("/settings/tokens"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // JSON API calls with the cookie need the header.
    let r = c
        .post(s.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "x", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "csrf"
    );
    let list: Vec<serde_json::Value> = c
        .get(s.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.is_empty(), "a refused form must create nothing");

    let csrf = s.page_csrf(&c).await;
    let r = c
        .post(s.url("/settings/tokens"))
        .form(&[("name", "from-page"), ("role", "viewer"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let shown = html
        .split("id=\"new-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(shown.starts_with("vmy_"), "{shown}");
    let r = c
        .post(s.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "from-api", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // The token shown on the page works, and is never shown again.
    let who: serde_json::Value = s
        .client()
        .get(s.url("/api/v1/whoami"))
        .bearer_auth(shown)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["name"], "from-page");
    let html = c
        .get(s.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains(shown));
    s.stop().await;
}

#[tokio::test]
async fn failed_logins_are_throttled_per_user_and_per_client() {
    let s = TestServer::start().await; // login_max_failures = 3
    let c = s.client();
    for _ in 0..3 {
        assert_eq!(
            s.login(&c, "viewer", "wrong").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // The right password is refused too while locked: the attacker learns nothing.
    assert_eq!(
        s.login(&c, "viewer", VIEWER_PW).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The client is locked out for other users as well (per-client key).
    assert_eq!(
        s.login(&c, "admin", ADMIN_PW).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let metrics = s
        .socket_client()
        .get("http://localhost/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vmyard_logins_total{result=\"throttled\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vmyard_logins_total{result=\"bad_credentials\"} 3"),
        "{metrics}"
    );
    s.stop().await;
}

#[tokio::test]
async fn tokens_authenticate_carry_their_role_and_can_be_revoked() {
    let s = TestServer::start().await;
    let viewer = s.token("viewer").await;
    let admin = s.token("admin").await;
    let c = s.client();
    let r = c
        .get(s.url("/api/v1/status"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(s.url("/api/v1/tokens"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "forbidden"
    );
    let list: Vec<serde_json::Value> = c
        .get(s.url("/api/v1/tokens"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().all(|t| t.get("secret_sha256").is_none()),
        "secrets never leave the store"
    );

    // A tampered secret with a valid id is refused.
    let tampered = format!("{}x", &viewer[..viewer.len() - 1]);
    let r = c
        .get(s.url("/api/v1/status"))
        .bearer_auth(&tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let id = viewer.split('_').nth(1).unwrap();
    let r = c
        .delete(s.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = c
        .get(s.url("/api/v1/status"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .delete(s.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn malformed_api_requests_get_the_error_shape() {
    let s = TestServer::start().await;
    let admin = s.token("admin").await;
    let c = s.client();
    let cases = [
        ("{not json", "application/json", "malformed_json"),
        (
            "{\"name\": 3, \"role\": \"viewer\"}",
            "application/json",
            "invalid_body",
        ),
        (
            "{\"name\": \"a\", \"role\": \"root\"}",
            "application/json",
            "invalid_body",
        ),
        (
            "{\"name\": \"a\", \"role\": \"viewer\", \"x\": 1}",
            "application/json",
            "invalid_body",
        ),
        (
            "{\"name\": \"  \", \"role\": \"viewer\"}",
            "application/json",
            "bad_request",
        ),
        ("name=a", "text/plain", "unsupported_media_type"),
    ];
    for (body, ctype, code) in cases {
        let r = c
            .post(s.url("/api/v1/tokens"))
            .bearer_auth(&admin)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{body}: {}", r.status());
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], code, "{body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let r = c
        .get(s.url("/api/v1/nothing"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_socket_gives_the_local_admin_its_role() {
    let s = TestServer::start().await;
    let who: serde_json::Value = s
        .socket_client()
        .get("http://localhost/api/v1/whoami")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["role"], "admin");
    assert_eq!(who["method"]["kind"], "local_socket");
    s.stop().await;
}

#[tokio::test]
async fn a_removed_user_loses_its_session_at_once() {
    let s = TestServer::start().await;
    let c = s.client();
    assert_eq!(
        s.login(&c, "viewer", VIEWER_PW).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.get(s.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    // Edit the config: viewer is gone.
    let text = std::fs::read_to_string(&s.config_path).unwrap();
    let cut = text.find("[[users]]\nname = \"viewer\"").unwrap();
    write_private(&s.config_path, &text[..cut]);
    let gone = eventually(std::time::Duration::from_secs(5), || async {
        c.get(s.url("/")).send().await.unwrap().status() == StatusCode::SEE_OTHER
    })
    .await;
    assert!(gone, "the removed user's session should stop working");
    s.stop().await;
}

#[tokio::test]
async fn after_login_only_local_paths_are_followed() {
    let s = TestServer::start().await;
    for (next, expected) in [
        ("/settings", "/settings"),
        ("/\t/evil.example.com", "/"),
        ("/\n/x", "/"),
        ("//evil.example.com", "/"),
        ("/\\evil.example.com", "/"),
        ("https://evil.example.com/", "/"),
    ] {
        let c = s.client();
        let csrf = s.login_csrf(&c).await;
        let r = c
            .post(s.url("/login"))
            .form(&[
                ("username", "admin"),
                ("password", ADMIN_PW),
                ("csrf", &csrf),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], expected, "{next:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn token_names_refuse_control_and_invisible_characters() {
    let s = TestServer::start().await;
    for bad in ["ops\u{202e}nimda", "a\u{200b}b", "x\u{1b}[31m"] {
        let r = s
            .socket_client()
            .post("http://localhost/api/v1/tokens")
            .json(&serde_json::json!({"name": bad, "role": "viewer"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body.to_string().contains("character"), "{bad:?}: {body}");
    }
    s.stop().await;
}

#[tokio::test]
async fn a_stranger_cannot_lock_out_a_user_who_signs_in_from_elsewhere() {
    let s = TestServer::start().await; // login_max_failures = 3
    let stranger = s.client_from("127.0.0.2".parse().unwrap());
    // Wrong basic-auth passwords for admin on the node API, from one address.
    for _ in 0..5 {
        let r = stranger
            .get(s.url("/api/node/name/_/system/user"))
            .basic_auth("admin", Some("guess"))
            .send()
            .await
            .unwrap();
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&r.status()),
            "{}",
            r.status()
        );
    }
    // That address is locked out, even with the right password and on the login page.
    assert_eq!(
        s.login(&stranger, "admin", ADMIN_PW).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // admin signs in from another address, on the page and on the node API.
    let desk = s.client();
    assert_eq!(
        s.login(&desk, "admin", ADMIN_PW).await,
        StatusCode::SEE_OTHER
    );
    let r = desk
        .get(s.url("/api/node/name/_/system/user"))
        .basic_auth("admin", Some(ADMIN_PW))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

/// A token may be made to expire, and stops working then; each token shows when it was last
/// used (written at most once a minute, off the request's path).
#[tokio::test]
async fn tokens_expire_and_show_their_last_use() {
    let s = TestServer::start().await;
    let admin = s.token("admin").await;
    let c = s.client();
    let make = |expires_at: jiff::Timestamp| {
        let (c, url, admin) = (c.clone(), s.url("/api/v1/tokens"), admin.clone());
        async move {
            let made: serde_json::Value = c
                .post(url)
                .bearer_auth(&admin)
                .json(&serde_json::json!({"name": "short", "role": "viewer", "expires_at": expires_at}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            made["token"].as_str().unwrap().to_string()
        }
    };
    let status = |token: String| {
        let (c, url) = (c.clone(), s.url("/api/v1/status"));
        async move { c.get(url).bearer_auth(token).send().await.unwrap().status() }
    };
    let past = make(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1)).await;
    assert_eq!(
        status(past).await,
        StatusCode::UNAUTHORIZED,
        "an expired token"
    );
    let later = make(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).await;
    assert_eq!(status(later.clone()).await, StatusCode::OK);
    let id = later.split('_').nth(1).unwrap().to_string();
    let used = eventually(std::time::Duration::from_secs(10), || async {
        let list: Vec<serde_json::Value> = c
            .get(s.url("/api/v1/tokens"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.iter().any(|t| {
            t["id"] == id.as_str() && t["last_used_at"].is_string() && t["expires_at"].is_string()
        })
    })
    .await;
    assert!(used, "the token's last use and expiry are listed");
    s.stop().await;
}
