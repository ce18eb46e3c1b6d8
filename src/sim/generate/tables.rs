//! Fixed tables of the VMs: operating systems, names, the engine's link and action lists.

/// A guest operating system: `(os.type, family, distribution, full version, kernel)`.
pub(super) type Os = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The usual operating systems, with their weight in 100.
pub(super) const OSES: [(u64, Os); 8] = [
    (
        35,
        (
            "rhel_8x64",
            "Linux",
            "Red Hat Enterprise Linux",
            "8.6",
            "4.18.0-372.9.1.el8.x86_64",
        ),
    ),
    (
        15,
        (
            "rhel_9x64",
            "Linux",
            "Red Hat Enterprise Linux",
            "9.2",
            "5.14.0-284.11.1.el9_2.x86_64",
        ),
    ),
    (
        15,
        (
            "rhel_7x64",
            "Linux",
            "Red Hat Enterprise Linux Server",
            "7.9",
            "3.10.0-1160.el7.x86_64",
        ),
    ),
    (
        15,
        (
            "windows_2019x64",
            "Windows",
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763",
            "10.0.17763",
        ),
    ),
    (
        8,
        (
            "windows_2016x64",
            "Windows",
            "Microsoft Windows Server 2016 Standard",
            "10.0.14393",
            "10.0.14393",
        ),
    ),
    (
        4,
        (
            "windows_10x64",
            "Windows",
            "Microsoft Windows 10 Enterprise",
            "10.0.19045",
            "10.0.19045",
        ),
    ),
    (
        5,
        (
            "other_linux",
            "Linux",
            "Ubuntu",
            "22.04",
            "5.15.0-76-generic",
        ),
    ),
    (3, ("other", "Other", "", "", "")),
];
/// The operating systems of conditions.
pub(super) const WINDOWS_11: Os = (
    "windows_11",
    "Windows",
    "Microsoft Windows 11 Enterprise",
    "10.0.22621",
    "10.0.22621",
);
pub(super) const WINDOWS_2022: Os = (
    "windows_2022",
    "Windows",
    "Microsoft Windows Server 2022 Standard",
    "10.0.20348",
    "10.0.20348",
);
pub(super) const RHEL_6X64: Os = (
    "rhel_6x64",
    "Linux",
    "Red Hat Enterprise Linux Server",
    "6.10",
    "2.6.32-754.el6.x86_64",
);
pub(super) const RHEL_6: Os = (
    "rhel_6",
    "Linux",
    "Red Hat Enterprise Linux Server",
    "6.10",
    "2.6.32-754.el6.i686",
);

/// What VM names start with.
pub(super) const NAME_PREFIXES: [&str; 16] = [
    "web", "db", "app", "cache", "mq", "ci", "dev", "test", "ldap", "dns", "mail", "k8s-node",
    "backup", "proxy", "mon", "build",
];

/// A VM's `actions`, as the engine lists them.
pub(super) const VM_ACTIONS: [&str; 21] = [
    "detach",
    "shutdown",
    "start",
    "stop",
    "suspend",
    "reset",
    "ticket",
    "migrate",
    "reboot",
    "commitsnapshot",
    "clone",
    "freezefilesystems",
    "logon",
    "maintenance",
    "previewsnapshot",
    "autopincpuandnumanodes",
    "reordermacaddresses",
    "thawfilesystems",
    "undosnapshot",
    "cancelmigration",
    "export",
];

/// A VM's `link` rels, as the engine lists them.
pub(super) const VM_LINKS: [&str; 18] = [
    "graphicsconsoles",
    "cdroms",
    "watchdogs",
    "diskattachments",
    "snapshots",
    "applications",
    "hostdevices",
    "reporteddevices",
    "sessions",
    "backups",
    "checkpoints",
    "nics",
    "numanodes",
    "katelloerrata",
    "permissions",
    "affinitylabels",
    "tags",
    "statistics",
];

/// The id of the blank template, and of an empty CD-ROM slot.
pub(super) const ZERO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The ISO images of each data center.
pub(super) const ISOS: [&str; 3] = [
    "rhel-8.6-x86_64-dvd.iso",
    "virtio-win-1.9.24.iso",
    "en-us_windows_server_2019_x64_dvd.iso",
];
