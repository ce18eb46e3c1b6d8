package io.konveyor.forklift.ovirt

import rego.v1

test_vm_ballooning_fires if {
	fired("ovirt.memory.ballooning.enabled", vm_with({"balloonedMemory": true}))
}

test_vm_ballooning_stays_quiet if {
	not fired("ovirt.memory.ballooning.enabled", vm_with({"balloonedMemory": false}))
}

test_vm_boot_menu_fires if {
	fired("ovirt.bios.boot_menu.enabled", vm_with({"bootMenuEnabled": true}))
}

test_vm_boot_menu_stays_quiet if {
	not fired("ovirt.bios.boot_menu.enabled", vm_with({"bootMenuEnabled": false}))
}

test_vm_spice_fires if {
	fired("ovirt.display_type.spice.enabled", vm_with({"display": "spice"}))
}

test_vm_spice_stays_quiet if {
	not fired("ovirt.display_type.spice.enabled", vm_with({"display": "vnc"}))
}

test_vm_ha_fires if {
	fired("ovirt.ha.enabled", vm_with({"haEnabled": true}))
}

test_vm_ha_stays_quiet if {
	not fired("ovirt.ha.enabled", vm_with({"haEnabled": false}))
}

test_vm_host_devices_fires if {
	fired("ovirt.host_devices.mapped", vm_with({"hostDevices": [{"capability": "pci", "product": "x", "vendor": "y"}]}))
}

test_vm_host_devices_stays_quiet if {
	not fired("ovirt.host_devices.mapped", vm_with({"hostDevices": []}))
}

test_vm_iothreads_fires if {
	fired("ovirt.iothreads.configured", vm_with({"ioThreads": 2}))
}

test_vm_iothreads_stays_quiet if {
	not fired("ovirt.iothreads.configured", vm_with({"ioThreads": 1}))
}

test_vm_custom_properties_fires if {
	fired("ovirt.vm.custom_properties.detected", vm_with({"properties": [{"name": "sap_agent", "value": "true"}]}))
}

test_vm_custom_properties_stays_quiet if {
	not fired("ovirt.vm.custom_properties.detected", vm_with({"properties": []}))
}

test_vm_placement_fires if {
	fired("ovirt.placement_policy.affinity_set", vm_with({"placementPolicyAffinity": "migratable"}))
}

test_vm_placement_stays_quiet if {
	not fired("ovirt.placement_policy.affinity_set", vm_with({"placementPolicyAffinity": "pinned"}))
}

test_vm_secure_boot_fires if {
	fired("ovirt.secure_boot.detected", vm_with({"bios": "q35_secure_boot"}))
}

test_vm_secure_boot_stays_quiet if {
	not fired("ovirt.secure_boot.detected", vm_with({"bios": "q35_ovmf"}))
}

test_vm_resume_behaviour_fires if {
	fired("ovirt.storage.resume_behavior.unsupported", vm_with({"storageErrorResumeBehaviour": "kill"}))
}

test_vm_resume_behaviour_stays_quiet if {
	not fired("ovirt.storage.resume_behavior.unsupported", vm_with({"storageErrorResumeBehaviour": "auto_resume"}))
}

test_vm_usb_fires if {
	fired("ovirt.usb.enabled", vm_with({"usbEnabled": true}))
}

test_vm_usb_stays_quiet if {
	not fired("ovirt.usb.enabled", vm_with({"usbEnabled": false}))
}

test_vm_status_fires if {
	fired("ovirt.vm.status_invalid", vm_with({"status": "paused"}))
}

test_vm_status_stays_quiet if {
	not fired("ovirt.vm.status_invalid", vm_with({"status": "up"}))
}

test_vm_status_exact_fires if {
	fired("ovirt.vm.status_invalid", vm_with({"status": "upgrading"}))
	fired("ovirt.vm.status_invalid", vm_with({"status": "powering_up"}))
	fired("ovirt.vm.status_invalid", vm_with({"status": "powering_down"}))
}

test_vm_status_exact_stays_quiet if {
	not fired("ovirt.vm.status_invalid", vm_with({"status": "down"}))
}

test_vm_watchdog_fires if {
	fired("ovirt.watchdog.enabled", vm_with({"watchDogs": [{"id": "w", "action": "reset", "model": "i6300esb"}]}))
}

test_vm_watchdog_stays_quiet if {
	not fired("ovirt.watchdog.enabled", vm_with({"watchDogs": []}))
}

test_vm_memory_snapshot_fires if {
	fired("ovirt.snapshot.online_memory.detected", vm_with({"snapshots": [{"id": "s", "description": "before", "type": "regular", "persistMemory": true}]}))
}

test_vm_memory_snapshot_stays_quiet if {
	not fired("ovirt.snapshot.online_memory.detected", vm_with({"snapshots": [{"id": "s", "description": "Active VM", "type": "active", "persistMemory": false}]}))
}

test_vm_name_fires if {
	fired("ovirt.name.invalid", vm_with({"name": "my_vm"}))
}

test_vm_name_stays_quiet if {
	not fired("ovirt.name.invalid", vm_with({"name": "my-vm.example"}))
}

test_vm_name_length_fires if {
	fired("ovirt.name.invalid", vm_with({"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}))
}

test_vm_name_length_stays_quiet if {
	not fired("ovirt.name.invalid", vm_with({"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}))
}

test_vm_name_edges_fires if {
	fired("ovirt.name.invalid", vm_with({"name": "vm-"}))
}

test_vm_name_edges_stays_quiet if {
	not fired("ovirt.name.invalid", vm_with({"name": "1vm1"}))
}
