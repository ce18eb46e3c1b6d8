//! A person makes a machine set of three on the Machines page, watches the machines go
//! Pending → Running, opens one and its VM in the inventory, scales the set to one and
//! deletes it, with the VMs coming and going in the engine.

use crate::common;

use std::time::Duration;

use common::browser::*;
use common::*;
use fantoccini::Locator;

async fn machine_rows(c: &fantoccini::Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(rows) = c.find_all(Locator::Css("#machines tbody tr")).await else {
        return out;
    };
    for row in rows {
        let name = row
            .attr("data-machine")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let phase = match row.find(Locator::Css(".phase")).await {
            Ok(p) => p.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        out.push((name, phase));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_makes_scales_and_deletes_a_machine_set() {
    let engine = TestEngine::start(vmyard::sim::Source::Fixtures).await;
    // A long image lock, so the Pending phase is seen on the page.
    engine.sim.set_timing(4000, 500);
    let s = machine_server(&engine, "").await;
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let c = connect(port, profile.path()).await;
    sign_in(&c, &s.base, "admin", ADMIN_PW).await;

    c.find(Locator::LinkText("Machines"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(wait_heading(&c, "Machines").await, "Machines");
    let classes = c
        .find(Locator::Id("classes"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        classes.contains("web") && classes.contains("rhcos-4"),
        "{classes}"
    );
    c.find(Locator::Id("set-name"))
        .await
        .unwrap()
        .send_keys("web")
        .await
        .unwrap();
    let replicas = c.find(Locator::Id("set-replicas")).await.unwrap();
    replicas.clear().await.unwrap();
    replicas.send_keys("3").await.unwrap();
    c.find(Locator::Css("#new-set button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = c
        .wait()
        .for_element(Locator::Css(".alert.info"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(flash, "Set web declared with 3 machines.");

    // The tables refresh themselves: Pending first, then Running, without a reload.
    let mut seen_pending = false;
    let mut all_running = false;
    for _ in 0..120 {
        let rows = machine_rows(&c).await;
        seen_pending |= rows.iter().any(|(_, p)| p == "Pending");
        if rows.len() == 3 && rows.iter().all(|(_, p)| p == "Running") {
            all_running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    screenshot(&c, "machines-running").await;
    assert!(
        seen_pending,
        "the Pending phase shows while the image is locked"
    );
    assert!(all_running, "{:?}", machine_rows(&c).await);
    assert_eq!(tagged_vms(&engine).len(), 3);
    let ready = c
        .find(Locator::Css("#sets tr[data-set=web] .ready"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(ready, "3");

    // One machine's page: its history, and its VM in the inventory.
    let (first, _) = machine_rows(&c).await.remove(0);
    click(&c, Locator::LinkText(&first)).await;
    let expected = format!("Machine {first}");
    assert_eq!(wait_heading(&c, &expected).await, expected);
    let history = c
        .find(Locator::Id("history"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Create") && history.contains("Initialize"),
        "{history}"
    );
    screenshot(&c, "machine-detail").await;
    let collected = eventually(Duration::from_secs(20), || async {
        c.goto(&s.url(&format!("/machines/{first}"))).await.unwrap();
        c.find(Locator::Id("vm-link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The VM's own page has the VM's name, which is the machine's, as its heading.
        wait_heading(&c, &first).await == first
            && c.current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/inventory/")
    })
    .await;
    assert!(
        collected,
        "the machine's VM page in the inventory: {}",
        heading(&c).await
    );

    // Scale to one.
    c.goto(&s.url("/machines")).await.unwrap();
    let scale = c.find(Locator::Id("scale-web")).await.unwrap();
    scale.clear().await.unwrap();
    scale.send_keys("1").await.unwrap();
    click(
        &c,
        Locator::Css("#sets tr[data-set=web] button[type=submit]"),
    )
    .await;
    // The page names the two machines that go, and asks.
    let question = c
        .wait()
        .for_element(Locator::Id("scale-confirm"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(question.contains("deletes 2 machines"), "{question}");
    assert_eq!(question.matches("web-").count(), 2, "{question}");
    screenshot(&c, "machines-scale-confirm").await;
    click(&c, Locator::Id("scale-confirm-yes")).await;
    let flash = c
        .wait()
        .for_element(Locator::Css(".alert.info"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        flash.starts_with("Set web scaled to 1. Deleting web-"),
        "{flash}"
    );
    let one = eventually(Duration::from_secs(30), || async {
        machine_rows(&c).await.len() == 1 && tagged_vms(&engine).len() == 1
    })
    .await;
    assert!(
        one,
        "{:?} {:?}",
        machine_rows(&c).await,
        tagged_vms(&engine)
    );

    // Delete, with the confirmation the page asks for.
    click(&c, Locator::Css("#sets tr[data-set=web] button.danger")).await;
    let question = c.get_alert_text().await.unwrap();
    assert!(question.contains("Delete the set “web”"), "{question}");
    c.accept_alert().await.unwrap();
    let gone = eventually(Duration::from_secs(30), || async {
        let empty = c.find(Locator::Id("machine-tables")).await.ok();
        let text = match empty {
            Some(e) => e.text().await.unwrap_or_default(),
            None => String::new(),
        };
        text.contains("No machine set.")
            && text.contains("No machine.")
            && tagged_vms(&engine).is_empty()
    })
    .await;
    screenshot(&c, "machines-deleted").await;
    assert!(gone, "{:?}", tagged_vms(&engine));
    c.close().await.unwrap();
    s.stop().await;
}
