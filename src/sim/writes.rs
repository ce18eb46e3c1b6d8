//! The engine's write routes a machine driver calls: `POST vms` (from a template),
//! `POST vms/<id>/start|stop|shutdown`, `DELETE vms/<id>`, `POST tags`, a VM's `tags`
//! (list, attach, detach), and the sub-collections of one object (`vms/<id>/reporteddevices`,
//! `templates/<id>/diskattachments`, ...). Each answers as the engine does, refusals as its
//! fault bodies; the VM lifecycle itself is in [`super::lifecycle`].

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Sim;
use super::engine::{fault, shape};
use super::lifecycle::{API, Refusal, reference};
use super::state::SimState;

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        fault(self.status, self.reason, &self.detail)
    }
}

/// The engine's answer to an action (`start`, `stop`, ...) that completed.
fn completed() -> Response {
    axum::Json(json!({"async": "false", "status": "complete"})).into_response()
}

/// A request body as JSON; an empty body is `{}`.
fn body_of(bytes: &Bytes) -> Result<Value, Refusal> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|e| Refusal {
        status: StatusCode::BAD_REQUEST,
        reason: "Bad Request",
        detail: format!("the body is not JSON: {e}"),
    })
}

fn not_allowed(what: &str) -> Response {
    fault(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        &format!("{what} is not supported by the simulator"),
    )
}

/// `POST <collection>`: `vms?clone=true|false` and `tags`.
pub async fn create(
    State(sim): State<Sim>,
    Path(collection): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let req = match body_of(&body) {
        Ok(r) => r,
        Err(r) => return r.into_response(),
    };
    let mut state = sim.state.lock().expect("sim state");
    let made = match collection.as_str() {
        "vms" => {
            let clone = q.get("clone").is_some_and(|c| c == "true");
            state.add_vm(&req, clone).map(|vm| shape(vm, "vms", &[]))
        }
        "tags" => state.add_tag(&req),
        _ => return not_allowed(&format!("POST {collection}")),
    };
    match made {
        Ok(o) => (StatusCode::CREATED, axum::Json(o)).into_response(),
        Err(r) => r.into_response(),
    }
}

/// `DELETE <collection>/<id>`: `vms` and `tags`.
pub async fn delete(
    State(sim): State<Sim>,
    Path((collection, id)): Path<(String, String)>,
) -> Response {
    let mut state = sim.state.lock().expect("sim state");
    let done = match collection.as_str() {
        "vms" => state.remove_vm(&id),
        "tags" => state.remove_tag(&id),
        _ => return not_allowed(&format!("DELETE {collection}")),
    };
    match done {
        Ok(()) => completed(),
        Err(r) => r.into_response(),
    }
}

/// The inline key of a sub-collection path (`diskattachments` → `disk_attachments`).
fn inline_key(sub: &str) -> Option<&'static str> {
    Some(match sub {
        "diskattachments" => "disk_attachments",
        "reporteddevices" => "reported_devices",
        "hostdevices" => "host_devices",
        "tags" => "tags",
        "nics" => "nics",
        "cdroms" => "cdroms",
        "snapshots" => "snapshots",
        "watchdogs" => "watchdogs",
        "networkattachments" => "network_attachments",
        "vnicprofiles" => "vnic_profiles",
        _ => return None,
    })
}

/// `GET <collection>/<id>/<sub>`: a sub-collection of one object, `{}` when empty.
pub async fn sub_list(
    State(sim): State<Sim>,
    Path((collection, id, sub)): Path<(String, String, String)>,
) -> Response {
    let mut state = sim.state.lock().expect("sim state");
    *state
        .sub_reads
        .entry(format!("{collection}/{id}/{sub}"))
        .or_default() += 1;
    let Some(object) = state.objects(&collection).and_then(|c| c.get(&id)) else {
        return Refusal::not_found(&id).into_response();
    };
    if collection == "vms" && sub == "numanodes" {
        let nodes = state.numa_nodes.get(&id).cloned();
        return axum::Json(nodes.unwrap_or_else(|| json!({}))).into_response();
    }
    let Some(key) = inline_key(&sub) else {
        return Refusal::not_found(&format!("{collection}/{id}/{sub}")).into_response();
    };
    let mut items = object.get(key).cloned().unwrap_or_else(|| json!({}));
    // Items lose their own sub-collections, which only a nested `follow=` inlines.
    for (outer, item, inner) in super::state::unasked_nested(&collection, &[]) {
        if outer == key {
            let list = items.get_mut(item).and_then(Value::as_array_mut);
            for i in list.into_iter().flatten() {
                if let Some(i) = i.as_object_mut() {
                    i.remove(inner);
                }
            }
        }
    }
    axum::Json(items).into_response()
}

