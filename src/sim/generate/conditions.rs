//! The VM-level conditions of the concern catalogue (`design/validation.md`), each with the
//! fixed proportion of VMs that carry it.
//!
//! VM number `i` (0-based, in generation order) carries a condition when
//! `i % period == offset`. The offsets are spread so that conditions rarely pile up on the
//! same VM, every offset is below 500 (so `Scale::for_vms(500)` holds every condition at
//! least once), and VM 0 carries only the common ones. Cluster-level conditions (KSM, HA
//! reservation) and the vNIC profile kinds are decided in [`plan`](super::plan).

/// A condition that the generator puts on some VMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cond {
    /// `memory_policy.ballooning` on.
    Ballooning,
    /// `bios.boot_menu.enabled` on.
    BootMenu,
    /// A `custom_cpu_model`.
    CustomCpuModel,
    /// `cpu_pinning_policy` `resize_and_pin_numa` (unsupported).
    PinResizeNuma,
    /// `cpu_pinning_policy` `isolate_threads` (unsupported).
    PinIsolateThreads,
    /// `cpu_pinning_policy` `dedicated` (supported: a near miss for the exact-match rule).
    PinDedicated,
    /// `cpu_shares` > 0.
    CpuShares,
    /// vCPU pins (`cpu.cpu_tune.vcpu_pins`) with policy `manual`.
    CpuTuning,
    /// VM custom properties.
    VmCustomProperties,
    /// 166 to 170 disk attachments.
    ManyDisks,
    /// A disk attached with interface `ide`.
    DiskInterfaceIde,
    /// An image disk with `provisioned_size` 0.
    DiskZeroSize,
    /// A LUN disk whose logical unit has size 0.
    LunZeroSize,
    /// An attached disk in status `illegal`.
    DiskIllegal,
    /// An attached disk in status `locked`.
    DiskLocked,
    /// An attached disk of storage type `managed_block_storage`.
    DiskManagedBlock,
    /// Display `spice` (the others use `vnc`).
    Spice,
    /// High availability on (every other one also holds a VM lease).
    HighAvailability,
    /// A PCI host device passed through (the VM is pinned to a host).
    HostDevice,
    /// `has_illegal_images` on.
    IllegalImages,
    /// `io.threads` above 1.
    IoThreads,
    /// A name that is not DNS-1123 label-like.
    BadName,
    /// A NIC on a profile with custom properties.
    NicCustomProperties,
    /// A NIC with interface `e1000e`.
    NicE1000e,
    /// A NIC on a profile with a network filter.
    NicNetworkFilter,
    /// A NIC with interface `pci_passthrough` on a pass-through profile.
    NicPassthrough,
    /// An unplugged NIC.
    NicUnplugged,
    /// A NIC on a profile with port mirroring.
    NicPortMirroring,
    /// A NIC on a profile with QoS.
    NicQos,
    /// vNUMA nodes pinned to host NUMA nodes (`numa_tune_mode_nodes`).
    NumaTuning,
    /// A snapshot that persists memory.
    MemorySnapshot,
    /// A LUN disk attached with SCSI reservation.
    ScsiReservation,
    /// BIOS type `q35_secure_boot`.
    SecureBoot,
    /// Owns a shareable disk that the next VM also attaches.
    SharedDisk,
    /// `storage_error_resume_behaviour` `kill`.
    ResumeKill,
    /// `storage_error_resume_behaviour` `leave_paused`.
    ResumeLeavePaused,
    /// OS type `windows_11`.
    Windows11,
    /// OS type `windows_2022`.
    Windows2022,
    /// OS type RHEL 6 (`rhel_6x64`, every other one `rhel_6`).
    Rhel6,
    /// USB on.
    Usb,
    /// Status `suspended`.
    Suspended,
    /// Status `paused` (on a host).
    Paused,
    /// Status `image_locked`.
    ImageLocked,
    /// A watchdog.
    Watchdog,
    /// A plain LUN disk (direct LUN, iSCSI).
    LunDisk,
}

