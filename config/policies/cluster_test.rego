package io.konveyor.forklift.ovirt

import rego.v1

test_cluster_ha_reservation_fires if {
	fired("ovirt.ha.reservation.enabled", vm_with({"cluster": {"haReservation": true}}))
}

test_cluster_ha_reservation_stays_quiet if {
	not fired("ovirt.ha.reservation.enabled", vm_with({"cluster": {"haReservation": false}}))
}

test_cluster_ksm_fires if {
	fired("ovirt.cluster.ksm_enabled", vm_with({"cluster": {"ksmEnabled": true}}))
}

test_cluster_ksm_stays_quiet if {
	not fired("ovirt.cluster.ksm_enabled", vm_with({"cluster": {"ksmEnabled": false}}))
}
