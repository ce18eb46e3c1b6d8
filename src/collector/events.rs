//! What an engine event means for the store.
//!
//! Every action is "read it again": an object that reads back is upserted, one that answers
//! 404 is deleted, so add, update and remove events all converge the same way, whatever
//! order they arrive in and however often they are replayed. Several events for one object
//! in one poll become one read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::inventory::decode::Kind;

/// One thing to read again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Read one object again (delete it on 404). For VMs with `with_disks`, their disks too.
    Reread {
        /// Its kind.
        kind: Kind,
        /// Its engine id.
        id: String,
        /// Also read the disks the VM attaches (before and after).
        with_disks: bool,
    },
    /// List a whole collection again and repair any difference.
    Relist(Kind),
    /// Read the VMs that use a storage domain's disks again.
    VmsOfStorageDomain(String),
}

fn reread(kind: Kind, id: Option<&str>) -> Option<Action> {
    id.filter(|i| !i.is_empty()).map(|id| Action::Reread {
        kind,
        id: id.to_string(),
        with_disks: false,
    })
}

/// The event codes the table in `ovirt.md` acts on (for the event search).
pub const CODES: &[u32] = &[
    950, 952, 954, 942, 1114, 944, 1122, 1124, 1126, 10120, 10124, 10122, 956, 958, 960, 981, 964,
    809, 811, 813, 835, 42, 43, 44, 600, 620, 10453, 13, 34, 53, 1152, 35, 253, 32, 39, 40, 503,
    61, 63, 1025, 38, 528, 88, 97, 80, 2016, 2018, 86, 371, 377, 2010, 932, 934, 930, 1012, 1014,
    68, 356, 10800, 10801, 113, 1130, 172, 1720, 2021, 2014, 2042,
];

/// The actions one event calls for. `known` tells whether the store holds an object, for
/// the rule that any event naming a known VM, host or cluster re-reads it.
pub fn actions(event: &Value, known: &dyn Fn(Kind, &str) -> bool) -> Vec<Action> {
    let code = code_of(event);
    let vm = event["vm"]["id"].as_str();
    let host = event["host"]["id"].as_str();
    let cluster = event["cluster"]["id"].as_str();
    let dc = event["data_center"]["id"].as_str();
    let sd = event["storage_domain"]["id"].as_str();
    let mut out: Vec<Action> = match code {
        950 | 952 | 954 => reread(Kind::DataCenter, dc).into_iter().collect(),
        942 | 1114 => vec![Action::Relist(Kind::Network)],
        944 => vec![
            Action::Relist(Kind::Network),
            Action::Relist(Kind::NicProfile),
        ],
        1122 | 1124 | 1126 => vec![Action::Relist(Kind::NicProfile)],
        10120 | 10124 | 10122 => vec![Action::Relist(Kind::DiskProfile)],
        956 | 958 => vec![Action::Relist(Kind::StorageDomain)],
        960 | 981 | 964 => {
            let mut a = vec![
                Action::Relist(Kind::StorageDomain),
                Action::Relist(Kind::DiskProfile),
            ];
            if let Some(sd) = sd {
                a.push(Action::VmsOfStorageDomain(sd.to_string()));
            }
            a.push(Action::Relist(Kind::Disk));
            a
        }
        809 | 811 | 813 | 835 => reread(Kind::Cluster, cluster).into_iter().collect(),
        42 | 43 | 44 | 600 | 620 | 10453 | 13 => reread(Kind::Host, host).into_iter().collect(),
        // A VM that is new to the store (added, add finished, imported) brings disks the
        // store has never seen; the disk events that made them may be older than the cursor.
        34 | 53 | 1152 | 88 | 97 | 80 | 2016 | 2018 | 86 | 371 | 377 | 2010 => vm
            .map(|id| Action::Reread {
                kind: Kind::Vm,
                id: id.to_string(),
                with_disks: true,
            })
            .into_iter()
            .collect(),
        35 | 253 | 32 | 39 | 40 | 503 | 61 | 63 | 1025 | 38 | 528 | 932 | 934 | 930 | 1012
        | 1014 | 68 | 356 | 10800 | 10801 | 113 | 1130 | 172 | 1720 => {
            reread(Kind::Vm, vm).into_iter().collect()
        }
        2021 | 2014 => vec![Action::Relist(Kind::Disk)],
        2042 => {
            let mut a = vec![Action::Relist(Kind::Disk)];
            a.extend(reread(Kind::Vm, vm));
            a
        }
        _ => Vec::new(),
    };
    // An event naming a template (made, changed, removed, a version added) reads it again:
    // whatever the code, which differs between engine versions, a read settles it.
    out.extend(reread(Kind::Template, event["template"]["id"].as_str()));
    // Any event naming an object the store knows may have changed it.
    for (kind, id) in [(Kind::Vm, vm), (Kind::Host, host), (Kind::Cluster, cluster)] {
        if let Some(id) = id
            && known(kind, id)
            && !out.iter().any(
                |a| matches!(a, Action::Reread { kind: k, id: i, .. } if *k == kind && i == id),
            )
        {
            out.extend(reread(kind, Some(id)));
        }
    }
    out
}

