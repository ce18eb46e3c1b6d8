//! Readiness over time: every change of a VM's concerns, kept in the store in the same
//! transaction as the result that made it, with when, under which policy version, and why.
//!
//! - A [`ConcernChange`] is written when a VM's set of concerns (by id) differs from the
//!   one its previous result held, or the VM is first validated, or its result goes because
//!   the VM is gone. It names the concerns that appeared and cleared, the readiness before
//!   and after, the VM's cluster, and its [`Cause`]: an engine change (same rules; with the
//!   newest engine event the collector had applied), a change of rules (same VM revision,
//!   another policy version), or both.
//!   "Cleared by a rule change" and "cleared by a fix in oVirt" are told apart this way.
//! - A [`PolicyChange`] is written the first time a batch runs under a new policy version.
//! - Keys sort by time within a VM (`provider/vm/NANOS`), so a VM's timeline is one prefix
//!   scan; the `day` index finds a provider's changes of a day without reading the others.
//! - [`prune`] drops what is older than the retention, from the store's sweeper; the
//!   per-day readiness counts ([`super::trend`]) carry the long view.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::record::{Readiness, VmConcerns};
use crate::store::{ReadTxn, Record, StoreError, WriteTxn};

/// Why a VM's concerns changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Cause {
    /// First validated: new to the inventory, or to vmyard.
    Added,
    /// Gone from the inventory.
    Removed,
    /// Something the VM's workload reads changed in the engine (the VM itself, or its
    /// cluster, host, profiles, networks, disks, storage domains) under the same rules.
    Engine {
        /// The newest engine event the collector had applied when the change was seen;
        /// `None` before the first load finished.
        event: Option<u64>,
    },
    /// The rules changed and the VM did not. (A change of an object the VM uses at the
    /// same moment as a rule change is put down to the rules: only the VM's own revision is
    /// known to the result.)
    Rules {
        /// The policy version of the previous result.
        from: String,
    },
    /// Both the VM and the rules changed since the previous result.
    EngineAndRules {
        /// As for [`Cause::Engine`].
        event: Option<u64>,
        /// As for [`Cause::Rules`].
        from: String,
    },
}

/// A concern as a change names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConcernRef {
    /// Its id.
    pub id: String,
    /// Critical, Warning or Information.
    pub category: String,
    /// Its label.
    pub label: String,
}

/// One change of one VM's concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConcernChange {
    /// The VM's engine id.
    pub vm: String,
    /// Its cluster's engine id when the change was seen (empty when unknown).
    pub cluster: String,
    /// When.
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// The policy version of the new result (of the last one, for a removal).
    pub policy_version: String,
    /// Why.
    pub cause: Cause,
    /// The readiness before; `None` for a VM first validated.
    pub before: Option<Readiness>,
    /// The readiness after; `None` for a VM gone.
    pub after: Option<Readiness>,
    /// Concerns it has now and had not before.
    pub appeared: Vec<ConcernRef>,
    /// Concerns it had before and has no more.
    pub cleared: Vec<ConcernRef>,
}

impl Record for ConcernChange {
    const KIND: &'static str = "validation.history";

    /// By day, so a range of days is found without reading other days.
    fn index_keys(&self) -> Vec<(&'static str, String)> {
        vec![("day", day_of(self.at))]
    }
}

/// A new policy version, as a provider's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyChange {
    /// The new version.
    pub version: String,
    /// The version before, when there was one.
    pub previous: Option<String>,
    /// When the first batch ran under it.
    #[schema(value_type = String)]
    pub at: Timestamp,
}

impl Record for PolicyChange {
    const KIND: &'static str = "validation.policy_history";
}

/// The key holding the last policy version a batch ran under.
const CURRENT_POLICY: &str = "current";

/// The calendar day (UTC) of a time, as the `day` index and the trend name it.
pub fn day_of(at: Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

fn refs(concerns: &[super::Concern], ids: &BTreeSet<&str>) -> Vec<ConcernRef> {
    concerns
        .iter()
        .filter(|c| ids.contains(c.id.as_str()))
        .map(|c| ConcernRef {
            id: c.id.clone(),
            category: c.category.clone(),
            label: c.label.clone(),
        })
        .collect()
}

fn concern_ids(r: Option<&VmConcerns>) -> BTreeSet<&str> {
    r.map(|r| r.concerns.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default()
}

/// What a batch knows of one VM when it writes (or removes) its result.
pub struct Transition<'a> {
    /// The VM's store key.
    pub key: &'a str,
    /// Its cluster, if it is still there.
    pub cluster: &'a str,
    /// The result it had.
    pub before: Option<&'a VmConcerns>,
    /// The result it gets; `None` when the VM is gone.
    pub after: Option<&'a VmConcerns>,
    /// The VM's revision the new result was computed for.
    pub revision: Option<u64>,
    /// The newest engine event the collector had applied.
    pub event: Option<u64>,
}

/// Whether a new result changes what the previous one said: another set of concerns or
/// another readiness (a VM first validated always does).
pub fn changes_concerns(before: Option<&VmConcerns>, after: Option<&VmConcerns>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => {
            concern_ids(before) != concern_ids(after) || b.readiness() != a.readiness()
        }
        (None, None) => false,
        _ => true,
    }
}

