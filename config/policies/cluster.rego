# Concerns that come from the VM's cluster.
package io.konveyor.forklift.ovirt

import rego.v1

concerns contains {
	"id": "ovirt.ha.reservation.enabled",
	"category": "Warning",
	"label": "Cluster has HA reservation",
	"assessment": "The VM's cluster reserves capacity for highly available VMs. The reservation is not migrated; plan capacity on the target.",
} if input.cluster.haReservation == true

concerns contains {
	"id": "ovirt.cluster.ksm_enabled",
	"category": "Warning",
	"label": "Cluster has KSM enabled",
	"assessment": "The VM's cluster shares identical memory pages between VMs (KSM). Memory sharing is not migrated; the VM may use more host memory on the target.",
} if input.cluster.ksmEnabled == true