/// Whether an event logs the removal of objects of `kind`: the codes of the table in
/// `ovirt.md` that delete, and for disks also the removals that take disks with them (a
/// VM's, a storage domain's, a disk detached and removed from a VM).
pub fn removes(event: &Value, kind: Kind) -> bool {
    let code = code_of(event);
    let codes: &[u32] = match kind {
        Kind::Vm => &[113, 1130, 172, 1720],
        Kind::Host => &[44],
        Kind::Disk => &[2014, 2042, 80, 960, 981, 964, 113, 1130, 172, 1720],
        Kind::DataCenter => &[954],
        Kind::Cluster => &[813],
        Kind::Network => &[944],
        Kind::NicProfile => &[1126],
        Kind::DiskProfile => &[10122],
        // A template's events are followed by the template they name (see `actions`).
        Kind::Template => &[],
        Kind::StorageDomain => &[960, 981],
    };
    codes.contains(&code)
}

/// An event's code, which engines send as a number or as a string.
fn code_of(event: &Value) -> u32 {
    event["code"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .or_else(|| event["code"].as_u64().map(|c| c as u32))
        .unwrap_or(0)
}

/// Merges the actions of a poll: one read per object, disks included if any event asked.
pub fn plan(all: impl IntoIterator<Item = Action>) -> BTreeSet<Action> {
    let mut set: BTreeSet<Action> = BTreeSet::new();
    for a in all {
        if let Action::Reread {
            kind,
            id,
            with_disks: false,
        } = &a
            && set.contains(&Action::Reread {
                kind: *kind,
                id: id.clone(),
                with_disks: true,
            })
        {
            continue;
        }
        if let Action::Reread {
            kind,
            id,
            with_disks: true,
        } = &a
        {
            set.remove(&Action::Reread {
                kind: *kind,
                id: id.clone(),
                with_disks: false,
            });
        }
        set.insert(a);
    }
    set
}

/// Replaces the single reads of a kind by one listing of it when there are more than
/// `limit` of them (a burst of events is cheaper to catch up with a few pages than with
/// thousands of requests). VM reads that also asked for their disks list the disks too.
pub fn coarsen(plan: BTreeSet<Action>, limit: usize) -> BTreeSet<Action> {
    let mut per_kind: std::collections::BTreeMap<Kind, usize> = std::collections::BTreeMap::new();
    for a in &plan {
        if let Action::Reread { kind, .. } = a {
            *per_kind.entry(*kind).or_default() += 1;
        }
    }
    let busy: Vec<Kind> = per_kind
        .into_iter()
        .filter(|(_, n)| *n > limit)
        .map(|(k, _)| k)
        .collect();
    if busy.is_empty() {
        return plan;
    }
    let mut out = BTreeSet::new();
    for a in plan {
        match &a {
            Action::Reread {
                kind, with_disks, ..
            } if busy.contains(kind) => {
                out.insert(Action::Relist(*kind));
                if *with_disks {
                    out.insert(Action::Relist(Kind::Disk));
                }
            }
            _ => {
                out.insert(a);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(code: u32, vm: Option<&str>) -> Value {
        let mut e = json!({"id": "1", "code": code.to_string()});
        if let Some(v) = vm {
            e["vm"] = json!({"id": v, "href": "x"});
        }
        e
    }

    #[test]
    fn every_table_code_has_an_action() {
        let known = |_: Kind, _: &str| false;
        for code in CODES {
            let mut e = ev(*code, Some("v"));
            for k in ["host", "cluster", "data_center", "storage_domain"] {
                e[k] = json!({"id": "x"});
            }
            assert!(!actions(&e, &known).is_empty(), "code {code} does nothing");
        }
    }

    #[test]
    fn an_event_naming_a_template_reads_it_again_whatever_its_code() {
        let known = |_: Kind, _: &str| false;
        for code in [48, 49, 53, 1] {
            let mut e = ev(code, None);
            e["template"] = json!({"id": "t1", "href": "x"});
            assert!(
                actions(&e, &known).contains(&Action::Reread {
                    kind: Kind::Template,
                    id: "t1".into(),
                    with_disks: false
                }),
                "code {code}"
            );
        }
        assert!(actions(&ev(48, None), &known).is_empty());
    }

    #[test]
    fn several_events_for_one_vm_cost_one_read() {
        let known = |_: Kind, _: &str| true;
        let all = [
            ev(35, Some("a")),
            ev(32, Some("a")),
            ev(88, Some("a")),
            ev(61, Some("b")),
        ]
        .iter()
        .flat_map(|e| actions(e, &known))
        .collect::<Vec<_>>();
        let p = plan(all);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.contains(&Action::Reread {
            kind: Kind::Vm,
            id: "a".into(),
            with_disks: true
        }));
    }

    #[test]
    fn a_burst_becomes_a_listing() {
        let known = |_: Kind, _: &str| true;
        let many: Vec<Action> = (0..300)
            .flat_map(|i| actions(&ev(35, Some(&format!("v{i}"))), &known))
            .collect();
        let p = coarsen(plan(many), 200);
        assert_eq!(
            p.into_iter().collect::<Vec<_>>(),
            vec![Action::Relist(Kind::Vm)]
        );
        let few: Vec<Action> = (0..3)
            .flat_map(|i| actions(&ev(35, Some(&format!("v{i}"))), &known))
            .collect();
        assert_eq!(coarsen(plan(few), 200).len(), 3);
    }

    #[test]
    fn unknown_codes_reread_known_objects_only() {
        let e = ev(9999, Some("a"));
        assert!(actions(&e, &|_, _| false).is_empty());
        assert_eq!(actions(&e, &|k, _| k == Kind::Vm).len(), 1);
        // The cd eject code is 528, not 521.
        assert!(!actions(&ev(528, Some("a")), &|_, _| false).is_empty());
    }
}
