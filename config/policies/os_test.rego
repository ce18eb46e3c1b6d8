package io.konveyor.forklift.ovirt

import rego.v1

test_os_windows_11_fires if {
	fired("ovirt.tpm.required_by_os", vm_with({"osType": "windows_11"}))
}

test_os_windows_11_stays_quiet if {
	not fired("ovirt.tpm.required_by_os", vm_with({"osType": "windows_10"}))
}

test_os_windows_2022_fires if {
	fired("ovirt.tpm.required_by_os", vm_with({"osType": "windows_2022"}))
}

test_os_windows_2022_stays_quiet if {
	not fired("ovirt.tpm.required_by_os", vm_with({"osType": "windows_2019x64"}))
}

test_os_rhel_6_fires if {
	fired("ovirt.os.unsupported", vm_with({"osType": "rhel_6x64"}))
}

test_os_rhel_6_stays_quiet if {
	not fired("ovirt.os.unsupported", vm_with({"osType": "rhel_7x64"}))
}