/// Writes the change a transition makes, if it changes the VM's concerns; returns whether
/// it wrote one.
pub fn note(w: &mut WriteTxn, t: Transition<'_>) -> Result<bool, StoreError> {
    if !changes_concerns(t.before, t.after) {
        return Ok(false);
    }
    let (was, now) = (concern_ids(t.before), concern_ids(t.after));
    let (before, after) = (
        t.before.map(|r| r.readiness()),
        t.after.map(|r| r.readiness()),
    );
    let cause = match (t.before, t.after) {
        (None, None) => return Ok(false),
        (None, Some(_)) => Cause::Added,
        (Some(_), None) => Cause::Removed,
        (Some(b), Some(a)) => {
            // Under the same rules, only the engine can have changed what the rules read.
            let vm_moved = t.revision != Some(b.revision_validated);
            if a.policy_version == b.policy_version {
                Cause::Engine { event: t.event }
            } else if vm_moved {
                Cause::EngineAndRules {
                    event: t.event,
                    from: b.policy_version.clone(),
                }
            } else {
                Cause::Rules {
                    from: b.policy_version.clone(),
                }
            }
        }
    };
    let latest = t.after.or(t.before).expect("one side is there");
    let at = t.after.map_or_else(Timestamp::now, |a| a.validated_at);
    let change = ConcernChange {
        vm: crate::inventory::engine_id(t.key).to_string(),
        cluster: t.cluster.to_string(),
        at,
        policy_version: latest.policy_version.clone(),
        cause,
        before,
        after,
        appeared: t
            .after
            .map(|a| refs(&a.concerns, &now.difference(&was).copied().collect()))
            .unwrap_or_default(),
        cleared: t
            .before
            .map(|b| refs(&b.concerns, &was.difference(&now).copied().collect()))
            .unwrap_or_default(),
    };
    w.upsert(&change_key(t.key, at), &change)?;
    Ok(true)
}

/// `provider/vm/NANOS`: a VM's changes in time order under its own prefix.
pub fn change_key(vm_key: &str, at: Timestamp) -> String {
    format!("{vm_key}/{:020}", at.as_nanosecond().max(0))
}

/// Notes the policy version a batch runs under, once per version.
pub fn note_policy(w: &mut WriteTxn, version: &str) -> Result<(), StoreError> {
    let previous = w
        .get::<PolicyChange>(CURRENT_POLICY)?
        .map(|s| s.value.version);
    if previous.as_deref() == Some(version) {
        return Ok(());
    }
    let change = PolicyChange {
        version: version.to_string(),
        previous,
        at: Timestamp::now(),
    };
    w.upsert(
        &format!("at/{:020}", change.at.as_nanosecond().max(0)),
        &change,
    )?;
    w.upsert(CURRENT_POLICY, &change)?;
    Ok(())
}

/// What to list of a provider's history.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// From this time (inclusive).
    pub from: Option<Timestamp>,
    /// Up to this time (exclusive).
    pub to: Option<Timestamp>,
    /// Only this VM (engine id).
    pub vm: Option<String>,
    /// Only changes where this concern appeared or cleared.
    pub concern: Option<String>,
    /// Only VMs of this cluster (engine id).
    pub cluster: Option<String>,
}

