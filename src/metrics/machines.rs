//! The machine controller's figures, read at scrape time: machines per phase, engines the
//! controller is frozen for, and orphan VMs deleted.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use crate::machines::controller::MachinesHandle;
use crate::machines::model::{Machine, Phase};
use crate::store::Store;

/// Reads the machines and the controller's state at scrape time.
#[derive(Debug)]
pub(super) struct MachinesCollector(pub Store, pub MachinesHandle);

impl Collector for MachinesCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let machines = self
            .0
            .read()
            .and_then(|r| r.list::<Machine>())
            .unwrap_or_default();
        let mut by_phase = encoder.encode_descriptor(
            "machines",
            "Machines in each phase",
            None,
            MetricType::Gauge,
        )?;
        for phase in Phase::ALL {
            let n = machines
                .iter()
                .filter(|(_, m)| m.value.phase == phase)
                .count();
            ConstGauge::new(n as i64)
                .encode(by_phase.encode_family(&[("phase", phase.as_str())])?)?;
        }
        let mut frozen = encoder.encode_descriptor(
            "machines_frozen",
            "1 while the machine controller is frozen for an engine that does not answer",
            None,
            MetricType::Gauge,
        )?;
        for reach in self.1.reach() {
            ConstGauge::new(i64::from(reach.frozen))
                .encode(frozen.encode_family(&[("provider", reach.provider.as_str())])?)?;
        }
        let deleted = ConstCounter::new(self.1.orphans_deleted());
        deleted.encode(encoder.encode_descriptor(
            "machines_orphans_deleted",
            "VMs of a class that no machine claimed, deleted by the orphan sweep",
            None,
            deleted.metric_type(),
        )?)?;
        Ok(())
    }
}
