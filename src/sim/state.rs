//! The simulated engine's data: every collection as the engine's JSON, the event log, the
//! SSO tokens, and the mutations that keep them consistent.
//!
//! Objects are kept in wire form, with their `follow=` sub-collections inlined, so serving a
//! list is a matter of picking objects and leaving out what was not asked for. Every
//! mutation appends the event a real engine would log, with the right code and references.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

pub use super::lifecycle::WriteState;

/// The collections served, with their singular key and the sub-collections `follow=` may
/// inline.
///
/// `templates` and `tags` serve the machine driver's writes; the collector lists neither.
/// A VM's `tags` and `reported_devices` are kept inline like its other sub-collections.
pub const SERVED: [(&str, &str, &[&str]); 11] = [
    ("datacenters", "data_center", &[]),
    ("clusters", "cluster", &[]),
    ("hosts", "host", &["network_attachments", "nics"]),
    ("networks", "network", &["vnic_profiles"]),
    ("vnicprofiles", "vnic_profile", &[]),
    ("storagedomains", "storage_domain", &[]),
    ("diskprofiles", "disk_profile", &[]),
    ("disks", "disk", &[]),
    (
        "vms",
        "vm",
        &[
            "disk_attachments",
            "host_devices",
            "snapshots",
            "watchdogs",
            "cdroms",
            "nics",
            "tags",
            "reported_devices",
        ],
    ),
    ("templates", "template", &["disk_attachments"]),
    ("tags", "tag", &[]),
];

/// Sub-collections inside the inlined items of a collection, inlined only by
/// `follow=<outer>.<inner>`: `(collection, outer, item key, inner)`. A VM's NICs carry
/// their reported devices only for `follow=nics.reported_devices`.
pub const NESTED: [(&str, &str, &str, &str); 1] = [("vms", "nics", "nic", "reported_devices")];

/// Whether `follow=` asks for `key`: by name, or through a nested `key.<inner>`.
pub fn asked(follow: &[&str], key: &str) -> bool {
    follow.iter().any(|f| {
        f.strip_prefix(key)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// The nested sub-collections of a collection that `follow=` did not ask for:
/// `(outer, item key, inner)`.
pub fn unasked_nested(
    collection: &str,
    follow: &[&str],
) -> Vec<(&'static str, &'static str, &'static str)> {
    NESTED
        .iter()
        .filter(|(c, outer, _, inner)| {
            *c == collection && !follow.contains(&format!("{outer}.{inner}").as_str())
        })
        .map(|(_, outer, item, inner)| (*outer, *item, *inner))
        .collect()
}

/// The singular key of a collection.
pub fn singular(collection: &str) -> Option<&'static str> {
    SERVED
        .iter()
        .find(|(c, _, _)| *c == collection)
        .map(|(_, s, _)| *s)
}

/// The inlinable sub-collections of a collection.
/// What a collection's listing leaves out of its objects, though a read of the one object
/// has it: a disk listing lacks the LUN details (`lun_storage`) of direct LUN disks.
pub fn unlisted(collection: &str) -> &'static [&'static str] {
    match collection {
        "disks" => &["lun_storage"],
        _ => &[],
    }
}

/// The sub-collections of `collection` that `follow=` can inline (its items carry them only
/// when asked).
pub fn followable(collection: &str) -> &'static [&'static str] {
    SERVED
        .iter()
        .find(|(c, _, _)| *c == collection)
        .map(|(_, _, f)| *f)
        .unwrap_or(&[])
}

/// The engine's state.
#[derive(Debug, Clone)]
pub struct SimState {
    /// The API root document.
    pub root: Value,
    /// `options/ServerCPUList`.
    pub server_cpus: Value,
    /// Each collection, by id.
    pub collections: BTreeMap<&'static str, Objects>,
    /// The event log, oldest first.
    pub events: Vec<Value>,
    /// The next event id.
    pub next_event: u64,
    /// At most this many events are kept; older ones are purged like an engine does.
    pub event_history: usize,
    /// Valid SSO tokens.
    pub tokens: HashSet<String>,
    /// The engine user and password that log in.
    pub credentials: (String, String),
    /// What the machine driver's writes keep beside the collections: template disks,
    /// the disks made for new VMs, timed transitions.
    pub writes: WriteState,
    /// The answer of `vms/<id>/numanodes` of each VM that has vNUMA nodes (the engine does
    /// not put them in the VM's own answer).
    pub numa_nodes: BTreeMap<String, Value>,
    /// Reads of sub-collections (`vms/<id>/numanodes`, ...), by path: how often each was read.
    pub sub_reads: BTreeMap<String, u64>,
    /// Listings served, by collection: how many pages (or whole listings) of each.
    pub listings: BTreeMap<String, u64>,
    /// Whether the root's `summary` is counted from the collections on each read, as an
    /// engine does; off for the recorded engine, whose root is served as it was recorded.
    pub count_summary: bool,
}

/// The objects of a collection, by id, in the order the engine lists them.
pub type Objects = indexmap::IndexMap<String, Value>;

