//! `/metrics`: the Prometheus view of vmyard.
//!
//! Counters that parts bump as things happen live in [`Metrics`]; figures that are already
//! kept elsewhere (the config reload status) are read at scrape time by a collector, so there
//! is one source of truth for each.

use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::config::watch::LiveConfig;
use crate::store::Store;

mod machines;
mod validation;

/// Labels of an HTTP request counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// GET, POST, ...
    pub method: String,
    /// The status class: 2xx, 3xx, 4xx, 5xx.
    pub status: String,
}

/// Labels of the login counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LoginLabels {
    /// `ok`, `bad_credentials` or `throttled`.
    pub result: &'static str,
}

/// The registry and the counters parts update.
pub struct Metrics {
    registry: Registry,
    /// HTTP requests answered.
    pub http_requests: Family<HttpLabels, Counter>,
    /// Login attempts by result.
    pub logins: Family<LoginLabels, Counter>,
    /// Requests whose handler panicked (each answered 500).
    pub http_panics: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Registers every metric; `config` is read at each scrape.
    pub fn new(
        config: LiveConfig,
        store: Store,
        validation: crate::validation::Validation,
        machines: crate::machines::controller::MachinesHandle,
    ) -> Arc<Self> {
        let mut registry = Registry::with_prefix("vmyard");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        let logins = Family::<LoginLabels, Counter>::default();
        registry.register("logins", "Login attempts by result", logins.clone());
        let http_panics = Counter::default();
        registry.register(
            "http_panics",
            "Requests whose handler panicked; each was answered 500",
            http_panics.clone(),
        );
        registry.register(
            "build",
            "The running vmyard",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register_collector(Box::new(ConfigCollector(config)));
        registry.register_collector(Box::new(machines::MachinesCollector(
            store.clone(),
            machines,
        )));
        registry.register_collector(Box::new(StoreCollector(store.clone())));
        registry.register_collector(Box::new(ProviderCollector(store)));
        registry.register_collector(Box::new(validation::ValidationCollector(validation)));
        Arc::new(Metrics {
            registry,
            http_requests,
            logins,
            http_panics,
        })
    }

    /// The OpenMetrics text of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Reads the reload status at scrape time.
#[derive(Debug)]
struct ConfigCollector(LiveConfig);

impl Collector for ConfigCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let status = self.0.status();
        let reloads = [("ok", status.reloads_ok), ("error", status.reloads_failed)];
        let mut counter = encoder.encode_descriptor(
            "config_reloads",
            "Config file edits applied (ok) or refused (error)",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (result, n) in reloads {
            let labels = [("result", result)];
            ConstCounter::new(n).encode(counter.encode_family(&labels)?)?;
        }
        let gauge = ConstGauge::new(i64::from(status.error.is_some()));
        gauge.encode(encoder.encode_descriptor(
            "config_reload_error",
            "1 while the last edit of the config file was refused and the last good config is in force",
            None,
            gauge.metric_type(),
        )?)?;
        let loaded = ConstGauge::new(status.loaded_at.as_second());
        loaded.encode(encoder.encode_descriptor(
            "config_loaded_timestamp_seconds",
            "When the config in force was loaded",
            None,
            loaded.metric_type(),
        )?)?;
        Ok(())
    }
}

/// Reads the store's write health at scrape time.
#[derive(Debug)]
struct StoreCollector(Store);

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let writable = ConstGauge::new(i64::from(self.0.write_fault().is_none()));
        writable.encode(encoder.encode_descriptor(
            "store_writable",
            "1 while the store takes writes; 0 while they fail (a full disk) and nothing is kept",
            None,
            writable.metric_type(),
        )?)?;
        let failures = ConstCounter::new(self.0.write_failures());
        failures.encode(encoder.encode_descriptor(
            "store_write_failures",
            "Store writes that failed since the start",
            None,
            failures.metric_type(),
        )?)?;
        let reopens = ConstCounter::new(self.0.epoch());
        reopens.encode(encoder.encode_descriptor(
            "store_reopens",
            "Times the store was reopened after its writes failed",
            None,
            reopens.metric_type(),
        )?)?;
        Ok(())
    }
}

/// A per-provider figure: its name, help, and how to read it from the state.
type Figure<T> = (
    &'static str,
    &'static str,
    fn(&crate::collector::status::ProviderState) -> T,
);

/// Reads every provider's collection state from the store at scrape time.
#[derive(Debug)]
struct ProviderCollector(Store);

impl Collector for ProviderCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let states = crate::collector::states(&self.0).unwrap_or_default();
        let phases = ["Started", "Load", "Loaded", "Parity", "Refresh"];
        let mut phase = encoder.encode_descriptor(
            "collector_phase",
            "1 for the phase each provider's collector is in",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for st in &states {
            for p in phases {
                let labels = [("provider", st.name.as_str()), ("phase", p)];
                ConstGauge::new(i64::from(st.phase.as_str() == p))
                    .encode(phase.encode_family(&labels)?)?;
            }
        }
        let gauges: [Figure<i64>; 2] = [
            (
                "collector_parity",
                "1 while the store matches the engine",
                |s| i64::from(s.parity),
            ),
            ("collector_failing", "1 while the engine fails", |s| {
                i64::from(s.error.is_some())
            }),
        ];
        for (name, help, f) in gauges {
            let mut g = encoder.encode_descriptor(
                name,
                help,
                None,
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for st in &states {
                ConstGauge::new(f(st))
                    .encode(g.encode_family(&[("provider", st.name.as_str())])?)?;
            }
        }
        let counters: [Figure<u64>; 3] = [
            (
                "collector_failures",
                "Failed collector cycles (every attempt)",
                |s| s.failures,
            ),
            ("collector_events_applied", "Engine events applied", |s| {
                s.events_applied
            }),
            (
                "collector_bad_objects",
                "Engine objects that could not be read",
                |s| s.bad_objects,
            ),
        ];
        for (name, help, f) in counters {
            let mut c = encoder.encode_descriptor(
                name,
                help,
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for st in &states {
                ConstCounter::new(f(st))
                    .encode(c.encode_family(&[("provider", st.name.as_str())])?)?;
            }
        }
        let mut objects = encoder.encode_descriptor(
            "inventory_objects",
            "Objects stored per provider and kind",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for st in &states {
            for (kind, n) in &st.counts {
                let labels = [("provider", st.name.as_str()), ("kind", kind.as_str())];
                ConstGauge::new(i64::try_from(*n).unwrap_or(i64::MAX))
                    .encode(objects.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}
