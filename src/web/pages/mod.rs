//! The server-rendered pages, one module per page.
//!
//! Every page extends `templates/base.html` through a [`Layout`]: navigation, the signed-in
//! user, the CSRF token for its forms, and the banners (a refused config edit, a store that
//! cannot be written), which htmx refreshes from `/partials/banner` so that what happens
//! while the page is open still shows.

mod api_reference;
mod cells;
pub mod charts;
mod concerns;
mod dashboard;
mod history;
mod inventory;
mod login;
mod machines;
mod nodes;
mod plans;
mod settings;
pub mod when;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
pub use super::respond::{PageError, PageResult, error_page, render};
use super::routes::{Access, Routes};
use crate::auth::{AuthMethod, Identity, Role};

/// Registers every page.
pub fn register(
    r: Routes,
    reference: std::sync::Arc<crate::web::read::api_reference::ApiReference>,
) -> Routes {
    let viewer = Access::Role(Role::Viewer);
    let r = api_reference::register(r, reference);
    let r = login::register(r);
    let r = r.get("/partials/banner", viewer, banner);
    let r = dashboard::register(r);
    let r = r.get("/partials/providers", viewer, providers_partial);
    let r = inventory::register(r);
    let r = concerns::register(r);
    let r = history::register(r);
    let r = plans::register(r);
    let r = machines::register(r);
    let r = nodes::register(r);
    settings::register(r)
}

/// A navigation entry.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current page.
    pub active: bool,
}

const NAV: [(&str, &str); 7] = [
    ("/", "Dashboard"),
    ("/inventory", "Inventory"),
    ("/concerns", "Concerns"),
    ("/history", "History"),
    ("/machines", "Machines"),
    ("/nodes", "Nodes"),
    ("/settings", "Settings"),
];

/// A refused config edit, as the banner shows it.
#[derive(Debug, Clone)]
pub struct Banner {
    /// When it was refused.
    pub at: when::When,
    /// Why.
    pub message: String,
}

/// What the base template needs.
pub struct Layout {
    /// The page title.
    pub title: String,
    /// The href of the current nav entry.
    pub active: &'static str,
    /// Who is signed in.
    pub user: String,
    /// Their role.
    pub role: Role,
    /// The session's CSRF token, for forms.
    pub csrf: String,
    /// The config-error banner, if an edit was refused.
    pub banner: Option<Banner>,
    /// The store-fault banner, while the store cannot be written.
    pub store_banner: Option<Banner>,
    /// Whether this is the demo.
    pub demo: bool,
    /// The vmyard version.
    pub version: &'static str,
}

impl Layout {
    /// The layout for `me` on the page at `active`.
    pub fn new(
        app: &AppState,
        me: &Identity,
        title: impl Into<String>,
        active: &'static str,
    ) -> Self {
        let csrf = match &me.method {
            AuthMethod::Session { csrf } => csrf.clone(),
            _ => String::new(),
        };
        Layout {
            title: title.into(),
            active,
            user: me.name.clone(),
            role: me.role,
            csrf,
            banner: banner_of(app),
            store_banner: store_banner_of(app),
            demo: app.demo,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// The navigation entries.
    pub fn nav(&self) -> Vec<NavItem> {
        NAV.iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                active: *href == self.active,
            })
            .collect()
    }

    /// Whether the admin-only parts show.
    pub fn is_admin(&self) -> bool {
        self.role >= Role::Admin
    }
}

fn banner_of(app: &AppState) -> Option<Banner> {
    app.config.status().error.map(|e| Banner {
        at: when::when(e.at),
        message: e.message,
    })
}

fn store_banner_of(app: &AppState) -> Option<Banner> {
    app.store.write_fault().map(|f| Banner {
        at: when::when(f.since),
        message: f.message,
    })
}

/// A time as people read it on the pages.
pub fn fmt_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[derive(Template)]
#[template(path = "partials/banner.html")]
struct BannerPartial {
    banner: Option<Banner>,
    store_banner: Option<Banner>,
}

async fn banner(State(app): State<AppState>) -> Response {
    let inner = BannerPartial {
        banner: banner_of(&app),
        store_banner: store_banner_of(&app),
    }
    .render()
    .unwrap_or_default();
    Html(format!(
        "<div id=\"banner\" hx-get=\"/partials/banner\" hx-trigger=\"every 5s\" hx-swap=\"outerHTML\">{inner}</div>"
    ))
    .into_response()
}

#[derive(Template)]
#[template(path = "partials/providers.html")]
struct ProvidersPartial {
    providers: Vec<crate::web::read::providers::ProviderView>,
}

async fn providers_partial(State(app): State<AppState>) -> PageResult {
    Ok(render(&ProvidersPartial {
        providers: crate::web::read::providers::providers_view(&app)?,
    }))
}
