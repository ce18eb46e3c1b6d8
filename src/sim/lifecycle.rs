//! The lifecycle of the VMs a machine driver makes: added from a template (`image_locked`,
//! then `down`), started (`powering_up`, then `up` with reported devices), stopped, removed.
//!
//! The timed steps are not run by a background task: each is kept as a pending transition
//! with a deadline, and [`SimState::settle`] applies the due ones, in deadline order, at the
//! start of every request. So a test sees the same sequence of states and events whatever
//! the scheduler does, and a simulator nobody talks to does no work.
//!
//! Adding a VM (its disks, the space they take) is in `adding.rs`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::state::{SimState, now_ms};

/// The API prefix of every href.
pub(crate) const API: &str = "/ovirt-engine/api";

/// Who the engine names as the author of a write in its event texts.
pub(super) const USER: &str = "admin@internal-authz";

/// What the writes keep beside the collections.
#[derive(Debug, Clone)]
pub struct WriteState {
    /// How long a new VM stays `image_locked` (the engine copies its disks meanwhile).
    pub image_lock: Duration,
    /// How long a started VM stays `powering_up`.
    pub boot: Duration,
    /// The disks of each template, in the `disks` wire form, by template id. They are kept
    /// out of the `disks` collection so that the collector, which lists it, never sees them.
    pub template_disks: HashMap<String, Vec<Value>>,
    /// The disks made for each new VM: (disk id, storage domain id, bytes taken), so that
    /// removing the VM removes them and gives the space back.
    pub vm_disks: HashMap<String, Vec<(String, String, u64)>>,
    pending: Vec<Pending>,
    minted: u64,
}

impl Default for WriteState {
    fn default() -> WriteState {
        WriteState {
            image_lock: Duration::from_millis(2000),
            boot: Duration::from_millis(1000),
            template_disks: HashMap::new(),
            vm_disks: HashMap::new(),
            pending: Vec::new(),
            minted: 0,
        }
    }
}

/// A transition due at a deadline.
#[derive(Debug, Clone)]
struct Pending {
    due: Instant,
    vm: String,
    step: Step,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// `image_locked` → `down`, disks `ok`, event 53.
    AddFinished,
    /// `powering_up` → `up` with reported devices, event 32.
    Up,
}

/// A write the engine refuses: the status and the fault's reason and detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The fault's `reason`.
    pub reason: &'static str,
    /// The fault's `detail`.
    pub detail: String,
}

impl Refusal {
    /// 400: a required field is missing (`what` is like `Vm [name]`).
    pub fn incomplete(what: &str) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            reason: "Incomplete parameters",
            detail: format!("{what} required for add"),
        }
    }

    /// 404 for an object named by id or name.
    pub fn not_found(what: &str) -> Refusal {
        Refusal {
            status: StatusCode::NOT_FOUND,
            reason: "Not Found",
            detail: format!("Entity not found: {what}"),
        }
    }

    /// 409 with the engine's bracketed message.
    pub fn conflict(message: &str) -> Refusal {
        Refusal {
            status: StatusCode::CONFLICT,
            reason: "Operation Failed",
            detail: format!("[{message}]"),
        }
    }
}

/// A UUID derived from `parts` (FNV-1a, then splitmix64), so simulated ids are stable.
pub(crate) fn derived_uuid(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut rng = super::rng::Rng::new(h);
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        (a & 0x0fff) | 0x4000,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// `{"href", "id"}` for an object of `plural`.
pub(crate) fn reference(plural: &str, id: &str) -> Value {
    json!({"href": format!("{API}/{plural}/{id}"), "id": id})
}

/// A byte count as the engine writes it: a string.
pub(super) fn bytes_of(v: &Value) -> u64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or(v.as_u64())
        .unwrap_or(0)
}

