//! The orphan sweep: VMs that a class's tags mark as ours but that no machine claims are
//! deleted, with the guards of machines.md:
//! - never while the engine is frozen for the class;
//! - never on a stale view: the machines are read *after* the engine listed the VMs, so a
//!   machine declared before its VM existed is always seen;
//! - never a VM younger than `orphan_min_age` (a create may be on its way), nor one whose
//!   age cannot be told;
//! - a VM is claimed as MCM's safety controller claims it: a machine of its name holds its
//!   provider id, or is still being made (phase `""` or CrashLoopBackOff). A machine of the
//!   same name that holds another VM does not protect this one: that is a duplicate. vmyard
//!   also spares a VM whose provider id any machine holds.

use std::collections::HashSet;

use crate::machines::commands::classes;
use crate::machines::driver::{Driver, MachineRef, MachineRequest, provider_id};
use crate::machines::model::{Machine, Phase};

use super::Context;

/// What one sweep did.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SweepReport {
    /// When it ended.
    #[schema(value_type = Option<String>)]
    pub at: Option<jiff::Timestamp>,
    /// The orphans it deleted, as `provider id (name)`.
    pub deleted: Vec<String>,
    /// Unclaimed VMs it left because they are too young.
    pub spared: usize,
    /// Classes it skipped (frozen engine, or listing failed), with why.
    pub skipped: Vec<String>,
}

/// One sweep over every class.
pub async fn sweep(ctx: &Context) -> SweepReport {
    let mut report = SweepReport::default();
    let config = ctx.live.current();
    let all = match classes(&config, &ctx.store) {
        Ok(c) => c,
        Err(e) => {
            report.skipped.push(format!("all classes: {e}"));
            return report;
        }
    };
    let min_age = config.machines.orphan_min_age.0;
    for entry in all {
        let class = entry.class;
        if ctx
            .engines
            .frozen(&class.provider, config.machines.freeze_after.0)
        {
            report
                .skipped
                .push(format!("{}: engine frozen", class.name));
            continue;
        }
        let driver = match ctx.engines.driver(&config, &class.provider) {
            Ok(d) => d,
            Err(e) => {
                report.skipped.push(format!("{}: {e}", class.name));
                continue;
            }
        };
        // The class's VMs with their creation times, in one engine call.
        let listed = driver.class_vms(&class).await;
        ctx.engines
            .observe(&class.provider, listed.as_ref().map(|_| ()));
        let listed = match listed {
            Ok(l) => l,
            Err(e) => {
                report.skipped.push(format!("{}: {e}", class.name));
                continue;
            }
        };
        // Read after listing, on purpose (see the module docs).
        let machines = match ctx.store.read().and_then(|r| r.list::<Machine>()) {
            Ok(m) => m,
            Err(e) => {
                report.skipped.push(format!("{}: {e}", class.name));
                continue;
            }
        };
        let machines: Vec<&Machine> = machines.iter().map(|(_, m)| &m.value).collect();
        let ids: HashSet<&str> = machines
            .iter()
            .filter_map(|m| m.provider_id.as_deref())
            .collect();
        for vm in &listed {
            let (pid, name) = (provider_id(&vm.id), &vm.name);
            if ids.contains(pid.as_str()) || claimed_by_name(&machines, name, &pid) {
                continue;
            }
            let old_enough = vm
                .created_ms
                .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                .is_some_and(|created| {
                    jiff::Timestamp::now()
                        .duration_since(created)
                        .unsigned_abs()
                        >= min_age
                });
            if !old_enough {
                report.spared += 1;
                continue;
            }
            let req = MachineRequest {
                machine: MachineRef {
                    name: name.clone(),
                    provider_id: Some(pid.clone()),
                },
                class: class.clone(),
            };
            let r = driver.delete_machine(&req).await;
            ctx.engines.observe(&class.provider, r.as_ref().map(|_| ()));
            match r {
                Ok(_) => {
                    tracing::warn!(class = %class.name, vm = %name, provider_id = %pid, "orphan VM deleted");
                    report.deleted.push(format!("{pid} ({name})"));
                }
                Err(e) => report.skipped.push(format!("{}: {name}: {e}", class.name)),
            }
        }
    }
    report.at = Some(jiff::Timestamp::now());
    report
}

/// MCM's rule: the machine named `name` claims VM `pid` when it holds that provider id or
/// is still being made (its phase is `""` or CrashLoopBackOff, so it may not know its VM
/// yet).
pub fn claimed_by_name(machines: &[&Machine], name: &str, pid: &str) -> bool {
    machines.iter().any(|m| {
        m.name == name
            && (m.provider_id.as_deref() == Some(pid)
                || matches!(m.phase, Phase::Creating | Phase::CrashLoopBackOff))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_claims_its_own_vm_or_any_while_it_is_being_made() {
        let now = jiff::Timestamp::now();
        let mut running = Machine::new("web-1", "c", None, now);
        running.phase = Phase::Running;
        running.provider_id = Some("ovirt://a".into());
        assert!(claimed_by_name(&[&running], "web-1", "ovirt://a"));
        assert!(
            !claimed_by_name(&[&running], "web-1", "ovirt://duplicate"),
            "a second VM of the same name is a duplicate"
        );
        assert!(!claimed_by_name(&[&running], "web-2", "ovirt://a"));
        for phase in [Phase::Creating, Phase::CrashLoopBackOff] {
            let mut making = running.clone();
            making.phase = phase;
            assert!(
                claimed_by_name(&[&making], "web-1", "ovirt://duplicate"),
                "{phase:?}"
            );
        }
        for phase in [
            Phase::Pending,
            Phase::Available,
            Phase::Unknown,
            Phase::Failed,
        ] {
            let mut other = running.clone();
            other.phase = phase;
            assert!(
                !claimed_by_name(&[&other], "web-1", "ovirt://duplicate"),
                "{phase:?}"
            );
        }
    }
}
