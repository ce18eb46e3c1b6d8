//! `disk`: block devices from `/sys/block`, with their partitions and the devices built on
//! them (device-mapper, md) as regions, and mount points from `/proc/self/mountinfo`, in
//! place of om3's `lsblk` fork.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::source::Sources;
use super::{Collected, SourceError};

/// One disk item's `data`.
#[derive(Debug, Clone, Serialize)]
pub struct Disk {
    /// The kernel name, e.g. `sda`.
    pub id: String,
    /// `/dev/...`.
    pub devpath: String,
    /// Size in bytes.
    pub size: u64,
    /// The device's vendor, as the kernel reports it.
    pub vendor: String,
    /// The device's model.
    pub model: String,
    /// `disk`, `loop`, `mpath`, `lvm`, `crypt`, `dm`, `raid1`..., `rom`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Partitions and holders.
    pub regions: Vec<Region>,
}

/// A partition of a disk, or a device built on it.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    /// The kernel name, e.g. `sda1` or `dm-0`.
    pub id: String,
    /// `/dev/...`.
    pub devpath: String,
    /// Where it is mounted, or the device-mapper name of a holder; empty when neither.
    pub object: String,
    /// Size in bytes.
    pub size: u64,
    /// `partition`, or the holder's type (`lvm`, `mpath`, ...).
    pub group: String,
}

fn read(p: &Path) -> String {
    Sources::value_at(p).unwrap_or_default()
}

fn size_of(dir: &Path) -> u64 {
    // The kernel counts in 512-byte sectors whatever the device's block size.
    read(&dir.join("size")).parse::<u64>().unwrap_or(0) * 512
}

fn devpath(name: &str) -> String {
    format!("/dev/{}", name.replace('!', "/"))
}

/// The kind of device, named as `lsblk` names it.
fn kind_of(name: &str, dir: &Path) -> String {
    if name.starts_with("loop") {
        return "loop".into();
    }
    if name.starts_with("sr") {
        return "rom".into();
    }
    if name.starts_with("dm-") {
        let uuid = read(&dir.join("dm/uuid"));
        let prefix = uuid.split('-').next().unwrap_or_default();
        return match prefix {
            "mpath" => "mpath",
            "LVM" => "lvm",
            "CRYPT" => "crypt",
            "part1" | "part2" | "part3" | "part4" => "part",
            _ => "dm",
        }
        .into();
    }
    if name.starts_with("md") {
        let level = read(&dir.join("md/level"));
        if !level.is_empty() {
            return level;
        }
    }
    "disk".into()
}

/// `major:minor` → mount point, from the mount table.
fn mounts(src: &Sources) -> HashMap<String, String> {
    let text = src.read("/proc/self/mountinfo").unwrap_or_default();
    let mut out = HashMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        if let (Some(dev), Some(mp)) = (fields.get(2), fields.get(4)) {
            // The first mount of a device is its main one; bind mounts come later.
            out.entry(dev.to_string())
                .or_insert_with(|| mp.replace("\\040", " "));
        }
    }
    out
}

fn holders(dir: &Path, src_block: &Path, mounts: &HashMap<String, String>) -> Vec<Region> {
    let Ok(entries) = std::fs::read_dir(dir.join("holders")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let hdir = src_block.join(&name);
        let dm_name = read(&hdir.join("dm/name"));
        let mount = mounts.get(&read(&hdir.join("dev"))).cloned();
        out.push(Region {
            devpath: devpath(&name),
            object: mount.unwrap_or(dm_name),
            size: size_of(&hdir),
            group: kind_of(&name, &hdir),
            id: name,
        });
    }
    out
}

/// Collects every block device but RAM disks and detached loop devices.
pub fn collect(src: &Sources) -> Collected {
    let block = src.path("/sys/block");
    let entries = match src.entries("/sys/block") {
        Ok(e) => e,
        Err(e) => {
            return Collected::from_items::<Disk>(&[], vec![SourceError::new("/sys/block", e)]);
        }
    };
    let mounts = mounts(src);
    let mut disks = Vec::new();
    for (name, dir) in entries {
        let size = size_of(&dir);
        if name.starts_with("ram") || (name.starts_with("loop") && size == 0) {
            continue;
        }
        let mut regions = Vec::new();
        if let Ok(children) = std::fs::read_dir(&dir) {
            for child in children.flatten() {
                let cdir = child.path();
                if !cdir.join("partition").exists() {
                    continue;
                }
                let cname = child.file_name().to_string_lossy().into_owned();
                let mount = mounts.get(&read(&cdir.join("dev"))).cloned();
                regions.push(Region {
                    devpath: devpath(&cname),
                    object: mount.unwrap_or_default(),
                    size: size_of(&cdir),
                    group: "partition".into(),
                    id: cname,
                });
                regions.extend(holders(&cdir, &block, &mounts));
            }
        }
        regions.extend(holders(&dir, &block, &mounts));
        regions.sort_by(|a, b| a.id.cmp(&b.id));
        regions.dedup_by(|a, b| a.id == b.id);
        disks.push(Disk {
            devpath: devpath(&name),
            size,
            vendor: read(&dir.join("device/vendor")),
            model: read(&dir.join("device/model")),
            kind: kind_of(&name, &dir),
            regions,
            id: name,
        });
    }
    Collected::from_items(&disks, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_and_holders_are_regions() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("sys/block");
        let w = |p: &str, v: &str| {
            let p = b.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        };
        w("sda/size", "2000\n");
        w("sda/dev", "8:0\n");
        w("sda/device/vendor", "ATA     \n");
        w("sda/device/model", "Disk 1\n");
        w("sda/sda1/size", "1000\n");
        w("sda/sda1/partition", "1\n");
        w("sda/sda1/dev", "8:1\n");
        w("dm-0/size", "800\n");
        w("dm-0/dev", "253:0\n");
        w("dm-0/dm/name", "vg-root\n");
        w("dm-0/dm/uuid", "LVM-abc\n");
        std::fs::create_dir_all(b.join("sda/sda1/holders/dm-0")).unwrap();
        w("ram0/size", "100\n");
        w("loop0/size", "0\n");
        std::fs::create_dir_all(dir.path().join("proc/self")).unwrap();
        std::fs::write(
            dir.path().join("proc/self/mountinfo"),
            "22 1 253:0 / / rw - ext4 /dev/mapper/vg-root rw\n",
        )
        .unwrap();
        let c = collect(&Sources::at(dir.path()));
        let ids: Vec<_> = c.items.iter().map(|d| d["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["dm-0", "sda"],
            "RAM disks and empty loops are left out"
        );
        let sda = &c.items[1];
        assert_eq!(sda["size"], 2000 * 512);
        assert_eq!(sda["vendor"], "ATA");
        assert_eq!(sda["type"], "disk");
        let regions = sda["regions"].as_array().unwrap();
        assert_eq!(regions.len(), 2);
        assert_eq!(regions[0]["id"], "dm-0");
        assert_eq!(regions[0]["object"], "/");
        assert_eq!(regions[0]["group"], "lvm");
        assert_eq!(regions[1]["id"], "sda1");
        assert_eq!(regions[1]["group"], "partition");
        assert_eq!(c.items[0]["type"], "lvm");
    }
}
