//! `property`: named values of the node (om3's list), each with its source: `probe` when
//! read from the system, `config` when `[node.properties]` sets it, `default` when nothing
//! knows it. A value that could not be read carries its `error` and a null value.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use super::source::{Sources, rfc3339, unavailable};
use super::{Collected, SourceError};

// The names are the config's too (`[node.properties]` keys are checked against them).
pub use crate::config::properties::NAMES;

fn title(name: &str) -> &'static str {
    match name {
        "nodename" => "Node name",
        "fqdn" => "Fully qualified domain name",
        "version" => "vmyard version",
        "os_name" => "Operating system",
        "os_vendor" => "OS vendor",
        "os_release" => "OS release",
        "os_kernel" => "Kernel",
        "os_arch" => "Architecture",
        "mem_bytes" => "Memory (bytes)",
        "mem_slots" => "Memory slots",
        "mem_banks" => "Memory banks in use",
        "cpu_freq" => "CPU frequency (MHz)",
        "cpu_threads" => "CPU threads",
        "cpu_cores" => "CPU cores",
        "cpu_dies" => "CPU sockets",
        "cpu_model" => "CPU model",
        "serial" => "Serial number",
        "model" => "Model",
        "manufacturer" => "Manufacturer",
        "bios_version" => "BIOS version",
        "sp_version" => "Service processor version",
        "node_env" => "Node environment",
        "asset_env" => "Asset environment",
        "listener_port" => "Listener port",
        "cluster_id" => "Cluster id",
        "enclosure" => "Enclosure",
        "tz" => "Time zone",
        "connect_to" => "Connect to",
        "sec_zone" => "Security zone",
        "last_boot" => "Last boot",
        "boot_id" => "Boot id",
        "loc_country" => "Country",
        "loc_city" => "City",
        "loc_building" => "Building",
        "loc_room" => "Room",
        "loc_rack" => "Rack",
        "loc_addr" => "Address",
        "loc_floor" => "Floor",
        "loc_zip" => "Zip code",
        "team_integ" => "Integration team",
        "team_support" => "Support team",
        _ => "",
    }
}

/// What the property section needs from the service besides the files.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The configured node name, if any.
    pub name: Option<String>,
    /// `[node.properties]`.
    pub overrides: BTreeMap<String, String>,
    /// The HTTPS port the service listens on.
    pub listener_port: u16,
}

/// One property item's `data`.
#[derive(Debug, Clone, Serialize)]
pub struct Property {
    /// Its name, from [`NAMES`].
    pub name: &'static str,
    /// What people call it.
    pub title: &'static str,
    /// The value, null when unknown.
    pub value: Value,
    /// `probe`, `config` or `default`.
    pub source: &'static str,
    /// Why the value could not be read, when it could not.
    pub error: Option<String>,
}

/// The host name the kernel knows.
pub fn hostname(src: &Sources) -> String {
    src.value("/proc/sys/kernel/hostname")
        .unwrap_or_else(|| "localhost".to_string())
}

/// The node's name: `[node].name`, else the host name.
pub fn node_name(src: &Sources, ctx: &Context) -> String {
    ctx.name.clone().unwrap_or_else(|| hostname(src))
}

/// CPU counts and model, from `/proc/cpuinfo`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CpuInfo {
    /// `processor` entries.
    pub threads: usize,
    /// Distinct (physical id, core id) pairs.
    pub cores: usize,
    /// Distinct physical ids.
    pub sockets: usize,
    /// The first `model name`.
    pub model: Option<String>,
    /// The first `cpu MHz`.
    pub mhz: Option<f64>,
}

/// Parses `/proc/cpuinfo`. Architectures without `physical id`/`core id` (some ARM) count
/// one socket and one core per thread.
pub fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    let mut cores = BTreeSet::new();
    let mut sockets = BTreeSet::new();
    for block in text.split("\n\n") {
        let mut physical = None;
        let mut core = None;
        let mut is_cpu = false;
        for line in block.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            match k {
                "processor" => is_cpu = true,
                "physical id" => physical = Some(v.to_string()),
                "core id" => core = Some(v.to_string()),
                "model name" | "Model" if info.model.is_none() => info.model = Some(v.into()),
                "cpu MHz" if info.mhz.is_none() => info.mhz = v.parse().ok(),
                _ => {}
            }
        }
        if !is_cpu {
            continue;
        }
        info.threads += 1;
        let p = physical.unwrap_or_default();
        let c = core.unwrap_or_else(|| info.threads.to_string());
        sockets.insert(p.clone());
        cores.insert((p, c));
    }
    info.cores = cores.len();
    info.sockets = sockets.len();
    info
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
pub fn parse_memtotal(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A `KEY=value` file such as `/etc/os-release`, quotes removed.
fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_string(),
                v.trim().trim_matches('"').trim_matches('\'').to_string(),
            )
        })
        .collect()
}

