//! The machines API: classes, machines and sets (declare, scale, delete, read), and the
//! controller's status. Reads need `viewer`; every change needs `operator`. Changes only
//! write the wanted state; the controller does the engine work and the phases show it.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiJson, ErrorBody};
use crate::machines::commands::{self, ClassEntry, CommandError, Scaled};
use crate::machines::controller::{EngineReach, SweepReport};
use crate::machines::model::{Machine, MachineClass, MachineSet, Operation, Phase};
use crate::web::AppState;
pub use crate::web::read::machines::{SetView, sets_view};

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Invalid(m) => ApiError::new(StatusCode::BAD_REQUEST, "invalid", m),
            CommandError::NotFound(m) => ApiError::not_found(m),
            CommandError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            CommandError::Unconfirmed { message, .. } => {
                ApiError::new(StatusCode::CONFLICT, "unconfirmed", message)
            }
            CommandError::Store(e) => e.into(),
        }
    }
}

/// A machine as the API shows it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MachineView {
    /// The machine.
    #[serde(flatten)]
    pub machine: Machine,
    /// Its newest operation.
    pub last_operation: Option<Operation>,
    /// The provider of its class, where its VM is in the inventory.
    pub provider: Option<String>,
    /// Its VM's engine id, for `/api/v1/providers/{provider}/vms/{id}`.
    pub vm_id: Option<String>,
}

/// `classes` is read once per answer by the caller, not once per machine.
fn view(classes: &[ClassEntry], m: Machine) -> MachineView {
    let provider = classes
        .iter()
        .find(|e| e.class.name == m.class)
        .map(|e| e.class.provider.clone());
    let vm_id = m
        .provider_id
        .as_deref()
        .and_then(crate::machines::driver::vm_id)
        .map(str::to_string);
    MachineView {
        last_operation: m.last_operation().cloned(),
        machine: m,
        provider,
        vm_id,
    }
}

fn all_classes(app: &AppState) -> Result<Vec<ClassEntry>, ApiError> {
    Ok(commands::classes(&app.config.current(), &app.store)?)
}

/// The controller's state: each engine's reachability (frozen or not) and the last sweep.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ControllerView {
    /// Each engine the controller has called.
    pub engines: Vec<EngineReach>,
    /// What the last orphan sweep did.
    pub last_sweep: SweepReport,
}

/// The machine controller's state.
#[utoipa::path(get, path = "/api/v1/machines/controller", tag = "machines",
    responses((status = 200, body = ControllerView), (status = 401, body = ErrorBody)))]
pub async fn controller(State(app): State<AppState>) -> Json<ControllerView> {
    Json(ControllerView {
        engines: app.machines.reach(),
        last_sweep: app.machines.last_sweep(),
    })
}

/// Every machine class, from the config and made through the API.
#[utoipa::path(get, path = "/api/v1/machineclasses", tag = "machines",
    responses((status = 200, body = Vec<ClassEntry>), (status = 401, body = ErrorBody)))]
pub async fn classes(State(app): State<AppState>) -> Result<Json<Vec<ClassEntry>>, ApiError> {
    Ok(Json(commands::classes(&app.config.current(), &app.store)?))
}

/// One machine class.
#[utoipa::path(get, path = "/api/v1/machineclasses/{name}", tag = "machines",
    params(("name" = String, Path, description = "The class name")),
    responses((status = 200, body = ClassEntry), (status = 404, body = ErrorBody)))]
pub async fn class(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ClassEntry>, ApiError> {
    commands::class(&app.config.current(), &app.store, &name)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no class named {name}")))
}

/// Makes a machine class (`operator`).
#[utoipa::path(post, path = "/api/v1/machineclasses", tag = "machines", request_body = MachineClass,
    responses((status = 201, body = ClassEntry), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_class(
    State(app): State<AppState>,
    ApiJson(class): ApiJson<MachineClass>,
) -> Result<(StatusCode, Json<ClassEntry>), ApiError> {
    if let Some((field, why)) = class.out_of_range() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {why}"),
        ));
    }
    let name = class.name.clone();
    commands::create_class(&app.config.current(), &app.store, class)?;
    let entry = commands::class(&app.config.current(), &app.store, &name)?
        .ok_or_else(|| ApiError::internal("the class vanished"))?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Removes a class made through the API, when nothing uses it (`operator`).
#[utoipa::path(delete, path = "/api/v1/machineclasses/{name}", tag = "machines",
    params(("name" = String, Path, description = "The class name")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_class(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    commands::delete_class(&app.config.current(), &app.store, &name)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the machine list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MachineFilter {
    /// Only machines of this set.
    pub set: Option<String>,
    /// Only machines of this class.
    pub class: Option<String>,
    /// Only machines in this phase.
    pub phase: Option<String>,
}

/// Every machine, by name.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(MachineFilter),
    responses((status = 200, body = Vec<MachineView>), (status = 400, body = ErrorBody)))]
pub async fn machines(
    State(app): State<AppState>,
    filter: Result<Query<MachineFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<MachineView>>, ApiError> {
    let Query(filter) = filter.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Some(p) = &filter.phase
        && !Phase::ALL.iter().any(|x| x.is_named(p))
    {
        return Err(ApiError::bad_request(format!(
            "phase {p:?}: use one of {} (or \"\" for Creating)",
            Phase::ALL.map(Phase::as_str).join(", ")
        )));
    }
    let all = app.store.read()?.list::<Machine>()?;
    let classes = all_classes(&app)?;
    Ok(Json(
        all.into_iter()
            .map(|(_, m)| m.value)
            .filter(|m| {
                filter
                    .set
                    .as_ref()
                    .is_none_or(|s| m.set.as_ref() == Some(s))
            })
            .filter(|m| filter.class.as_ref().is_none_or(|c| &m.class == c))
            .filter(|m| filter.phase.as_ref().is_none_or(|p| m.phase.is_named(p)))
            .map(|m| view(&classes, m))
            .collect(),
    ))
}

/// One machine, with its history.
#[utoipa::path(get, path = "/api/v1/machines/{name}", tag = "machines",
    params(("name" = String, Path, description = "The machine name")),
    responses((status = 200, body = MachineView), (status = 404, body = ErrorBody)))]
