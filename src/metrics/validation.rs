//! The validator's figures, read from its status at scrape time.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Reads the validation status at scrape time.
#[derive(Debug)]
pub(super) struct ValidationCollector(pub crate::validation::Validation);

impl Collector for ValidationCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = self.0.status();
        let counters = [
            (
                "validation_validated",
                "VMs validated since start",
                s.validated,
            ),
            (
                "validation_stale_dropped",
                "Results dropped because their VM changed meanwhile",
                s.stale_dropped,
            ),
            ("validation_failed", "VMs whose evaluation failed", s.failed),
        ];
        for (name, help, n) in counters {
            let c = ConstCounter::new(n);
            c.encode(encoder.encode_descriptor(name, help, None, c.metric_type())?)?;
        }
        let gauges = [
            (
                "validation_due",
                "VMs waiting to be validated",
                s.due as i64,
            ),
            (
                "validation_policy_error",
                "1 while the latest edit of the rules is refused and the last good policy runs",
                i64::from(s.policy_error.is_some()),
            ),
            (
                "validation_policy_loaded",
                "1 once a policy compiled",
                i64::from(s.policy_version.is_some()),
            ),
        ];
        for (name, help, v) in gauges {
            let g = ConstGauge::new(v);
            g.encode(encoder.encode_descriptor(name, help, None, g.metric_type())?)?;
        }
        Ok(())
    }
}
