//! GenerateMachineClassForMigration: turns the oVirt machine provider spec of the OpenShift
//! machine API (`OvirtMachineProviderSpec`) into a vmyard machine class, so a site can take
//! over the classes it already has.

use serde_json::Value;

use super::{Code, DriverResult, ForeignClass, MachineError};
use crate::machines::model::{CpuTopology, MachineClass, MachineTags};

/// The kinds this driver can convert.
pub const KNOWN_KINDS: [&str; 2] = ["OvirtMachineProviderSpec", "OvirtMachineClass"];

/// Converts `foreign` into a class of the configured `provider`.
///
/// Field mapping: `cluster_id` → cluster, `template_name` → template, `clone` → clone,
/// `cpu {sockets, cores, threads}` → cpu, `memory_mb` → memory, the first
/// `network_interfaces[].vnic_profile_id` → vNIC profile, `storage_domain_id` → storage
/// domain, `user_data_secret.name` → user data reference. The tags come from the machine
/// API's labels (`machine.openshift.io/cluster-api-cluster` and `...-machine-role`), or
/// else from the class name and the role `worker`.
pub fn convert(foreign: &ForeignClass, provider: &str) -> DriverResult<MachineClass> {
    if !KNOWN_KINDS.contains(&foreign.kind.as_str()) {
        return Err(MachineError::new(
            Code::Unimplemented,
            format!(
                "cannot convert a machine class of kind {:?}; known kinds: {}",
                foreign.kind,
                KNOWN_KINDS.join(", ")
            ),
        ));
    }
    let spec = &foreign.spec;
    let text = |key: &str| spec[key].as_str().map(str::to_string);
    let number = |v: &Value| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    let missing = |key: &str| {
        MachineError::new(
            Code::InvalidArgument,
            format!("the {} has no {key}", foreign.kind),
        )
    };
    let cluster = text("cluster_id").ok_or_else(|| missing("cluster_id"))?;
    let template = text("template_name").ok_or_else(|| missing("template_name"))?;
    let cpu = match &spec["cpu"] {
        Value::Null => None,
        cpu => Some(CpuTopology {
            sockets: number(&cpu["sockets"]).unwrap_or(1) as u32,
            cores: number(&cpu["cores"]).unwrap_or(1) as u32,
            threads: number(&cpu["threads"]).unwrap_or(1) as u32,
        }),
    };
    let labels = &spec["metadata"]["labels"];
    let infra = labels["machine.openshift.io/cluster-api-cluster"]
        .as_str()
        .unwrap_or(&foreign.name);
    let role = labels["machine.openshift.io/cluster-api-machine-role"]
        .as_str()
        .unwrap_or("worker");
    let name = if foreign.name.is_empty() {
        format!("{infra}-{role}")
    } else {
        foreign.name.clone()
    };
    let class = MachineClass {
        name,
        provider: provider.to_string(),
        cluster,
        template,
        clone: spec["clone"]
            .as_bool()
            .or_else(|| spec["clone"].as_str().map(|s| s == "true"))
            .unwrap_or(true),
        cpu,
        memory_mib: number(&spec["memory_mb"]),
        vnic_profile: spec["network_interfaces"][0]["vnic_profile_id"]
            .as_str()
            .map(str::to_string),
        storage_domain: text("storage_domain_id"),
        user_data: None,
        user_data_ref: spec["user_data_secret"]["name"]
            .as_str()
            .map(str::to_string),
        tags: MachineTags {
            cluster: format!("kubernetes.io-cluster-{infra}"),
            role: format!("kubernetes.io-role-{role}"),
        },
    };
    class.check()?;
    Ok(class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn openshift_spec() -> ForeignClass {
        ForeignClass {
            kind: "OvirtMachineProviderSpec".into(),
            name: "ocp-worker".into(),
            spec: json!({
                "cluster_id": "b0c5d6e2-1111-4c1e-9d5e-7f0a0c1d2e3f",
                "template_name": "ocp-rhcos",
                "cpu": {"sockets": 1, "cores": 4, "threads": 1},
                "memory_mb": 16384,
                "network_interfaces": [{"vnic_profile_id": "0000000a-000a-000a-000a-000000000398"}],
                "storage_domain_id": "sd-1",
                "user_data_secret": {"name": "worker-user-data"},
                "metadata": {"labels": {
                    "machine.openshift.io/cluster-api-cluster": "ocp-x7k2",
                    "machine.openshift.io/cluster-api-machine-role": "worker"
                }},
                "type": "server"
            }),
        }
    }

    #[test]
    fn converts_an_openshift_provider_spec() {
        let class = convert(&openshift_spec(), "engine").expect("converts");
        assert_eq!(class.name, "ocp-worker");
        assert_eq!(class.provider, "engine");
        assert_eq!(class.cluster, "b0c5d6e2-1111-4c1e-9d5e-7f0a0c1d2e3f");
        assert_eq!(class.template, "ocp-rhcos");
        assert_eq!(
            class.cpu,
            Some(CpuTopology {
                sockets: 1,
                cores: 4,
                threads: 1
            })
        );
        assert_eq!(class.memory_mib, Some(16384));
        assert_eq!(
            class.vnic_profile.as_deref(),
            Some("0000000a-000a-000a-000a-000000000398")
        );
        assert_eq!(class.storage_domain.as_deref(), Some("sd-1"));
        assert_eq!(class.user_data_ref.as_deref(), Some("worker-user-data"));
        assert_eq!(class.tags.cluster, "kubernetes.io-cluster-ocp-x7k2");
        assert_eq!(class.tags.role, "kubernetes.io-role-worker");
    }

    #[test]
    fn unknown_kinds_are_unimplemented_and_bad_specs_invalid() {
        let mut aws = openshift_spec();
        aws.kind = "AWSMachineClass".into();
        assert_eq!(convert(&aws, "e").unwrap_err().code, Code::Unimplemented);
        let mut bare = openshift_spec();
        bare.spec = json!({"template_name": "t"});
        let e = convert(&bare, "e").unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument);
        assert!(e.message.contains("cluster_id"), "{e}");
    }
}
