use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::conditions::CONDITIONS;
use super::*;

fn objects<'a>(g: &'a Generated, path: &str) -> &'a [Value] {
    g.collections
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, o)| o.as_slice())
        .unwrap_or_else(|| panic!("no collection {path}"))
}

fn by_id<'a>(g: &'a Generated, path: &str) -> HashMap<&'a str, &'a Value> {
    objects(g, path)
        .iter()
        .map(|o| (o["id"].as_str().expect("id"), o))
        .collect()
}

/// The items of a wire collection (`{}` or `{"<singular>": [...]}`).
fn items<'a>(v: &'a Value, singular: &str) -> &'a [Value] {
    match v {
        Value::Object(m) if m.is_empty() => &[],
        Value::Object(m) => m[singular].as_array().expect("collection items"),
        Value::Null => &[],
        other => panic!("not a collection: {other}"),
    }
}

fn truthy(v: &Value) -> bool {
    v.as_str() == Some("true")
}

fn num(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Checks that `r` is a reference to an object of `path` that exists.
fn check_ref(r: &Value, path: &str, known: &HashMap<&str, &Value>, what: &str) {
    let id = r["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no id in {r}"));
    assert!(known.contains_key(id), "{what}: {path}/{id} does not exist");
    assert_eq!(
        r["href"].as_str(),
        Some(format!("/ovirt-engine/api/{path}/{id}").as_str()),
        "{what}"
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let text = |seed| {
        let g = generate(Scale::for_vms(300), seed);
        serde_json::to_string(&g.collections).unwrap()
    };
    let a = text(7);
    assert_eq!(a, text(7));
    assert_ne!(a, text(8));
}

#[test]
fn every_reference_points_at_an_object() {
    let g = generate(Scale::for_vms(500), 1);
    let dcs = by_id(&g, "datacenters");
    let clusters = by_id(&g, "clusters");
    let hosts = by_id(&g, "hosts");
    let networks = by_id(&g, "networks");
    let profiles = by_id(&g, "vnicprofiles");
    let sds = by_id(&g, "storagedomains");
    let disk_profiles = by_id(&g, "diskprofiles");
    let disks = by_id(&g, "disks");
    let vms = by_id(&g, "vms");
    for c in clusters.values() {
        check_ref(
            &c["data_center"],
            "datacenters",
            &dcs,
            "cluster.data_center",
        );
    }
    for h in hosts.values() {
        check_ref(&h["cluster"], "clusters", &clusters, "host.cluster");
        let nics: HashSet<&str> = items(&h["nics"], "host_nic")
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert!(!nics.is_empty());
        for a in items(&h["network_attachments"], "network_attachment") {
            check_ref(
                &a["network"],
                "networks",
                &networks,
                "network_attachment.network",
            );
            assert!(nics.contains(a["host_nic"]["id"].as_str().unwrap()));
        }
    }
    for n in networks.values() {
        check_ref(
            &n["data_center"],
            "datacenters",
            &dcs,
            "network.data_center",
        );
        for p in items(&n["vnic_profiles"], "vnic_profile") {
            assert_eq!(profiles.get(p["id"].as_str().unwrap()), Some(&p));
            assert_eq!(p["network"]["id"], n["id"]);
        }
    }
    for p in profiles.values() {
        check_ref(&p["network"], "networks", &networks, "vnic_profile.network");
    }
    for sd in sds.values() {
        let dcs_of = items(&sd["data_centers"], "data_center");
        assert_eq!(dcs_of.len(), 1);
        for dc in dcs_of {
            check_ref(dc, "datacenters", &dcs, "storage_domain.data_centers");
        }
    }
    for dp in disk_profiles.values() {
        check_ref(
            &dp["storage_domain"],
            "storagedomains",
            &sds,
            "disk_profile.storage_domain",
        );
    }
    let mut luns = 0;
    for d in disks.values() {
        if d["storage_type"] == "lun" {
            luns += 1;
            assert!(!items(&d["lun_storage"]["logical_units"], "logical_unit").is_empty());
            continue;
        }
        check_ref(
            &d["disk_profile"],
            "diskprofiles",
            &disk_profiles,
            "disk.disk_profile",
        );
        let on = items(&d["storage_domains"], "storage_domain");
        assert_eq!(on.len(), 1);
        check_ref(&on[0], "storagedomains", &sds, "disk.storage_domains");
        // The profile belongs to the disk's storage domain.
        let dp = disk_profiles[d["disk_profile"]["id"].as_str().unwrap()];
        assert_eq!(dp["storage_domain"]["id"], on[0]["id"]);
    }
    assert!(luns >= 3, "{luns} LUN disks");

    let mut attached: HashMap<&str, usize> = HashMap::new();
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    for vm in vms.values() {
        check_ref(&vm["cluster"], "clusters", &clusters, "vm.cluster");
        let status = vm["status"].as_str().unwrap();
        *statuses.entry(status).or_default() += 1;
        if matches!(status, "up" | "paused") {
            check_ref(&vm["host"], "hosts", &hosts, "vm.host");
            let host = hosts[vm["host"]["id"].as_str().unwrap()];
            assert_eq!(host["cluster"]["id"], vm["cluster"]["id"]);
            assert_eq!(host["status"], "up");
        } else {
            assert!(vm.get("host").is_none(), "a {status} VM has a host");
        }
        for nic in items(&vm["nics"], "nic") {
            check_ref(
                &nic["vnic_profile"],
                "vnicprofiles",
                &profiles,
                "nic.vnic_profile",
            );
        }
        for a in items(&vm["disk_attachments"], "disk_attachment") {
            check_ref(&a["disk"], "disks", &disks, "disk_attachment.disk");
            assert_eq!(a["id"], a["disk"]["id"]);
            *attached
                .entry(a["disk"]["id"].as_str().unwrap())
                .or_default() += 1;
        }
        for cd in items(&vm["cdroms"], "cdrom") {
            if let Some(file) = cd["file"]["id"].as_str() {
                assert_eq!(disks[file]["content_type"], "iso");
            }
        }
        if let Some(h) = vm["placement_policy"]["hosts"].get("host") {
            for h in h.as_array().unwrap() {
                check_ref(h, "hosts", &hosts, "vm.placement_policy.hosts");
            }
        }
        if let Some(sd) = vm["lease"].get("storage_domain") {
            check_ref(sd, "storagedomains", &sds, "vm.lease.storage_domain");
        }
    }
    let mut shared_by_two = 0;
    for (id, n) in &attached {
        if *n > 1 {
            assert!(truthy(&disks[id]["shareable"]), "{id} attached {n} times");
            shared_by_two += usize::from(*n == 2);
        }
    }
    assert!(shared_by_two >= 2, "{shared_by_two} disks shared by 2 VMs");
    let floating = disks.len() - attached.len();
    assert!(floating >= 5, "{floating} floating disks");
    for status in ["up", "down", "suspended", "paused", "image_locked"] {
        assert!(
            statuses.get(status).copied().unwrap_or(0) > 0,
            "no {status} VM"
        );
    }
    assert!(statuses["up"] > statuses["down"] && statuses["down"] > 10 * statuses["paused"]);

    // Running VMs are counted on their hosts.
    let running: usize = hosts
        .values()
        .map(|h| num(&h["summary"]["active"]) as usize)
        .sum();
    assert_eq!(running, statuses["up"] + statuses["paused"]);
}

/// Every scalar is a string, but times (and the host CPU speed, a decimal the engine writes
/// as a number); no empty array stands for a collection.
fn check_leaves(v: &Value, key: &str, path: &str) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                check_leaves(v, k, &format!("{path}.{k}"));
            }
        }
        Value::Array(a) => {
            for v in a {
                check_leaves(v, key, path);
            }
        }
        Value::String(_) => {}
        Value::Number(_)
            if matches!(
                key,
                "date" | "time" | "stop_time" | "start_time" | "creation_time"
            ) || path == "host.cpu.speed" => {}
        other => panic!("{path}: {other} is not a string"),
    }
}