/// The changes of a provider matching `q`, newest first, at most `limit`; and whether
/// more matched.
pub fn changes(
    r: &ReadTxn,
    provider: &str,
    q: &HistoryQuery,
    limit: usize,
) -> Result<(Vec<ConcernChange>, bool), StoreError> {
    let in_range =
        |c: &ConcernChange| q.from.is_none_or(|f| c.at >= f) && q.to.is_none_or(|t| c.at < t);
    let wanted = |c: &ConcernChange| {
        in_range(c)
            && q.cluster.as_deref().is_none_or(|cl| c.cluster == cl)
            && q.concern
                .as_deref()
                .is_none_or(|id| c.appeared.iter().chain(&c.cleared).any(|r| r.id == id))
    };
    let mut found: Vec<ConcernChange> = Vec::new();
    if let Some(vm) = &q.vm {
        for (_, s) in r.list_prefix::<ConcernChange>(&format!("{provider}/{vm}/"))? {
            if wanted(&s.value) {
                found.push(s.value);
            }
        }
    } else {
        // Day by day, newest first, from the index: a week of a large site reads a week.
        let to = q.to.unwrap_or_else(Timestamp::now);
        let from = q
            .from
            .unwrap_or(to - jiff::SignedDuration::from_hours(24 * 7));
        let mut day = to.to_zoned(jiff::tz::TimeZone::UTC).date();
        let first = from.to_zoned(jiff::tz::TimeZone::UTC).date();
        while day >= first && found.len() <= limit {
            for key in r.ids_by::<ConcernChange>("day", &format!("{provider}/{day}"))? {
                if let Some(s) = r.get::<ConcernChange>(&key)?
                    && wanted(&s.value)
                {
                    found.push(s.value);
                }
            }
            let Ok(previous) = day.yesterday() else { break };
            day = previous;
        }
    }
    found.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.vm.cmp(&b.vm)));
    let more = found.len() > limit;
    found.truncate(limit);
    Ok((found, more))
}

