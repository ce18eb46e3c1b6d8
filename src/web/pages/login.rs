//! Login and logout.
//!
//! The login form carries a double-submit CSRF token. Attempts are throttled per client and
//! per user before the password is even checked; an unknown user costs the same argon2 work
//! as a known one, so timing does not tell which names exist.

use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::render;
use crate::auth::{Identity, Role, password, random_token, session};
use crate::metrics::LoginLabels;
use crate::web::AppState;
use crate::web::csrf::{LOGIN_COOKIE, same};
use crate::web::guard::SESSION_COOKIE;
use crate::web::routes::{Access, Routes};

/// Registers the login and logout routes.
pub(super) fn register(r: Routes) -> Routes {
    r.get("/login", Access::Public, form)
        .post("/login", Access::Public, submit)
        .post("/logout", Access::Role(Role::Viewer), logout)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: &'static str,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The longest `next` followed: a page's path and query, not a payload to carry around.
pub(super) const MAX_NEXT: usize = 2048;

/// Only local paths are followed after login, never another origin: a path of printable
/// ASCII that starts with one `/`. Browsers drop tabs and newlines from a URL before they
/// read it (`/\t/evil.example` becomes `//evil.example`, another host), and treat `\` as
/// `/`, so any control character, blank or backslash sends the user to `/` instead.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.len() <= MAX_NEXT
                && n.starts_with('/')
                && !n.starts_with("//")
                && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The `Set-Cookie` that clears a cookie. A `__Host-` cookie is only replaced by one with
/// the same `Secure` and `Path=/`; without them the browser keeps the old one.
fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), 0);
    c.make_removal();
    c
}

fn cookie(name: &'static str, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(::cookie::time::Duration::seconds(max_age_secs))
        .build()
}

fn page(
    jar: CookieJar,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = jar
        .get(LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32)
        .unwrap_or_else(|| random_token(24));
    let jar = jar.add(cookie(LOGIN_COOKIE, csrf.clone(), 3600));
    let body = render(&LoginPage {
        title: "Sign in",
        csrf,
        next,
        username,
        error,
    });
    (status, jar, body).into_response()
}

async fn form(jar: CookieJar, Query(q): Query<NextQuery>) -> Response {
    page(
        jar,
        StatusCode::OK,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

async fn submit(State(app): State<AppState>, jar: CookieJar, req: Request) -> Response {
    let client = crate::web::peer::client_key(&req);
    let Ok(Form(f)) = Form::<LoginForm>::from_request(req, &()).await else {
        return page(
            jar,
            StatusCode::BAD_REQUEST,
            "/".into(),
            String::new(),
            Some("Fill in the user name and the password.".into()),
        );
    };
    let next = safe_next(f.next.as_deref());
    let expected = jar
        .get(LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if !same(&f.csrf, &expected) {
        return page(
            jar,
            StatusCode::FORBIDDEN,
            next,
            f.username,
            Some("The form expired: please sign in again.".into()),
        );
    }
    let config = app.config.current();
    let server = &config.server;
    let count = |result| {
        app.metrics
            .logins
            .get_or_create(&LoginLabels { result })
            .inc()
    };
    if let Err(wait) = app.throttle.check(
        &client,
        &f.username,
        server.login_max_failures,
        server.login_window.0,
    ) {
        count("throttled");
        tracing::warn!(user = %crate::auth::loggable_user(config.users.iter().map(|u| u.name.as_str()), &f.username), client, "login throttled");
        let msg = format!(
            "Too many failed attempts. Try again in {} s.",
            wait.as_secs().max(1)
        );
        return page(
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            next,
            f.username,
            Some(msg),
        );
    }
    let user = config.users.iter().find(|u| u.name == f.username).cloned();
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.0.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let pw = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| ok) else {
        count("bad_credentials");
        app.throttle
            .fail(&client, &f.username, server.login_window.0);
        tracing::warn!(user = %crate::auth::loggable_user(config.users.iter().map(|u| u.name.as_str()), &f.username), client, "login failed");
        return page(
            jar,
            StatusCode::UNAUTHORIZED,
            next,
            f.username,
            Some("Wrong user name or password.".into()),
        );
    };
    app.throttle.succeed(&client, &user.name);
    let ttl = server.session_ttl.0.as_secs() as i64;
    let (secret, _) = match session::create(&app.store, &user.name, ttl) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("login: {e}");
            return super::error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-in failed",
                "The session could not be stored.",
            );
        }
    };
    count("ok");
    tracing::info!(user = %user.name, client, "login");
    let jar = jar
        .add(removal(LOGIN_COOKIE))
        .add(cookie(SESSION_COOKIE, secret, ttl));
    (jar, Redirect::to(&next)).into_response()
}

async fn logout(
    State(app): State<AppState>,
    Extension(me): Extension<Identity>,
    jar: CookieJar,
) -> Response {
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Err(e) = session::end(&app.store, c.value())
    {
        tracing::error!("logout: {e}");
    }
    tracing::info!(user = %me.name, "logout");
    let jar = jar.add(removal(SESSION_COOKIE));
    (jar, Redirect::to("/login")).into_response()
}

use axum::extract::FromRequest;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/", "/inventory/e1/vms?status=up", "/concerns#x"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/\\evil.example",
            "https://evil.example",
            "/a b",
            "/\u{202e}x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        let long = format!("/{}", "a".repeat(MAX_NEXT));
        assert_eq!(safe_next(Some(&long)), "/", "over the length limit");
        let longest = format!("/{}", "a".repeat(MAX_NEXT - 1));
        assert_eq!(safe_next(Some(&longest)), longest);
    }

    #[test]
    fn clearing_cookies_keep_the_host_prefix_rules() {
        let c = removal(SESSION_COOKIE).to_string();
        assert!(c.contains("Secure"), "{c}");
        assert!(c.contains("Path=/"), "{c}");
        assert!(c.contains("Max-Age=0"), "{c}");
    }
}
