//! `package`: installed packages. Debian's are read from `/var/lib/dpkg/status` (their
//! install time from the mtime of the package's file list); RPM's database has no stable
//! file format to read, so there, and only there, `rpm -qa` is run.

use std::cmp::Ordering;
use std::process::Command;

use serde::Serialize;

use super::source::{Sources, rfc3339};
use super::{Collected, SourceError};

/// One package item's `data`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Architecture (`amd64`, `all`, `x86_64`, `noarch`).
    pub arch: String,
    /// `deb` or `rpm`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it was installed or last upgraded (RFC 3339), null when unknown.
    pub installedat: Option<String>,
    /// The signature key of an rpm; empty for debs, which are not signed one by one.
    pub sig: String,
}

/// The fields of one dpkg status stanza that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpkgEntry<'a> {
    /// `Package`.
    pub name: &'a str,
    /// `Version`.
    pub version: &'a str,
    /// `Architecture`.
    pub arch: &'a str,
}

/// The installed packages of a dpkg status file (state `installed`, whatever is wanted:
/// `ii` and `hi` alike, as `dpkg-query` shows them).
pub fn parse_dpkg_status(text: &str) -> Vec<DpkgEntry<'_>> {
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let (mut name, mut version, mut arch, mut installed) = ("", "", "", false);
        for line in stanza.lines() {
            if let Some(v) = line.strip_prefix("Package: ") {
                name = v.trim();
            } else if let Some(v) = line.strip_prefix("Version: ") {
                version = v.trim();
            } else if let Some(v) = line.strip_prefix("Architecture: ") {
                arch = v.trim();
            } else if let Some(v) = line.strip_prefix("Status: ") {
                installed = v.split_whitespace().nth(2) == Some("installed");
            }
        }
        if installed && !name.is_empty() {
            out.push(DpkgEntry {
                name,
                version,
                arch,
            });
        }
    }
    out
}

fn debs(src: &Sources, text: &str) -> Vec<Package> {
    let info = src.path("/var/lib/dpkg/info");
    parse_dpkg_status(text)
        .into_iter()
        .map(|e| {
            // Multi-arch packages of a foreign or `same` architecture name their list
            // `name:arch.list`; the others `name.list`.
            let qualified = info.join(format!("{}:{}.list", e.name, e.arch));
            let plain = info.join(format!("{}.list", e.name));
            let mtime = std::fs::metadata(&qualified)
                .or_else(|_| std::fs::metadata(&plain))
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| rfc3339(d.as_secs() as i64));
            Package {
                name: e.name.to_string(),
                version: e.version.to_string(),
                arch: e.arch.to_string(),
                kind: "deb",
                installedat: mtime,
                sig: String::new(),
            }
        })
        .collect()
}

fn rpms() -> Result<Vec<Package>, String> {
    let out = Command::new("rpm")
        .args([
            "-qa",
            "--queryformat",
            "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{INSTALLTIME}\\t%|SIGPGP?{%{SIGPGP:pgpsig}}:{}|\\n",
        ])
        .output()
        .map_err(|e| format!("cannot run rpm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rpm -qa failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 4).then(|| Package {
                name: f[0].into(),
                version: f[1].into(),
                arch: f[2].into(),
                kind: "rpm",
                installedat: f[3].parse().ok().and_then(rfc3339),
                sig: f.get(4).map(|s| s.to_string()).unwrap_or_default(),
            })
        })
        .collect())
}

/// Collects the installed packages of every package manager present.
pub fn collect(src: &Sources) -> Collected {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let dpkg = src.read("/var/lib/dpkg/status");
    match &dpkg {
        Ok(text) => items.extend(debs(src, text)),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            errors.push(SourceError::new("/var/lib/dpkg/status", e));
        }
        Err(_) => {}
    }
    if src.path("/var/lib/rpm").is_dir() && src.path("/").as_os_str() == "/" {
        match rpms() {
            Ok(r) => items.extend(r),
            Err(e) => errors.push(SourceError::new("rpm", e)),
        }
    } else if dpkg.is_err() {
        errors.push(SourceError::new(
            "package database",
            "neither /var/lib/dpkg/status nor an rpm database was found",
        ));
    }
    items.sort_by(|a, b| (&a.name, &a.arch, a.kind).cmp(&(&b.name, &b.arch, b.kind)));
    Collected::from_items(&items, errors)
}

/// Compares two Debian versions as `dpkg --compare-versions` does: epoch, then upstream
/// version and revision, each compared in alternating non-digit and digit runs, where `~`
/// sorts before everything, even the end of the string.
pub fn compare_deb_versions(a: &str, b: &str) -> Ordering {
    fn split(v: &str) -> (u64, &str, &str) {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
            _ => (0, v),
        };
        match rest.rsplit_once('-') {
            Some((up, rev)) => (epoch, up, rev),
            None => (epoch, rest, ""),
        }
    }
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| compare_part(ua, ub))
        .then_with(|| compare_part(ra, rb))
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit run.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let cb = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            let (oa, ob) = (order(ca), order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            if ca.is_some() {
                i += 1;
            }
            if cb.is_some() {
                j += 1;
            }
        }
        // The digit run, compared as numbers.
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let na = std::str::from_utf8(&a[si..i])
            .unwrap_or("0")
            .trim_start_matches('0');
        let nb = std::str::from_utf8(&b[sj..j])
            .unwrap_or("0")
            .trim_start_matches('0');
        let c = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_installed_packages_are_kept() {
        let text = "Package: a\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n\
                    Package: b\nStatus: deinstall ok config-files\nVersion: 2\nArchitecture: all\n\n\
                    Package: c\nStatus: hold ok installed\nArchitecture: all\nVersion: 3\nDescription: x\n two\n";
        let p = parse_dpkg_status(text);
        let names: Vec<_> = p.iter().map(|e| e.name).collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(p[1].version, "3");
    }

    #[test]
    fn debian_versions_compare_like_dpkg() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0", "1.0", Equal),
            ("1.0", "1.1", Less),
            ("1.10", "1.9", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0+deb12u1", Less),
            ("1:0.9", "2.0", Greater),
            ("2.36.1-8+deb11u1", "2.36.1-8+deb11u2", Less),
            ("1.0-1", "1.0-1~bpo1", Greater),
            ("252.30-1~deb12u2", "252.31-1~deb12u1", Less),
            ("1.0a", "1.0", Greater),
            ("1.0a", "1.0.", Less),
        ] {
            assert_eq!(compare_deb_versions(a, b), want, "{a} vs {b}");
        }
    }
}