/// The first name with a dot that `/etc/hosts` gives the host, else the host name: what
/// `hostname -f` answers on a node whose resolver reads the hosts file first.
fn fqdn(src: &Sources, host: &str) -> String {
    let hosts = src.read("/etc/hosts").unwrap_or_default();
    for line in hosts.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let names: Vec<&str> = line.split_whitespace().skip(1).collect();
        if names
            .iter()
            .any(|n| *n == host || n.split('.').next() == Some(host))
            && let Some(full) = names
                .iter()
                .find(|n| n.contains('.') && n.split('.').next() == Some(host))
        {
            return full.to_string();
        }
    }
    host.to_string()
}

/// The time zone: `/etc/timezone`, else where `/etc/localtime` points.
fn timezone(src: &Sources) -> Option<String> {
    src.value("/etc/timezone").or_else(|| {
        let target = std::fs::read_link(src.path("/etc/localtime")).ok()?;
        let s = target.to_string_lossy();
        s.split_once("zoneinfo/").map(|(_, z)| z.to_string())
    })
}

/// The boot time from `btime` in `/proc/stat`.
fn last_boot(src: &Sources) -> Result<Option<String>, String> {
    let stat = src.read("/proc/stat").map_err(|e| unavailable(&e))?;
    Ok(stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
        .and_then(rfc3339))
}