fn keys(v: &Value) -> HashSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn objects_have_the_wire_shape_of_the_recorded_engine() {
    let fixtures: [(&str, &str, &str); 9] = [
        (
            "datacenters",
            "data_center",
            include_str!("../fixtures/ovirt-engine-4.4.10/datacenters/content.json"),
        ),
        (
            "clusters",
            "cluster",
            include_str!("../fixtures/ovirt-engine-4.4.10/clusters/content.json"),
        ),
        (
            "hosts",
            "host",
            include_str!("../fixtures/ovirt-engine-4.4.10/hosts/content.json"),
        ),
        (
            "networks",
            "network",
            include_str!("../fixtures/ovirt-engine-4.4.10/networks/content.json"),
        ),
        (
            "vnicprofiles",
            "vnic_profile",
            include_str!("../fixtures/ovirt-engine-4.4.10/vnicprofiles/content.json"),
        ),
        (
            "storagedomains",
            "storage_domain",
            include_str!("../fixtures/ovirt-engine-4.4.10/storagedomains/content.json"),
        ),
        (
            "diskprofiles",
            "disk_profile",
            include_str!("../fixtures/ovirt-engine-4.4.10/diskprofiles/content.json"),
        ),
        (
            "disks",
            "disk",
            include_str!("../fixtures/ovirt-engine-4.4.10/disks/content.json"),
        ),
        (
            "vms",
            "vm",
            include_str!("../fixtures/ovirt-engine-4.4.10/vms/content.json"),
        ),
    ];
    let g = generate(Scale::for_vms(500), 3);
    assert_eq!(
        g.collections.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        fixtures.iter().map(|(p, ..)| *p).collect::<Vec<_>>()
    );
    for (path, singular, text) in fixtures {
        let body: Value = serde_json::from_str(text).unwrap();
        let recorded = body[singular].as_array().unwrap();
        let generated = objects(&g, path);
        assert!(!generated.is_empty(), "{path}");
        for o in generated {
            check_leaves(o, "", singular);
            for key in ["href", "id", "name"] {
                assert!(o[key].is_string(), "{path}: no {key}");
            }
            assert!(o["link"].is_array(), "{path}: no link");
            assert!(
                o["href"]
                    .as_str()
                    .unwrap()
                    .ends_with(o["id"].as_str().unwrap())
            );
        }
        // Which generated objects must have all the keys of which recorded ones: the
        // recorded glance domain is not a data domain, LUN disks have no image fields, only
        // filtering profiles have a network filter.
        for r in recorded {
            let like = |o: &&Value| match path {
                "storagedomains" => r["type"] == "data",
                "disks" => o["storage_type"] == "image",
                "vnicprofiles" => o.get("network_filter").is_some(),
                _ => true,
            };
            if path == "storagedomains" && r["type"] != "data" {
                continue;
            }
            let wanted = keys(r);
            let matching: Vec<&Value> = generated.iter().filter(like).collect();
            assert!(!matching.is_empty(), "{path}");
            for o in matching {
                let got = keys(o);
                let missing: Vec<_> = wanted.difference(&got).collect();
                assert!(
                    missing.is_empty(),
                    "{path}: a generated object lacks {missing:?}"
                );
            }
        }
    }
    // The inlined sub-collections.
    let vm = &objects(&g, "vms")[0];
    for (key, singular) in [
        ("disk_attachments", "disk_attachment"),
        ("host_devices", "host_device"),
        ("snapshots", "snapshot"),
        ("watchdogs", "watchdog"),
        ("cdroms", "cdrom"),
        ("nics", "nic"),
    ] {
        items(&vm[key], singular);
    }
    assert_eq!(objects(&g, "vms")[0]["watchdogs"], serde_json::json!({}));
    // A nic and a disk attachment have the recorded keys.
    let body: Value = serde_json::from_str(include_str!(
        "../fixtures/ovirt-engine-4.4.10/vms/content.json"
    ))
    .unwrap();
    let recorded = &body["vm"][0];
    for (key, singular) in [
        ("nics", "nic"),
        ("disk_attachments", "disk_attachment"),
        ("snapshots", "snapshot"),
    ] {
        let wanted = keys(&recorded[key][singular][0]);
        let got = keys(&vm[key][singular][0]);
        assert!(
            wanted.is_subset(&got),
            "{key}: {:?}",
            wanted.difference(&got)
        );
    }
}

