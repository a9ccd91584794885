//! Role checks for server functions: the signed-in user, re-read from the database so a
//! deactivated account or changed role takes effect at once.

use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::{extract, ResponseOptions};
use tower_sessions::Session;

use crate::domain::Role;
use crate::server::auth::{AuthSession, SessionUser};
use crate::server::AppState;

pub fn state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("application state missing"))
}

fn fail(status: StatusCode, message: &str) -> ServerFnError {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.set_status(status);
    }
    ServerFnError::new(message)
}

/// Internal errors are logged with their cause and answered with a generic message.
pub fn internal(err: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %err, "server function failed");
    fail(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong; please try again")
}

pub async fn session() -> Result<AuthSession, ServerFnError> {
    extract::<Session>().await.map(AuthSession).map_err(internal)
}

/// The signed-in user, if any (re-read from the database, see [`AuthSession::current`]).
pub async fn current_user() -> Result<Option<(AppState, SessionUser)>, ServerFnError> {
    let state = state()?;
    let session = session().await?;
    let user = session.current(&state.db, state.settings.session_absolute_hours).await.map_err(internal)?;
    Ok(user.map(|user| (state, user)))
}

/// The signed-in user of either role; 401 when nobody is signed in.
pub async fn require_signed_in() -> Result<(AppState, SessionUser), ServerFnError> {
    current_user().await?.ok_or_else(|| fail(StatusCode::UNAUTHORIZED, "Please sign in"))
}

/// The signed-in user with `role`; 401 when nobody is signed in, 403 for another role.
pub async fn require(role: Role) -> Result<(AppState, SessionUser), ServerFnError> {
    match current_user().await? {
        None => Err(fail(StatusCode::UNAUTHORIZED, "Please sign in")),
        Some((_, user)) if user.role != role => Err(fail(StatusCode::FORBIDDEN, "You do not have access to this page")),
        Some(found) => Ok(found),
    }
}

/// A service's refusal as the page shows it: not found, conflict and invalid input keep their
/// (safe) message and status; anything else is an internal error.
pub fn service(err: crate::server::ServiceError) -> ServerFnError {
    use crate::server::ServiceError;
    match err {
        ServiceError::NotFound(what) => fail(StatusCode::NOT_FOUND, &format!("{} not found", capitalize(what))),
        ServiceError::Conflict(message) => fail(StatusCode::CONFLICT, &message),
        ServiceError::Invalid { message, .. } => fail(StatusCode::UNPROCESSABLE_ENTITY, &message),
        other => internal(other),
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The signed-in publisher's id, taken from the session — never from the request.
pub async fn require_publisher() -> Result<(AppState, SessionUser, String), ServerFnError> {
    let (state, user) = require(Role::Publisher).await?;
    let publisher_id = user.publisher_id.clone().ok_or_else(|| fail(StatusCode::FORBIDDEN, "This login has no publisher"))?;
    Ok((state, user, publisher_id))
}