/// Collects every property.
pub fn collect(src: &Sources, ctx: &Context) -> Collected {
    let mut probed: BTreeMap<&'static str, Result<Value, String>> = BTreeMap::new();
    let mut errors = Vec::new();
    let host = hostname(src);
    probed.insert("nodename", Ok(json!(node_name(src, ctx))));
    probed.insert("fqdn", Ok(json!(fqdn(src, &host))));
    probed.insert("version", Ok(json!(env!("CARGO_PKG_VERSION"))));
    probed.insert(
        "os_name",
        Ok(json!(
            src.value("/proc/sys/kernel/ostype")
                .unwrap_or_else(|| "Linux".into())
        )),
    );
    match src.read("/etc/os-release") {
        Ok(text) => {
            let os = parse_env_file(&text);
            let vendor = os.get("NAME").cloned().map(Value::from);
            probed.insert("os_vendor", Ok(vendor.unwrap_or(Value::Null)));
            let release = os.get("VERSION_ID").or(os.get("VERSION")).cloned();
            probed.insert(
                "os_release",
                Ok(release.map(Value::from).unwrap_or_default()),
            );
        }
        Err(e) => {
            errors.push(SourceError::new("/etc/os-release", &e));
            probed.insert("os_vendor", Err(unavailable(&e)));
            probed.insert("os_release", Err(unavailable(&e)));
        }
    }
    probed.insert(
        "os_kernel",
        src.value("/proc/sys/kernel/osrelease")
            .map(Value::from)
            .ok_or_else(|| "unavailable: /proc/sys/kernel/osrelease".to_string()),
    );
    probed.insert(
        "os_arch",
        Ok(json!(
            src.value("/proc/sys/kernel/arch")
                .unwrap_or_else(|| std::env::consts::ARCH.to_string())
        )),
    );
    match src.read("/proc/meminfo") {
        Ok(text) => {
            probed.insert("mem_bytes", Ok(json!(parse_memtotal(&text))));
        }
        Err(e) => {
            errors.push(SourceError::new("/proc/meminfo", &e));
            probed.insert("mem_bytes", Err(unavailable(&e)));
        }
    }
    match super::dmi::memory_devices(src) {
        Ok(devices) => {
            probed.insert("mem_slots", Ok(json!(devices.len())));
            let used = devices.iter().filter(|d| d.size > 0).count();
            probed.insert("mem_banks", Ok(json!(used)));
        }
        Err(e) => {
            probed.insert("mem_slots", Err(e.clone()));
            probed.insert("mem_banks", Err(e));
        }
    }
    match src.read("/proc/cpuinfo") {
        Ok(text) => {
            let cpu = parse_cpuinfo(&text);
            probed.insert("cpu_threads", Ok(json!(cpu.threads)));
            probed.insert("cpu_cores", Ok(json!(cpu.cores)));
            probed.insert("cpu_dies", Ok(json!(cpu.sockets)));
            probed.insert("cpu_model", Ok(json!(cpu.model)));
            let max_khz = src
                .value("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
                .and_then(|v| v.parse::<u64>().ok());
            let mhz = max_khz
                .map(|k| k / 1000)
                .or(cpu.mhz.map(|m| m.round() as u64));
            probed.insert("cpu_freq", Ok(json!(mhz)));
        }
        Err(e) => {
            errors.push(SourceError::new("/proc/cpuinfo", &e));
            for n in [
                "cpu_threads",
                "cpu_cores",
                "cpu_dies",
                "cpu_model",
                "cpu_freq",
            ] {
                probed.insert(n, Err(unavailable(&e)));
            }
        }
    }
    for (name, file) in [
        ("serial", "product_serial"),
        ("model", "product_name"),
        ("manufacturer", "sys_vendor"),
        ("bios_version", "bios_version"),
        ("enclosure", "chassis_asset_tag"),
    ] {
        let path = format!("/sys/class/dmi/id/{file}");
        let value = match src.read(&path) {
            Ok(v) => Ok(Value::from(v.trim())),
            Err(e) if name == "enclosure" && e.kind() != std::io::ErrorKind::PermissionDenied => {
                Ok(Value::Null)
            }
            Err(e) => Err(super::dmi::unreadable(&e)),
        };
        probed.insert(name, value);
    }
    probed.insert("listener_port", Ok(json!(ctx.listener_port)));
    probed.insert("tz", Ok(json!(timezone(src))));
    probed.insert("last_boot", last_boot(src).map(|v| json!(v)));
    probed.insert(
        "boot_id",
        src.value("/proc/sys/kernel/random/boot_id")
            .map(Value::from)
            .ok_or_else(|| "unavailable: /proc/sys/kernel/random/boot_id".to_string()),
    );

    let items: Vec<Property> = NAMES
        .iter()
        .map(|name| {
            if let Some(v) = ctx.overrides.get(*name) {
                return Property {
                    name,
                    title: title(name),
                    value: json!(v),
                    source: "config",
                    error: None,
                };
            }
            match probed.remove(name) {
                Some(Ok(value)) => Property {
                    name,
                    title: title(name),
                    source: if value.is_null() { "default" } else { "probe" },
                    value,
                    error: None,
                },
                Some(Err(error)) => Property {
                    name,
                    title: title(name),
                    value: Value::Null,
                    source: "probe",
                    error: Some(error),
                },
                None => Property {
                    name,
                    title: title(name),
                    value: Value::Null,
                    source: "default",
                    error: None,
                },
            }
        })
        .collect();
    Collected::from_items(&items, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuinfo_counts_threads_cores_and_sockets() {
        let text = "processor\t: 0\nmodel name\t: Xeon\ncpu MHz\t\t: 2600.123\nphysical id\t: 0\ncore id\t\t: 0\n\n\
                    processor\t: 1\nmodel name\t: Xeon\nphysical id\t: 0\ncore id\t\t: 0\n\n\
                    processor\t: 2\nmodel name\t: Xeon\nphysical id\t: 1\ncore id\t\t: 0\n\n";
        let cpu = parse_cpuinfo(text);
        assert_eq!(cpu.threads, 3);
        assert_eq!(cpu.cores, 2);
        assert_eq!(cpu.sockets, 2);
        assert_eq!(cpu.model.as_deref(), Some("Xeon"));
        assert_eq!(cpu.mhz.map(|m| m.round()), Some(2600.0));
    }

    #[test]
    fn overrides_win_and_missing_files_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let src = Sources::at(dir.path());
        let ctx = Context {
            name: Some("n1".into()),
            overrides: [("loc_city".to_string(), "Paris".to_string())].into(),
            listener_port: 8443,
        };
        let c = collect(&src, &ctx);
        let get = |n: &str| c.items.iter().find(|i| i["name"] == n).unwrap().clone();
        assert_eq!(c.items.len(), NAMES.len());
        assert_eq!(get("nodename")["value"], "n1");
        assert_eq!(get("loc_city")["value"], "Paris");
        assert_eq!(get("loc_city")["source"], "config");
        assert_eq!(get("loc_room")["source"], "default");
        assert_eq!(get("listener_port")["value"], 8443);
        assert_eq!(get("mem_bytes")["value"], Value::Null);
        assert!(
            get("mem_bytes")["error"]
                .as_str()
                .unwrap()
                .contains("unavailable")
        );
        assert!(c.errors.iter().any(|e| e.source == "/proc/meminfo"));
        // A machine without SMBIOS says so, rather than leaving its serial blank.
        assert_eq!(
            get("serial")["error"],
            "unavailable: no DMI table on this system"
        );
        assert_eq!(
            get("mem_slots")["error"],
            "unavailable: no DMI table on this system"
        );
    }

    #[test]
    fn a_dmi_file_only_root_may_read_says_it_needs_root() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(
            super::super::dmi::unreadable(&denied),
            "unavailable: needs root"
        );
    }

    #[test]
    fn fqdn_comes_from_the_hosts_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::fs::write(
            dir.path().join("etc/hosts"),
            "127.0.0.1 localhost\n10.0.0.5 mgmt1.example.com mgmt1 # main\n",
        )
        .unwrap();
        let src = Sources::at(dir.path());
        assert_eq!(fqdn(&src, "mgmt1"), "mgmt1.example.com");
        assert_eq!(fqdn(&src, "other"), "other");
    }
}