/// The concern catalogue of `design/validation.md`, on the wire form: which VMs each
/// concern fires for.
fn concerns(g: &Generated) -> HashMap<&'static str, usize> {
    let disks = by_id(g, "disks");
    let profiles = by_id(g, "vnicprofiles");
    let clusters = by_id(g, "clusters");
    let numa: HashMap<&str, &Value> = g
        .numa_nodes
        .iter()
        .map(|(id, n)| (id.as_str(), n))
        .collect();
    let mut found: HashMap<&'static str, usize> = HashMap::new();
    for vm in objects(g, "vms") {
        let attachments = items(&vm["disk_attachments"], "disk_attachment");
        let attached: Vec<&Value> = attachments
            .iter()
            .map(|a| disks[a["disk"]["id"].as_str().unwrap()])
            .collect();
        let nics = items(&vm["nics"], "nic");
        let nic_profiles: Vec<&Value> = nics
            .iter()
            .map(|n| profiles[n["vnic_profile"]["id"].as_str().unwrap()])
            .collect();
        let cluster = clusters[vm["cluster"]["id"].as_str().unwrap()];
        let name = vm["name"].as_str().unwrap();
        let name_ok = name.len() < 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.ends_with(|c: char| c.is_ascii_alphanumeric());
        let os = vm["os"]["type"].as_str().unwrap();
        let checks: [(&'static str, bool); 39] = [
            (
                "ovirt.memory.ballooning.enabled",
                truthy(&vm["memory_policy"]["ballooning"]),
            ),
            (
                "ovirt.bios.boot_menu.enabled",
                truthy(&vm["bios"]["boot_menu"]["enabled"]),
            ),
            (
                "ovirt.cpu.custom_model.detected",
                vm["custom_cpu_model"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
            ),
            (
                "ovirt.cpu.pinning_policy.unsupported",
                matches!(
                    vm["cpu_pinning_policy"].as_str(),
                    Some("resize_and_pin_numa" | "isolate_threads")
                ),
            ),
            ("ovirt.cpu.shares.defined", num(&vm["cpu_shares"]) > 0),
            (
                "ovirt.cpu.tuning.detected",
                !items(&vm["cpu"]["cpu_tune"]["vcpu_pins"], "vcpu_pin").is_empty(),
            ),
            (
                "ovirt.vm.custom_properties.detected",
                !items(&vm["custom_properties"], "custom_property").is_empty(),
            ),
            ("ovirt.disk.count.exceeds.limit", attachments.len() > 165),
            (
                "ovirt.disk.interface_type.unsupported",
                attachments.iter().any(|a| {
                    !matches!(
                        a["interface"].as_str(),
                        Some("sata" | "virtio_scsi" | "virtio")
                    )
                }),
            ),
            (
                "ovirt.disk.capacity.invalid",
                attached.iter().any(|d| match d["storage_type"].as_str() {
                    Some("image") => num(&d["provisioned_size"]) <= 0,
                    Some("lun") => items(&d["lun_storage"]["logical_units"], "logical_unit")
                        .iter()
                        .any(|u| num(&u["size"]) <= 0),
                    _ => false,
                }),
            ),
            (
                "ovirt.disk.illegal_or_locked_status",
                attached
                    .iter()
                    .any(|d| matches!(d["status"].as_str(), Some("illegal" | "locked"))),
            ),
            (
                "ovirt.disk.storage_type.unsupported",
                attached
                    .iter()
                    .any(|d| !matches!(d["storage_type"].as_str(), Some("image" | "lun"))),
            ),
            (
                "ovirt.display_type.spice.enabled",
                vm["display"]["type"] == "spice",
            ),
            (
                "ovirt.ha.enabled",
                truthy(&vm["high_availability"]["enabled"]),
            ),
            (
                "ovirt.ha.reservation.enabled",
                truthy(&cluster["ha_reservation"]),
            ),
            (
                "ovirt.host_devices.mapped",
                !items(&vm["host_devices"], "host_device").is_empty(),
            ),
            (
                "ovirt.disk.illegal_images.detected",
                truthy(&vm["has_illegal_images"]),
            ),
            ("ovirt.iothreads.configured", num(&vm["io"]["threads"]) > 1),
            (
                "ovirt.cluster.ksm_enabled",
                truthy(&cluster["ksm"]["enabled"]),
            ),
            ("ovirt.name.invalid", !name_ok),
            (
                "ovirt.nic.custom_properties.detected",
                nic_profiles
                    .iter()
                    .any(|p| !items(&p["custom_properties"], "custom_property").is_empty()),
            ),
            (
                "ovirt.nic.interface_type.unsupported",
                nics.iter().any(|n| {
                    !matches!(
                        n["interface"].as_str(),
                        Some("e1000" | "rtl8139" | "virtio")
                    )
                }),
            ),
            (
                "ovirt.nic.network_filter.detected",
                nic_profiles
                    .iter()
                    .any(|p| p.get("network_filter").is_some()),
            ),
            (
                "ovirt.nic.pci_passthrough.detected",
                nics.iter().any(|n| n["interface"] == "pci_passthrough"),
            ),
            (
                "ovirt.nic.unplugged.detected",
                nics.iter().any(|n| n["plugged"] == "false"),
            ),
            (
                "ovirt.nic.port_mirroring.detected",
                nic_profiles.iter().any(|p| truthy(&p["port_mirroring"])),
            ),
            (
                "ovirt.nic.qos.detected",
                nic_profiles.iter().any(|p| p.get("qos").is_some()),
            ),
            (
                "ovirt.numa.tuning.detected",
                numa.get(vm["id"].as_str().unwrap()).is_some_and(|n| {
                    items(n, "vm_numa_node")
                        .iter()
                        .any(|n| !items(&n["numa_node_pins"], "numa_node_pin").is_empty())
                }),
            ),
            (
                "ovirt.snapshot.online_memory.detected",
                items(&vm["snapshots"], "snapshot")
                    .iter()
                    .any(|s| truthy(&s["persist_memorystate"])),
            ),
            (
                "ovirt.placement_policy.affinity_set",
                vm["placement_policy"]["affinity"] == "migratable",
            ),
            (
                "ovirt.disk.scsi_reservation.enabled",
                attachments
                    .iter()
                    .any(|a| truthy(&a["uses_scsi_reservation"])),
            ),
            (
                "ovirt.secure_boot.detected",
                vm["bios"]["type"] == "q35_secure_boot",
            ),
            (
                "ovirt.disk.shared.detected",
                attached.iter().any(|d| truthy(&d["shareable"])),
            ),
            (
                "ovirt.storage.resume_behavior.unsupported",
                vm["storage_error_resume_behaviour"] != "auto_resume",
            ),
            (
                "ovirt.tpm.required_by_os",
                matches!(os, "windows_11" | "windows_2022"),
            ),
            ("ovirt.usb.enabled", truthy(&vm["usb"]["enabled"])),
            ("ovirt.os.unsupported", matches!(os, "rhel_6" | "rhel_6x64")),
            (
                "ovirt.vm.status_invalid",
                !matches!(vm["status"].as_str(), Some("up" | "down")),
            ),
            (
                "ovirt.watchdog.enabled",
                !items(&vm["watchdogs"], "watchdog").is_empty(),
            ),
        ];
        for (id, fires) in checks {
            let n = found.entry(id).or_default();
            *n += usize::from(fires);
        }
    }
    found
}

#[test]
fn every_concern_of_the_catalogue_fires_in_500() {
    let found = concerns(&generate(Scale::for_vms(500), 1));
    let never: Vec<_> = found
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    assert!(never.is_empty(), "never fire: {never:?}");
    // Each concern of the table is among those checked.
    for (_, _, _, id) in CONDITIONS {
        assert!(id.is_empty() || found.contains_key(id), "{id}");
    }
    // No concern fires everywhere.
    let everywhere: Vec<_> = found
        .iter()
        .filter(|(id, n)| {
            **n == 500 && !id.starts_with("ovirt.cluster") && !id.starts_with("ovirt.ha.res")
        })
        .collect();
    assert!(everywhere.is_empty(), "{everywhere:?}");
}

#[test]
fn the_10k_mix_has_the_reference_counts_and_proportions() {
    let scale = Scale::for_vms(10_000);
    assert_eq!(
        scale,
        Scale {
            data_centers: 4,
            clusters: 20,
            hosts: 500,
            vms: 10_000,
            disks_per_vm: 3,
            networks: 200,
            vnic_profiles: 400,
            storage_domains: 40,
        }
    );
    let g = generate(scale, 1);
    let count = |p| objects(&g, p).len();
    assert_eq!(count("vms"), 10_000);
    assert_eq!(count("hosts"), 500);
    assert_eq!(count("clusters"), 20);
    assert_eq!(count("datacenters"), 4);
    assert_eq!(count("networks"), 200);
    assert_eq!(count("vnicprofiles"), 400);
    assert_eq!(count("storagedomains"), 40);
    assert_eq!(count("diskprofiles"), 50);
    let disks = count("disks");
    assert!((29_000..=31_000).contains(&disks), "{disks} disks");

    // The documented proportions: a concern fed by one table row fires exactly on the VMs
    // of that row; the others at least as often.
    let found = concerns(&g);
    let mut expected: HashMap<&str, usize> = HashMap::new();
    for (_, period, offset, id) in CONDITIONS {
        if !id.is_empty() {
            *expected.entry(id).or_default() += (10_000 - offset).div_ceil(*period);
        }
    }
    let more = [
        "ovirt.nic.interface_type.unsupported",
        "ovirt.disk.shared.detected",
    ];
    for (id, want) in expected {
        let got = found[id];
        if more.contains(&id) {
            assert!(got >= want, "{id}: {got} < {want}");
        } else {
            assert_eq!(got, want, "{id}");
        }
    }
    assert_eq!(found["ovirt.disk.shared.detected"], 200);
    assert_eq!(found["ovirt.cluster.ksm_enabled"], 5_000);
    assert_eq!(found["ovirt.ha.reservation.enabled"], 2_500);
    // The VMs pinned to a host all have odd numbers.
    assert_eq!(found["ovirt.placement_policy.affinity_set"], 5_000);
}

/// The rules, run over a generated inventory decoded into a store, raise each concern for
/// exactly the VMs the catalogue says (counted independently above, on the wire form).
#[test]
fn the_builtin_rules_agree_with_the_catalogue_on_a_generated_inventory() {
    use crate::inventory::decode::{Kind, decode};
    use crate::validation::{Policy, batch, bundle::Bundle, summary};

    let g = generate(Scale::for_vms(500), 7);
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(dir.path()).unwrap();
    let mut w = store.write().unwrap();
    for (path, list) in &g.collections {
        let Some(kind) = Kind::from_path(path) else {
            continue;
        };
        for o in list {
            let mut object = decode(kind, o).unwrap();
            if let Some((_, nodes)) = g.numa_nodes.iter().find(|(id, _)| o["id"] == **id) {
                let pins = crate::collector::numa::pins(nodes).unwrap();
                let read = crate::collector::numa::Read::Pins(pins);
                assert!(crate::collector::numa::apply(&mut object, read).is_ok());
            }
            crate::collector::sync::put(&mut w, "p", &object).unwrap();
        }
    }
    w.commit().unwrap();
    let keys = store
        .read()
        .unwrap()
        .keys_prefix::<crate::inventory::model::Vm>("p/")
        .unwrap();
    assert_eq!(keys.len(), 500);
    let policy = Policy::compile(&Bundle::builtin()).unwrap();
    let pool = crate::validation::pool();
    for chunk in keys.chunks(200) {
        let outcome = batch::run(&store, &policy, &pool, chunk.to_vec(), false);
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.validated, chunk.len());
        assert_eq!(outcome.failed, 0, "{:?}", outcome.eval_error);
    }
    let s = summary::summarize(&store.read().unwrap(), "p").unwrap();
    assert_eq!(s.validated, 500);
    let got: HashMap<&str, usize> = s.concerns.iter().map(|c| (c.id.as_str(), c.vms)).collect();
    let wanted = concerns(&g);
    for (id, n) in &wanted {
        assert_eq!(got.get(id).copied().unwrap_or(0), *n, "{id}");
    }
    assert!(got.keys().all(|id| wanted.contains_key(id)), "{got:?}");
}
