//! InitializeMachine, GetMachineStatus, DeleteMachine and ListMachines.
//!
//! Waits (image unlocked, up, down) poll the VM every `poll` and give up after `wait` with
//! DeadlineExceeded; every method can be called again after any failure and picks up
//! where the VM is.

use serde_json::json;

use super::OvirtDriver;
use super::errors::is_locked;
use super::lookup::VmView;
use crate::machines::codes::{Code, DriverResult, MachineError};
use crate::machines::driver::{
    DeleteMachineResponse, MachineList, MachineRequest, MachineStatusResponse, provider_id,
};
use crate::machines::model::MachineClass;

/// States in which a VM is on its way up or up: starting it again is not needed.
const STARTING: [&str; 4] = ["up", "powering_up", "wait_for_launch", "reboot_in_progress"];

fn status(vm: &VmView) -> MachineStatusResponse {
    MachineStatusResponse {
        provider_id: provider_id(&vm.id),
        node_name: vm.name.clone(),
        addresses: vm.node_addresses(),
        state: vm.status.clone(),
    }
}

fn not_found(req: &MachineRequest) -> MachineError {
    MachineError::new(
        Code::NotFound,
        format!(
            "no VM of class {} for machine {}",
            req.class.name, req.machine.name
        ),
    )
}

pub(super) async fn get_machine_status(
    d: &OvirtDriver,
    req: &MachineRequest,
) -> DriverResult<MachineStatusResponse> {
    let vm = d
        .find(&req.machine, &req.class)
        .await?
        .ok_or_else(|| not_found(req))?;
    if vm.status != "up" {
        return Err(MachineError::new(
            Code::Uninitialized,
            format!(
                "VM {} ({}) is {}, not up",
                vm.name,
                provider_id(&vm.id),
                vm.status
            ),
        ));
    }
    Ok(status(&vm))
}

pub(super) async fn initialize_machine(
    d: &OvirtDriver,
    req: &MachineRequest,
) -> DriverResult<MachineStatusResponse> {
    let deadline = tokio::time::Instant::now() + d.timing.wait;
    let mut started = false;
    // The engine's last refusal to start it, told when the wait ends.
    let mut refusal: Option<MachineError> = None;
    loop {
        let vm = d
            .find(&req.machine, &req.class)
            .await?
            .ok_or_else(|| not_found(req))?;
        if vm.status == "up" {
            return Ok(status(&vm));
        }
        let startable = vm.status == "down" || vm.status == "suspended";
        if startable && !started {
            let body = json!({"use_cloud_init": "true"});
            match d.post(&format!("vms/{}/start", vm.id), &body).await {
                Ok(_) => started = true,
                // Locked a moment longer, or a conflict that may pass: look again.
                Err(e) if is_locked(&e) || e.code == Code::Aborted => refusal = Some(e),
                Err(e) => return Err(e),
            }
        } else if startable && started {
            // It went down again after we started it: start it once more.
            started = false;
        } else if !STARTING.contains(&vm.status.as_str()) && vm.status != "image_locked" {
            return Err(MachineError::new(
                Code::FailedPrecondition,
                format!("VM {} is {}; it cannot be started", vm.name, vm.status),
            ));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(match refusal {
                Some(e) if !is_locked(&e) => e,
                _ => MachineError::new(
                    Code::DeadlineExceeded,
                    format!(
                        "VM {} still {} after {:?}",
                        vm.name, vm.status, d.timing.wait
                    ),
                ),
            });
        }
        tokio::time::sleep(d.timing.poll).await;
    }
}

pub(super) async fn delete_machine(
    d: &OvirtDriver,
    req: &MachineRequest,
) -> DriverResult<DeleteMachineResponse> {
    let gone = || DeleteMachineResponse {
        last_known_state: "deleted".into(),
    };
    // Found by provider id when there is one, else by name: but a VM that is not ours is
    // never touched, whichever way it was found.
    let vm = match &req.machine.provider_id {
        Some(pid) => {
            let id = crate::machines::driver::vm_id(pid).ok_or_else(|| {
                MachineError::new(
                    Code::InvalidArgument,
                    format!("{pid:?} is not an oVirt provider id"),
                )
            })?;
            d.vm_by_id(id).await?
        }
        None => d.find(&req.machine, &req.class).await?,
    };
    let Some(vm) = vm else {
        return Ok(gone());
    };
    if !vm.is_ours(&req.class) {
        return Err(MachineError::new(
            Code::FailedPrecondition,
            format!(
                "VM {} ({}) lacks the tags of class {}; it is not deleted",
                vm.name, vm.id, req.class.name
            ),
        ));
    }
    let deadline = tokio::time::Instant::now() + d.timing.wait;
    let mut stopped = false;
    loop {
        let Some(now) = d.vm_by_id(&vm.id).await? else {
            return Ok(gone());
        };
        if now.status == "down" {
            match d.delete(&format!("vms/{}", vm.id)).await {
                Ok(_) => return Ok(gone()),
                Err(e) if e.code == Code::NotFound => return Ok(gone()),
                Err(e) if e.code == Code::Aborted => {}
                Err(e) => return Err(e),
            }
        } else if now.status != "image_locked" && !stopped {
            match d.post(&format!("vms/{}/stop", vm.id), &json!({})).await {
                Ok(_) => stopped = true,
                Err(e) if e.code == Code::NotFound => return Ok(gone()),
                Err(e) if e.code == Code::Aborted => {}
                Err(e) => return Err(e),
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(MachineError::new(
                Code::DeadlineExceeded,
                format!(
                    "VM {} still {} after {:?}",
                    vm.name, now.status, d.timing.wait
                ),
            ));
        }
        tokio::time::sleep(d.timing.poll).await;
    }
}

pub(super) async fn list_machines(
    d: &OvirtDriver,
    class: &MachineClass,
) -> DriverResult<MachineList> {
    Ok(d.class_vms(class)
        .await?
        .into_iter()
        .map(|v| (provider_id(&v.id), v.name))
        .collect())
}
