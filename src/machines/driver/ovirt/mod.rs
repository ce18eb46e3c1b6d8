//! The oVirt driver: the contract's methods over the engine's REST API.
//!
//! - [`errors`]: engine answers mapped to contract codes;
//! - [`lookup`]: finding a machine's VM by provider id or by name, and telling ours from
//!   others by the class's two tags;
//! - [`create`]: CreateMachine (look up first, adopt, never create twice) and the tags;
//! - [`lifecycle`]: InitializeMachine, GetMachineStatus, DeleteMachine, ListMachines.
//!
//! Every engine call goes through [`OvirtDriver::call`], which waits its turn under the
//! rate limit and gives up after the call timeout with DeadlineExceeded.

mod create;
pub mod errors;
mod lifecycle;
pub mod lookup;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{
    CreateMachineResponse, DeleteMachineResponse, Driver, DriverResult, MachineList,
    MachineRequest, MachineStatusResponse,
};
use crate::config::Provider;
use crate::machines::model::MachineClass;
use crate::ovirt::client::{EngineClient, EngineError};
use errors::from_engine;

/// How the driver paces and bounds its work.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// One engine call may take this long.
    pub call_timeout: Duration,
    /// Waiting for a state (image unlocked, up, down) gives up after this long.
    pub wait: Duration,
    /// How often a state is polled while waiting.
    pub poll: Duration,
    /// At most this many engine calls per second (0: no limit).
    pub calls_per_second: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            call_timeout: Duration::from_secs(30),
            wait: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            calls_per_second: 20,
        }
    }
}

/// The driver for one configured engine.
#[derive(Debug, Clone)]
pub struct OvirtDriver {
    client: Arc<EngineClient>,
    timing: Timing,
    pace: Arc<Pace>,
}

impl OvirtDriver {
    /// A driver for `provider`, with its credentials and CA.
    pub fn new(provider: &Provider, timing: Timing) -> anyhow::Result<OvirtDriver> {
        Ok(OvirtDriver {
            client: Arc::new(EngineClient::new(provider)?),
            timing,
            pace: Arc::new(Pace::new(timing.calls_per_second)),
        })
    }

    /// GETs `path`, mapped to a contract error on failure.
    async fn get(&self, path: &str) -> DriverResult<Value> {
        self.call(|c| async move { c.get(path).await }).await
    }

    /// POSTs `body` to `path`.
    async fn post(&self, path: &str, body: &Value) -> DriverResult<Value> {
        self.call(|c| async move { c.post(path, body).await }).await
    }

    /// DELETEs `path`.
    async fn delete(&self, path: &str) -> DriverResult<Value> {
        self.call(|c| async move { c.delete(path).await }).await
    }

    /// Runs one engine call under the rate limit and the call timeout.
    async fn call<'a, F, Fut>(&'a self, f: F) -> DriverResult<Value>
    where
        F: FnOnce(&'a EngineClient) -> Fut,
        Fut: std::future::Future<Output = Result<Value, EngineError>> + 'a,
    {
        self.pace.wait().await;
        match tokio::time::timeout(self.timing.call_timeout, f(&self.client)).await {
            Ok(answer) => answer.map_err(|e| from_engine(&e)),
            Err(_) => Err(from_engine(&EngineError::Timeout(self.timing.call_timeout))),
        }
    }
}

impl Driver for OvirtDriver {
    async fn create_machine(&self, req: &MachineRequest) -> DriverResult<CreateMachineResponse> {
        create::create_machine(self, req).await
    }

    async fn initialize_machine(
        &self,
        req: &MachineRequest,
    ) -> DriverResult<MachineStatusResponse> {
        lifecycle::initialize_machine(self, req).await
    }

    async fn delete_machine(&self, req: &MachineRequest) -> DriverResult<DeleteMachineResponse> {
        lifecycle::delete_machine(self, req).await
    }

    async fn get_machine_status(
        &self,
        req: &MachineRequest,
    ) -> DriverResult<MachineStatusResponse> {
        lifecycle::get_machine_status(self, req).await
    }

    async fn list_machines(&self, class: &MachineClass) -> DriverResult<MachineList> {
        lifecycle::list_machines(self, class).await
    }
}

/// A rate limit: calls are spaced at least `1 / rate` apart, in arrival order.
#[derive(Debug)]
struct Pace {
    gap: Option<Duration>,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pace {
    fn new(per_second: u32) -> Pace {
        Pace {
            gap: (per_second > 0).then(|| Duration::from_secs(1) / per_second),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn wait(&self) {
        let Some(gap) = self.gap else { return };
        // The lock is held across the sleep on purpose: it is what queues callers.
        let mut next = self.next.lock().await;
        let now = tokio::time::Instant::now();
        if *next > now {
            tokio::time::sleep_until(*next).await;
        }
        *next = (*next).max(now) + gap;
    }
}

impl OvirtDriver {
    /// Every VM that carries both of the class's tags, as the engine lists them (with
    /// their status and creation time, which the orphan sweep needs).
    pub async fn class_vms(&self, class: &MachineClass) -> DriverResult<Vec<lookup::VmView>> {
        class.check()?;
        let answer = self
            .get(&format!(
                "vms?search={}&{}",
                lookup::escape(&format!("tag={}", class.tags.cluster)),
                lookup::FOLLOW
            ))
            .await?;
        Ok(lookup::vms_of(&answer)?
            .into_iter()
            .filter(|v| v.is_ours(class))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pace_spaces_calls() {
        let pace = Pace::new(50);
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            pace.wait().await;
        }
        // The first call goes at once, the next four 20 ms apart.
        let spent = start.elapsed();
        assert!(spent >= Duration::from_millis(80), "{spent:?}");
        let free = Pace::new(0);
        let start = tokio::time::Instant::now();
        for _ in 0..1000 {
            free.wait().await;
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }
}
