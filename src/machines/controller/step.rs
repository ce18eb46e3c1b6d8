//! One step of one machine: a single driver call chosen by the machine's phase, and one
//! write of what came of it.
//!
//! A step reads the machine, calls the driver, then merges its result into the record *as
//! it is at write time*, so a deletion asked for meanwhile is never lost. Every step is
//! safe to repeat after a crash at any point: create looks up first and adopts, delete is
//! OK when the VM is gone, and nothing is recorded before the engine has done it.

use std::time::Duration;

use crate::config::Config;
use crate::machines::codes::{Code, MachineError};
use crate::machines::driver::{Driver, MachineRef, MachineRequest};
use crate::machines::model::{
    Machine, MachineClass, Operation, OperationState, OperationType, Phase,
};
use crate::store::{Store, StoreError};

use super::Context;
use super::backoff;

/// What a step will do for a machine now, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Look up, then create.
    Create,
    /// Start it and wait for it to come up.
    Initialize,
    /// Check it is still up.
    Health,
    /// Remove its VM, then the record.
    Delete,
}

/// The action `m` needs at `now`, or `None` (backing off, frozen, or nothing to do).
pub fn due(m: &Machine, now: jiff::Timestamp, frozen: bool) -> Option<Action> {
    let waiting = m.retry_after.is_some_and(|t| t > now);
    if m.deletion_requested.is_some() {
        // A deletion does not wait for the next health check; only for its own back-off.
        let delete_failed = m
            .last_operation()
            .is_some_and(|o| o.kind == OperationType::Delete && o.state == OperationState::Failed);
        return (!waiting || !delete_failed).then_some(Action::Delete);
    }
    if waiting {
        return None;
    }
    match m.phase {
        Phase::Creating | Phase::CrashLoopBackOff if !frozen => Some(Action::Create),
        Phase::Pending => Some(Action::Initialize),
        Phase::Available | Phase::Running | Phase::Unknown => Some(Action::Health),
        _ => None,
    }
}

/// Marks machines Failed whose creation or health timeout has passed (never while frozen:
/// an engine that is away says nothing about the machines).
///
/// `thawed_at` is when the last freeze of the machine's engine ended: the clocks start
/// again from there, so a machine is not failed for the time its engine was away.
pub fn timed_out(
    m: &Machine,
    now: jiff::Timestamp,
    config: &Config,
    thawed_at: Option<jiff::Timestamp>,
) -> Option<String> {
    if m.deletion_requested.is_some() {
        return None;
    }
    let age = |since: jiff::Timestamp| {
        let since = thawed_at.map_or(since, |t| since.max(t));
        now.duration_since(since).unsigned_abs()
    };
    let limits = &config.machines;
    match m.phase {
        Phase::Creating | Phase::CrashLoopBackOff | Phase::Pending
            if age(m.created_at) > limits.creation_timeout.0 =>
        {
            Some(format!(
                "not running {} after it was declared",
                humantime::format_duration(limits.creation_timeout.0)
            ))
        }
        Phase::Unknown if age(m.phase_since) > limits.health_timeout.0 => Some(format!(
            "its VM has not been up for {}",
            humantime::format_duration(limits.health_timeout.0)
        )),
        _ => None,
    }
}

/// Applies `change` to the machine as it is in the store now; nothing when it is gone.
pub fn update(
    store: &Store,
    name: &str,
    change: impl FnOnce(&mut Machine),
) -> Result<(), StoreError> {
    let mut txn = store.write()?;
    let Some(mut m) = txn.get::<Machine>(name)?.map(|s| s.value) else {
        return Ok(());
    };
    change(&mut m);
    txn.upsert(name, &m)?;
    txn.commit()
}

fn op(
    kind: OperationType,
    state: OperationState,
    description: String,
    code: Option<Code>,
) -> Operation {
    Operation {
        kind,
        state,
        description,
        error_code: code,
        at: jiff::Timestamp::now(),
    }
}

