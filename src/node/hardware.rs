//! `hardware`: PCI devices from `/sys/bus/pci/devices` with their vendor, device and class
//! names from the PCI id database, and memory modules from the DMI table. Without the id
//! database the devices are still listed, with their numeric ids, and the section says why
//! the names are missing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::source::{Sources, link_name};
use super::{Collected, SourceError};

/// Where distributions install the PCI id database.
const PCI_IDS: [&str; 3] = [
    "/usr/share/misc/pci.ids",
    "/usr/share/hwdata/pci.ids",
    "/usr/share/pci.ids",
];

/// One hardware item's `data`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Hardware {
    /// PCI address (`0000:00:1f.2`) or memory slot locator.
    pub path: String,
    /// Vendor and device names, or the module's size, type and part.
    pub description: String,
    /// The device class (`Ethernet controller`), `memory` for modules.
    pub class: String,
    /// The bound kernel driver, empty when none.
    pub driver: String,
    /// `pci` or `mem`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

struct PciDevice {
    slot: String,
    vendor: u16,
    device: u16,
    class: u32,
    driver: String,
}

fn hex(src: Option<String>) -> Option<u32> {
    src.and_then(|s| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok())
}

/// Names looked up in the id database, for the ids actually present.
#[derive(Default)]
struct Names {
    vendors: BTreeMap<u16, String>,
    devices: BTreeMap<(u16, u16), String>,
    classes: BTreeMap<u8, String>,
    subclasses: BTreeMap<(u8, u8), String>,
}

/// One pass over the database, keeping only the names of `wanted` devices: the file is
/// over a megabyte and a node has a few dozen devices.
fn lookup(text: &str, wanted: &BTreeSet<(u16, u16)>) -> Names {
    let vendors: BTreeSet<u16> = wanted.iter().map(|(v, _)| *v).collect();
    let mut names = Names::default();
    let mut vendor: Option<u16> = None;
    let mut class: Option<u8> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("C ") {
            let (id, name) = rest.split_once("  ").unwrap_or((rest, ""));
            class = u8::from_str_radix(id.trim(), 16).ok();
            vendor = None;
            if let Some(c) = class {
                names.classes.insert(c, name.trim().to_string());
            }
        } else if let Some(rest) = line.strip_prefix('\t') {
            if rest.starts_with('\t') {
                continue; // subsystems and programming interfaces
            }
            let (id, name) = rest.split_once("  ").unwrap_or((rest, ""));
            if let Some(v) = vendor {
                if let Ok(d) = u16::from_str_radix(id.trim(), 16)
                    && wanted.contains(&(v, d))
                {
                    names.devices.insert((v, d), name.trim().to_string());
                }
            } else if let (Some(c), Ok(s)) = (class, u8::from_str_radix(id.trim(), 16)) {
                names.subclasses.insert((c, s), name.trim().to_string());
            }
        } else {
            let (id, name) = line.split_once("  ").unwrap_or((line, ""));
            class = None;
            vendor = u16::from_str_radix(id.trim(), 16)
                .ok()
                .filter(|v| vendors.contains(v));
            if let Some(v) = vendor {
                names.vendors.insert(v, name.trim().to_string());
            }
        }
    }
    names
}

fn pci_devices(src: &Sources) -> Result<Vec<PciDevice>, std::io::Error> {
    let mut out = Vec::new();
    for (slot, path) in src.entries("/sys/bus/pci/devices")? {
        let read = |f: &str| Sources::value_at(&path.join(f));
        out.push(PciDevice {
            vendor: hex(read("vendor")).unwrap_or(0) as u16,
            device: hex(read("device")).unwrap_or(0) as u16,
            class: hex(read("class")).unwrap_or(0),
            driver: link_name(&path.join("driver")).unwrap_or_default(),
            slot,
        });
    }
    Ok(out)
}

