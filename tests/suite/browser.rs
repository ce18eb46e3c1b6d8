//! A real browser: headless Chromium driven through WebDriver (chromedriver) logs in, sees
//! the dashboard, opens Settings, creates and revokes a token. Screenshots of each page are
//! left in `target/screenshots/` for people to look at.

use crate::common;

use std::time::Duration;

use common::browser::*;
use common::*;
use fantoccini::Locator;

#[tokio::test]
async fn a_person_logs_in_sees_the_dashboard_and_opens_settings() {
    let s = TestServer::start().await;
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = connect(port, profile.path()).await;

    c.goto(&s.url("/")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().ends_with("/login"),
        "unauthenticated: sent to the login page"
    );
    assert_eq!(heading(&c).await, "Sign in");
    screenshot(&c, "login").await;

    // A wrong password shows an error and stays on the login page.
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("wrong")
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let alert = c
        .wait()
        .for_element(Locator::Css(".alert.critical"))
        .await
        .unwrap();
    assert_eq!(alert.text().await.unwrap(), "Wrong user name or password.");

    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(ADMIN_PW)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_url(&url::Url::parse(&s.url("/")).unwrap())
        .await
        .unwrap();
    assert_eq!(heading(&c).await, "Dashboard");
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("No engine configured"), "{body}");
    let nav = c.find_all(Locator::Css("header nav a")).await.unwrap();
    let mut labels = Vec::new();
    for a in nav {
        labels.push(a.text().await.unwrap());
    }
    assert_eq!(
        labels,
        [
            "Dashboard",
            "Inventory",
            "Concerns",
            "History",
            "Machines",
            "Nodes",
            "Settings"
        ]
    );
    screenshot(&c, "dashboard").await;

    c.find(Locator::LinkText("Settings"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(heading(&c).await, "Settings");
    let effective = c
        .find(Locator::Id("effective-config"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        effective.contains("[server]") && effective.contains("<redacted>"),
        "{effective}"
    );
    assert!(!effective.contains("$argon2"));
    assert_eq!(
        c.find(Locator::Id("reload-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "none"
    );

    // Create a token through the form: shown once.
    c.find(Locator::Id("token-name"))
        .await
        .unwrap()
        .send_keys("browser")
        .await
        .unwrap();
    c.find(Locator::Css("form.row button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = c
        .wait()
        .for_element(Locator::Id("new-token"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shown.starts_with("vmy_"), "{shown}");
    screenshot(&c, "settings").await;

    // A config edit refused while the page is open shows up as a banner without a reload.
    let good = std::fs::read_to_string(&s.config_path).unwrap();
    write_private(
        &s.config_path,
        &format!("{good}\n[server]\nnot_a_key = 1\n"),
    );
    let banner = c
        .wait()
        .at_most(Duration::from_secs(12))
        .for_element(Locator::Css("#banner .banner.critical"))
        .await
        .expect("the banner appears through htmx");
    assert!(banner.text().await.unwrap().contains("Config edit refused"));
    screenshot(&c, "banner").await;
    write_private(&s.config_path, &good);

    // Log out: back to the login page, and the dashboard is closed again.
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(heading(&c).await, "Sign in");
    c.goto(&s.url("/settings")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));

    c.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn a_person_finds_a_vm_in_the_inventory_and_opens_it() {
    let engine = TestEngine::start(vmyard::sim::Source::Fixtures).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = connect(port, profile.path()).await;

    sign_in(&c, &s.base, "viewer", VIEWER_PW).await;
    // The dashboard shows the provider in parity, with its VM count linked.
    let providers = c
        .wait()
        .for_element(Locator::Id("providers"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        providers.contains("e1") && providers.contains("in parity"),
        "{providers}"
    );
    screenshot(&c, "dashboard-provider").await;

    c.find(Locator::LinkText("Inventory"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("e1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let tree = c
        .wait()
        .for_element(Locator::Css("ul.tree"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(tree.contains("Default"), "{tree}");
    c.find(Locator::Css("nav.tabs a[href='/inventory/e1/vms']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let count = c
        .wait()
        .for_element(Locator::Id("count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(count.starts_with("2 matching"), "{count}");

    // Typing in the search box narrows the table without a page reload (htmx).
    let first = c
        .find(Locator::Css("#objects tbody tr td a"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys(&first)
        .await
        .unwrap();
    let narrowed = c
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::XPath(
            "//p[@id='count'][starts-with(normalize-space(.), '1 matching')]",
        ))
        .await;
    assert!(narrowed.is_ok(), "the search narrows the list");
    assert!(
        c.current_url()
            .await
            .unwrap()
            .query()
            .unwrap_or_default()
            .contains("q="),
        "the filter is in the address"
    );
    screenshot(&c, "vm-list").await;

    c.find(Locator::LinkText(&first))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(heading(&c).await, first);
    screenshot(&c, "vm-detail").await;
    let fields = c
        .find(Locator::Id("fields"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fields.contains("Cluster") && fields.contains("Memory"),
        "{fields}"
    );
    let tables = c.find_all(Locator::Css("main section h2")).await.unwrap();
    let mut titles = Vec::new();
    for t in tables {
        titles.push(t.text().await.unwrap());
    }
    assert!(
        titles.iter().any(|t| t == "NICs") && titles.iter().any(|t| t == "Disks"),
        "{titles:?}"
    );
    // The cluster is a link to its own page.
    c.find(Locator::Css("#fields a[href*='/clusters/']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let related = c
        .wait()
        .for_element(Locator::XPath(
            "//h2[text()='Related']/following-sibling::ul",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(related.contains("VMs"), "{related}");
    screenshot(&c, "cluster").await;

    // Once validated, the VM page shows its readiness and its concerns with assessments.
    let validated = eventually(Duration::from_secs(20), || async {
        let r = s.running.state.store.read().unwrap();
        r.count_prefix::<vmyard::validation::VmConcerns>("e1/")
            .unwrap()
            == 2
    })
    .await;
    assert!(validated, "both recorded VMs are validated");
    c.back().await.unwrap();
    c.refresh().await.unwrap();
    let readiness = c
        .wait()
        .for_element(Locator::Id("readiness"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ["ready", "warnings", "blocked"].contains(&readiness.as_str()),
        "{readiness}"
    );
    screenshot(&c, "vm-concerns").await;

    // The Concerns page lists every concern with its VMs; a count opens the filtered list.
    c.find(Locator::LinkText("Concerns"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let chart = c
        .wait()
        .for_element(Locator::Css(
            "#provider-e1 svg[aria-label='VMs by readiness']",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        chart.contains("Ready") && chart.contains("Blocked"),
        "{chart}"
    );
    let link = c
        .find(Locator::Css(
            "#provider-e1 table.concerns tbody tr td.num a",
        ))
        .await
        .expect("the recorded VMs raise at least one concern");
    let vms: usize = link.text().await.unwrap().parse().unwrap();
    screenshot(&c, "concerns").await;
    link.click().await.unwrap();
    let count = c
        .wait()
        .for_element(Locator::Id("count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(count.starts_with(&format!("{vms} matching")), "{count}");
    assert!(c.find(Locator::Id("concern-filter")).await.is_ok());
    c.close().await.unwrap();
    s.stop().await;
}