/// Records a failure: history, back-off, and for a create or an initialization the
/// CrashLoopBackOff phase (as MCM: the machine is made again, adopting its VM if it
/// exists, until the creation timeout fails it).
fn failed(m: &mut Machine, kind: OperationType, e: &MachineError) {
    let now = jiff::Timestamp::now();
    m.failures = m.failures.saturating_add(1);
    m.retry_after = Some(now + backoff::delay(e.code));
    let making = matches!(kind, OperationType::Create | OperationType::Initialize);
    if making && matches!(m.phase, Phase::Creating | Phase::Pending) {
        m.enter(Phase::CrashLoopBackOff, now);
    }
    m.record(op(
        kind,
        OperationState::Failed,
        e.to_string(),
        Some(e.code),
    ));
}

fn succeeded(m: &mut Machine, kind: OperationType, description: String) {
    m.failures = 0;
    m.retry_after = None;
    m.record(op(kind, OperationState::Successful, description, None));
}

/// Runs `action` for machine `name` of `class`; when it ends with OutOfRange (several VMs
/// back the machine), asks for an orphan sweep, as MCM does.
pub async fn run(
    ctx: &Context,
    name: &str,
    class: Option<MachineClass>,
    action: Action,
) -> Result<(), StoreError> {
    run_action(ctx, name, class, action).await?;
    let out_of_range = ctx
        .store
        .read()?
        .get::<Machine>(name)?
        .is_some_and(|m| m.value.last_error() == Some(Code::OutOfRange));
    if out_of_range {
        ctx.call_for_sweep();
    }
    Ok(())
}

async fn run_action(
    ctx: &Context,
    name: &str,
    class: Option<MachineClass>,
    action: Action,
) -> Result<(), StoreError> {
    let Some(machine) = ctx.store.read()?.get::<Machine>(name)?.map(|s| s.value) else {
        return Ok(());
    };
    let Some(class) = class else {
        let e = MachineError::new(
            Code::InvalidArgument,
            format!(
                "class {} does not exist; the machine waits for it",
                machine.class
            ),
        );
        return update(&ctx.store, name, |m| failed(m, kind_of(action), &e));
    };
    let config = ctx.live.current();
    let driver = match ctx.engines.driver(&config, &class.provider) {
        Ok(d) => d,
        Err(e) => return update(&ctx.store, name, |m| failed(m, kind_of(action), &e)),
    };
    let req = MachineRequest {
        machine: MachineRef {
            name: machine.name.clone(),
            provider_id: machine.provider_id.clone(),
        },
        class: class.clone(),
    };
    let provider = class.provider.as_str();
    match action {
        Action::Create => create(ctx, &driver, provider, &req).await,
        Action::Initialize => {
            let r = driver.initialize_machine(&req).await;
            ctx.engines.observe(provider, r.as_ref().map(|_| ()));
            update(&ctx.store, name, |m| match r {
                Ok(s) => {
                    m.enter(up_phase(&s.addresses), jiff::Timestamp::now());
                    m.addresses = s.addresses;
                    m.last_known_state = Some(s.state);
                    succeeded(m, OperationType::Initialize, "started; the VM is up".into());
                    m.retry_after =
                        Some(jiff::Timestamp::now() + config.machines.health_interval.0);
                }
                Err(e) => {
                    if e.code == Code::NotFound {
                        // The VM went away before it came up: it is made again.
                        m.provider_id = None;
                    }
                    failed(m, OperationType::Initialize, &e);
                }
            })
        }
        Action::Health => {
            let r = driver.get_machine_status(&req).await;
            ctx.engines.observe(provider, r.as_ref().map(|_| ()));
            let every = config.machines.health_interval.0;
            update(&ctx.store, name, |m| health(m, r, every))
        }
        Action::Delete => {
            update(&ctx.store, name, |m| {
                m.enter(Phase::Terminating, jiff::Timestamp::now())
            })?;
            let r = driver.delete_machine(&req).await;
            ctx.engines.observe(provider, r.as_ref().map(|_| ()));
            match r {
                Ok(_) => {
                    tracing::info!(machine = name, "machine deleted");
                    let mut txn = ctx.store.write()?;
                    txn.delete::<Machine>(name)?;
                    txn.commit()?;
                    ctx.call_for_sweep();
                    Ok(())
                }
                Err(e) => update(&ctx.store, name, |m| failed(m, OperationType::Delete, &e)),
            }
        }
    }
}