/// Collects PCI devices and memory modules.
pub(super) fn collect(src: &Sources) -> Collected {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    match pci_devices(src) {
        Ok(devices) => {
            let wanted = devices.iter().map(|d| (d.vendor, d.device)).collect();
            let db = PCI_IDS.iter().find_map(|p| src.read(p).ok());
            let names = match &db {
                Some(text) => lookup(text, &wanted),
                None => {
                    errors.push(SourceError::new(
                        "pci.ids",
                        "no PCI id database (install pci.ids or hwdata): devices are listed by numeric id",
                    ));
                    Names::default()
                }
            };
            for d in devices {
                let vendor = names
                    .vendors
                    .get(&d.vendor)
                    .cloned()
                    .unwrap_or_else(|| format!("vendor {:04x}", d.vendor));
                let device = names
                    .devices
                    .get(&(d.vendor, d.device))
                    .cloned()
                    .unwrap_or_else(|| format!("device {:04x}", d.device));
                let (c, s) = ((d.class >> 16) as u8, (d.class >> 8) as u8);
                let class = names
                    .subclasses
                    .get(&(c, s))
                    .or(names.classes.get(&c))
                    .cloned()
                    .unwrap_or_else(|| format!("class {:04x}", d.class >> 8));
                items.push(Hardware {
                    path: d.slot,
                    description: format!("{vendor} {device}"),
                    class,
                    driver: d.driver,
                    kind: "pci",
                });
            }
        }
        Err(e) => errors.push(SourceError::new("/sys/bus/pci/devices", e)),
    }
    match super::dmi::memory_devices(src) {
        Ok(modules) => {
            for m in modules.into_iter().filter(|m| m.size > 0) {
                let speed = m.speed.map(|s| format!(" {s} MT/s")).unwrap_or_default();
                items.push(Hardware {
                    path: if m.bank.is_empty() {
                        m.locator.clone()
                    } else {
                        format!("{} {}", m.bank, m.locator)
                    },
                    description: format!(
                        "{} GiB {}{speed} {} {}",
                        m.size >> 30,
                        m.kind,
                        m.manufacturer,
                        m.part_number
                    )
                    .trim()
                    .to_string(),
                    class: "memory".into(),
                    driver: String::new(),
                    kind: "mem",
                });
            }
        }
        Err(e) => errors.push(SourceError::new(
            "memory modules (/sys/firmware/dmi/tables/DMI)",
            e,
        )),
    }
    items.sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    Collected::from_items(&items, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DB: &str = "# comment\n8086  Intel Corporation\n\t1237  440FX - 82441FX PMC [Natoma]\n\t\t1af4 1100  Qemu\n1af4  Red Hat, Inc.\n\t1000  Virtio network device\n\
C 02  Network controller\n\t00  Ethernet controller\nC 06  Bridge\n\t00  Host bridge\n";

    fn fixture(with_db: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (slot, vendor, device, class) in [
            ("0000:00:00.0", "0x8086", "0x1237", "0x060000"),
            ("0000:00:03.0", "0x1af4", "0x1000", "0x020000"),
        ] {
            let p = dir.path().join("sys/bus/pci/devices").join(slot);
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("vendor"), vendor).unwrap();
            std::fs::write(p.join("device"), device).unwrap();
            std::fs::write(p.join("class"), class).unwrap();
        }
        if with_db {
            std::fs::create_dir_all(dir.path().join("usr/share/misc")).unwrap();
            std::fs::write(dir.path().join("usr/share/misc/pci.ids"), DB).unwrap();
        }
        dir
    }

    #[test]
    fn devices_are_named_from_the_id_database() {
        let dir = fixture(true);
        let c = collect(&Sources::at(dir.path()));
        assert_eq!(c.items.len(), 2);
        assert_eq!(
            c.items[1]["description"],
            "Red Hat, Inc. Virtio network device"
        );
        assert_eq!(c.items[1]["class"], "Ethernet controller");
        assert_eq!(c.items[0]["class"], "Host bridge");
        assert_eq!(c.items[0]["type"], "pci");
        assert!(c.errors.iter().all(|e| e.source != "pci.ids"));
    }

    #[test]
    fn without_the_database_devices_are_still_listed() {
        let dir = fixture(false);
        let c = collect(&Sources::at(dir.path()));
        assert_eq!(c.items.len(), 2, "om3 empties the list here; we must not");
        assert_eq!(c.items[1]["description"], "vendor 1af4 device 1000");
        assert!(c.errors.iter().any(|e| e.source == "pci.ids"));
    }
}
