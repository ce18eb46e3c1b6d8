//! `patch`: pending updates, from the package lists apt already downloaded into
//! `/var/lib/apt/lists` (plain or lz4, as Debian's images keep them). Nothing is fetched:
//! the answer is as fresh as the node's last `apt update`. The candidate is the highest
//! version any list offers (apt pinning is not applied); an update is a security update when
//! a `-security` list offers a newer version than the installed one.

use std::collections::HashMap;
use std::io::Read;

use serde::Serialize;

use super::package::{compare_deb_versions, parse_dpkg_status};
use super::source::Sources;
use super::{Collected, SourceError};

/// One patch item's `data`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Patch {
    /// Package name.
    pub name: String,
    /// The version installed now.
    pub installed_version: String,
    /// The highest version the lists offer.
    pub available_version: String,
    /// Whether a security list offers the update; null when no security list is known.
    pub security: Option<bool>,
    /// `deb` or `rpm`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

struct Best {
    version: String,
    security: bool,
}

/// Reads one list file, decompressing lz4; other compressions are reported.
fn read_list(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let name = path.to_string_lossy();
    let raw = std::fs::read(path).map_err(|e| e.to_string())?;
    if name.ends_with("_Packages") {
        return Ok(raw);
    }
    if name.ends_with(".lz4") {
        let mut out = Vec::with_capacity(raw.len() * 5);
        lz4_flex::frame::FrameDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("lz4: {e}"))?;
        return Ok(out);
    }
    Err("compressed in a format not read here (only plain and lz4 lists are)".into())
}

/// Walks the stanzas of a Packages list and offers each (name, arch, version) to `offer`.
/// Works on bytes, line by line: a Debian main list is tens of megabytes.
fn scan(list: &[u8], mut offer: impl FnMut(&[u8], &[u8], &[u8])) {
    let (mut name, mut version, mut arch): (&[u8], &[u8], &[u8]) = (b"", b"", b"");
    let mut start = 0;
    let mut flush = |name: &mut &[u8], version: &mut &[u8], arch: &mut &[u8]| {
        if !name.is_empty() && !version.is_empty() {
            offer(name, arch, version);
        }
        *name = b"";
        *version = b"";
        *arch = b"";
    };
    for end in memchr::memchr_iter(b'\n', list).chain(std::iter::once(list.len())) {
        let line = &list[start..end];
        start = end + 1;
        if line.is_empty() {
            flush(&mut name, &mut version, &mut arch);
        } else if let Some(v) = line.strip_prefix(b"Package: ") {
            name = v;
        } else if let Some(v) = line.strip_prefix(b"Version: ") {
            version = v;
        } else if let Some(v) = line.strip_prefix(b"Architecture: ") {
            arch = v;
        }
    }
    flush(&mut name, &mut version, &mut arch);
}

/// Collects the pending updates of the installed debs.
pub(super) fn collect(src: &Sources) -> Collected {
    let mut errors = Vec::new();
    let status = match src.read("/var/lib/dpkg/status") {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let msg = if src.path("/var/lib/rpm").is_dir() {
                "pending rpm updates are not read yet (no dpkg database on this node)"
            } else {
                "no package database on this node"
            };
            return Collected::from_items::<Patch>(&[], vec![SourceError::new("patch", msg)]);
        }
        Err(e) => {
            return Collected::from_items::<Patch>(
                &[],
                vec![SourceError::new("/var/lib/dpkg/status", e)],
            );
        }
    };
    let installed: HashMap<(&str, &str), &str> = parse_dpkg_status(&status)
        .into_iter()
        .map(|e| ((e.name, e.arch), e.version))
        .collect();
    let lists = match src.entries("/var/lib/apt/lists") {
        Ok(l) => l,
        Err(e) => {
            return Collected::from_items::<Patch>(
                &[],
                vec![SourceError::new("/var/lib/apt/lists", e)],
            );
        }
    };
    let mut best: HashMap<(String, String), Best> = HashMap::new();
    let mut saw_security = false;
    for (file, path) in lists {
        if !(file.ends_with("_Packages") || file.contains("_Packages.")) {
            continue;
        }
        let list = match read_list(&path) {
            Ok(l) => l,
            Err(e) => {
                errors.push(SourceError::new(path.display().to_string(), e));
                continue;
            }
        };
        let security = file.contains("-security") || file.contains("_security_");
        saw_security |= security;
        scan(&list, |name, arch, version| {
            let (Ok(name), Ok(arch), Ok(version)) = (
                std::str::from_utf8(name),
                std::str::from_utf8(arch),
                std::str::from_utf8(version),
            ) else {
                return;
            };
            let Some(current) = installed.get(&(name, arch)) else {
                return;
            };
            if compare_deb_versions(version, current).is_le() {
                return;
            }
            let key = (name.to_string(), arch.to_string());
            let entry = best.entry(key).or_insert_with(|| Best {
                version: version.to_string(),
                security: false,
            });
            entry.security |= security;
            if compare_deb_versions(version, &entry.version).is_gt() {
                entry.version = version.to_string();
            }
        });
    }
    let mut items: Vec<Patch> = best
        .into_iter()
        .map(|((name, arch), b)| Patch {
            installed_version: installed[&(name.as_str(), arch.as_str())].to_string(),
            // A package installed for several architectures is named with its own.
            name: if installed.keys().filter(|(n, _)| *n == name).count() == 1 {
                name
            } else {
                format!("{name}:{arch}")
            },
            available_version: b.version,
            security: saw_security.then_some(b.security),
            kind: "deb",
        })
        .collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Collected::from_items(&items, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_versions_in_the_lists_are_pending_updates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
        std::fs::create_dir_all(root.join("var/lib/apt/lists")).unwrap();
        std::fs::write(
            root.join("var/lib/dpkg/status"),
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u4\n\n\
             Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\n\n\
             Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b7\n",
        )
        .unwrap();
        let main = "Package: libc6\nVersion: 2.36-9+deb12u7\nArchitecture: amd64\n\n\
                    Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\n\n\
                    Package: bash\nVersion: 5.2.15-2+b7\nArchitecture: amd64\n";
        std::fs::write(
            root.join(
                "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages",
            ),
            main,
        )
        .unwrap();
        let security = "Package: libc6\nVersion: 2.36-9+deb12u9\nArchitecture: amd64\n";
        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        std::io::Write::write_all(&mut lz4, security.as_bytes()).unwrap();
        std::fs::write(
            root.join("var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4"),
            lz4.finish().unwrap(),
        )
        .unwrap();
        std::fs::write(
            root.join("var/lib/apt/lists/x_dists_y_main_binary-amd64_Packages.xz"),
            "xz",
        )
        .unwrap();
        let c = collect(&Sources::at(root));
        assert_eq!(c.items.len(), 2, "{:?}", c.items);
        assert_eq!(c.items[0]["name"], "libc6");
        assert_eq!(c.items[0]["available_version"], "2.36-9+deb12u9");
        assert_eq!(c.items[0]["installed_version"], "2.36-9+deb12u4");
        assert_eq!(c.items[0]["security"], true);
        assert_eq!(c.items[1]["name"], "tzdata");
        assert_eq!(c.items[1]["security"], false);
        assert_eq!(c.errors.len(), 1, "the xz list is reported: {:?}", c.errors);
    }
}