fn kind_of(action: Action) -> OperationType {
    match action {
        Action::Create => OperationType::Create,
        Action::Initialize => OperationType::Initialize,
        Action::Health => OperationType::HealthCheck,
        Action::Delete => OperationType::Delete,
    }
}

/// Status first; then create (which adopts a VM that exists).
async fn create(
    ctx: &Context,
    driver: &impl Driver,
    provider: &str,
    req: &MachineRequest,
) -> Result<(), StoreError> {
    let name = req.machine.name.as_str();
    let status = driver.get_machine_status(req).await;
    ctx.engines.observe(provider, status.as_ref().map(|_| ()));
    match status {
        Ok(s) => {
            return update(&ctx.store, name, |m| {
                m.provider_id = Some(s.provider_id);
                m.node_name = Some(s.node_name);
                m.enter(up_phase(&s.addresses), jiff::Timestamp::now());
                m.addresses = s.addresses;
                m.last_known_state = Some(s.state);
                succeeded(
                    m,
                    OperationType::Create,
                    "adopted its VM, already up".into(),
                );
            });
        }
        Err(e) if matches!(e.code, Code::NotFound | Code::Uninitialized) => {}
        Err(e) => return update(&ctx.store, name, |m| failed(m, OperationType::Create, &e)),
    }
    let created = driver.create_machine(req).await;
    ctx.engines.observe(provider, created.as_ref().map(|_| ()));
    update(&ctx.store, name, |m| match created {
        Ok(r) => {
            tracing::info!(machine = name, provider_id = %r.provider_id, "machine created");
            let what = format!("VM {} ({})", r.provider_id, r.last_known_state);
            m.provider_id = Some(r.provider_id);
            m.node_name = Some(r.node_name);
            m.addresses = r.addresses;
            m.last_known_state = Some(r.last_known_state);
            m.enter(Phase::Pending, jiff::Timestamp::now());
            succeeded(m, OperationType::Create, what);
        }
        Err(e) => failed(m, OperationType::Create, &e),
    })
}

/// The phase of a machine whose VM is up: Running once its guest reports an IP address,
/// Available until then (MCM: on the provider, not yet joined).
fn up_phase(addresses: &[crate::machines::driver::NodeAddress]) -> Phase {
    if addresses.iter().any(|a| a.is_ip()) {
        Phase::Running
    } else {
        Phase::Available
    }
}

