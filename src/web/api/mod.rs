//! The JSON API under `/api/v1`, and its OpenAPI document.
//!
//! Each resource is a module with its handlers, documented with `utoipa::path`; [`ApiDoc`]
//! gathers them, so the document served at `/api/v1/openapi.json` is generated from the
//! code that answers.

mod doc;
mod history;
pub mod inventory;
pub mod machines;
pub mod node;
pub mod opa;
mod plans;
mod system;
mod tokens;
pub mod validation;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use crate::web::respond::{ApiError, ApiJson, ErrorBody};

use super::routes::{Access, Routes};
use crate::auth::Role;

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "vmyard API", description = "Inventory, migration readiness, machines and node facts of an oVirt site."),
    paths(
        system::status,
        system::whoami,
        system::config,
        tokens::list,
        tokens::create,
        tokens::revoke,
        inventory::providers,
        inventory::provider,
        inventory::list,
        inventory::get,
        validation::status,
        validation::concerns,
        validation::vm_concerns,
        validation::vm_workload,
        validation::readiness_report,
        history::changes,
        history::trend,
        plans::make,
        machines::controller,
        machines::classes,
        machines::class,
        machines::create_class,
        machines::delete_class,
        machines::machines,
        machines::machine,
        machines::create_machine,
        machines::delete_machine,
        machines::sets,
        machines::set,
        machines::create_set,
        machines::scale_set,
        machines::set_priority,
        machines::delete_set,
        node::system,
        node::system_san,
        node::om3_system,
        node::om3_system_san,
        node::nodes,
        node::node,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "system", description = "The service itself"),
        (name = "tokens", description = "API tokens"),
        (name = "inventory", description = "The engines' inventory"),
        (name = "validation", description = "Migration readiness: concerns raised by the Rego rules"),
        (name = "machines", description = "Machine classes, machines and machine sets, and their controller"),
        (name = "node", description = "Facts of this node and its peers (om3-compatible)")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

impl ApiDoc {
    /// The document as the handlers' annotations make it, before [`doc::finish`].
    pub fn generated() -> utoipa::openapi::OpenApi {
        <ApiDoc as OpenApi>::openapi()
    }
}

/// The OpenAPI document, as served.
pub fn openapi() -> serde_json::Value {
    let generated =
        serde_json::to_value(ApiDoc::generated()).expect("the generated document is plain JSON");
    doc::finish(generated)
}

/// The document as served, in utoipa's types (for the reference page). Should the
/// finished document not read back, the page shows the document before its finishing
/// pass rather than nothing; a test holds that it reads back.
pub fn document() -> utoipa::openapi::OpenApi {
    serde_json::from_value(openapi()).unwrap_or_else(|_| ApiDoc::generated())
}

async fn openapi_json() -> Json<serde_json::Value> {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi).clone())
}

