package io.konveyor.forklift.ovirt

import rego.v1

test_disks_count_fires if {
	fired("ovirt.disk.count.exceeds.limit", vm_with({"diskAttachments": [{"interface": "virtio"} | some _ in numbers.range(1, 166)]}))
}

test_disks_count_stays_quiet if {
	not fired("ovirt.disk.count.exceeds.limit", vm_with({"diskAttachments": [{"interface": "virtio"} | some _ in numbers.range(1, 165)]}))
}

test_disks_interface_fires if {
	fired("ovirt.disk.interface_type.unsupported", vm_with({"diskAttachments": [{"interface": "ide", "disk": {}}]}))
}

test_disks_interface_stays_quiet if {
	not fired("ovirt.disk.interface_type.unsupported", vm_with({"diskAttachments": [{"interface": "virtio_scsi", "disk": {}}]}))
}

test_disks_image_size_fires if {
	fired("ovirt.disk.capacity.invalid", vm_with({"diskAttachments": [{"disk": {"storageType": "image", "provisionedSize": 0}}]}))
}

test_disks_image_size_stays_quiet if {
	not fired("ovirt.disk.capacity.invalid", vm_with({"diskAttachments": [{"disk": {"storageType": "image", "provisionedSize": 1073741824}}]}))
}

test_disks_lun_size_fires if {
	fired("ovirt.disk.capacity.invalid", vm_with({"diskAttachments": [{"disk": {"storageType": "lun", "provisionedSize": 0, "lun": {"logicalUnits": {"logicalUnit": [{"lunId": "l", "size": 0}]}}}}]}))
}

test_disks_lun_size_stays_quiet if {
	not fired("ovirt.disk.capacity.invalid", vm_with({"diskAttachments": [{"disk": {"storageType": "lun", "provisionedSize": 0, "lun": {"logicalUnits": {"logicalUnit": [{"lunId": "l", "size": 10737418240}]}}}}]}))
}

test_disks_illegal_fires if {
	fired("ovirt.disk.illegal_or_locked_status", vm_with({"diskAttachments": [{"disk": {"status": "illegal"}}]}))
}

test_disks_illegal_stays_quiet if {
	not fired("ovirt.disk.illegal_or_locked_status", vm_with({"diskAttachments": [{"disk": {"status": "ok"}}]}))
}

test_disks_locked_fires if {
	fired("ovirt.disk.illegal_or_locked_status", vm_with({"diskAttachments": [{"disk": {"status": "locked"}}]}))
}

test_disks_locked_stays_quiet if {
	not fired("ovirt.disk.illegal_or_locked_status", vm_with({"diskAttachments": []}))
}

test_disks_storage_type_fires if {
	fired("ovirt.disk.storage_type.unsupported", vm_with({"diskAttachments": [{"disk": {"storageType": "cinder"}}]}))
}

test_disks_storage_type_stays_quiet if {
	not fired("ovirt.disk.storage_type.unsupported", vm_with({"diskAttachments": [{"disk": {"storageType": "lun"}}]}))
}

test_disks_illegal_images_fires if {
	fired("ovirt.disk.illegal_images.detected", vm_with({"hasIllegalImages": true}))
}

test_disks_illegal_images_stays_quiet if {
	not fired("ovirt.disk.illegal_images.detected", vm_with({"hasIllegalImages": false}))
}

test_disks_scsi_reservation_fires if {
	fired("ovirt.disk.scsi_reservation.enabled", vm_with({"diskAttachments": [{"scsiReservation": true, "disk": {}}]}))
}

test_disks_scsi_reservation_stays_quiet if {
	not fired("ovirt.disk.scsi_reservation.enabled", vm_with({"diskAttachments": [{"scsiReservation": false, "disk": {}}]}))
}

test_disks_shared_fires if {
	fired("ovirt.disk.shared.detected", vm_with({"diskAttachments": [{"disk": {"shared": true}}]}))
}

test_disks_shared_stays_quiet if {
	not fired("ovirt.disk.shared.detected", vm_with({"diskAttachments": [{"disk": {"shared": false}}]}))
}
