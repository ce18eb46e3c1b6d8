package io.konveyor.forklift.ovirt

import rego.v1

test_cpu_custom_model_fires if {
	fired("ovirt.cpu.custom_model.detected", vm_with({"customCpuModel": "Haswell-noTSX"}))
}

test_cpu_custom_model_stays_quiet if {
	not fired("ovirt.cpu.custom_model.detected", vm_with({"customCpuModel": ""}))
}

test_cpu_resize_and_pin_fires if {
	fired("ovirt.cpu.pinning_policy.unsupported", vm_with({"cpuPinningPolicy": "resize_and_pin_numa"}))
}

test_cpu_resize_and_pin_stays_quiet if {
	not fired("ovirt.cpu.pinning_policy.unsupported", vm_with({"cpuPinningPolicy": "none"}))
}

test_cpu_isolate_threads_fires if {
	fired("ovirt.cpu.pinning_policy.unsupported", vm_with({"cpuPinningPolicy": "isolate_threads"}))
}

test_cpu_isolate_threads_stays_quiet if {
	not fired("ovirt.cpu.pinning_policy.unsupported", vm_with({"cpuPinningPolicy": "isolate_threads_x"}))
}

test_cpu_shares_fires if {
	fired("ovirt.cpu.shares.defined", vm_with({"cpuShares": 512}))
}

test_cpu_shares_stays_quiet if {
	not fired("ovirt.cpu.shares.defined", vm_with({"cpuShares": 0}))
}

test_cpu_tuning_fires if {
	fired("ovirt.cpu.tuning.detected", vm_with({"cpuAffinity": [{"set": "0", "cpu": "1"}]}))
}

test_cpu_tuning_stays_quiet if {
	not fired("ovirt.cpu.tuning.detected", vm_with({"cpuAffinity": []}))
}

test_cpu_numa_fires if {
	fired("ovirt.numa.tuning.detected", vm_with({"numaNodeAffinity": ["0"]}))
}

test_cpu_numa_stays_quiet if {
	not fired("ovirt.numa.tuning.detected", vm_with({"numaNodeAffinity": []}))
}

test_cpu_numa_unknown_is_said if {
	fired("ovirt.numa.tuning.unknown", vm_with({"numaNodeAffinity": null}))
	not fired("ovirt.numa.tuning.detected", vm_with({"numaNodeAffinity": null}))
}

test_cpu_numa_known_is_not_unknown if {
	not fired("ovirt.numa.tuning.unknown", vm_with({"numaNodeAffinity": []}))
	not fired("ovirt.numa.tuning.unknown", vm_with({"numaNodeAffinity": ["0"]}))
}