impl SimState {
    /// Applies every pending transition whose deadline has passed, oldest deadline first.
    pub fn settle(&mut self) {
        if self.writes.pending.is_empty() {
            return;
        }
        let now = Instant::now();
        let (mut due, waiting): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.writes.pending)
                .into_iter()
                .partition(|p| p.due <= now);
        self.writes.pending = waiting;
        due.sort_by_key(|p| p.due);
        for p in due {
            match p.step {
                Step::AddFinished => self.finish_add(&p.vm),
                Step::Up => self.finish_boot(&p.vm),
            }
        }
    }

    pub(super) fn schedule(&mut self, vm: &str, step: Step, after: Duration) {
        self.writes.pending.push(Pending {
            due: Instant::now() + after,
            vm: vm.to_string(),
            step,
        });
    }

    fn cancel(&mut self, vm: &str) {
        self.writes.pending.retain(|p| p.vm != vm);
    }

    /// A fresh id for an object of `kind`, stable for a given sequence of writes.
    pub(crate) fn mint_id(&mut self, kind: &str, name: &str) -> String {
        self.writes.minted += 1;
        derived_uuid(&[kind, name, &self.writes.minted.to_string()])
    }

    /// The object of `collection` a reference names, by `id` or else by `name`.
    pub(crate) fn find_ref(&self, collection: &str, r: &Value) -> Result<Value, Refusal> {
        let objects = self.objects(collection);
        let found = if let Some(id) = r["id"].as_str() {
            objects.and_then(|c| c.get(id)).ok_or(id)
        } else if let Some(name) = r["name"].as_str() {
            objects
                .and_then(|c| c.values().find(|o| o["name"].as_str() == Some(name)))
                .ok_or(name)
        } else {
            Err("")
        };
        found.cloned().map_err(Refusal::not_found)
    }

    /// A VM by id, or the engine's 404.
    pub(crate) fn vm(&self, id: &str) -> Result<Value, Refusal> {
        self.objects("vms")
            .and_then(|c| c.get(id))
            .cloned()
            .ok_or_else(|| Refusal::not_found(id))
    }

    /// Replaces an object without logging: for changes the engine logs no event for.
    pub(crate) fn set_quietly(&mut self, collection: &'static str, object: Value) {
        if let Some(id) = object["id"].as_str() {
            self.collections
                .entry(collection)
                .or_default()
                .insert(id.to_string(), object);
        }
    }

    /// `POST vms/<id>/start`: `powering_up` on an up host of its cluster, `up` after the boot
    /// delay.
    pub fn start_vm(&mut self, id: &str) -> Result<(), Refusal> {
        let mut vm = self.vm(id)?;
        match vm["status"].as_str().unwrap_or_default() {
            "image_locked" => {
                return Err(Refusal::conflict(
                    "Cannot run VM. VM is locked. Please try again in a few minutes.",
                ));
            }
            "up" | "powering_up" => return Err(Refusal::conflict("Cannot run VM. VM is running.")),
            _ => {}
        }
        let cluster = vm["cluster"]["id"].as_str().unwrap_or_default();
        let hosts: Vec<(String, String)> = self
            .objects("hosts")
            .map(|c| {
                c.values()
                    .filter(|h| h["cluster"]["id"].as_str() == Some(cluster) && h["status"] == "up")
                    .map(|h| {
                        let field = |k: &str| h[k].as_str().unwrap_or_default().to_string();
                        (field("id"), field("name"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if hosts.is_empty() {
            return Err(Refusal::conflict(
                "Cannot run VM. There is no host that satisfies current scheduling constraints.",
            ));
        }
        // Spread VMs over the hosts, the same host for the same VM every time.
        let pick = id
            .bytes()
            .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
        let (host, host_name) = hosts[pick % hosts.len()].clone();
        vm["status"] = json!("powering_up");
        vm["host"] = reference("hosts", &host);
        vm["start_time"] = json!(now_ms());
        let name = vm["name"].as_str().unwrap_or_default().to_string();
        self.put_described(
            "vms",
            vm,
            153,
            &format!("VM {name} was started by {USER} (Host: {host_name})."),
        )
        .map_err(|e| Refusal::not_found(&e))?;
        let boot = self.writes.boot;
        self.schedule(id, Step::Up, boot);
        Ok(())
    }

    fn finish_boot(&mut self, id: &str) {
        let Ok(mut vm) = self.vm(id) else { return };
        if vm["status"] != "powering_up" {
            return;
        }
        vm["status"] = json!("up");
        vm["reported_devices"] = reported_devices(id);
        let name = vm["name"].as_str().unwrap_or_default().to_string();
        let host = vm["host"]["id"].as_str().unwrap_or_default().to_string();
        let host_name = self
            .objects("hosts")
            .and_then(|c| c.get(&host))
            .and_then(|h| h["name"].as_str())
            .unwrap_or(&host)
            .to_string();
        let _ = self.put_described(
            "vms",
            vm,
            32,
            &format!("VM {name} started on Host {host_name}"),
        );
    }

    /// `POST vms/<id>/stop` and `shutdown`: `down` at once, off its host, event 61.
    pub fn stop_vm(&mut self, id: &str) -> Result<(), Refusal> {
        let mut vm = self.vm(id)?;
        match vm["status"].as_str().unwrap_or_default() {
            "down" => return Err(Refusal::conflict("Cannot stop VM. VM is not running.")),
            "image_locked" => {
                return Err(Refusal::conflict(
                    "Cannot stop VM. VM is locked. Please try again in a few minutes.",
                ));
            }
            _ => {}
        }
        self.cancel(id);
        vm["status"] = json!("down");
        vm["stop_time"] = json!(now_ms());
        vm["stop_reason"] = json!("");
        if let Some(m) = vm.as_object_mut() {
            m.remove("host");
            m.remove("start_time");
            m.remove("reported_devices");
        }
        let name = vm["name"].as_str().unwrap_or_default().to_string();
        self.put_described(
            "vms",
            vm,
            61,
            &format!("VM {name} is down. Exit message: Admin shut down from the engine"),
        )
        .map_err(|e| Refusal::not_found(&e))
    }

    /// `DELETE vms/<id>`: removes a `down` VM and the disks made for it, gives their space
    /// back, event 113.
    pub fn remove_vm(&mut self, id: &str) -> Result<(), Refusal> {
        let vm = self.vm(id)?;
        match vm["status"].as_str().unwrap_or_default() {
            "down" => {}
            "image_locked" => {
                return Err(Refusal::conflict(
                    "Cannot remove VM. VM is locked. Please try again in a few minutes.",
                ));
            }
            _ => return Err(Refusal::conflict("Cannot remove VM. VM is running.")),
        }
        self.cancel(id);
        for (disk, sd, size) in self.writes.vm_disks.remove(id).unwrap_or_default() {
            if let Some(disks) = self.collections.get_mut("disks") {
                disks.shift_remove(&disk);
            }
            self.charge(&sd, -(size as i128));
        }
        let name = vm["name"].as_str().unwrap_or_default();
        self.remove_described(
            "vms",
            id,
            113,
            &format!("VM {name} was successfully removed."),
        );
        Ok(())
    }

    /// How many VMs are in each status.
    pub fn vms_by_status(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for vm in self
            .objects("vms")
            .map(|c| c.values())
            .into_iter()
            .flatten()
        {
            let status = vm["status"].as_str().unwrap_or_default().to_string();
            *out.entry(status).or_default() += 1;
        }
        out
    }
}

/// What the guest agent of an up VM reports: one NIC, its MAC and an IPv4 address, both
/// derived from the VM id so they are stable across runs.
pub fn reported_devices(vm: &str) -> Value {
    let h = derived_uuid(&["guest", vm]).replace('-', "");
    let hex: Vec<u8> = (0..8)
        .filter_map(|i| u8::from_str_radix(&h[i * 2..i * 2 + 2], 16).ok())
        .collect();
    let mac = format!(
        "56:6f:{:02x}:{:02x}:{:02x}:{:02x}",
        hex[0], hex[1], hex[2], hex[3]
    );
    let ip = format!("10.{}.{}.{}", hex[4], hex[5], 1 + hex[6] % 254);
    let id = derived_uuid(&["reported", vm]);
    json!({"reported_device": [{
        "name": "eth0",
        "description": "guest reported data",
        "type": "network",
        "mac": {"address": mac},
        "ips": {"ip": [{"address": ip, "version": "v4"}]},
        "href": format!("{API}/vms/{vm}/reporteddevices/{id}"),
        "id": id,
        "vm": reference("vms", vm),
    }]})
}
