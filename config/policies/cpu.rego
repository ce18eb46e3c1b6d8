# Concerns about CPU and NUMA settings.
package io.konveyor.forklift.ovirt

import rego.v1

concerns contains {
	"id": "ovirt.cpu.custom_model.detected",
	"category": "Warning",
	"label": "Custom CPU Model detected",
	"assessment": sprintf("The VM asks for the CPU model '%s'. The model must exist on the target hosts, or the VM will not start there.", [input.customCpuModel]),
} if {
	is_string(input.customCpuModel)
	input.customCpuModel != ""
}

concerns contains {
	"id": "ovirt.cpu.pinning_policy.unsupported",
	"category": "Warning",
	"label": "Unsupported CPU pinning policy detected",
	"assessment": sprintf("The VM's CPU pinning policy '%s' is not supported by the migration. The VM is migrated without it; set up dedicated CPUs on the target if it needs them.", [input.cpuPinningPolicy]),
} if input.cpuPinningPolicy in {"resize_and_pin_numa", "isolate_threads"}

concerns contains {
	"id": "ovirt.cpu.shares.defined",
	"category": "Warning",
	"label": "VM has CPU Shares Defined",
	"assessment": "The VM has CPU shares set. CPU shares are not migrated; set resource requests on the target if the VM needs a share of the CPU.",
} if input.cpuShares > 0

concerns contains {
	"id": "ovirt.cpu.tuning.detected",
	"category": "Warning",
	"label": "CPU tuning detected",
	"assessment": "The VM pins its virtual CPUs to host CPUs. CPU pinning is not migrated; the VM runs unpinned on the target.",
} if count(object.get(input, "cpuAffinity", [])) > 0

concerns contains {
	"id": "ovirt.numa.tuning.detected",
	"category": "Warning",
	"label": "NUMA tuning detected",
	"assessment": "The VM pins its virtual NUMA nodes to host NUMA nodes. NUMA pinning is not migrated; set it up again on the target if the workload depends on it.",
} if {
	is_array(input.numaNodeAffinity)
	count(input.numaNodeAffinity) > 0
}

# null is unknown (the engine did not serve the VM's NUMA nodes), not "no pinning": said so,
# as a warning of its own, rather than read as an empty list.
concerns contains {
	"id": "ovirt.numa.tuning.unknown",
	"category": "Warning",
	"label": "NUMA tuning unknown",
	"assessment": "The engine did not serve this VM's NUMA nodes, so whether it pins virtual NUMA nodes to host NUMA nodes is unknown. NUMA pinning is not migrated; check the VM's NUMA settings on the engine.",
} if input.numaNodeAffinity == null
