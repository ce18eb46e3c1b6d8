//! The recorded answers of a real engine 4.4.10, embedded, as a base inventory.

use rust_embed::Embed;
use serde_json::Value;

use super::state::{SERVED, SimState};

#[derive(Embed)]
#[folder = "src/sim/fixtures/ovirt-engine-4.4.10/"]
struct Recorded;

/// A recorded answer, by path under the API root (`""` for the root, `vms` for the list).
pub fn answer(path: &str) -> Option<Value> {
    let file = if path.is_empty() {
        "content.json".to_string()
    } else {
        format!("{path}/content.json")
    };
    let bytes = Recorded::get(&file)?.data;
    serde_json::from_slice(&bytes).ok()
}

/// A state serving exactly the recorded engine.
pub fn state() -> SimState {
    let collections = SERVED
        .iter()
        .map(|(path, singular, _)| {
            let items = answer(path)
                .and_then(|b| b.get(*singular).and_then(Value::as_array).cloned())
                .unwrap_or_default();
            (*path, items)
        })
        .collect();
    let root = answer("").unwrap_or(Value::Null);
    let cpus = answer("options/ServerCPUList").unwrap_or(Value::Null);
    let events = answer("events")
        .and_then(|e| e["event"].as_array().cloned())
        .unwrap_or_default();
    let last = events
        .iter()
        .filter_map(|e| e["id"].as_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    let mut state = SimState::new(root, cpus, collections, last + 1);
    state.events = events;
    state
}
