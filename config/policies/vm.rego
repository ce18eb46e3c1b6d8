# Concerns about the VM's own settings: memory, firmware, display, devices, status, name.
package io.konveyor.forklift.ovirt

import rego.v1

concerns contains {
	"id": "ovirt.memory.ballooning.enabled",
	"category": "Information",
	"label": "VM has memory ballooning enabled",
	"assessment": "The VM has memory ballooning enabled. Ballooning is not carried over by the migration; the VM keeps its full memory after it.",
} if input.balloonedMemory == true

concerns contains {
	"id": "ovirt.bios.boot_menu.enabled",
	"category": "Warning",
	"label": "VM has BIOS boot menu enabled",
	"assessment": "The VM has the BIOS boot menu enabled. The boot menu setting is not migrated; review the boot order after the migration.",
} if input.bootMenuEnabled == true

concerns contains {
	"id": "ovirt.display_type.spice.enabled",
	"category": "Information",
	"label": "VM Display Type",
	"assessment": "The VM uses a SPICE display. SPICE is not available on the target; the VM gets a VNC console instead.",
} if input.display == "spice"

concerns contains {
	"id": "ovirt.ha.enabled",
	"category": "Warning",
	"label": "VM configured as HA",
	"assessment": "The VM is highly available. High availability is not migrated; configure a run strategy or a health check on the target.",
} if input.haEnabled == true

concerns contains {
	"id": "ovirt.host_devices.mapped",
	"category": "Warning",
	"label": "VM has mapped host devices",
	"assessment": "The VM uses devices of its host (PCI or USB passthrough). They are not migrated; map equivalent devices on the target before starting the VM.",
} if count(object.get(input, "hostDevices", [])) > 0

concerns contains {
	"id": "ovirt.iothreads.configured",
	"category": "Information",
	"label": "IO Threads configuration detected",
	"assessment": "The VM is set to more than one IO thread. The IO thread setting is not migrated; review disk performance after the migration.",
} if input.ioThreads > 1

concerns contains {
	"id": "ovirt.vm.custom_properties.detected",
	"category": "Warning",
	"label": "VM custom properties detected",
	"assessment": "The VM has custom properties, which hooks of the engine act on. They are not migrated; check whether the VM depends on them.",
} if count(object.get(input, "properties", [])) > 0

concerns contains {
	"id": "ovirt.placement_policy.affinity_set",
	"category": "Warning",
	"label": "Placement policy affinity",
	"assessment": "The VM's placement policy lets it migrate between hosts. Live migration and placement are set up again on the target; review them there.",
} if input.placementPolicyAffinity == "migratable"

concerns contains {
	"id": "ovirt.secure_boot.detected",
	"category": "Warning",
	"label": "UEFI secure boot detected",
	"assessment": "The VM boots with UEFI secure boot. Its keys are not migrated; the guest may need secure boot disabled or its keys enrolled again on the target.",
} if input.bios == "q35_secure_boot"

concerns contains {
	"id": "ovirt.storage.resume_behavior.unsupported",
	"category": "Information",
	"label": "VM storage error resume behavior",
	"assessment": sprintf("The VM is set to '%s' on a storage error. Only automatic resume is kept by the migration; the VM resumes automatically after it.", [input.storageErrorResumeBehaviour]),
} if {
	is_string(input.storageErrorResumeBehaviour)
	input.storageErrorResumeBehaviour != "auto_resume"
}

concerns contains {
	"id": "ovirt.usb.enabled",
	"category": "Warning",
	"label": "USB support enabled",
	"assessment": "The VM has USB support enabled. USB redirection is not migrated; attach the devices the guest needs on the target.",
} if input.usbEnabled == true

concerns contains {
	"id": "ovirt.vm.status_invalid",
	"category": "Warning",
	"label": "VM has a status condition that may prevent successful migration",
	"assessment": sprintf("The VM is '%s'. Only a VM that is up or down can be migrated; bring it to one of these states first.", [input.status]),
} if {
	is_string(input.status)
	not input.status in {"up", "down"}
}

concerns contains {
	"id": "ovirt.watchdog.enabled",
	"category": "Warning",
	"label": "Watchdog detected",
	"assessment": "The VM has a watchdog device. Watchdogs are not migrated; add one on the target if the guest relies on it.",
} if count(object.get(input, "watchDogs", [])) > 0

concerns contains {
	"id": "ovirt.snapshot.online_memory.detected",
	"category": "Warning",
	"label": "Online (memory) snapshot detected",
	"assessment": "The VM has a snapshot that saved its memory. Snapshots are not migrated and the saved memory is lost; remove or merge the snapshot if it matters.",
} if {
	some s in object.get(input, "snapshots", [])
	s.persistMemory == true
}

# A DNS-1123 label-like name: letters, digits, '-' and '.', starting and ending with a letter
# or digit, shorter than 64 characters. Other names must be changed on the target.
valid_vm_name if regex.match(`^[a-zA-Z0-9]([-a-zA-Z0-9.]{0,61}[a-zA-Z0-9])?$`, input.name)

concerns contains {
	"id": "ovirt.name.invalid",
	"category": "Warning",
	"label": "Invalid VM Name",
	"assessment": "The VM name is not a valid DNS name (letters, digits, '-' and '.', starting and ending with a letter or digit, under 64 characters). The VM will be renamed on the target.",
} if {
	is_string(input.name)
	not valid_vm_name
}
