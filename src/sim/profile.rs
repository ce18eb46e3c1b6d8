//! Which engine the simulator plays: its version, and the optional endpoints it lacks.
//!
//! Real engines differ. An engine older than 4.4 has no `options/ServerCPUList`, and the
//! collector must still load to parity and say what it could not read. The profile lets a
//! test or a demo play such an engine: the version goes into the API root's
//! `product_info.version`, and a missing endpoint answers 404 with an empty body, as the
//! engine's REST layer does for a path it does not know.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The engine the simulator plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EngineProfile {
    /// The engine's full version (`4.2.8.2-1.el7`); empty keeps the inventory's own.
    pub version: String,
    /// API paths (relative to `/ovirt-engine/api/`, without a query) that answer 404. A
    /// `*` segment stands for any one segment: `vms/*/numanodes` is every VM's NUMA nodes.
    pub missing: Vec<String>,
}

impl EngineProfile {
    /// Whether a request path (`/ovirt-engine/api/options/ServerCPUList`) is one the engine lacks.
    pub fn lacks(&self, path: &str) -> bool {
        let rel = path
            .strip_prefix("/ovirt-engine/api")
            .unwrap_or(path)
            .trim_matches('/');
        self.missing.iter().any(|m| {
            let pattern = m.trim_matches('/').split('/');
            let mut segments = rel.split('/');
            pattern
                .map(|p| (p, segments.next()))
                .all(|(p, seg)| seg.is_some_and(|seg| p == "*" || p == seg))
                && segments.next().is_none()
        })
    }

    /// Writes the version into an API root document, as the engine reports it: the full
    /// version, and its major, minor and build parts as strings.
    pub fn apply_version(&self, root: &mut Value) -> Result<(), String> {
        if self.version.is_empty() {
            return Ok(());
        }
        let (numbers, _) = self
            .version
            .split_once('-')
            .unwrap_or((self.version.as_str(), ""));
        let parts: Vec<&str> = numbers.split('.').collect();
        if parts.len() < 2 || parts.iter().any(|p| p.parse::<u32>().is_err()) {
            return Err(format!(
                "`{}` is not an engine version like 4.2.8.2-1.el7",
                self.version
            ));
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or("0");
        // The engine's own `revision` is "0" (4.4.10.6 reports build "10", revision "0").
        root["product_info"]["version"] = json!({
            "build": part(2),
            "full_version": self.version,
            "major": part(0),
            "minor": part(1),
            "revision": "0",
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_matches_with_or_without_the_api_prefix() {
        let p = EngineProfile {
            version: String::new(),
            missing: vec!["options/ServerCPUList".into()],
        };
        assert!(p.lacks("/ovirt-engine/api/options/ServerCPUList"));
        assert!(p.lacks("options/ServerCPUList/"));
        assert!(!p.lacks("/ovirt-engine/api/options"));
        assert!(!p.lacks("/ovirt-engine/api/vms"));
    }

    #[test]
    fn a_star_stands_for_one_segment() {
        let p = EngineProfile {
            version: String::new(),
            missing: vec!["vms/*/numanodes".into()],
        };
        assert!(p.lacks("/ovirt-engine/api/vms/123/numanodes"));
        assert!(!p.lacks("/ovirt-engine/api/vms/123"));
        assert!(!p.lacks("/ovirt-engine/api/vms/123/nics"));
        assert!(!p.lacks("/ovirt-engine/api/vms/123/numanodes/4"));
        assert!(!p.lacks("/ovirt-engine/api/vms"));
    }

    #[test]
    fn the_version_goes_where_the_engine_puts_it() {
        let p = EngineProfile {
            version: "4.2.8.2-1.el7".into(),
            missing: vec![],
        };
        let mut root = json!({"product_info": {"name": "oVirt Engine", "version": {}}});
        p.apply_version(&mut root).unwrap();
        assert_eq!(
            root["product_info"]["version"],
            json!({"build": "8", "full_version": "4.2.8.2-1.el7", "major": "4", "minor": "2", "revision": "0"})
        );
        assert_eq!(root["product_info"]["name"], "oVirt Engine");
        let bad = EngineProfile {
            version: "four".into(),
            missing: vec![],
        };
        assert!(bad.apply_version(&mut root).is_err());
    }
}
