//! GetVolumeIDs: which persistent volumes are oVirt disks, and their disk ids.

use super::VolumeSpec;

/// The CSI driver of oVirt disks.
pub const OVIRT_CSI_DRIVER: &str = "csi.ovirt.org";

/// The volume handles (oVirt disk ids) of the `csi.ovirt.org` volumes, in order; other
/// volumes are left out, as the contract says.
pub fn volume_ids(specs: &[VolumeSpec]) -> Vec<String> {
    specs
        .iter()
        .filter_map(|s| s.csi.as_ref())
        .filter(|c| c.driver == OVIRT_CSI_DRIVER && !c.volume_handle.is_empty())
        .map(|c| c.volume_handle.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::CsiVolume;
    use super::*;

    fn csi(driver: &str, handle: &str) -> VolumeSpec {
        VolumeSpec {
            csi: Some(CsiVolume {
                driver: driver.into(),
                volume_handle: handle.into(),
            }),
        }
    }

    #[test]
    fn only_ovirt_csi_volumes_count() {
        let specs = [
            csi("csi.ovirt.org", "d-1"),
            VolumeSpec { csi: None },
            csi("ebs.csi.aws.com", "vol-9"),
            csi("csi.ovirt.org", "d-2"),
            csi("csi.ovirt.org", ""),
        ];
        assert_eq!(volume_ids(&specs), vec!["d-1", "d-2"]);
        assert!(volume_ids(&[]).is_empty());
    }
}
