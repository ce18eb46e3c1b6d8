//! `[migration]`: what a Forklift plan made from vmyard's selection needs that the engine
//! does not know: where the VMs go, and what each source network and storage domain maps
//! to on the target. A source without a mapping is reported, never guessed.

use serde::{Deserialize, Serialize};

/// `[migration]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Migration {
    /// The namespace the Forklift resources are made in.
    pub namespace: String,
    /// The namespace the VMs are made in.
    pub target_namespace: String,
    /// The Forklift provider of the target cluster (`host`, the cluster Forklift runs on,
    /// by default).
    pub destination_provider: String,
    /// The secret holding the engine's credentials, in `namespace`; `<provider>-credentials`
    /// when absent.
    pub secret: Option<String>,
    /// vNIC profiles to target networks.
    pub networks: Vec<NetworkMapping>,
    /// Storage domains to storage classes.
    pub storage: Vec<StorageMapping>,
}

impl Default for Migration {
    fn default() -> Self {
        Migration {
            namespace: "openshift-mtv".into(),
            target_namespace: "default".into(),
            destination_provider: "host".into(),
            secret: None,
            networks: Vec::new(),
            storage: Vec::new(),
        }
    }
}

/// `[[migration.networks]]`: a vNIC profile (by id, name, or `network/profile`) or a
/// network (by id or name), and where its NICs go. Forklift maps per network: profiles of
/// one network must go to one place.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NetworkMapping {
    /// The source vNIC profile or network.
    pub source: String,
    /// `pod`, `multus` or `ignored`.
    #[serde(rename = "type")]
    pub kind: NetworkTarget,
    /// The NetworkAttachmentDefinition, for `multus`.
    pub name: Option<String>,
    /// Its namespace, for `multus`.
    pub namespace: Option<String>,
}

/// Where a source network's NICs go.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NetworkTarget {
    /// The pod network.
    Pod,
    /// A secondary network (a NetworkAttachmentDefinition).
    Multus,
    /// Not carried over.
    Ignored,
}

/// `[[migration.storage]]`: a storage domain (by id or name) and the storage class its disks
/// go to.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StorageMapping {
    /// The source storage domain.
    pub source: String,
    /// The target storage class.
    pub storage_class: String,
    /// `ReadWriteOnce`, `ReadWriteMany` or `ReadOnlyMany`; the class's default when absent.
    pub access_mode: Option<String>,
    /// `Filesystem` or `Block`; the class's default when absent.
    pub volume_mode: Option<String>,
}
