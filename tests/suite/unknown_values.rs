//! A value the engine leaves out is unknown, not 0: the recorded engine's image repository
//! (a storage domain attached to no data center) has no `available` or `used`. The API says
//! null, and the pages show a dash and no capacity bar.

use crate::common;

use common::*;
use serde_json::Value;
use vmyard::sim::Source;

const UNATTACHED: &str = "072fbaa1-08f3-4a40-9f34-a5ca22dd1d74";
const ATTACHED: &str = "95ef6fee-5773-46a2-9340-a636958a96b8";

/// The table row of the list page that names `name`.
fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html.find(&format!(">{name}<")).expect("the row is listed");
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn capacities_the_engine_leaves_out_stay_unknown() {
    let engine = TestEngine::start(Source::Fixtures).await;
    {
        let sim = engine.sim.state.lock().unwrap();
        let sd = &sim.objects("storagedomains").unwrap()[UNATTACHED];
        assert!(sd.get("available").is_none() && sd.get("used").is_none());
    }
    let (dir, config_path) = engine_config(&engine);
    let s = TestServer::start_in(dir, config_path).await;
    wait_parity(&s, "e1", 0).await;

    let api = |id: &str| format!("/api/v1/providers/e1/storagedomains/{id}");
    let unattached: Value = serde_json::from_str(&s.get_text(&api(UNATTACHED)).await).unwrap();
    assert_eq!(unattached["available"], Value::Null, "{unattached}");
    assert_eq!(unattached["used"], Value::Null, "{unattached}");
    // Given as "0" by the engine: known, and 0.
    assert_eq!(unattached["committed"], Value::from(0u64));
    let attached: Value = serde_json::from_str(&s.get_text(&api(ATTACHED)).await).unwrap();
    assert_eq!(attached["available"], Value::from(7_516_192_768u64));

    let list = s.get_text("/inventory/e1/storagedomains").await;
    let unknown = row(&list, "ovirt-image-repository");
    assert!(!unknown.contains("class=\"bar\""), "{unknown}");
    assert!(unknown.contains("<td class=\"num\">–</td>"), "{unknown}");
    assert!(!unknown.contains("0 B"), "{unknown}");
    let known = row(&list, "test");
    assert!(known.contains("class=\"bar\""), "{known}");
    assert!(known.contains("% used"), "{known}");

    let detail = s
        .get_text(&format!("/inventory/e1/storagedomains/{UNATTACHED}"))
        .await;
    assert!(
        detail.contains("<dt>Available</dt><dd>–</dd>"),
        "the detail page shows unknown as a dash: {detail}"
    );
    assert!(detail.contains("<dt>Used</dt><dd>–</dd>"), "{detail}");
    assert!(
        detail.contains("<dt>Committed</dt><dd>0 B</dd>"),
        "{detail}"
    );
    s.stop().await;
}