/// `POST vms/<id>/<action>`: `start`, `stop`, `shutdown`, and `tags` (attach a tag).
pub async fn act(
    State(sim): State<Sim>,
    Path((collection, id, action)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    if collection != "vms" {
        return not_allowed(&format!("POST {collection}/<id>/{action}"));
    }
    let req = match body_of(&body) {
        Ok(r) => r,
        Err(r) => return r.into_response(),
    };
    let mut state = sim.state.lock().expect("sim state");
    let done = match action.as_str() {
        "start" => state.start_vm(&id),
        "stop" | "shutdown" => state.stop_vm(&id),
        "nics" => {
            return match state.add_nic(&id, &req) {
                Ok(nic) => (StatusCode::CREATED, axum::Json(nic)).into_response(),
                Err(r) => r.into_response(),
            };
        }
        "tags" => {
            return match state.attach_tag(&id, &req) {
                Ok(tag) => (StatusCode::CREATED, axum::Json(tag)).into_response(),
                Err(r) => r.into_response(),
            };
        }
        _ => return not_allowed(&format!("POST vms/<id>/{action}")),
    };
    match done {
        Ok(()) => completed(),
        Err(r) => r.into_response(),
    }
}

/// `DELETE vms/<id>/tags/<tag id>`: detaches a tag.
pub async fn detach(
    State(sim): State<Sim>,
    Path((collection, id, sub, item)): Path<(String, String, String, String)>,
) -> Response {
    if collection != "vms" || sub != "tags" {
        return not_allowed(&format!("DELETE {collection}/<id>/{sub}/<id>"));
    }
    match sim.state.lock().expect("sim state").detach_tag(&id, &item) {
        Ok(()) => completed(),
        Err(r) => r.into_response(),
    }
}

impl SimState {
    /// `POST tags`: a new tag, `{"name", "id", "href", "description"}`. Logs no event.
    pub fn add_tag(&mut self, req: &Value) -> Result<Value, Refusal> {
        let name = req["name"].as_str().filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| Refusal::incomplete("Tag [name]"))?;
        let taken = self
            .objects("tags")
            .is_some_and(|c| c.values().any(|t| t["name"].as_str() == Some(name)));
        if taken {
            return Err(Refusal::conflict("Cannot add Tag. Tag name is in use."));
        }
        let id = self.mint_id("tag", name);
        let tag = json!({
            "name": name,
            "description": req["description"].as_str().unwrap_or(""),
            "id": id,
            "href": format!("{API}/tags/{id}"),
        });
        self.set_quietly("tags", tag.clone());
        Ok(tag)
    }

    /// `DELETE tags/<id>`: removes a tag, and detaches it from every VM.
    pub fn remove_tag(&mut self, id: &str) -> Result<(), Refusal> {
        let gone = self
            .collections
            .get_mut("tags")
            .and_then(|c| c.shift_remove(id));
        if gone.is_none() {
            return Err(Refusal::not_found(id));
        }
        if let Some(vms) = self.collections.get_mut("vms") {
            for vm in vms.values_mut() {
                drop_tag(vm, id);
            }
        }
        Ok(())
    }

    /// `POST vms/<id>/nics` with `{name, interface?, vnic_profile?: {id|name}}`: adds a NIC
    /// and logs event 932 (NIC added), which the collector follows.
    pub fn add_nic(&mut self, vm_id: &str, req: &Value) -> Result<Value, Refusal> {
        let mut vm = self.vm(vm_id)?;
        let name = req["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Refusal::incomplete("Nic [name]"))?
            .to_string();
        let mut nics: Vec<Value> = vm["nics"]["nic"].as_array().cloned().unwrap_or_default();
        if nics
            .iter()
            .any(|n| n["name"].as_str() == Some(name.as_str()))
        {
            return Err(Refusal::conflict(
                "Cannot add Interface. The VM Network Interface name is already in use.",
            ));
        }
        let nic_id = self.mint_id("nic", vm_id);
        let mac = format!(
            "56:6f:{}:{}:{}:{}",
            &nic_id[0..2],
            &nic_id[2..4],
            &nic_id[4..6],
            &nic_id[6..8]
        );
        let mut nic = json!({
            "name": name,
            "id": nic_id,
            "href": format!("{API}/vms/{vm_id}/nics/{nic_id}"),
            "interface": req["interface"].as_str().unwrap_or("virtio"),
            "linked": "true",
            "plugged": "true",
            "mac": {"address": mac},
            "vm": reference("vms", vm_id),
        });
        if req["vnic_profile"].is_object() {
            let profile = self.find_ref("vnicprofiles", &req["vnic_profile"])?;
            let pid = profile["id"].as_str().unwrap_or_default();
            nic["vnic_profile"] = reference("vnicprofiles", pid);
        }
        nics.push(nic.clone());
        vm["nics"] = json!({ "nic": nics });
        let vm_name = vm["name"].as_str().unwrap_or_default().to_string();
        self.put_described(
            "vms",
            vm,
            932,
            &format!("Interface {name} (VirtIO) was plugged to VM {vm_name}."),
        )
        .map_err(|e| Refusal::not_found(&e))?;
        Ok(nic)
    }

    /// `POST vms/<id>/tags` with `{"name"}` or `{"id"}`: attaches an existing tag; returns
    /// it as the VM's tag. Logs no event (the engine's is not one the collector polls).
    pub fn attach_tag(&mut self, vm_id: &str, req: &Value) -> Result<Value, Refusal> {
        let mut vm = self.vm(vm_id)?;
        if !req["id"].is_string() && !req["name"].is_string() {
            return Err(Refusal::incomplete("Tag [id|name]"));
        }
        let tag = self.find_ref("tags", req)?;
        let tag_id = tag["id"].as_str().unwrap_or_default().to_string();
        let mut attached: Vec<Value> = vm["tags"]["tag"].as_array().cloned().unwrap_or_default();
        if attached.iter().any(|t| t["id"] == tag["id"]) {
            return Err(Refusal::conflict(
                "Cannot attach Tag to VM. Tag is already attached to VM.",
            ));
        }
        let mut entry = tag.clone();
        entry["href"] = json!(format!("{API}/vms/{vm_id}/tags/{tag_id}"));
        entry["vm"] = reference("vms", vm_id);
        attached.push(entry.clone());
        vm["tags"] = json!({"tag": attached});
        self.set_quietly("vms", vm);
        Ok(entry)
    }

    /// `DELETE vms/<id>/tags/<tag id>`: detaches a tag; 404 when it is not attached.
    pub fn detach_tag(&mut self, vm_id: &str, tag_id: &str) -> Result<(), Refusal> {
        let mut vm = self.vm(vm_id)?;
        if !drop_tag(&mut vm, tag_id) {
            return Err(Refusal::not_found(tag_id));
        }
        self.set_quietly("vms", vm);
        Ok(())
    }
}

/// Removes a tag from a VM's inline `tags`; whether it was there.
fn drop_tag(vm: &mut Value, tag_id: &str) -> bool {
    let Some(list) = vm["tags"]["tag"].as_array_mut() else {
        return false;
    };
    let before = list.len();
    list.retain(|t| t["id"].as_str() != Some(tag_id));
    let dropped = list.len() != before;
    if list.is_empty() {
        vm["tags"] = json!({});
    }
    dropped
}
