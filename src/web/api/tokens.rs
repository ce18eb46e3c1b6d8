//! API tokens: create (shown once), list, revoke. Admins only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::{ApiError, ApiJson, ErrorBody};
use crate::auth::Identity;
use crate::auth::token::{self, ApiToken};
use crate::web::AppState;
use crate::web::read::tokens::{CreatedToken, NewToken};

/// Every token, without secrets.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", operation_id = "list_tokens",
    responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list(State(app): State<AppState>) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(token::list(&app.store)?))
}

/// Creates a token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn create(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let name = crate::web::read::tokens::check_name(&new.name).map_err(ApiError::bad_request)?;
    let (secret, mut info) = token::create(&app.store, name, new.role, &me.name, new.expires_at)?;
    info.secret_sha256.clear();
    tracing::info!(id = %info.id, name, role = %new.role, by = %me.name, "token created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: secret,
            info,
        }),
    ))
}

/// Revokes a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn revoke(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if token::revoke(&app.store, &id)? {
        tracing::info!(id, by = %me.name, "token revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no token with id {id}")))
    }
}
