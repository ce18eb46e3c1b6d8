//! What changes minute to minute on a node, as Cockpit's overview shows it: memory in use,
//! load, uptime and the file systems' space. Read when asked (cheap: a few files under
//! `/proc` and one statvfs per file system), never cached; what cannot be read is `None`
//! and named in `errors`, never 0.

use serde::{Deserialize, Serialize};

use super::Sources;

/// A node's live facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Live {
    /// Memory, in bytes.
    pub mem_total: Option<u64>,
    /// Memory available to new work (`MemAvailable`), in bytes.
    pub mem_available: Option<u64>,
    /// Load averages over 1, 5 and 15 minutes.
    pub load: Option<[f64; 3]>,
    /// Seconds since boot.
    pub uptime_secs: Option<u64>,
    /// Local file systems with their space.
    #[serde(default)]
    pub filesystems: Vec<Filesystem>,
    /// What could not be read, and why.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// One mounted file system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Filesystem {
    /// Where it is mounted.
    pub mount: String,
    /// Its device.
    pub device: String,
    /// ext4, xfs, ...
    pub fstype: String,
    /// Its size, in bytes.
    pub size: u64,
    /// Free for unprivileged users, in bytes.
    pub free: u64,
}

/// File system types that hold data (not /proc, tmpfs, overlays of containers, ...).
const DATA_FS: [&str; 8] = [
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "f2fs",
];

/// Reads the live facts below `src`'s root.
pub fn read(src: &Sources) -> Live {
    let mut live = Live::default();
    match src.read("/proc/meminfo") {
        Ok(text) => {
            live.mem_total = meminfo(&text, "MemTotal:");
            live.mem_available = meminfo(&text, "MemAvailable:");
        }
        Err(e) => live.errors.push(format!("/proc/meminfo: {e}")),
    }
    match src.read("/proc/loadavg") {
        Ok(text) => live.load = loadavg(&text),
        Err(e) => live.errors.push(format!("/proc/loadavg: {e}")),
    }
    match src.read("/proc/uptime") {
        Ok(text) => {
            live.uptime_secs = text
                .split_whitespace()
                .next()
                .and_then(|s| s.parse::<f64>().ok())
                .map(|s| s as u64);
        }
        Err(e) => live.errors.push(format!("/proc/uptime: {e}")),
    }
    match src.read("/proc/mounts") {
        Ok(text) => {
            let mut seen = std::collections::BTreeSet::new();
            for (device, mount, fstype) in mounts(&text) {
                // One line per device: a bind mount repeats its file system.
                if !DATA_FS.contains(&fstype.as_str()) || !seen.insert(device.clone()) {
                    continue;
                }
                match rustix::fs::statvfs(src.path(&mount)) {
                    Ok(st) => live.filesystems.push(Filesystem {
                        size: st.f_blocks.saturating_mul(st.f_frsize),
                        free: st.f_bavail.saturating_mul(st.f_frsize),
                        mount,
                        device,
                        fstype,
                    }),
                    Err(e) => live.errors.push(format!("{mount}: {e}")),
                }
            }
        }
        Err(e) => live.errors.push(format!("/proc/mounts: {e}")),
    }
    live
}

fn meminfo(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn loadavg(text: &str) -> Option<[f64; 3]> {
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// `(device, mount point, type)` of each line of `/proc/mounts`, octal escapes undone.
fn mounts(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((
                unescape(f.next()?),
                unescape(f.next()?),
                f.next()?.to_string(),
            ))
        })
        .collect()
}

/// `/proc/mounts` writes a space as `\040`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            match u8::from_str_radix(&code, 8) {
                Ok(b) => out.push(b as char),
                Err(_) => {
                    out.push('\\');
                    out.push_str(&code);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_facts_read_from_proc_and_unknown_stays_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let proc = dir.path().join("proc");
        std::fs::create_dir_all(&proc).unwrap();
        std::fs::write(
            proc.join("meminfo"),
            "MemTotal:       16384 kB\nMemFree:  1024 kB\nMemAvailable:    8192 kB\n",
        )
        .unwrap();
        std::fs::write(proc.join("loadavg"), "0.52 0.58 0.59 1/467 12345\n").unwrap();
        std::fs::write(
            proc.join("mounts"),
            "/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sda1 /srv\\040data ext4 rw 0 0\ntmpfs /run tmpfs rw 0 0\n",
        )
        .unwrap();
        let live = read(&Sources::at(dir.path()));
        assert_eq!(live.mem_total, Some(16384 * 1024));
        assert_eq!(live.mem_available, Some(8192 * 1024));
        assert_eq!(live.load, Some([0.52, 0.58, 0.59]));
        assert_eq!(live.uptime_secs, None, "no /proc/uptime: unknown, not 0");
        assert!(live.errors.iter().any(|e| e.starts_with("/proc/uptime")));
        assert_eq!(live.filesystems.len(), 1, "{:?}", live.filesystems);
        assert_eq!(live.filesystems[0].mount, "/");
        assert!(live.filesystems[0].size > 0);
        assert_eq!(unescape("/srv\\040data"), "/srv data");
    }
}
