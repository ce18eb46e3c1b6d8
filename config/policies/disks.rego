# Concerns about the VM's disks and how they are attached.
package io.konveyor.forklift.ovirt

import rego.v1

disk_limit := 165

attachments := object.get(input, "diskAttachments", [])

concerns contains {
	"id": "ovirt.disk.count.exceeds.limit",
	"category": "Warning",
	"label": sprintf("VM has %d disks, which exceeds the limit of %d", [count(attachments), disk_limit]),
	"assessment": sprintf("The target attaches at most %d disks to a VM. Reduce the number of disks before the migration.", [disk_limit]),
} if count(attachments) > disk_limit

concerns contains {
	"id": "ovirt.disk.interface_type.unsupported",
	"category": "Warning",
	"label": "Unsupported disk interface type detected",
	"assessment": "A disk is attached through an interface other than SATA, VirtIO-SCSI or VirtIO. It is attached as VirtIO on the target; the guest needs the driver for it.",
} if {
	some a in attachments
	is_string(a.interface)
	not a.interface in {"sata", "virtio_scsi", "virtio"}
}

# An image disk with no size, or a direct LUN with a logical unit of no size.
invalid_capacity if {
	some a in attachments
	a.disk.storageType == "image"
	a.disk.provisionedSize <= 0
}

invalid_capacity if {
	some a in attachments
	a.disk.storageType == "lun"
	some lu in a.disk.lun.logicalUnits.logicalUnit
	lu.size <= 0
}

concerns contains {
	"id": "ovirt.disk.capacity.invalid",
	"category": "Critical",
	"label": "Disk has an invalid capacity",
	"assessment": "A disk reports a size of zero. Its content cannot be copied; fix the disk on the engine (refresh the LUN or the image) before the migration.",
} if invalid_capacity

concerns contains {
	"id": "ovirt.disk.illegal_or_locked_status",
	"category": "Critical",
	"label": "VM has an illegal or locked disk status condition",
	"assessment": "A disk is illegal or locked. It cannot be copied until the engine shows it OK; wait for the operation that locks it or repair the disk.",
} if {
	some a in attachments
	a.disk.status in {"illegal", "locked"}
}

concerns contains {
	"id": "ovirt.disk.storage_type.unsupported",
	"category": "Critical",
	"label": "Unsupported disk storage type detected",
	"assessment": "A disk is neither an image nor a direct LUN (for example a Cinder or managed block disk). It cannot be migrated; move its data to a supported disk first.",
} if {
	some a in attachments
	is_string(a.disk.storageType)
	not a.disk.storageType in {"image", "lun"}
}

concerns contains {
	"id": "ovirt.disk.illegal_images.detected",
	"category": "Critical",
	"label": "Illegal disk images detected",
	"assessment": "The VM has illegal disk images, usually left by a failed snapshot operation. Its disks cannot be copied; repair the images on the engine first.",
} if input.hasIllegalImages == true

concerns contains {
	"id": "ovirt.disk.scsi_reservation.enabled",
	"category": "Warning",
	"label": "Disk with SCSI reservation detected",
	"assessment": "A disk uses SCSI reservation, usually for a guest cluster. Reservations are not migrated; the guest cluster must be set up again on the target.",
} if {
	some a in attachments
	a.scsiReservation == true
}

concerns contains {
	"id": "ovirt.disk.shared.detected",
	"category": "Warning",
	"label": "Shared disk detected",
	"assessment": "A disk is shared with other VMs. A shared disk is copied once and must be attached to the other VMs by hand on the target.",
} if {
	some a in attachments
	a.disk.shared == true
}
