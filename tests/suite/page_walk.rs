//! Every page, as people see it: at a desktop's 1280×800 and a phone's 390×844, in the light
//! and the dark scheme. No page scrolls sideways as a whole (its wide tables scroll in their
//! own box), and each is kept as a screenshot in `target/screenshots/walk-*` to look at.

use crate::common;

use common::browser::*;
use common::*;
use vmyard::inventory::decode::COLLECTIONS;
use vmyard::node::Section;
use vmyard::sim::Source;

/// Every page a signed-in admin can open, with a slug for its screenshot.
async fn pages(s: &TestServer) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("dashboard", "/"),
        ("inventory", "/inventory"),
        ("tree", "/inventory/e1"),
        ("concerns", "/concerns"),
        ("history", "/history"),
        ("plans", "/plans"),
        ("machines", "/machines"),
        ("nodes", "/nodes"),
        ("settings", "/settings"),
        ("api-reference", "/docs/api"),
        ("not-found", "/no/such/page"),
    ]
    .iter()
    .map(|(slug, path)| (slug.to_string(), path.to_string()))
    .collect();
    for c in COLLECTIONS.iter() {
        out.push((
            format!("list-{}", c.path),
            format!("/inventory/e1/{}", c.path),
        ));
        let page: serde_json::Value = serde_json::from_str(
            &s.get_text(&format!("/api/v1/providers/e1/{}?per_page=1", c.path))
                .await,
        )
        .unwrap();
        let first = page["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("the engine has {}", c.path))
            .to_string();
        out.push((
            format!("detail-{}", c.path),
            format!("/inventory/e1/{}/{first}", c.path),
        ));
    }
    let r = s.running.state.store.read().unwrap();
    let summary = vmyard::validation::summary::summarize(&r, "e1").unwrap();
    let concern = &summary.concerns.first().expect("a concern").id;
    out.push(("concern".into(), format!("/concerns/{concern}")));
    let node = s.running.state.facts.node_name();
    out.push(("node".into(), format!("/nodes/{node}")));
    for section in Section::ALL {
        out.push((
            format!("node-{}", section.path().replace('/', "-")),
            format!("/nodes/{node}/system/{}", section.path()),
        ));
    }
    out
}

/// How wide the page is beyond the window, in CSS pixels (0 when it fits).
async fn overflow(c: &fantoccini::Client) -> i64 {
    let v = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    v.as_i64().unwrap()
}

/// Whether the page is drawn dark: its background is darker than mid-grey.
async fn drawn_dark(c: &fantoccini::Client) -> bool {
    let v = c
        .execute(
            "const m = getComputedStyle(document.documentElement).backgroundColor.match(/\\d+/g).map(Number);
             return (m[0] * 299 + m[1] * 587 + m[2] * 114) / 1000 < 128;",
            vec![],
        )
        .await
        .unwrap();
    v.as_bool().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_and_a_desktop_in_both_schemes() {
    let engine = TestEngine::start(Source::Generated { vms: 200, seed: 11 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let validated = eventually(std::time::Duration::from_secs(30), || async {
        let r = s.running.state.store.read().unwrap();
        let summary = vmyard::validation::summary::summarize(&r, "e1").unwrap();
        summary.vms > 0 && summary.validated == summary.vms
    })
    .await;
    assert!(validated, "every VM validated");
    let pages = pages(&s).await;
    let (_driver, port) = chromedriver();
    let mut wide = Vec::new();
    for dark in [false, true] {
        let profile = tempfile::tempdir().unwrap();
        let c = connect_in(port, profile.path(), dark).await;
        sign_in(&c, &s.url(""), "admin", ADMIN_PW).await;
        assert_eq!(drawn_dark(&c).await, dark, "the scheme is applied");
        let scheme = if dark { "dark" } else { "light" };
        for (w, h) in [(1280, 800), (390, 844)] {
            c.set_window_size(w, h).await.unwrap();
            for (slug, path) in &pages {
                c.goto(&s.url(path)).await.unwrap();
                heading(&c).await;
                let over = overflow(&c).await;
                if over > 0 {
                    wide.push(format!("{path} at {w}px ({scheme}): {over}px too wide"));
                }
                screenshot(&c, &format!("walk-{w}-{scheme}-{slug}")).await;
            }
        }
        c.close().await.unwrap();
    }
    assert!(
        wide.is_empty(),
        "pages that scroll sideways:\n{}",
        wide.join("\n")
    );
    s.stop().await;
}
