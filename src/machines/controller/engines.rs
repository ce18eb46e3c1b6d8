//! One driver per configured engine, remade when the provider's settings change, and
//! whether each engine answers: an engine that has failed with Unavailable or
//! DeadlineExceeded for longer than `freeze_after` freezes the controller for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{Config, Provider};
use crate::machines::codes::{Code, MachineError};
use crate::machines::driver::ovirt::{OvirtDriver, Timing};

/// What the pages and the API show of one engine.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EngineReach {
    /// The provider name.
    pub provider: String,
    /// Failing since this time (Unavailable or DeadlineExceeded), if it is.
    #[schema(value_type = Option<String>)]
    pub failing_since: Option<jiff::Timestamp>,
    /// The last such failure.
    pub last_error: Option<String>,
    /// Whether the controller is frozen for this engine.
    pub frozen: bool,
    /// When a freeze last ended: timeouts count from here, not through the freeze.
    #[schema(value_type = Option<String>)]
    pub thawed_at: Option<jiff::Timestamp>,
}

#[derive(Default)]
struct Inner {
    drivers: HashMap<String, (String, OvirtDriver)>,
    reach: HashMap<String, EngineReach>,
}

/// The drivers and the reachability of every engine; cheap to clone.
#[derive(Clone, Default)]
pub struct Engines {
    inner: Arc<Mutex<Inner>>,
}

/// What, in a provider's settings, calls for a new driver.
fn fingerprint(p: &Provider, timing: &Timing) -> String {
    format!(
        "{}|{}|{}|{:?}|{}|{:?}",
        p.url.0,
        p.user,
        p.password().map(|s| s.expose()).unwrap_or_default(),
        p.ca_file,
        p.insecure,
        timing
    )
}

/// The driver timing the config asks for.
pub fn timing(config: &Config) -> Timing {
    let m = &config.machines;
    Timing {
        call_timeout: m.call_timeout.0,
        wait: m.wait.0,
        poll: m.poll.0,
        calls_per_second: m.calls_per_second,
    }
}

impl Engines {
    /// The driver of `provider`, made or remade as its settings require.
    pub fn driver(&self, config: &Config, provider: &str) -> Result<OvirtDriver, MachineError> {
        let Some(p) = config.providers.iter().find(|p| p.name == provider) else {
            return Err(MachineError::new(
                Code::InvalidArgument,
                format!("no provider is named {provider}"),
            ));
        };
        let timing = timing(config);
        let print = fingerprint(p, &timing);
        let mut inner = self.inner.lock().expect("engines lock");
        if let Some((have, driver)) = inner.drivers.get(provider)
            && *have == print
        {
            return Ok(driver.clone());
        }
        let driver = OvirtDriver::new(p, timing).map_err(|e| {
            MachineError::new(Code::InvalidArgument, format!("provider {provider}: {e:#}"))
        })?;
        inner
            .drivers
            .insert(provider.to_string(), (print, driver.clone()));
        Ok(driver)
    }

    /// Notes how a call to `provider` went.
    pub fn observe(&self, provider: &str, outcome: Result<(), &MachineError>) {
        let mut inner = self.inner.lock().expect("engines lock");
        let reach = inner.reach.entry(provider.to_string()).or_default();
        reach.provider = provider.to_string();
        match outcome {
            Err(e) if matches!(e.code, Code::Unavailable | Code::DeadlineExceeded) => {
                if reach.failing_since.is_none() {
                    tracing::warn!(provider, error = %e, "machines: the engine does not answer");
                    reach.failing_since = Some(jiff::Timestamp::now());
                }
                reach.last_error = Some(e.to_string());
            }
            _ => {
                if reach.failing_since.take().is_some() {
                    tracing::info!(provider, "machines: the engine answers again");
                }
                if reach.frozen {
                    reach.thawed_at = Some(jiff::Timestamp::now());
                }
                reach.frozen = false;
            }
        }
    }

    /// Whether the controller is frozen for `provider`: it has failed for longer than
    /// `after`.
    pub fn frozen(&self, provider: &str, after: Duration) -> bool {
        let mut inner = self.inner.lock().expect("engines lock");
        let Some(reach) = inner.reach.get_mut(provider) else {
            return false;
        };
        let frozen = reach.failing_since.is_some_and(|since| {
            jiff::Timestamp::now().duration_since(since).unsigned_abs() >= after
        });
        if frozen && !reach.frozen {
            tracing::warn!(provider, "machines: frozen until the engine answers again");
        }
        reach.frozen = frozen;
        frozen
    }

    /// When the last freeze of `provider` ended, if it was ever frozen.
    pub fn thawed_at(&self, provider: &str) -> Option<jiff::Timestamp> {
        let inner = self.inner.lock().expect("engines lock");
        inner.reach.get(provider).and_then(|r| r.thawed_at)
    }

    /// Every engine's reachability, by name.
    pub fn reach(&self) -> Vec<EngineReach> {
        let inner = self.inner.lock().expect("engines lock");
        let mut out: Vec<EngineReach> = inner.reach.values().cloned().collect();
        out.sort_by(|a, b| a.provider.cmp(&b.provider));
        out
    }
}
