//! A body over the 1 MiB limit is refused with 413 and the error shape, over HTTP/1.1 and
//! over HTTP/2, with or without a declared length, and the connection stays usable. curl is
//! the client: over HTTP/2 it reported a reset stream (exit 92) and no answer when the 413
//! was sent while it was still sending.

use std::process::Command;

use crate::common::TestServer;

/// `curl` with `args`; its exit code and what it printed.
fn curl(args: &[&str]) -> (i32, String) {
    let out = Command::new("curl").args(args).output().expect("curl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Printed after each answer: `CODE VERSION` on a line of its own.
const STATUS_LINE: &str = "\n%{http_code} %{http_version}\n";

#[tokio::test]
async fn an_oversized_body_gets_413_over_http1_and_http2() {
    let s = TestServer::start().await;
    let token = s.token("admin").await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 2 * 1024 * 1024]).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, s.cert_pem()).unwrap();
    let url = s.url("/api/v1/machines");
    let whoami = s.url("/api/v1/whoami");
    let auth = format!("Authorization: Bearer {token}");
    let data = format!("@{}", big.display());
    for (version, seen) in [("--http1.1", "1.1"), ("--http2", "2")] {
        for chunked in [false, true] {
            let mut args = vec![
                "-sS",
                "-w",
                STATUS_LINE,
                version,
                "--cacert",
                ca.to_str().unwrap(),
                "-H",
                &auth,
                "-H",
                "Content-Type: application/json",
            ];
            if chunked {
                args.extend(["-H", "Transfer-Encoding: chunked"]);
            }
            // Then a second request on the same connection.
            args.extend(["--data-binary", &data, &url, "--next", version]);
            args.extend(["-sS", "-w", STATUS_LINE, "--cacert", ca.to_str().unwrap()]);
            args.extend(["-H", &auth, &whoami]);
            let (code, out) = tokio::task::spawn_blocking({
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                move || curl(&args.iter().map(String::as_str).collect::<Vec<_>>())
            })
            .await
            .unwrap();
            assert_eq!(code, 0, "{version} chunked={chunked}: {out}");
            assert!(
                out.contains(&format!("\n413 {seen}\n")),
                "{version} chunked={chunked}: {out}"
            );
            assert!(
                out.contains(&format!("\n200 {seen}\n")),
                "{version} chunked={chunked}: the next request failed: {out}"
            );
            if !chunked {
                assert!(
                    out.contains(r#""code":"payload_too_large""#),
                    "{version}: {out}"
                );
            }
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn refusals_over_http2_are_readable_at_any_size() {
    let s = TestServer::start().await;
    let token = s.token("admin").await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, s.cert_pem()).unwrap();
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 40 * 1024 * 1024]).unwrap();
    let half = dir.path().join("half.json");
    std::fs::write(&half, vec![b' '; 512 * 1024]).unwrap();
    let url = s.url("/api/v1/machines");
    let auth = format!("Authorization: Bearer {token}");
    // (body, authorized, chunked, expected status)
    for (body, authorized, chunked, expected) in [
        (&huge, true, false, "413"),
        (&huge, true, true, "413"),
        (&huge, false, false, "413"),
        // Within the limit, but refused by the guard before a handler reads it.
        (&half, false, false, "401"),
        (&half, false, true, "401"),
    ] {
        let data = format!("@{}", body.display());
        let mut args = vec![
            "-sS",
            "-w",
            STATUS_LINE,
            "--http2",
            "--cacert",
            ca.to_str().unwrap(),
            "-H",
            "Content-Type: application/json",
        ];
        if authorized {
            args.extend(["-H", &auth]);
        }
        if chunked {
            args.extend(["-H", "Transfer-Encoding: chunked"]);
        }
        args.extend(["--data-binary", &data, &url]);
        let (code, out) = tokio::task::spawn_blocking({
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            move || curl(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .unwrap();
        let case = format!(
            "{} bytes, authorized={authorized}, chunked={chunked}",
            std::fs::metadata(body).unwrap().len()
        );
        assert_eq!(code, 0, "{case}: curl failed: {out}");
        assert!(out.contains(&format!("\n{expected} 2\n")), "{case}: {out}");
    }
    s.stop().await;
}
