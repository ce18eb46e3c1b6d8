//! Scaling a machine set: which machines to add, and which go first when it shrinks.
//!
//! The plan is a pure function of the set and its machines, so every rule is tested
//! without an engine: machines already going are not counted; when shrinking, machines go
//! in MCM's order (lowest priority first, then by phase, then the oldest first); a set
//! replaces at most one failed machine at a time.

use crate::machines::model::{Machine, MachineSet, Phase};

/// What a set needs now.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// This many new machines.
    pub add: u32,
    /// These machines are to be deleted.
    pub remove: Vec<String>,
}

/// MCM's phase order when a set shrinks, the sooner gone the lower: the empty (creating)
/// phase and Terminating, then Failed, CrashLoopBackOff, Unknown, Pending, Available,
/// Running.
fn keep_rank(phase: Phase) -> u8 {
    match phase {
        Phase::Creating | Phase::Terminating => 0,
        Phase::Failed => 1,
        Phase::CrashLoopBackOff => 2,
        Phase::Unknown => 3,
        Phase::Pending => 4,
        Phase::Available => 5,
        Phase::Running => 6,
    }
}

/// The plan for `set`, given the machines it owns.
pub fn plan(set: &MachineSet, machines: &[&Machine]) -> Plan {
    if set.deleting {
        return Plan {
            add: 0,
            remove: machines
                .iter()
                .filter(|m| m.deletion_requested.is_none())
                .map(|m| m.name.clone())
                .collect(),
        };
    }
    let mut active: Vec<&Machine> = machines
        .iter()
        .copied()
        .filter(|m| m.deletion_requested.is_none())
        .collect();
    let mut remove = Vec::new();
    let wanted = set.replicas as usize;
    if active.len() > wanted {
        active.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then(keep_rank(a.phase).cmp(&keep_rank(b.phase)))
                .then(a.created_at.cmp(&b.created_at))
        });
        let excess = active.len() - wanted;
        remove.extend(active.drain(..excess).map(|m| m.name.clone()));
    }
    // Replace one failed machine at a time: only when no machine of the set is going or
    // still coming up (the last replacement), so a bad class cannot churn the whole set.
    let replacing = machines.iter().any(|m| {
        m.deletion_requested.is_some()
            || matches!(
                m.phase,
                Phase::Creating | Phase::Pending | Phase::CrashLoopBackOff
            )
    });
    if !replacing
        && remove.is_empty()
        && let Some(failed) = active.iter().find(|m| m.phase == Phase::Failed)
    {
        let name = failed.name.clone();
        active.retain(|m| m.name != name);
        remove.push(name);
    }
    Plan {
        add: wanted.saturating_sub(active.len()) as u32,
        remove,
    }
}

/// A new machine name for `set`: the set name and a short random suffix.
pub fn machine_name(set: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    let suffix: String = (0..5)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{set}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000 + secs).expect("valid")
    }

    fn machine(name: &str, phase: Phase, age: i64) -> Machine {
        let mut m = Machine::new(name, "c", Some("s"), at(age));
        m.phase = phase;
        m
    }

    fn set(replicas: u32) -> MachineSet {
        MachineSet {
            name: "s".into(),
            class: "c".into(),
            replicas,
            deleting: false,
            created_at: at(0),
        }
    }

    #[test]
    fn grows_to_the_replicas() {
        let a = machine("s-a", Phase::Running, 1);
        assert_eq!(
            plan(&set(3), &[&a]),
            Plan {
                add: 2,
                remove: vec![]
            }
        );
        assert_eq!(plan(&set(1), &[&a]), Plan::default());
    }

    /// MCM's order: priority, then phase ("" and Terminating, Failed, CrashLoopBackOff,
    /// Unknown, Pending, Available, Running), then the oldest.
    #[test]
    fn shrinks_in_mcms_order() {
        let old = machine("s-old", Phase::Running, 1);
        let new = machine("s-new", Phase::Running, 5);
        let available = machine("s-available", Phase::Available, 6);
        let pending = machine("s-pending", Phase::Pending, 2);
        let unknown = machine("s-unknown", Phase::Unknown, 3);
        let crashing = machine("s-crashing", Phase::CrashLoopBackOff, 4);
        let failed = machine("s-failed", Phase::Failed, 0);
        let creating = machine("s-creating", Phase::Creating, 7);
        let all = [
            &old, &new, &available, &pending, &unknown, &crashing, &failed, &creating,
        ];
        let p = plan(&set(0), &all);
        assert_eq!(
            p.remove,
            [
                "s-creating",
                "s-failed",
                "s-crashing",
                "s-unknown",
                "s-pending",
                "s-available",
                "s-old",
                "s-new"
            ]
        );
        // The oldest of equals goes first.
        let p = plan(&set(1), &[&new, &old]);
        assert_eq!(p.remove, ["s-old"]);
        // A low priority goes before any phase; a high one after.
        let mut keep = machine("s-keep", Phase::Failed, 0);
        keep.priority = 5;
        let mut drop = machine("s-drop", Phase::Running, 9);
        drop.priority = 1;
        let p = plan(&set(2), &[&keep, &drop, &old]);
        assert_eq!(p.remove, ["s-drop"]);
        let p = plan(&set(1), &[&keep, &drop, &old]);
        assert_eq!(p.remove, ["s-drop", "s-old"]);
    }

    #[test]
    fn machines_already_going_are_not_counted() {
        let mut going = machine("s-going", Phase::Terminating, 1);
        going.deletion_requested = Some(at(9));
        let a = machine("s-a", Phase::Running, 2);
        assert_eq!(
            plan(&set(2), &[&going, &a]),
            Plan {
                add: 1,
                remove: vec![]
            }
        );
    }

    #[test]
    fn replaces_one_failed_machine_at_a_time() {
        let f1 = machine("s-f1", Phase::Failed, 1);
        let f2 = machine("s-f2", Phase::Failed, 2);
        let ok = machine("s-ok", Phase::Running, 3);
        let p = plan(&set(3), &[&f1, &f2, &ok]);
        assert_eq!(p.remove.len(), 1);
        assert_eq!(p.add, 1);
        let mut replacing = f1.clone();
        replacing.deletion_requested = Some(at(10));
        replacing.phase = Phase::Terminating;
        let p = plan(&set(3), &[&replacing, &f2, &ok]);
        assert!(p.remove.is_empty(), "{p:?}");
        assert_eq!(p.add, 1);
        let coming = machine("s-new", Phase::Pending, 4);
        let p = plan(&set(3), &[&coming, &f2, &ok]);
        assert!(
            p.remove.is_empty(),
            "the replacement is still coming up: {p:?}"
        );
        assert_eq!(p.add, 0);
    }

    #[test]
    fn a_deleted_set_removes_everything() {
        let a = machine("s-a", Phase::Running, 1);
        let b = machine("s-b", Phase::Creating, 2);
        let mut s = set(2);
        s.deleting = true;
        let p = plan(&s, &[&a, &b]);
        assert_eq!(p.add, 0);
        assert_eq!(p.remove, vec!["s-a", "s-b"]);
    }

    #[test]
    fn names_are_the_set_and_a_suffix() {
        let n = machine_name("web");
        assert!(n.starts_with("web-") && n.len() == 9, "{n}");
        assert!(crate::machines::model::valid_name(&n));
        assert_ne!(machine_name("web"), machine_name("web"));
    }
}