impl SimState {
    /// A state holding `collections` (path → objects).
    pub fn new(
        root: Value,
        server_cpus: Value,
        collections: Vec<(&'static str, Vec<Value>)>,
        first_event: u64,
    ) -> SimState {
        let mut map: BTreeMap<&'static str, Objects> = SERVED
            .iter()
            .map(|(c, _, _)| (*c, Objects::new()))
            .collect();
        for (path, objects) in collections {
            let target = map.entry(path).or_default();
            for o in objects {
                if let Some(id) = o["id"].as_str() {
                    target.insert(id.to_string(), o);
                }
            }
        }
        SimState {
            root,
            server_cpus,
            collections: map,
            events: Vec::new(),
            next_event: first_event,
            event_history: 100_000,
            tokens: HashSet::new(),
            credentials: ("admin@internal".into(), "engine".into()),
            writes: WriteState::default(),
            numa_nodes: BTreeMap::new(),
            sub_reads: BTreeMap::new(),
            listings: BTreeMap::new(),
            count_summary: false,
        }
    }

    /// The objects of a collection.
    pub fn objects(&self, collection: &str) -> Option<&Objects> {
        self.collections.get(collection)
    }

    /// Appends an event naming the objects it concerns (`vm`, `host`, `cluster`, ...).
    pub fn log_event(&mut self, code: u32, description: &str, refs: &[(&str, &str)]) -> u64 {
        let id = self.next_event;
        self.next_event += 1;
        let mut event = json!({
            "code": code.to_string(),
            "custom_id": "-1",
            "flood_rate": "0",
            "index": id.to_string(),
            "origin": "oVirt",
            "severity": "normal",
            "time": now_ms(),
            "description": description,
            "href": format!("/ovirt-engine/api/events/{id}"),
            "id": id.to_string(),
        });
        for (kind, rid) in refs {
            let plural = match *kind {
                "vm" => "vms",
                "host" => "hosts",
                "cluster" => "clusters",
                "data_center" => "datacenters",
                "storage_domain" => "storagedomains",
                _ => "objects",
            };
            event[*kind] = json!({"href": format!("/ovirt-engine/api/{plural}/{rid}"), "id": rid});
        }
        self.events.push(event);
        if self.events.len() > self.event_history {
            let excess = self.events.len() - self.event_history;
            self.events.drain(..excess);
        }
        id
    }

    /// Replaces (or adds) an object and logs `code`; a VM's event names its cluster and host.
    pub fn put(
        &mut self,
        collection: &'static str,
        object: Value,
        code: u32,
    ) -> Result<(), String> {
        let name = object["name"]
            .as_str()
            .or(object["id"].as_str())
            .unwrap_or_default()
            .to_string();
        self.put_described(
            collection,
            object,
            code,
            &format!("{collection} {name} changed"),
        )
    }

    /// [`SimState::put`] with the event's description, as the engine words it.
    pub fn put_described(
        &mut self,
        collection: &'static str,
        object: Value,
        code: u32,
        description: &str,
    ) -> Result<(), String> {
        let id = object["id"]
            .as_str()
            .ok_or("the object has no id")?
            .to_string();
        let refs = event_refs(collection, &id, &object);
        let refs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.collections
            .entry(collection)
            .or_default()
            .insert(id.clone(), object);
        self.log_event(code, description, &refs);
        Ok(())
    }

    /// Removes an object and logs `code`; returns whether it existed.
    pub fn remove(&mut self, collection: &'static str, id: &str, code: u32) -> bool {
        self.remove_described(collection, id, code, &format!("{collection} {id} removed"))
    }

    /// [`SimState::remove`] with the event's description.
    pub fn remove_described(
        &mut self,
        collection: &'static str,
        id: &str,
        code: u32,
        description: &str,
    ) -> bool {
        let Some(old) = self
            .collections
            .get_mut(collection)
            .and_then(|c| c.shift_remove(id))
        else {
            return false;
        };
        let refs = event_refs(collection, id, &old);
        let refs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.log_event(code, description, &refs);
        true
    }
}

fn event_refs(collection: &str, id: &str, object: &Value) -> Vec<(&'static str, String)> {
    let mut refs = Vec::new();
    let own = match collection {
        "vms" => Some("vm"),
        "hosts" => Some("host"),
        "clusters" => Some("cluster"),
        "datacenters" => Some("data_center"),
        "storagedomains" => Some("storage_domain"),
        _ => None,
    };
    if let Some(own) = own {
        refs.push((own, id.to_string()));
    }
    for key in ["cluster", "host", "data_center"] {
        if Some(key) != own
            && let Some(rid) = object[key]["id"].as_str()
        {
            refs.push((key, rid.to_string()));
        }
    }
    refs
}

/// Milliseconds since the epoch, the engine's time format.
pub fn now_ms() -> u64 {
    u64::try_from(jiff::Timestamp::now().as_millisecond()).unwrap_or(0)
}
