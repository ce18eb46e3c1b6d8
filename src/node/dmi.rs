//! The SMBIOS (DMI) structure table, read from `/sys/firmware/dmi/tables/DMI` instead of
//! running `dmidecode`. Only memory devices (type 17) are decoded: the kernel already
//! exposes the system's names and serials under `/sys/class/dmi/id`.

use super::source::Sources;

/// Why a DMI file could not be read, as an admin would say it: the kernel lets only root
/// read the serials and the raw table, and a machine without SMBIOS (many VMs, some ARM
/// boards) has no table at all.
pub(super) fn unreadable(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "unavailable: needs root".to_string(),
        std::io::ErrorKind::NotFound => "unavailable: no DMI table on this system".to_string(),
        _ => super::source::unavailable(e),
    }
}

/// One memory slot (SMBIOS type 17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MemoryDevice {
    /// Where it sits, e.g. `DIMM_A1`.
    pub locator: String,
    /// The bank, e.g. `BANK 0`.
    pub bank: String,
    /// Its size in bytes; 0 for an empty slot.
    pub size: u64,
    /// DDR4, DDR5, ...
    pub kind: String,
    /// Configured speed in MT/s, when known.
    pub speed: Option<u16>,
    /// Module maker.
    pub manufacturer: String,
    /// Module part number.
    pub part_number: String,
}

/// The memory devices of the node, or why they cannot be read (the table is readable by
/// root only).
pub(super) fn memory_devices(src: &Sources) -> Result<Vec<MemoryDevice>, String> {
    let path = "/sys/firmware/dmi/tables/DMI";
    let table = std::fs::read(src.path(path)).map_err(|e| unreadable(&e))?;
    Ok(parse(&table))
}

/// Decodes the type-17 structures of a raw SMBIOS table. Truncated structures end the walk:
/// what was read before them is kept.
pub(super) fn parse(table: &[u8]) -> Vec<MemoryDevice> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= table.len() {
        let kind = table[at];
        let len = table[at + 1] as usize;
        if len < 4 || at + len > table.len() {
            break;
        }
        let formatted = &table[at..at + len];
        // The strings follow the formatted area and end with two NULs.
        let strings_start = at + len;
        let mut end = strings_start;
        while end + 1 < table.len() && !(table[end] == 0 && table[end + 1] == 0) {
            end += 1;
        }
        let strings: Vec<&[u8]> = table[strings_start..end]
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .collect();
        if kind == 17 {
            out.push(memory_device(formatted, &strings));
        }
        if kind == 127 {
            break;
        }
        at = end + 2;
    }
    out
}

fn memory_device(f: &[u8], strings: &[&[u8]]) -> MemoryDevice {
    let byte = |o: usize| f.get(o).copied().unwrap_or(0);
    let word = |o: usize| u16::from_le_bytes([byte(o), byte(o + 1)]);
    let string = |o: usize| -> String {
        match byte(o) {
            0 => String::new(),
            n => strings
                .get(n as usize - 1)
                .map(|s| String::from_utf8_lossy(s).trim().to_string())
                .unwrap_or_default(),
        }
    };
    // Size: 0 = empty, 0xFFFF = unknown, 0x7FFF = see the extended size (MiB, at 0x1C);
    // bit 15 says KiB instead of MiB.
    let size = match word(0x0C) {
        0 | 0xFFFF => 0,
        0x7FFF => {
            u64::from(u32::from_le_bytes([
                byte(0x1C),
                byte(0x1D),
                byte(0x1E),
                byte(0x1F),
            ])) << 20
        }
        s if s & 0x8000 != 0 => u64::from(s & 0x7FFF) << 10,
        s => u64::from(s) << 20,
    };
    let speed = match (word(0x20), word(0x15)) {
        (0, 0) => None,
        (0, s) | (s, _) => Some(s),
    };
    MemoryDevice {
        locator: string(0x10),
        bank: string(0x11),
        size,
        kind: memory_type(byte(0x12)).to_string(),
        speed: (f.len() > 0x15).then_some(speed).flatten(),
        manufacturer: string(0x17),
        part_number: string(0x1A),
    }
}

fn memory_type(t: u8) -> &'static str {
    match t {
        0x12 => "DDR",
        0x13 => "DDR2",
        0x18 => "DDR3",
        0x1A => "DDR4",
        0x1B => "LPDDR",
        0x1C => "LPDDR2",
        0x1D => "LPDDR3",
        0x1E => "LPDDR4",
        0x22 => "DDR5",
        0x23 => "LPDDR5",
        0x07 => "RAM",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A type-17 structure as firmware writes it: 16 GiB DDR4 at 2666 MT/s, then an empty
    /// slot, then the end-of-table marker.
    fn table() -> Vec<u8> {
        let mut t = Vec::new();
        let mut dimm = vec![0u8; 0x22];
        dimm[0] = 17;
        dimm[1] = 0x22;
        dimm[0x0C..0x0E].copy_from_slice(&16384u16.to_le_bytes());
        dimm[0x10] = 1;
        dimm[0x11] = 2;
        dimm[0x12] = 0x1A;
        dimm[0x15..0x17].copy_from_slice(&2666u16.to_le_bytes());
        dimm[0x17] = 3;
        dimm[0x1A] = 4;
        t.extend(&dimm);
        t.extend(b"DIMM_A1\0BANK 0\0Samsung\0M393A2K43CB2\0\0");
        let mut empty = vec![0u8; 0x22];
        empty[0] = 17;
        empty[1] = 0x22;
        empty[0x10] = 1;
        t.extend(&empty);
        t.extend(b"DIMM_B1\0\0");
        t.extend([127, 4, 0, 0, 0, 0]);
        t
    }

    #[test]
    fn memory_devices_are_decoded() {
        let devices = parse(&table());
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].locator, "DIMM_A1");
        assert_eq!(devices[0].bank, "BANK 0");
        assert_eq!(devices[0].size, 16 << 30);
        assert_eq!(devices[0].kind, "DDR4");
        assert_eq!(devices[0].speed, Some(2666));
        assert_eq!(devices[0].manufacturer, "Samsung");
        assert_eq!(devices[0].part_number, "M393A2K43CB2");
        assert_eq!(devices[1].locator, "DIMM_B1");
        assert_eq!(devices[1].size, 0);
    }

    #[test]
    fn a_truncated_table_keeps_what_was_read() {
        let mut t = table();
        t.truncate(0x22 + 10);
        assert!(parse(&t).len() <= 1);
        assert!(parse(&[17, 200, 0]).is_empty());
    }
}