pub async fn machine(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<MachineView>, ApiError> {
    let m = app
        .store
        .read()?
        .get::<Machine>(&name)?
        .ok_or_else(|| ApiError::not_found(format!("no machine named {name}")))?;
    Ok(Json(view(&all_classes(&app)?, m.value)))
}

/// A machine to declare.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMachine {
    /// Its name (also the VM and host name).
    pub name: String,
    /// Its class.
    pub class: String,
}

/// Declares a machine (`operator`); the controller creates its VM.
#[utoipa::path(post, path = "/api/v1/machines", tag = "machines", request_body = NewMachine,
    responses((status = 201, body = MachineView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_machine(
    State(app): State<AppState>,
    ApiJson(new): ApiJson<NewMachine>,
) -> Result<(StatusCode, Json<MachineView>), ApiError> {
    let m = commands::create_machine(&app.config.current(), &app.store, &new.name, &new.class)?;
    Ok((StatusCode::CREATED, Json(view(&all_classes(&app)?, m))))
}

/// Asks for a machine's deletion (`operator`): its VM is removed, then the machine.
#[utoipa::path(delete, path = "/api/v1/machines/{name}", tag = "machines",
    params(("name" = String, Path, description = "The machine name")),
    responses((status = 202), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_machine(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    commands::delete_machine(&app.store, &name)?;
    Ok(StatusCode::ACCEPTED)
}

/// Every machine set.
#[utoipa::path(get, path = "/api/v1/machinesets", tag = "machines",
    responses((status = 200, body = Vec<SetView>), (status = 401, body = ErrorBody)))]
pub async fn sets(State(app): State<AppState>) -> Result<Json<Vec<SetView>>, ApiError> {
    Ok(Json(sets_view(&app)?))
}

/// One machine set.
#[utoipa::path(get, path = "/api/v1/machinesets/{name}", tag = "machines",
    params(("name" = String, Path, description = "The set name")),
    responses((status = 200, body = SetView), (status = 404, body = ErrorBody)))]
pub async fn set(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<SetView>, ApiError> {
    sets_view(&app)?
        .into_iter()
        .find(|s| s.set.name == name)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no set named {name}")))
}

/// A set to declare.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSet {
    /// Its name; its machines are named `<name>-<suffix>`.
    pub name: String,
    /// The class of its machines.
    pub class: String,
    /// How many machines.
    pub replicas: u32,
}

/// Declares a machine set (`operator`).
#[utoipa::path(post, path = "/api/v1/machinesets", tag = "machines", request_body = NewSet,
    responses((status = 201, body = MachineSet), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_set(
    State(app): State<AppState>,
    ApiJson(new): ApiJson<NewSet>,
) -> Result<(StatusCode, Json<MachineSet>), ApiError> {
    let s = commands::create_set(
        &app.config.current(),
        &app.store,
        &new.name,
        &new.class,
        new.replicas,
    )?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// A machine's new priority.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Priority {
    /// 1 (goes first when its set shrinks) to 5 (goes last); 3 by default, as in MCM.
    pub priority: u8,
}

/// Sets a machine's priority (`operator`).
#[utoipa::path(post, path = "/api/v1/machines/{name}/priority", tag = "machines", request_body = Priority,
    params(("name" = String, Path, description = "The machine name")),
    responses((status = 200, body = Machine), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_priority(
    State(app): State<AppState>,
    Path(name): Path<String>,
    ApiJson(p): ApiJson<Priority>,
) -> Result<Json<Machine>, ApiError> {
    Ok(Json(commands::set_priority(&app.store, &name, p.priority)?))
}

/// A new replica count.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// How many machines the set wants.
    pub replicas: u32,
    /// The machines a scale down deletes, as a dry run names them: a scale that deletes
    /// machines not all named here is refused (409, `unconfirmed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Vec<String>>,
    /// Only say what the scale would do (the set and the machines it deletes).
    #[serde(default)]
    pub dry_run: bool,
}

/// Scales a machine set (`operator`).
#[utoipa::path(post, path = "/api/v1/machinesets/{name}/scale", tag = "machines", request_body = Scale,
    params(("name" = String, Path, description = "The set name")),
    responses((status = 200, body = Scaled), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn scale_set(
    State(app): State<AppState>,
    Path(name): Path<String>,
    ApiJson(scale): ApiJson<Scale>,
) -> Result<Json<Scaled>, ApiError> {
    Ok(Json(commands::scale_set(
        &app.store,
        &name,
        scale.replicas,
        scale.confirm.as_deref(),
        scale.dry_run,
    )?))
}

/// Deletes a machine set and its machines (`operator`).
#[utoipa::path(delete, path = "/api/v1/machinesets/{name}", tag = "machines",
    params(("name" = String, Path, description = "The set name")),
    responses((status = 202), (status = 404, body = ErrorBody)))]
pub async fn delete_set(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    commands::delete_set(&app.store, &name)?;
    Ok(StatusCode::ACCEPTED)
}