/// The policy versions that came into force between two times, newest first.
pub fn policy_changes(
    r: &ReadTxn,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<Vec<PolicyChange>, StoreError> {
    let mut out: Vec<PolicyChange> = r
        .list_prefix::<PolicyChange>("at/")?
        .into_iter()
        .map(|(_, s)| s.value)
        .filter(|p| from.is_none_or(|f| p.at >= f) && to.is_none_or(|t| p.at < t))
        .collect();
    out.reverse();
    Ok(out)
}

/// Removes the changes older than `detail_days` days, and the daily counts and policy
/// versions older than `keep_days`; returns how many. The old days are found from the
/// `day` index (oldest first, so the walk stops at the first day kept), never by reading
/// the changes that stay.
pub fn prune(
    store: &crate::store::Store,
    detail_days: u32,
    keep_days: u32,
) -> Result<usize, StoreError> {
    let ago = |days: u32| Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(days));
    let cutoff = ago(keep_days);
    let first_kept = day_of(ago(detail_days.min(keep_days)));
    let first_count_kept = day_of(cutoff);
    let r = store.read()?;
    let mut doomed = Vec::new();
    for (provider, _) in r.list::<crate::inventory::provider::ProviderState>()? {
        r.index_walk::<ConcernChange>("day", &format!("{provider}/"), |day, key| {
            if day >= first_kept.as_str() {
                return false;
            }
            doomed.push(key.to_string());
            true
        })?;
    }
    let old_policies: Vec<String> = r
        .list_prefix::<PolicyChange>("at/")?
        .into_iter()
        .filter(|(_, s)| s.value.at < cutoff)
        .map(|(k, _)| k)
        .collect();
    // Daily counts are keyed `provider/DAY`: only the keys are read.
    let old_counts: Vec<String> = r
        .keys_prefix::<super::trend::DailyReadiness>("")?
        .into_iter()
        .filter(|k| {
            k.rsplit('/')
                .next()
                .is_some_and(|day| day < first_count_kept.as_str())
        })
        .collect();
    drop(r);
    let removed = doomed.len() + old_policies.len() + old_counts.len();
    if removed == 0 {
        return Ok(0);
    }
    let mut w = store.write()?;
    for key in &doomed {
        w.delete::<ConcernChange>(key)?;
    }
    for key in &old_policies {
        w.delete::<PolicyChange>(key)?;
    }
    for key in &old_counts {
        w.delete::<super::trend::DailyReadiness>(key)?;
    }
    w.commit()?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::validation::Concern;

    fn result(revision: u64, policy: &str, ids: &[&str]) -> VmConcerns {
        VmConcerns {
            vm: "v1".into(),
            revision_validated: revision,
            policy_version: policy.into(),
            validated_at: Timestamp::now(),
            concerns: ids
                .iter()
                .map(|id| Concern {
                    id: id.to_string(),
                    category: "Warning".into(),
                    label: format!("label of {id}"),
                    assessment: String::new(),
                })
                .collect(),
            errors: vec![],
        }
    }

    fn noted(
        store: &Store,
        before: Option<&VmConcerns>,
        after: Option<&VmConcerns>,
        revision: Option<u64>,
    ) -> Option<ConcernChange> {
        let mut w = store.write().unwrap();
        let wrote = note(
            &mut w,
            Transition {
                key: "e1/v1",
                cluster: "c1",
                before,
                after,
                revision,
                event: Some(42),
            },
        )
        .unwrap();
        w.commit().unwrap();
        wrote.then(|| {
            let r = store.read().unwrap();
            let mut all = r.list_prefix::<ConcernChange>("e1/v1/").unwrap();
            all.pop().unwrap().1.value
        })
    }

    #[test]
    fn a_change_says_what_appeared_cleared_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = result(1, "p1", &["a", "b"]);
        let added = noted(&store, None, Some(&first), Some(1)).unwrap();
        assert_eq!(added.cause, Cause::Added);
        assert_eq!(added.appeared.len(), 2);
        assert_eq!(added.before, None);

        // The same concerns again write nothing.
        assert!(
            noted(
                &store,
                Some(&first),
                Some(&result(2, "p1", &["b", "a"])),
                Some(2)
            )
            .is_none()
        );

        let engine = noted(
            &store,
            Some(&first),
            Some(&result(2, "p1", &["a"])),
            Some(2),
        )
        .unwrap();
        assert_eq!(engine.cause, Cause::Engine { event: Some(42) });
        assert_eq!(
            engine
                .cleared
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert!(engine.appeared.is_empty());

        let rules = noted(
            &store,
            Some(&first),
            Some(&result(1, "p2", &["a", "b", "c"])),
            Some(1),
        )
        .unwrap();
        assert_eq!(rules.cause, Cause::Rules { from: "p1".into() });
        assert_eq!(rules.appeared[0].id, "c");

        let both = noted(&store, Some(&first), Some(&result(3, "p2", &[])), Some(3)).unwrap();
        assert!(
            matches!(both.cause, Cause::EngineAndRules { .. }),
            "{both:?}"
        );
        assert_eq!(both.after, Some(Readiness::Ready));

        let removed = noted(&store, Some(&first), None, None).unwrap();
        assert_eq!(removed.cause, Cause::Removed);
        assert_eq!(removed.after, None);
        assert_eq!(removed.cleared.len(), 2);
    }

    #[test]
    fn old_changes_are_pruned_by_day_and_recent_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut w = store.write().unwrap();
        w.upsert("e1", &crate::inventory::provider::ProviderState::default())
            .unwrap();
        for (vm, days_ago) in [("old", 500), ("recent", 3)] {
            let at = Timestamp::now() - jiff::SignedDuration::from_hours(24 * days_ago);
            let change = ConcernChange {
                vm: vm.into(),
                cluster: String::new(),
                at,
                policy_version: "p".into(),
                cause: Cause::Added,
                before: None,
                after: Some(Readiness::Ready),
                appeared: vec![],
                cleared: vec![],
            };
            w.upsert(&change_key(&format!("e1/{vm}"), at), &change)
                .unwrap();
        }
        w.commit().unwrap();
        // Counts of 100 and 500 days ago: the older one goes.
        for days_ago in [100, 500] {
            let at = Timestamp::now() - jiff::SignedDuration::from_hours(24 * days_ago);
            let key = format!("e1/{}", day_of(at));
            w_count(&store, &key, at);
        }
        // Changes are kept 90 days in full, counts 400.
        assert_eq!(prune(&store, 90, 400).unwrap(), 2);
        let r = store.read().unwrap();
        assert_eq!(
            r.keys_prefix::<super::super::trend::DailyReadiness>("e1/")
                .unwrap()
                .len(),
            1
        );
        drop(r);
        let r = store.read().unwrap();
        let left: Vec<String> = r
            .list_prefix::<ConcernChange>("e1/")
            .unwrap()
            .into_iter()
            .map(|(_, s)| s.value.vm)
            .collect();
        assert_eq!(left, ["recent"]);
        drop(r);
        assert_eq!(prune(&store, 90, 400).unwrap(), 0);
        // A change older than the days kept in full goes, though its day's count stays.
        assert_eq!(prune(&store, 2, 400).unwrap(), 1);
    }

    fn w_count(store: &Store, key: &str, at: Timestamp) {
        let mut w = store.write().unwrap();
        let day = super::super::trend::DailyReadiness {
            day: day_of(at),
            at,
            ..Default::default()
        };
        w.upsert(key, &day).unwrap();
        w.commit().unwrap();
    }
}
