//! The inventory API: providers with their collection state, and every kind of engine
//! object with filters, sorting and paging.

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::{ApiError, ErrorBody};
use crate::inventory::decode::{COLLECTIONS, Kind};
use crate::inventory::query::{self, ListQuery};
use crate::inventory::{self, for_kind, model::*};
use crate::store::ReadTxn;
use crate::web::AppState;
use crate::web::read::filters;
pub use crate::web::read::providers::{ProviderView, providers_view};
use utoipa::ToSchema;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// Every provider with its phase, parity, engine version, counts and progress.
#[utoipa::path(get, path = "/api/v1/providers", tag = "inventory",
    responses((status = 200, body = Vec<ProviderView>), (status = 401, body = ErrorBody)))]
pub async fn providers(State(app): State<AppState>) -> Result<Json<Vec<ProviderView>>, ApiError> {
    Ok(Json(providers_view(&app)?))
}

/// One provider.
#[utoipa::path(get, path = "/api/v1/providers/{provider}", tag = "inventory",
    params(("provider" = String, Path, description = "The provider name")),
    responses((status = 200, body = ProviderView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn provider(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<ProviderView>, ApiError> {
    providers_view(&app)?
        .into_iter()
        .find(|p| p.name == name)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no provider {name}")))
}

fn kind_of(path: &str) -> Result<Kind, ApiError> {
    Kind::from_path(path).ok_or_else(|| {
        ApiError::not_found(format!(
            "no kind {path}: use datacenters, clusters, hosts, vms, networks, vnicprofiles, diskprofiles, storagedomains or disks"
        ))
    })
}

pub(super) fn known_provider(app: &AppState, name: &str) -> Result<(), ApiError> {
    if app
        .config
        .current()
        .providers
        .iter()
        .any(|p| p.name == name)
    {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no provider {name}")))
    }
}

/// Lists one kind of a provider as JSON, whatever the kind.
pub fn list_json(
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    q: &ListQuery,
) -> Result<Value, ApiError> {
    Ok(serde_json::from_slice(&list_bytes(r, provider, kind, q)?).unwrap_or_default())
}

/// Lists one kind of a provider as encoded JSON (`{total, page, per_page, items}`),
/// straight from the records to the bytes.
pub fn list_bytes(
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    q: &ListQuery,
) -> Result<Bytes, ApiError> {
    // Names stand for ids, and a value that matches nothing known is an error.
    let q = &filters::resolve(r, provider, kind, q)?;
    let body = match kind {
        Kind::Vm => {
            // Validation keeps its results under the VM's own key: its indexes filter VMs.
            let by_concern = crate::validation::vm_keys_matching(
                r,
                provider,
                [
                    ("concern", q.concern.as_deref()),
                    ("category", q.category.as_deref()),
                    ("readiness", q.readiness.as_deref()),
                ],
            )?;
            serde_json::to_vec(&query::list::<Vm>(r, provider, q, by_concern)?)
        }
        other => {
            for_kind!(other, T => serde_json::to_vec(&query::list::<T>(r, provider, q, None)?))
        }
    };
    body.map(Bytes::from)
        .map_err(|e| ApiError::internal(format!("encoding the list: {e}")))
}

fn json_response(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// One object as JSON with its revision, whatever the kind.
pub fn get_json(
    r: &ReadTxn,
    provider: &str,
    kind: Kind,
    id: &str,
) -> Result<Option<Value>, ApiError> {
    let key = inventory::key(provider, id);
    let Some((revision, value)) = for_kind!(kind, T => r.get::<T>(&key)?.map(|s| (s.revision, serde_json::to_value(&s.value))))
    else {
        return Ok(None);
    };
    let mut v =
        value.map_err(|e| ApiError::internal(format!("encoding {} {id}: {e}", kind.path())))?;
    v["revision"] = revision.into();
    Ok(Some(v))
}

/// A page of objects: `{total, page, per_page, items}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ObjectPage {
    /// Objects matching the filters.
    pub total: usize,
    /// This page, from 1.
    pub page: usize,
    /// Objects per page.
    pub per_page: usize,
    /// The objects, each with its `revision`.
    pub items: Vec<InventoryObject>,
}

/// Any JSON object (the node API's sections, typed by om3's documentation).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(value_type = Object)]
pub struct Object(pub Value);

/// An inventory object of any kind, with its revision in the store.
#[derive(Debug, Serialize)]
pub struct InventoryObject(pub Value);

/// The document types an object by its kind: it is one of the kinds' own schemas (`Vm`,
/// `Host`, ...), which the path's `{kind}` picks, plus the `revision` beside its fields.
/// `anyOf`, not `oneOf`: the schemas allow fields they do not name, so a VM may also
/// satisfy a kind with fewer required fields.
impl utoipa::PartialSchema for InventoryObject {
    fn schema() -> RefOr<Schema> {
        let kinds = COLLECTIONS.iter().fold(AnyOfBuilder::new(), |any, c| {
            any.item(Ref::from_schema_name(
                for_kind!(c.kind, T => <T as ToSchema>::name()),
            ))
        });
        let revision = ObjectBuilder::new()
            .property(
                "revision",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(0))
                    .description(Some("The object's revision in the store")),
            )
            .required("revision");
        AllOfBuilder::new()
            .description(Some(
                "An inventory object: the schema of its kind, with its revision in the store",
            ))
            .item(kinds)
            .item(revision)
            .into()
    }
}

impl ToSchema for InventoryObject {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((T::name().into_owned(), T::schema()));
            T::schemas(schemas);
        }
        for c in &COLLECTIONS {
            for_kind!(c.kind, T => add::<T>(schemas));
        }
    }
}

/// Objects of one kind, filtered (`q`, `cluster`, `host`, `status`), sorted by name, paged.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/{kind}", tag = "inventory", operation_id = "list_objects",
    params(("provider" = String, Path, description = "The provider name"),
           ("kind" = String, Path, description = "datacenters, clusters, hosts, vms, networks, vnicprofiles, diskprofiles, storagedomains or disks"),
           ListQuery),
    responses((status = 200, body = ObjectPage), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    Path((provider, kind)): Path<(String, String)>,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    unknown_parameters(raw.as_deref())?;
    known_provider(&app, &provider)?;
    let kind = kind_of(&kind)?;
    let generation = app.store.generation();
    let key = format!("list\0{provider}\0{}\0{:?}", kind.path(), q.normalized());
    let body = app.answers.get_or_compute(key, generation, || {
        list_bytes(&app.store.read()?, &provider, kind, &q)
    })?;
    Ok(json_response(body))
}

/// Refuses a parameter a list does not take, so a misspelt filter is an error rather than
/// a silently unfiltered answer.
fn unknown_parameters(raw: Option<&str>) -> Result<(), ApiError> {
    for (key, _) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !ListQuery::PARAMETERS.contains(&key.as_ref()) {
            return Err(ApiError::bad_request(format!(
                "unknown parameter `{key}`: use {}",
                ListQuery::PARAMETERS.join(", ")
            )));
        }
    }
    Ok(())
}

/// One object, with its revision.
#[utoipa::path(get, path = "/api/v1/providers/{provider}/{kind}/{id}", tag = "inventory",
    params(("provider" = String, Path, description = "The provider name"),
           ("kind" = String, Path, description = "The kind, as in the list"),
           ("id" = String, Path, description = "The engine id")),
    responses((status = 200, body = InventoryObject), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    Path((provider, kind, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    known_provider(&app, &provider)?;
    let kind = kind_of(&kind)?;
    let r = app.store.read()?;
    get_json(&r, &provider, kind, &id)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no {} {id} in {provider}", kind.path())))
}
