//! The route registry.
//!
//! Routes are added here, never on a bare axum `Router`, each with the [`Access`] it
//! requires. The registry wraps every handler in the [`guard`](super::guard) for that access
//! and keeps a table of what it registered, which the tests walk to prove that nothing but
//! the login page, the static files and the health probes answers without authentication.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, on};

use super::AppState;

pub use super::guard::Access;

/// One registered route.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern, with `{param}` placeholders.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// The router under construction and the table of what it holds.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
    state: AppState,
}

impl Routes {
    /// An empty registry.
    pub fn new(state: AppState) -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
            state,
        }
    }

    /// Adds a GET route.
    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, handler)
    }

    /// Adds a POST route.
    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, handler)
    }

    /// Adds a DELETE route.
    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, access, handler)
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter =
            axum::routing::MethodFilter::try_from(method.clone()).expect("a standard method");
        let route: MethodRouter<AppState> = on(filter, handler).route_layer(from_fn_with_state(
            (self.state.clone(), access),
            super::guard::guard,
        ));
        self.router = self.router.route(path, route);
        self.table.push(RouteInfo {
            method,
            path,
            access,
        });
        self
    }

    /// What has been registered.
    pub fn table(&self) -> &[RouteInfo] {
        &self.table
    }

    /// The finished router, with the state, the fallbacks and the layers every route shares.
    pub fn into_router(self) -> Router {
        super::guard::finish(self.router, self.state)
    }
}
