//! A detail page is built from the typed record, not from its JSON: fields are grouped the
//! way an engine admin reads them, with the engine's own names, and values read as words
//! (IP addresses as a list, link speeds in Gb/s, an empty CD-ROM drive as "empty").

use crate::common;

use common::*;
use vmyard::inventory::model::{Host, Vm};
use vmyard::sim::Source;

/// The text of the `<dd>` that follows `<dt>label</dt>`.
fn field<'a>(html: &'a str, label: &str) -> Option<&'a str> {
    let at = html.find(&format!("<dt>{label}</dt><dd>"))? + label.len() + 13;
    Some(&html[at..at + html[at..].find("</dd>")?])
}

#[tokio::test]
async fn detail_pages_group_fields_and_show_values_as_words() {
    let engine = TestEngine::start(Source::Generated { vms: 60, seed: 7 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let (vm, host) = {
        let r = s.running.state.store.read().unwrap();
        let vms = r.list_prefix::<Vm>("e1/").unwrap();
        let vm = vms
            .into_iter()
            .map(|(_, v)| v.value)
            .find(|v| v.nics.iter().any(|n| n.ip_addresses.len() > 1) && !v.cdroms.is_empty())
            .expect("a generated VM with a CD-ROM and a NIC with several addresses");
        let host = r
            .list_prefix::<Host>("e1/")
            .unwrap()
            .into_iter()
            .map(|(_, h)| h.value)
            .find(|h| h.nics.iter().any(|n| n.speed >= 1_000_000_000))
            .expect("a generated host with a NIC of 1 Gb/s or more");
        (vm, host)
    };

    let page = s.get_text(&format!("/inventory/e1/vms/{}", vm.id)).await;
    // Readiness first: it is what the page is opened for.
    assert!(
        page.find("id=\"concerns\"").unwrap() < page.find("id=\"fields\"").unwrap(),
        "readiness above the fields"
    );
    for group in ["General", "System", "Storage", "NICs", "Disks", "CD-ROMs"] {
        assert!(
            page.contains(&format!("<h2>{group}</h2>")),
            "{group}: {page}"
        );
    }
    assert_eq!(
        field(&page, "CPU cores per socket"),
        Some(vm.cpu_cores.to_string().as_str())
    );
    assert_eq!(
        field(&page, "High availability"),
        Some(if vm.ha_enabled { "yes" } else { "no" })
    );
    let nic = vm.nics.iter().find(|n| n.ip_addresses.len() > 1).unwrap();
    let listed = nic.ip_addresses.join(", ");
    assert!(page.contains(&listed), "IP addresses as a list: {page}");
    assert!(!page.contains("[\""), "no JSON on the page: {page}");
    if vm.cdroms.iter().all(|c| c.file.starts_with("00000000")) {
        assert!(
            !page.contains("00000000-"),
            "an empty drive is no id: {page}"
        );
        assert!(page.contains("<td>empty</td>"), "{page}");
    }
    // The cluster is linked by its name.
    assert!(
        page.contains(&format!("/inventory/e1/clusters/{}\">", vm.cluster)),
        "{page}"
    );

    let page = s
        .get_text(&format!("/inventory/e1/hosts/{}", host.id))
        .await;
    let fast = host.nics.iter().find(|n| n.speed >= 1_000_000_000).unwrap();
    assert!(
        !page.contains(&format!(">{}<", fast.speed)),
        "no raw bits per second: {page}"
    );
    assert!(page.contains(" Gb/s<"), "{page}");

    // A storage domain's "Disks (n)" opens the n disks on it, its filter shown by name.
    let sd = {
        let r = s.running.state.store.read().unwrap();
        r.list_prefix::<vmyard::inventory::model::StorageDomain>("e1/")
            .unwrap()
            .into_iter()
            .map(|(_, d)| d.value)
            .next()
            .unwrap()
    };
    let page = s
        .get_text(&format!("/inventory/e1/storagedomains/{}", sd.id))
        .await;
    let link = format!("/inventory/e1/disks?storage_domain={}\">Disks</a> (", sd.id);
    let at = page.find(&link).unwrap_or_else(|| panic!("{page}")) + link.len();
    let count: usize = page[at..at + page[at..].find(')').unwrap()]
        .parse()
        .unwrap();
    let list = s
        .get_text(&format!("/inventory/e1/disks?storage_domain={}", sd.id))
        .await;
    assert!(list.contains(&format!(">{count} matching")), "{list}");
    assert!(
        list.contains(&format!("id=\"storage-domain-filter\">{}<", sd.name)),
        "{list}"
    );
    let by_name: serde_json::Value = serde_json::from_str(
        &s.get_text(&format!(
            "/api/v1/providers/e1/disks?storage_domain={}&per_page=1",
            sd.name
        ))
        .await,
    )
    .unwrap();
    assert_eq!(by_name["total"], count, "a name stands for the id");

    // The tree: data center, clusters, hosts with the VMs they run (loaded when opened).
    let tree = s.get_text("/inventory/e1").await;
    assert!(tree.contains("<details"), "{tree}");
    assert!(
        tree.contains(&format!("/partials/tree/e1/{}", host.id)),
        "each host opens: {tree}"
    );
    let running = {
        let r = s.running.state.store.read().unwrap();
        r.list_prefix::<Vm>("e1/")
            .unwrap()
            .into_iter()
            .map(|(_, v)| v.value)
            .find(|v| !v.host.is_empty())
            .expect("a running VM")
    };
    let branch = s
        .get_text(&format!("/partials/tree/e1/{}", running.host))
        .await;
    assert!(
        branch.contains(&format!(
            "/inventory/e1/vms/{}\">{}<",
            running.id, running.name
        )),
        "{branch}"
    );
    s.stop().await;
}

/// A concern has its own page: what it means and what to do, and the VMs it affects per
/// cluster, each count a link to those VMs.
#[tokio::test]
async fn a_concern_page_says_what_to_do_and_counts_its_vms_per_cluster() {
    let engine = TestEngine::start(Source::Generated { vms: 120, seed: 5 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let summary = || {
        let r = s.running.state.store.read().unwrap();
        vmyard::validation::summary::summarize(&r, "e1").unwrap()
    };
    let validated = eventually(std::time::Duration::from_secs(30), || async {
        let s = summary();
        s.vms > 0 && s.validated == s.vms
    })
    .await;
    assert!(validated);
    // The dashboard's readiness charts refresh themselves, from the same counts.
    let dashboard = s.get_text("/").await;
    assert!(
        dashboard.contains("hx-get=\"/partials/readiness\""),
        "{dashboard}"
    );
    let charts = s.get_text("/partials/readiness").await;
    let blocked = summary().readiness.get("blocked").copied().unwrap_or(0);
    assert!(charts.contains("id=\"readiness-e1\""), "{charts}");
    assert!(
        charts.contains(&format!(">{blocked}</text>")),
        "{blocked} blocked: {charts}"
    );
    // Numbered pages, with first and last.
    let list = s.get_text("/inventory/e1/vms?per_page=50&page=2").await;
    assert!(
        list.contains("<span aria-current=\"page\" class=\"current\">2</span>"),
        "{list}"
    );
    assert!(
        list.contains("rel=\"first\"") && list.contains("rel=\"last\""),
        "{list}"
    );
    assert!(list.contains(">Last (3) »<"), "{list}");
    let top = summary().concerns.into_iter().next().expect("a concern");
    // The Concerns page searches ids and labels, ignoring case.
    let word = top.label.split_whitespace().last().unwrap().to_uppercase();
    let found = s
        .get_text(&format!(
            "/concerns?q={}",
            form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>()
        ))
        .await;
    assert!(
        found.contains(&format!("href=\"/concerns/{}\"", top.id)),
        "{found}"
    );
    let none = s.get_text("/concerns?q=no-such-words-anywhere").await;
    assert!(none.contains("matches “no-such-words-anywhere”"), "{none}");
    assert!(!none.contains("href=\"/concerns/ovirt."), "{none}");
    let page = s.get_text(&format!("/concerns/{}", top.id)).await;
    assert!(page.contains(&top.label), "{page}");
    assert!(page.contains("id=\"assessment\""), "{page}");
    assert!(
        page.contains(&format!(
            "/inventory/e1/vms?concern={}\">{} VM",
            top.id, top.vms
        )),
        "the count links to the VMs: {page}"
    );
    // The per-cluster counts add up to the provider's.
    let counted: usize = page
        .split("&amp;cluster=")
        .skip(1)
        .map(|rest| {
            let n = &rest[rest.find("\">").unwrap() + 2..];
            n[..n.find('<').unwrap()].parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(counted, top.vms, "{page}");
    // An id no VM has is a plain 404, not an empty page.
    let missing = s
        .socket_client()
        .get("http://localhost/concerns/no.such.concern")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    let body = missing.text().await.unwrap();
    assert!(
        body.contains("aria-label=\"Main\"") && body.contains("href=\"/inventory\""),
        "the error page keeps the navigation: {body}"
    );
    s.stop().await;
}

/// Readiness from the CLI, over the socket: the VM table's readiness column, `vmyard
/// concerns`, and `vmyard report` as CSV (with the concerns' labels) and JSON.
#[tokio::test(flavor = "multi_thread")]
async fn readiness_from_the_cli() {
    let engine = TestEngine::start(Source::Generated { vms: 60, seed: 9 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let validated = eventually(std::time::Duration::from_secs(30), || async {
        let r = s.running.state.store.read().unwrap();
        let summary = vmyard::validation::summary::summarize(&r, "e1").unwrap();
        summary.vms == 60 && summary.validated == 60
    })
    .await;
    assert!(validated);
    let socket = s.running.socket.clone().unwrap();
    let cli = |args: &[&str]| vmyard_over(&socket, args);
    let table = tokio::task::block_in_place(|| cli(&["inventory", "vms", "--per-page", "5"]));
    let header = table.lines().next().unwrap();
    assert!(
        header.contains("READINESS") && header.contains("CLUSTER"),
        "{table}"
    );
    assert!(!header.contains("REVISION"), "{table}");
    assert!(table.contains("cluster-"), "clusters by name: {table}");
    let concerns = tokio::task::block_in_place(|| cli(&["concerns"]));
    assert!(
        concerns.starts_with("e1: 60 VMs, 60 validated"),
        "{concerns}"
    );
    let csv = tokio::task::block_in_place(|| cli(&["report"]));
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.contains(",concerns,concern_labels,"), "{header}");
    assert_eq!(lines.count(), 60, "one row per VM");
    let json = tokio::task::block_in_place(|| cli(&["report", "--format", "json"]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 60);
    let with = rows
        .iter()
        .find(|r| !r["concerns"].as_str().unwrap().is_empty())
        .expect("a VM with a concern");
    assert_eq!(
        with["concerns"].as_str().unwrap().split(';').count(),
        with["concern_labels"].as_str().unwrap().split(';').count(),
        "{with}"
    );
    s.stop().await;
}

/// Lists sort names as people do, ignoring case (`app-00005` before `CACHE_…`); a store an
/// older vmyard wrote has its name index rebuilt at start (`store::tests::
/// an_index_of_an_older_layout_is_rebuilt_once`).
#[tokio::test]
async fn names_sort_ignoring_case() {
    let engine = TestEngine::start(Source::Generated { vms: 80, seed: 3 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let names = |s: &TestServer| {
        let s = s.socket_client();
        async move {
            let page: serde_json::Value = s
                .get("http://localhost/api/v1/providers/e1/vms?per_page=1000")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["name"].as_str().unwrap().to_string())
                .collect::<Vec<String>>()
        }
    };
    let listed = names(&s).await;
    assert!(
        listed.iter().any(|n| n.starts_with(char::is_uppercase))
            && listed.iter().any(|n| n.starts_with(char::is_lowercase)),
        "both cases: {listed:?}"
    );
    let mut folded = listed.clone();
    folded.sort_by_key(|n| n.to_lowercase());
    assert_eq!(listed, folded);
    // The search still finds names whatever their case.
    let found: serde_json::Value = serde_json::from_str(
        &s.get_text("/api/v1/providers/e1/vms?q=SERVER&per_page=1000")
            .await,
    )
    .unwrap();
    assert!(found["total"].as_u64().unwrap() > 0, "{found}");
    s.stop().await;
}

/// The VMs a list page shows, in order (the name link that starts each row).
fn listed_vms(html: &str) -> Vec<String> {
    let body = &html[html.find("<tbody>").expect("a table")..];
    body.split("<tr><td")
        .skip(1)
        .filter_map(|row| {
            let at = row.find("/inventory/e1/vms/")? + "/inventory/e1/vms/".len();
            Some(row[at..at + row[at..].find('"')?].to_string())
        })
        .collect()
}

/// Every column of a list sorts, either way, across pages; a column that is not there is
/// an error naming those that are.
#[tokio::test]
async fn a_list_sorts_by_any_column_across_its_pages() {
    let engine = TestEngine::start(Source::Generated { vms: 90, seed: 8 }).await;
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;
    let memory = |id: &str| {
        let r = s.running.state.store.read().unwrap();
        r.get::<Vm>(&format!("e1/{id}"))
            .unwrap()
            .unwrap()
            .value
            .memory
    };
    let page = |n: usize, desc: bool| {
        let s = &s;
        async move {
            let html = s
                .get_text(&format!(
                    "/inventory/e1/vms?sort=memory&per_page=40&page={n}{}",
                    if desc { "&desc=true" } else { "" }
                ))
                .await;
            (listed_vms(&html), html)
        }
    };
    let (first, html) = page(1, true).await;
    assert_eq!(first.len(), 40, "{html}");
    assert!(
        html.contains("aria-sort=\"descending\"><a href=\"/inventory/e1/vms?page=1&#38;per_page=40&#38;sort=memory\">Memory ▼</a>"),
        "the sorted column says so and reverses on a click: {html}"
    );
    // The sort and its direction survive paging and filtering.
    assert!(
        html.contains("page=2&#38;per_page=40&#38;sort=memory&#38;desc=true"),
        "{html}"
    );
    assert!(html.contains("name=\"sort\" value=\"memory\""), "{html}");
    let (second, _) = page(2, true).await;
    let sizes: Vec<u64> = first.iter().chain(&second).map(|id| memory(id)).collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first across two pages: {sizes:?}"
    );
    assert!(sizes.first() > sizes.last(), "{sizes:?}");
    let (up, _) = page(1, false).await;
    let sizes: Vec<u64> = up.iter().map(|id| memory(id)).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");

    let bad = s
        .socket_client()
        .get("http://localhost/inventory/e1/vms?sort=colour")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
    let body = bad.text().await.unwrap();
    assert!(body.contains("no column"), "{body}");
    assert!(body.contains("memory") && body.contains("vcpus"), "{body}");
    s.stop().await;
}
