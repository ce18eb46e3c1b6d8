//! Settings: the effective config (redacted), its file, the last reload and its error, and
//! for admins the API tokens.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::{Extension, Form};
use serde::Deserialize;

use super::when::{When, when};
use super::{Banner, Layout, PageResult, render};
use crate::auth::{Identity, Role, token};
use crate::config::redact;
use crate::web::AppState;
use crate::web::routes::{Access, Routes};

/// Registers the settings page and its token forms.
pub(super) fn register(r: Routes) -> Routes {
    let admin = Access::Role(Role::Admin);
    r.get("/settings", Access::Role(Role::Viewer), show)
        .post("/settings/tokens", admin, create_token)
        .post("/settings/tokens/{id}/revoke", admin, revoke_token)
}

struct StatusView {
    file: Option<String>,
    loaded_at: When,
    reloads_ok: u64,
    reloads_failed: u64,
    error: Option<Banner>,
    restart_needed: Vec<String>,
}

struct TokenRow {
    id: String,
    name: String,
    role: Role,
    created_by: String,
    created: When,
    last_used: Option<When>,
    expires: Option<When>,
    expired: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    status: StatusView,
    effective: String,
    tokens: Vec<TokenRow>,
    flash: Option<String>,
    new_token: Option<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct FlashQuery {
    flash: Option<String>,
}

fn page(
    app: &AppState,
    me: &Identity,
    flash: Option<String>,
    new_token: Option<(String, String)>,
) -> PageResult {
    let s = app.config.status();
    let tokens = if me.role >= Role::Admin {
        token::list(&app.store)?
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                role: t.role,
                created_by: t.created_by,
                created: when(t.created_at),
                last_used: t.last_used_at.map(when),
                expires: t.expires_at.map(when),
                expired: t.expires_at.is_some_and(|at| at <= jiff::Timestamp::now()),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&SettingsPage {
        layout: Layout::new(app, me, "Settings", "/settings"),
        status: StatusView {
            file: s.file.map(|f| f.display().to_string()),
            loaded_at: when(s.loaded_at),
            reloads_ok: s.reloads_ok,
            reloads_failed: s.reloads_failed,
            error: s.error.map(|e| Banner {
                at: when(e.at),
                message: e.message,
            }),
            restart_needed: s.restart_needed,
        },
        effective: redact::to_toml(&app.config.current()),
        tokens,
        flash,
        new_token,
    }))
}

async fn show(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    // Only known messages are shown, so a crafted link cannot put words on the page.
    let flash = match q.flash.as_deref() {
        Some("revoked") => Some("The token was revoked.".to_string()),
        Some("gone") => Some("That token no longer exists.".to_string()),
        _ => None,
    };
    page(&app, &me, flash, None)
}

#[derive(Debug, Deserialize)]
struct NewTokenForm {
    name: String,
    role: String,
    /// Days until it expires; empty for never.
    #[serde(default)]
    expires_days: String,
}

async fn create_token(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Form(f): Form<NewTokenForm>,
) -> PageResult {
    let role = match f.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => return page(&app, &me, Some(e), None),
    };
    let name = match crate::web::read::tokens::check_name(&f.name) {
        Ok(n) => n.to_string(),
        Err(e) => return page(&app, &me, Some(e), None),
    };
    let expires_at = match f.expires_days.trim() {
        "" => None,
        days => match days.parse::<i64>() {
            Ok(d) if (1..=3650).contains(&d) => {
                Some(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(d * 24))
            }
            _ => {
                return page(
                    &app,
                    &me,
                    Some(format!(
                        "Expiry {days:?}: give a number of days from 1 to 3650."
                    )),
                    None,
                );
            }
        },
    };
    match token::create(&app.store, &name, role, &me.name, expires_at) {
        Ok((secret, info)) => {
            tracing::info!(id = %info.id, name, %role, by = %me.name, "token created");
            page(&app, &me, None, Some((secret, name)))
        }
        Err(e) => page(
            &app,
            &me,
            Some(format!("The token could not be stored: {e}")),
            None,
        ),
    }
}

async fn revoke_token(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    Path(id): Path<String>,
) -> PageResult {
    Ok(if token::revoke(&app.store, &id)? {
        tracing::info!(id, by = %me.name, "token revoked");
        Redirect::to("/settings?flash=revoked").into_response()
    } else {
        Redirect::to("/settings?flash=gone").into_response()
    })
}