/// A health check's outcome: up → Running (or Available while the guest has not reported); gone or not up → Unknown; an engine failure
/// changes nothing but the back-off (the engine, not the machine, is in trouble).
fn health(
    m: &mut Machine,
    r: Result<crate::machines::driver::MachineStatusResponse, MachineError>,
    every: Duration,
) {
    let now = jiff::Timestamp::now();
    match r {
        Ok(s) => {
            let phase = up_phase(&s.addresses);
            if m.phase == Phase::Unknown {
                m.record(op(
                    OperationType::HealthCheck,
                    OperationState::Successful,
                    "the VM is up again".into(),
                    None,
                ));
            }
            m.enter(phase, now);
            m.addresses = s.addresses;
            m.last_known_state = Some(s.state);
            m.failures = 0;
            // Until the guest reports in, look again soon.
            let next = if phase == Phase::Available {
                every.min(Duration::from_secs(10))
            } else {
                every
            };
            m.retry_after = Some(now + next);
        }
        Err(e) if matches!(e.code, Code::NotFound | Code::Uninitialized) => {
            if m.phase != Phase::Unknown {
                m.record(op(
                    OperationType::HealthCheck,
                    OperationState::Failed,
                    e.to_string(),
                    Some(e.code),
                ));
            }
            m.enter(Phase::Unknown, now);
            m.retry_after = Some(now + every.min(Duration::from_secs(10)));
        }
        Err(e) => {
            m.failures = m.failures.saturating_add(1);
            m.retry_after = Some(now + backoff::delay(e.code));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000 + secs).expect("valid")
    }

    #[test]
    fn what_is_due_by_phase() {
        let now = at(100);
        let mut m = Machine::new("m", "c", None, at(0));
        assert_eq!(due(&m, now, false), Some(Action::Create));
        assert_eq!(due(&m, now, true), None, "no create while frozen");
        m.phase = Phase::Pending;
        assert_eq!(due(&m, now, true), Some(Action::Initialize));
        m.phase = Phase::Running;
        assert_eq!(due(&m, now, false), Some(Action::Health));
        m.retry_after = Some(at(130));
        assert_eq!(due(&m, now, false), None, "the next health check is later");
        m.phase = Phase::Failed;
        m.retry_after = None;
        assert_eq!(due(&m, now, false), None);
    }

    #[test]
    fn a_deletion_waits_only_for_its_own_back_off() {
        let now = at(100);
        let mut m = Machine::new("m", "c", None, at(0));
        m.phase = Phase::Running;
        m.retry_after = Some(at(130));
        m.deletion_requested = Some(at(99));
        assert_eq!(due(&m, now, true), Some(Action::Delete));
        failed(
            &mut m,
            OperationType::Delete,
            &MachineError::new(Code::Unavailable, "down"),
        );
        assert!(m.retry_after.is_some_and(|t| t > jiff::Timestamp::now()));
        assert_eq!(due(&m, jiff::Timestamp::now(), false), None, "backing off");
    }

    /// MCM's phases: a failed create and a failed initialization both go to
    /// CrashLoopBackOff, wait out MCM's back-off, are made again, and fail at the creation
    /// timeout.
    #[test]
    fn failed_creates_and_initializations_crash_loop_until_the_timeout() {
        let config = Config::default();
        let limit = config.machines.creation_timeout.0.as_secs() as i64;
        for (phase, kind) in [
            (Phase::Creating, OperationType::Create),
            (Phase::Pending, OperationType::Initialize),
        ] {
            let mut m = Machine::new("m", "c", None, at(0));
            m.phase = phase;
            let before = jiff::Timestamp::now();
            failed(&mut m, kind, &MachineError::new(Code::Unavailable, "away"));
            assert_eq!(m.phase, Phase::CrashLoopBackOff, "{kind:?}");
            let wait = m.retry_after.unwrap().duration_since(before).unsigned_abs();
            assert!(
                wait >= Duration::from_secs(5) && wait < Duration::from_secs(7),
                "{wait:?}"
            );
            let later = m.retry_after.unwrap() + Duration::from_secs(1);
            assert_eq!(due(&m, later, false), Some(Action::Create), "made again");
            assert!(timed_out(&m, at(limit + 1), &config, None).is_some());
        }
        let mut m = Machine::new("m", "c", None, at(0));
        let before = jiff::Timestamp::now();
        failed(
            &mut m,
            OperationType::Create,
            &MachineError::new(Code::ResourceExhausted, "quota"),
        );
        let wait = m.retry_after.unwrap().duration_since(before).unsigned_abs();
        assert!(wait >= Duration::from_secs(600), "{wait:?}");
        // A running machine's failed health check does not change its phase.
        m.phase = Phase::Running;
        failed(
            &mut m,
            OperationType::HealthCheck,
            &MachineError::new(Code::Internal, "x"),
        );
        assert_eq!(m.phase, Phase::Running);
    }

    #[test]
    fn timeouts_fail_machines() {
        let config = Config::default();
        let mut m = Machine::new("m", "c", None, at(0));
        let limit = config.machines.creation_timeout.0.as_secs() as i64;
        assert_eq!(timed_out(&m, at(limit - 1), &config, None), None);
        assert!(timed_out(&m, at(limit + 1), &config, None).is_some());
        m.phase = Phase::Running;
        assert_eq!(timed_out(&m, at(limit * 10), &config, None), None);
        m.enter(Phase::Unknown, at(1000));
        let health = config.machines.health_timeout.0.as_secs() as i64;
        assert_eq!(timed_out(&m, at(1000 + health - 1), &config, None), None);
        assert!(timed_out(&m, at(1000 + health + 1), &config, None).is_some());
        // A freeze that ended at 1500 restarts the clock.
        assert_eq!(
            timed_out(&m, at(1000 + health + 1), &config, Some(at(1500))),
            None
        );
        assert!(timed_out(&m, at(1500 + health + 1), &config, Some(at(1500))).is_some());
        m.deletion_requested = Some(at(1));
        assert_eq!(timed_out(&m, at(1000 + health + 1), &config, None), None);
    }
}
