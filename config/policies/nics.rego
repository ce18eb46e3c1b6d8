# Concerns about the VM's network interfaces and their vNIC profiles.
package io.konveyor.forklift.ovirt

import rego.v1

nics := object.get(input, "nics", [])

concerns contains {
	"id": "ovirt.nic.custom_properties.detected",
	"category": "Warning",
	"label": "vNIC custom properties detected",
	"assessment": "A vNIC profile has custom properties, which hooks of the engine act on. They are not migrated; check whether the network setup depends on them.",
} if {
	some n in nics
	count(object.get(n.profile, "properties", [])) > 0
}

concerns contains {
	"id": "ovirt.nic.interface_type.unsupported",
	"category": "Warning",
	"label": "Unsupported NIC interface type detected",
	"assessment": "A NIC uses an interface model other than e1000, rtl8139 or VirtIO. It becomes a VirtIO NIC on the target; the guest needs the driver for it.",
} if {
	some n in nics
	is_string(n.interface)
	not n.interface in {"e1000", "rtl8139", "virtio"}
}

concerns contains {
	"id": "ovirt.nic.network_filter.detected",
	"category": "Warning",
	"label": "NIC with network filter detected",
	"assessment": "A NIC's profile applies a network filter. Filters are not migrated; set up equivalent network policies on the target.",
} if {
	some n in nics
	is_string(n.profile.networkFilter)
	n.profile.networkFilter != ""
}

concerns contains {
	"id": "ovirt.nic.pci_passthrough.detected",
	"category": "Warning",
	"label": "NIC with host device passthrough detected",
	"assessment": "A NIC is a host device passed through to the VM (SR-IOV). It is not migrated; give the VM an SR-IOV network on the target.",
} if {
	some n in nics
	n.interface == "pci_passthrough"
}

concerns contains {
	"id": "ovirt.nic.unplugged.detected",
	"category": "Warning",
	"label": "Unplugged NIC detected",
	"assessment": "A NIC is unplugged. It is migrated plugged in; unplug it on the target if it must stay disconnected.",
} if {
	some n in nics
	n.plugged == false
}

concerns contains {
	"id": "ovirt.nic.port_mirroring.detected",
	"category": "Warning",
	"label": "NIC with port mirroring detected",
	"assessment": "A NIC's profile mirrors its traffic to another port. Port mirroring is not migrated; set up traffic capture again on the target.",
} if {
	some n in nics
	n.profile.portMirroring == true
}

concerns contains {
	"id": "ovirt.nic.qos.detected",
	"category": "Warning",
	"label": "NIC with QoS settings detected",
	"assessment": "A NIC's profile limits its bandwidth (QoS). QoS is not migrated; set bandwidth limits on the target if they matter.",
} if {
	some n in nics
	is_string(n.profile.qos)
	n.profile.qos != ""
}
