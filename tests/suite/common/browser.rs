//! A real browser for the page tests: headless Chromium driven through chromedriver
//! (WebDriver), and screenshots left in `target/screenshots/` for people to look at.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

/// A running chromedriver, stopped when dropped.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn chromedriver() -> (Driver, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin} ({e}): install it with `apt-get install chromium chromium-driver`"));
    (Driver(child), port)
}

pub async fn connect(port: u16, profile: &std::path::Path) -> fantoccini::Client {
    connect_in(port, profile, false).await
}

/// A browser session whose pages prefer a dark colour scheme when `dark`, as a desktop set
/// to dark does.
pub async fn connect_in(port: u16, profile: &std::path::Path, dark: bool) -> fantoccini::Client {
    let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--disable-quic".into(),
        "--window-size=1280,800".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if dark {
        // Blink's preferred scheme: 0 is dark.
        args.push("--blink-settings=preferredColorScheme=0".into());
        args.push("--force-dark-mode".into());
    }
    let caps = json!({
        "acceptInsecureCerts": true,
        "goog:chromeOptions": {
            "binary": chrome,
            "args": args,
        }
    });
    let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let url = format!("http://127.0.0.1:{port}");
    for attempt in 0.. {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return c,
            Err(e) if attempt < 50 => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    }
    unreachable!()
}

pub async fn screenshot(c: &fantoccini::Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub async fn heading(c: &fantoccini::Client) -> String {
    // A click that navigates may leave the old page's heading found and then gone: look
    // again rather than fail on a stale element.
    for _ in 0..50 {
        if let Ok(h1) = c.wait().for_element(Locator::Css("h1")).await
            && let Ok(text) = h1.text().await
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no page heading");
}

/// Waits until the page heading says `expected` (after a click that navigates); returns
/// what it says last.
pub async fn wait_heading(c: &fantoccini::Client, expected: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        last = heading(c).await;
        if last == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

/// Signs in through the login form.
pub async fn sign_in(c: &fantoccini::Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(wait_heading(c, "Dashboard").await, "Dashboard");
}

/// Finds and clicks the element `locator` names. A page that refreshes itself (the
/// Machines tables poll) may replace the element between the find and the click; find it
/// again then, rather than fail on a stale reference.
pub async fn click(c: &fantoccini::Client, locator: Locator<'_>) {
    let mut last = None;
    for _ in 0..50 {
        match c.wait().for_element(locator).await {
            Ok(e) => match e.click().await {
                Ok(()) => return,
                Err(err) => last = Some(err.to_string()),
            },
            Err(err) => last = Some(err.to_string()),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot click {locator:?}: {}", last.unwrap_or_default());
}