/// Registers every API route.
pub fn register(r: Routes) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    let admin = Access::Role(Role::Admin);
    let operator = Access::Role(Role::Operator);
    r.get("/api/v1/openapi.json", viewer, openapi_json)
        // Forklift's policy agent, on OPA's paths.
        .post(
            "/v1/data/io/konveyor/forklift/ovirt/validate",
            viewer,
            opa::validate,
        )
        .get(
            "/v1/data/io/konveyor/forklift/ovirt/rules_version",
            viewer,
            opa::rules_version,
        )
        .post(
            "/v1/data/io/konveyor/forklift/ovirt/rules_version",
            viewer,
            opa::rules_version,
        )
        .get("/api/v1/machines/controller", viewer, machines::controller)
        .get("/api/v1/machineclasses", viewer, machines::classes)
        .post("/api/v1/machineclasses", operator, machines::create_class)
        .get("/api/v1/machineclasses/{name}", viewer, machines::class)
        .delete(
            "/api/v1/machineclasses/{name}",
            operator,
            machines::delete_class,
        )
        .get("/api/v1/machines", viewer, machines::machines)
        .post("/api/v1/machines", operator, machines::create_machine)
        .get("/api/v1/machines/{name}", viewer, machines::machine)
        .delete(
            "/api/v1/machines/{name}",
            operator,
            machines::delete_machine,
        )
        .post(
            "/api/v1/machines/{name}/priority",
            operator,
            machines::set_priority,
        )
        .get("/api/v1/machinesets", viewer, machines::sets)
        .post("/api/v1/machinesets", operator, machines::create_set)
        .get("/api/v1/machinesets/{name}", viewer, machines::set)
        .post(
            "/api/v1/machinesets/{name}/scale",
            operator,
            machines::scale_set,
        )
        .delete("/api/v1/machinesets/{name}", operator, machines::delete_set)
        .get("/api/v1/status", viewer, system::status)
        .get("/api/v1/whoami", viewer, system::whoami)
        .get("/api/v1/config", viewer, system::config)
        .get("/api/v1/tokens", admin, tokens::list)
        .post("/api/v1/tokens", admin, tokens::create)
        .delete("/api/v1/tokens/{id}", admin, tokens::revoke)
        .get("/api/v1/providers", viewer, inventory::providers)
        .get("/api/v1/providers/{provider}", viewer, inventory::provider)
        .get(
            "/api/v1/providers/{provider}/{kind}",
            viewer,
            inventory::list,
        )
        .get(
            "/api/v1/providers/{provider}/{kind}/{id}",
            viewer,
            inventory::get,
        )
        .get("/api/v1/validation", viewer, validation::status)
        .get(
            "/api/v1/providers/{provider}/history",
            viewer,
            history::changes,
        )
        .get("/api/v1/providers/{provider}/trend", viewer, history::trend)
        .post("/api/v1/providers/{provider}/plans", viewer, plans::make)
        .get(
            "/api/v1/providers/{provider}/concerns",
            viewer,
            validation::concerns,
        )
        .get(
            "/api/v1/providers/{provider}/report",
            viewer,
            validation::readiness_report,
        )
        .get(
            "/api/v1/providers/{provider}/vms/{id}/concerns",
            viewer,
            validation::vm_concerns,
        )
        .get(
            "/api/v1/providers/{provider}/vms/{id}/workload",
            viewer,
            validation::vm_workload,
        )
        .get(
            "/api/node/name/{nodename}/system/{section}",
            viewer,
            node::om3_system,
        )
        .get(
            "/api/node/name/{nodename}/system/san/{kind}",
            viewer,
            node::om3_system_san,
        )
        .get(
            "/api/v1/node/name/{nodename}/system/{section}",
            viewer,
            node::system,
        )
        .get(
            "/api/v1/node/name/{nodename}/system/san/{kind}",
            viewer,
            node::system_san,
        )
        .get("/api/v1/nodes", viewer, node::nodes)
        .get("/api/v1/nodes/{nodename}", viewer, node::node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_page_shows_every_operation_and_schema_of_the_served_document() {
        let served = openapi();
        let typed: utoipa::openapi::OpenApi =
            serde_json::from_value(served.clone()).expect("the served document reads back");
        let reference = crate::web::read::api_reference::build(&typed);
        let operations: usize = served["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        let shown: usize = reference.groups.iter().map(|g| g.operations.len()).sum();
        assert_eq!(shown, operations);
        assert_eq!(
            reference.schemas.len(),
            served["components"]["schemas"].as_object().unwrap().len()
        );
        // The finishing pass's answers are on the page too: every operation can answer 401.
        let list = reference
            .groups
            .iter()
            .flat_map(|g| &g.operations)
            .find(|o| o.method == "GET" && o.path == "/api/v1/providers/{provider}/{kind}")
            .expect("the inventory list");
        assert!(list.responses.iter().any(|r| r.status == "401"));
        let ok = list.responses.iter().find(|r| r.status == "200").unwrap();
        let (_, body) = ok.body.as_ref().unwrap();
        assert_eq!(body.schema.as_deref(), Some("ObjectPage"));
        assert!(
            list.parameters
                .iter()
                .any(|p| p.name == "cluster" && p.location == "query")
        );
        let vm = reference.schemas.iter().find(|s| s.name == "Vm").unwrap();
        let memory = vm.fields.iter().find(|f| f.name == "memory").unwrap();
        assert_eq!(memory.kind.text, "integer");
        let nics = vm.fields.iter().find(|f| f.name == "nics").unwrap();
        assert_eq!(nics.kind.schema.as_deref(), Some("VmNic"), "{nics:?}");
    }
}
