# Concerns about the guest operating system.
package io.konveyor.forklift.ovirt

import rego.v1

concerns contains {
	"id": "ovirt.tpm.required_by_os",
	"category": "Warning",
	"label": "TPM detected",
	"assessment": "The guest operating system requires a TPM. The TPM's data is not migrated; give the VM a TPM on the target and expect to unlock data sealed to the old one.",
} if input.osType in {"windows_11", "windows_2022"}

concerns contains {
	"id": "ovirt.os.unsupported",
	"category": "Warning",
	"label": "Unsupported operating system detected",
	"assessment": "The guest runs Red Hat Enterprise Linux 6, which the target does not support. Upgrade the guest before the migration or accept running it unsupported.",
} if input.osType in {"rhel_6", "rhel_6x64", "rhel_6_ppc64", "rhel_6_9_plus_ppc64"}