/// Every condition, in the order of [`Cond`]: `(condition, period, offset, concern id it
/// makes fire)`; an empty id marks a near miss that must not fire.
pub(crate) const CONDITIONS: &[(Cond, usize, usize, &str)] = &[
    (Cond::Ballooning, 3, 0, "ovirt.memory.ballooning.enabled"),
    (Cond::BootMenu, 40, 11, "ovirt.bios.boot_menu.enabled"),
    (
        Cond::CustomCpuModel,
        60,
        23,
        "ovirt.cpu.custom_model.detected",
    ),
    (
        Cond::PinResizeNuma,
        200,
        47,
        "ovirt.cpu.pinning_policy.unsupported",
    ),
    (
        Cond::PinIsolateThreads,
        200,
        147,
        "ovirt.cpu.pinning_policy.unsupported",
    ),
    (Cond::PinDedicated, 200, 97, ""),
    (Cond::CpuShares, 20, 3, "ovirt.cpu.shares.defined"),
    (Cond::CpuTuning, 100, 29, "ovirt.cpu.tuning.detected"),
    (
        Cond::VmCustomProperties,
        25,
        7,
        "ovirt.vm.custom_properties.detected",
    ),
    (Cond::ManyDisks, 5000, 250, "ovirt.disk.count.exceeds.limit"),
    (
        Cond::DiskInterfaceIde,
        100,
        41,
        "ovirt.disk.interface_type.unsupported",
    ),
    (Cond::DiskZeroSize, 500, 123, "ovirt.disk.capacity.invalid"),
    (Cond::LunZeroSize, 500, 373, "ovirt.disk.capacity.invalid"),
    (
        Cond::DiskIllegal,
        400,
        59,
        "ovirt.disk.illegal_or_locked_status",
    ),
    (
        Cond::DiskLocked,
        400,
        259,
        "ovirt.disk.illegal_or_locked_status",
    ),
    (
        Cond::DiskManagedBlock,
        300,
        71,
        "ovirt.disk.storage_type.unsupported",
    ),
    (Cond::Spice, 3, 1, "ovirt.display_type.spice.enabled"),
    (Cond::HighAvailability, 10, 5, "ovirt.ha.enabled"),
    (Cond::HostDevice, 50, 13, "ovirt.host_devices.mapped"),
    (
        Cond::IllegalImages,
        300,
        89,
        "ovirt.disk.illegal_images.detected",
    ),
    (Cond::IoThreads, 30, 17, "ovirt.iothreads.configured"),
    (Cond::BadName, 40, 19, "ovirt.name.invalid"),
    (
        Cond::NicCustomProperties,
        30,
        9,
        "ovirt.nic.custom_properties.detected",
    ),
    (
        Cond::NicE1000e,
        50,
        21,
        "ovirt.nic.interface_type.unsupported",
    ),
    (
        Cond::NicNetworkFilter,
        15,
        2,
        "ovirt.nic.network_filter.detected",
    ),
    (
        Cond::NicPassthrough,
        100,
        33,
        "ovirt.nic.pci_passthrough.detected",
    ),
    (Cond::NicUnplugged, 40, 27, "ovirt.nic.unplugged.detected"),
    (
        Cond::NicPortMirroring,
        20,
        14,
        "ovirt.nic.port_mirroring.detected",
    ),
    (Cond::NicQos, 25, 4, "ovirt.nic.qos.detected"),
    (Cond::NumaTuning, 100, 53, "ovirt.numa.tuning.detected"),
    (
        Cond::MemorySnapshot,
        30,
        22,
        "ovirt.snapshot.online_memory.detected",
    ),
    (
        Cond::ScsiReservation,
        200,
        83,
        "ovirt.disk.scsi_reservation.enabled",
    ),
    (Cond::SecureBoot, 50, 31, "ovirt.secure_boot.detected"),
    (Cond::SharedDisk, 100, 61, "ovirt.disk.shared.detected"),
    (
        Cond::ResumeKill,
        20,
        9,
        "ovirt.storage.resume_behavior.unsupported",
    ),
    (
        Cond::ResumeLeavePaused,
        20,
        18,
        "ovirt.storage.resume_behavior.unsupported",
    ),
    (Cond::Windows11, 40, 36, "ovirt.tpm.required_by_os"),
    (Cond::Windows2022, 40, 16, "ovirt.tpm.required_by_os"),
    (Cond::Rhel6, 50, 43, "ovirt.os.unsupported"),
    (Cond::Usb, 25, 12, "ovirt.usb.enabled"),
    (Cond::Suspended, 100, 57, "ovirt.vm.status_invalid"),
    (Cond::Paused, 100, 79, "ovirt.vm.status_invalid"),
    (Cond::ImageLocked, 200, 191, "ovirt.vm.status_invalid"),
    (Cond::Watchdog, 25, 24, "ovirt.watchdog.enabled"),
    (Cond::LunDisk, 100, 67, ""),
];

/// The conditions of VM number `i`, as a set that answers quickly.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conds(u64);

impl Conds {
    /// The conditions VM number `i` carries.
    pub(crate) fn of(i: usize) -> Conds {
        let mut bits = 0u64;
        for (k, &(_, period, offset, _)) in CONDITIONS.iter().enumerate() {
            if i % period == offset {
                bits |= 1 << k;
            }
        }
        Conds(bits)
    }

    /// Whether the set holds `c`.
    pub(crate) fn has(self, c: Cond) -> bool {
        self.0 & (1 << c as usize) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sound() {
        assert!(CONDITIONS.len() <= 64);
        for (k, (c, period, offset, _)) in CONDITIONS.iter().enumerate() {
            assert!(offset < period && *offset < 500, "{c:?}");
            assert_eq!(*c as usize, k, "{c:?} out of order");
            assert!(Conds::of(*offset).has(*c));
            assert!(!Conds::of(*offset + 1).has(*c) || *period == 1);
        }
    }
}
