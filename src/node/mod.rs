//! The facts of the node vmyard runs on, in the wire shape of OpenSVC om3's node system API,
//! and the same facts of its peers, reached by forwarding one hop.
//!
//! Each section is collected in-process from the files the kernel and the package manager
//! keep (`/proc`, `/sys`, `/etc`, `/var/lib/dpkg/status`, the DMI tables, netlink for
//! addresses), one module per section. [`Facts`] keeps the last answer of each section,
//! refreshes it in the background on its own interval, and collects on demand within a
//! timeout; a source that fails is reported beside the items that could still be read.
//!
//! - [`Section`] names the sections and their om3 kinds;
//! - [`Facts`] is the per-section cache and its background loops;
//! - [`envelope`] renders an answer (`{"kind": "<X>List", "items": [...]}`);
//! - [`peers`] forwards a request to a peer with the caller's identity;
//! - [`select`] parses the node selector of the CLI (`web*,role=db,!web3`).

mod asset;
mod cache;
pub mod disk;
mod dmi;
pub mod envelope;
mod group;
mod hardware;
mod ipaddress;
pub mod live;
pub mod om3;
pub mod package;
mod patch;
pub mod peers;
pub mod property;
mod san;
pub mod select;
mod source;
pub mod table;
mod user;

use serde::Serialize;

pub use cache::{CollectError, Facts, Snapshot};
pub use source::Sources;

/// A section of the node facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// Named values: OS, CPU, memory, DMI, location, overrides from the config.
    Property,
    /// One summary object: the property values and counts of the other sections.
    Asset,
    /// PCI devices and memory modules.
    Hardware,
    /// Block devices and their partitions and holders.
    Disk,
    /// Installed packages.
    Package,
    /// Pending updates.
    Patch,
    /// Local users.
    User,
    /// Local groups.
    Group,
    /// Every address of every interface.
    Ipaddress,
    /// FC and iSCSI initiators.
    SanInitiator,
    /// Initiator to target pairs.
    SanPath,
}

impl Section {
    /// Every section, in the order the pages list them.
    pub const ALL: [Section; 11] = [
        Section::Property,
        Section::Asset,
        Section::Hardware,
        Section::Disk,
        Section::Package,
        Section::Patch,
        Section::User,
        Section::Group,
        Section::Ipaddress,
        Section::SanInitiator,
        Section::SanPath,
    ];

    /// The section's name in the URL (`san/initiator` has a slash, as in om3).
    pub fn path(self) -> &'static str {
        match self {
            Section::Property => "property",
            Section::Asset => "asset",
            Section::Hardware => "hardware",
            Section::Disk => "disk",
            Section::Package => "package",
            Section::Patch => "patch",
            Section::User => "user",
            Section::Group => "group",
            Section::Ipaddress => "ipaddress",
            Section::SanInitiator => "san/initiator",
            Section::SanPath => "san/path",
        }
    }

    /// The section named `path`.
    pub fn from_path(path: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.path() == path)
    }

    /// The om3 kind stem: the list is `<stem>List`, each item `<stem>Item`.
    pub fn kind(self) -> &'static str {
        match self {
            Section::Property => "Property",
            Section::Asset => "Asset",
            Section::Hardware => "Hardware",
            Section::Disk => "Disk",
            Section::Package => "Package",
            Section::Patch => "Patch",
            Section::User => "User",
            Section::Group => "Group",
            Section::Ipaddress => "IPAddress",
            Section::SanInitiator => "SANPathInitiator",
            Section::SanPath => "SANPath",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Section::Property => "Properties",
            Section::Asset => "Asset",
            Section::Hardware => "Hardware",
            Section::Disk => "Disks",
            Section::Package => "Packages",
            Section::Patch => "Patches",
            Section::User => "Users",
            Section::Group => "Groups",
            Section::Ipaddress => "Addresses",
            Section::SanInitiator => "SAN initiators",
            Section::SanPath => "SAN paths",
        }
    }

    /// Its background refresh interval in the config.
    pub fn interval(self, refresh: &crate::config::NodeRefresh) -> std::time::Duration {
        let i = match self {
            Section::Property => refresh.property,
            Section::Asset => refresh.asset,
            Section::Hardware => refresh.hardware,
            Section::Disk => refresh.disk,
            Section::Package => refresh.package,
            Section::Patch => refresh.patch,
            Section::User => refresh.user,
            Section::Group => refresh.group,
            Section::Ipaddress => refresh.ipaddress,
            Section::SanInitiator | Section::SanPath => refresh.san,
        };
        i.0
    }

    fn index(self) -> usize {
        Section::ALL
            .iter()
            .position(|s| *s == self)
            .expect("every section is in ALL")
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

/// A source that could not be read, reported beside the items that could.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SourceError {
    /// What was being read (a file, a table, a command).
    pub source: String,
    /// Why it failed.
    pub error: String,
}

impl SourceError {
    /// An error reading `source`.
    pub fn new(source: impl Into<String>, error: impl std::fmt::Display) -> Self {
        SourceError {
            source: source.into(),
            error: error.to_string(),
        }
    }
}

/// What one collection of a section produced: the items' `data` objects, already sorted,
/// and the sources that failed.
#[derive(Debug, Default, Clone)]
pub struct Collected {
    /// The items' `data`, in their stable order.
    pub items: Vec<serde_json::Value>,
    /// Sources that could not be read.
    pub errors: Vec<SourceError>,
}

impl Collected {
    /// Items serialized from typed values; a value that cannot be serialized (none of ours
    /// can fail) is reported rather than dropped silently.
    pub fn from_items<T: Serialize>(items: &[T], errors: Vec<SourceError>) -> Collected {
        let mut out = Collected {
            items: Vec::with_capacity(items.len()),
            errors,
        };
        for item in items {
            match serde_json::to_value(item) {
                Ok(v) => out.items.push(v),
                Err(e) => out.errors.push(SourceError::new("serialize", e)),
            }
        }
        out
    }
}

/// Collects one section (all but `asset`, which is built from the others) on the calling
/// thread. Blocking: file reads and a netlink dump.
pub fn collect_blocking(section: Section, ctx: &property::Context, src: &Sources) -> Collected {
    match section {
        Section::Property => property::collect(src, ctx),
        Section::Hardware => hardware::collect(src),
        Section::Disk => disk::collect(src),
        Section::Package => package::collect(src),
        Section::Patch => patch::collect(src),
        Section::User => user::collect(src),
        Section::Group => group::collect(src),
        Section::Ipaddress => ipaddress::collect(),
        Section::SanInitiator => san::initiators(src),
        Section::SanPath => san::paths(src),
        Section::Asset => Collected {
            items: Vec::new(),
            errors: vec![SourceError::new(
                "asset",
                "the asset summary is built from the other sections",
            )],
        },
    }
}

pub(crate) use asset::build as build_asset;
