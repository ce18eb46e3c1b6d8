//! `san/initiator` and `san/path`: Fibre Channel from the `fc_host` and `fc_remote_ports`
//! classes of sysfs, iSCSI from the initiator name file and the kernel's sessions.

use serde::Serialize;

use super::source::Sources;
use super::{Collected, SourceError};

/// An initiator or a target.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Endpoint {
    /// WWPN (`0x500143802426baf4`) or IQN.
    pub name: String,
    /// `fc`, `fcoe` or `iscsi`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// One path: an initiator and a target it reaches.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct SanPath {
    /// The local end.
    pub initiator: Endpoint,
    /// The far end.
    pub target: Endpoint,
}

fn value(p: &std::path::Path) -> String {
    Sources::value_at(p).unwrap_or_default()
}

/// FC hosts: `hostN` → its WWPN and whether it is FCoE.
fn fc_hosts(src: &Sources) -> Vec<(String, Endpoint)> {
    let Ok(hosts) = src.entries("/sys/class/fc_host") else {
        return Vec::new();
    };
    hosts
        .into_iter()
        .map(|(host, dir)| {
            // FCoE hosts are virtual ports of an Ethernet adapter: the fcoe driver names
            // them so in their symbolic name.
            let symbolic = value(&dir.join("symbolic_name")).to_lowercase();
            let kind = if symbolic.contains("fcoe") {
                "fcoe"
            } else {
                "fc"
            };
            (
                host,
                Endpoint {
                    name: value(&dir.join("port_name")),
                    kind,
                },
            )
        })
        .collect()
}

/// The iSCSI initiator name, from `/etc/iscsi/initiatorname.iscsi`.
fn iscsi_initiator(src: &Sources) -> Option<String> {
    let text = src.read("/etc/iscsi/initiatorname.iscsi").ok()?;
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|l| l.trim().strip_prefix("InitiatorName="))
        .map(|s| s.trim().to_string())
}

/// Collects the initiators.
pub(super) fn initiators(src: &Sources) -> Collected {
    let mut items: Vec<Endpoint> = fc_hosts(src).into_iter().map(|(_, e)| e).collect();
    if let Some(iqn) = iscsi_initiator(src) {
        items.push(Endpoint {
            name: iqn,
            kind: "iscsi",
        });
    }
    items.sort();
    items.dedup();
    Collected::from_items(&items, Vec::new())
}

/// Collects the paths: FC remote ports with the target role, and iSCSI sessions.
pub(super) fn paths(src: &Sources) -> Collected {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let hosts = fc_hosts(src);
    if let Ok(rports) = src.entries("/sys/class/fc_remote_ports") {
        for (name, dir) in rports {
            if !value(&dir.join("roles")).contains("FCP Target") {
                continue;
            }
            // `rport-H:B-R` belongs to `hostH`.
            let host = name
                .strip_prefix("rport-")
                .and_then(|r| r.split(':').next())
                .map(|h| format!("host{h}"));
            let Some(initiator) = hosts.iter().find(|(h, _)| Some(h) == host.as_ref()) else {
                errors.push(SourceError::new(
                    dir.display().to_string(),
                    "no FC host for this remote port",
                ));
                continue;
            };
            items.push(SanPath {
                initiator: initiator.1.clone(),
                target: Endpoint {
                    name: value(&dir.join("port_name")),
                    kind: initiator.1.kind,
                },
            });
        }
    }
    let iqn = iscsi_initiator(src);
    if let Ok(sessions) = src.entries("/sys/class/iscsi_session") {
        for (_, dir) in sessions {
            let target = value(&dir.join("targetname"));
            let initiator = Some(value(&dir.join("initiatorname")))
                .filter(|s| !s.is_empty())
                .or_else(|| iqn.clone())
                .unwrap_or_default();
            if target.is_empty() {
                continue;
            }
            items.push(SanPath {
                initiator: Endpoint {
                    name: initiator,
                    kind: "iscsi",
                },
                target: Endpoint {
                    name: target,
                    kind: "iscsi",
                },
            });
        }
    }
    items.sort();
    items.dedup();
    Collected::from_items(&items, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fc_and_iscsi_initiators_and_paths() {
        let dir = tempfile::tempdir().unwrap();
        let w = |p: &str, v: &str| {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        };
        w("sys/class/fc_host/host3/port_name", "0x500143802426baf4\n");
        w("sys/class/fc_host/host3/symbolic_name", "QLE2562 FW:v8\n");
        w(
            "sys/class/fc_remote_ports/rport-3:0-1/port_name",
            "0x50060e8007e2b520\n",
        );
        w(
            "sys/class/fc_remote_ports/rport-3:0-1/roles",
            "FCP Target\n",
        );
        w("sys/class/fc_remote_ports/rport-3:0-2/port_name", "0x1\n");
        w(
            "sys/class/fc_remote_ports/rport-3:0-2/roles",
            "FCP Initiator\n",
        );
        w(
            "etc/iscsi/initiatorname.iscsi",
            "## comment\nInitiatorName=iqn.2009-11.com.example:node-a\n",
        );
        w(
            "sys/class/iscsi_session/session1/targetname",
            "iqn.2009-11.com.example:target.1\n",
        );
        let src = Sources::at(dir.path());
        let i = initiators(&src);
        assert_eq!(i.items.len(), 2);
        assert_eq!(i.items[0]["type"], "fc");
        assert_eq!(i.items[1]["name"], "iqn.2009-11.com.example:node-a");
        let p = paths(&src);
        assert_eq!(p.items.len(), 2, "{:?}", p.items);
        assert_eq!(p.items[0]["target"]["name"], "0x50060e8007e2b520");
        assert_eq!(
            p.items[1]["initiator"]["name"],
            "iqn.2009-11.com.example:node-a"
        );
        assert_eq!(p.items[1]["target"]["type"], "iscsi");
    }
}
