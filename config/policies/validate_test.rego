package io.konveyor.forklift.ovirt

import rego.v1

# `fired(id, doc)` holds when the concern `id` is raised for the workload `doc`.
fired(id, doc) if {
	found := concerns with input as doc
	some c in found
	c.id == id
}

test_a_plain_vm_raises_nothing if {
	doc := {"id": "1", "name": "plain", "status": "up", "storageErrorResumeBehaviour": "auto_resume"}
	found := concerns with input as doc
	count(found) == 0
}

test_validate_gathers_version_errors_and_concerns if {
	result := validate with input as {"id": "1", "name": "vm", "usbEnabled": true}
	result.rules_version == 1
	count(result.errors) == 0
	some c in result.concerns
	c.id == "ovirt.usb.enabled"
}

test_a_document_without_name_is_an_error if {
	result := validate with input as {"id": "1"}
	"the input has no VM name" in result.errors
}

test_every_concern_has_the_four_fields if {
	doc := {
		"id": "1", "name": "-bad", "usbEnabled": true, "haEnabled": true,
		"status": "paused", "display": "spice", "balloonedMemory": true,
	}
	found := concerns with input as doc
	count(found) >= 6
	every c in found {
		is_string(c.id)
		c.category in {"Critical", "Warning", "Information"}
		is_string(c.label)
		count(c.assessment) > 20
	}
}

# A minimal valid workload with `fields` added.
vm_with(fields) := object.union({"id": "1", "name": "vm"}, fields)
