package io.konveyor.forklift.ovirt

import rego.v1

test_nics_custom_properties_fires if {
	fired("ovirt.nic.custom_properties.detected", vm_with({"nics": [{"profile": {"properties": [{"name": "mtu", "value": "9000"}]}}]}))
}

test_nics_custom_properties_stays_quiet if {
	not fired("ovirt.nic.custom_properties.detected", vm_with({"nics": [{"profile": {"properties": []}}]}))
}

test_nics_interface_fires if {
	fired("ovirt.nic.interface_type.unsupported", vm_with({"nics": [{"interface": "spapr_vlan", "profile": {}}]}))
}

# Exact, unlike Forklift's unanchored pattern: e1000e and rtl8139_virtio contain a supported
# name but are other models (see the README).
test_nics_interface_exact_fires if {
	fired("ovirt.nic.interface_type.unsupported", vm_with({"nics": [{"interface": "e1000e", "profile": {}}]}))
	fired("ovirt.nic.interface_type.unsupported", vm_with({"nics": [{"interface": "rtl8139_virtio", "profile": {}}]}))
}

test_nics_interface_stays_quiet if {
	not fired("ovirt.nic.interface_type.unsupported", vm_with({"nics": [{"interface": "virtio", "profile": {}}]}))
}

test_nics_network_filter_fires if {
	fired("ovirt.nic.network_filter.detected", vm_with({"nics": [{"profile": {"networkFilter": "vdsm-no-mac-spoofing"}}]}))
}

test_nics_network_filter_stays_quiet if {
	not fired("ovirt.nic.network_filter.detected", vm_with({"nics": [{"profile": {"networkFilter": ""}}]}))
}

test_nics_pci_passthrough_fires if {
	fired("ovirt.nic.pci_passthrough.detected", vm_with({"nics": [{"interface": "pci_passthrough", "profile": {}}]}))
}

test_nics_pci_passthrough_stays_quiet if {
	not fired("ovirt.nic.pci_passthrough.detected", vm_with({"nics": [{"interface": "e1000", "profile": {}}]}))
}

test_nics_unplugged_fires if {
	fired("ovirt.nic.unplugged.detected", vm_with({"nics": [{"plugged": false, "profile": {}}]}))
}

test_nics_unplugged_stays_quiet if {
	not fired("ovirt.nic.unplugged.detected", vm_with({"nics": [{"plugged": true, "profile": {}}]}))
}

test_nics_port_mirroring_fires if {
	fired("ovirt.nic.port_mirroring.detected", vm_with({"nics": [{"profile": {"portMirroring": true}}]}))
}

test_nics_port_mirroring_stays_quiet if {
	not fired("ovirt.nic.port_mirroring.detected", vm_with({"nics": [{"profile": {"portMirroring": false}}]}))
}

test_nics_qos_fires if {
	fired("ovirt.nic.qos.detected", vm_with({"nics": [{"profile": {"qos": "gold"}}]}))
}

test_nics_qos_stays_quiet if {
	not fired("ovirt.nic.qos.detected", vm_with({"nics": [{"profile": {"qos": ""}}]}))
}
