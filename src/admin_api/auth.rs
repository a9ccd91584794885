//! Who is calling the admin API: an admin token (`Authorization: Bearer …`) or a signed-in
//! admin's session cookie. Checked in every handler through this extractor.

use app::domain::Role;
use app::server::audit::Actor;
use app::server::auth::{tokens, AuthSession};
use app::server::{users, AppState, ServiceError};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::error::ApiError;

/// An authenticated admin.
#[derive(Debug, Clone)]
pub struct AdminCaller {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or(ApiError::Unauthorized)?;
            let owner = tokens::authenticate(&state.db, token).await?.ok_or(ApiError::Unauthorized)?;
            return Ok(Self { actor: Actor::token(&owner.token_id) });
        }
        let session = Session::from_request_parts(parts, state).await.map_err(|_| ApiError::Unauthorized)?;
        let user = AuthSession(session).user(state.settings.session_absolute_hours).await.ok_or(ApiError::Unauthorized)?;
        match users::get(&state.db, &user.user_id).await {
            Ok(u) if u.active && u.role == Role::Admin => Ok(Self { actor: Actor::user(&u.id) }),
            Ok(u) if u.active => Err(ApiError::Forbidden),
            Ok(_) | Err(ServiceError::NotFound(_)) => Err(ApiError::Unauthorized),
            Err(err) => Err(err.into()),
        }
    }
}
