//! Admin API tokens: listed by hint (never the token) and revoked. Tokens are created by the
//! command line (`taprain admin token --email E`), where the token is shown once.

use app::domain::secrets::AdminTokenInfo;
use app::server::auth::tokens;
use app::server::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
pub struct TokenQuery {
    /// Only the tokens of the admin with this email.
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTokenList {
    pub items: Vec<AdminTokenInfo>,
}

#[utoipa::path(get, path = "/api/admin/tokens", tag = "tokens", params(TokenQuery),
    responses((status = 200, body = AdminTokenList, description = "Every admin API token, newest first: id, owner, hint, created, last used, revoked"), (status = 401)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    q: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Json<AdminTokenList>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::BadRequest(format!("invalid query string: {}", e.body_text())))?;
    Ok(Json(AdminTokenList { items: tokens::list(&state.db, q.email.as_deref()).await? }))
}

#[utoipa::path(delete, path = "/api/admin/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 204, description = "Revoked: the token is refused (401) from now on"), (status = 401), (status = 404)),
    security(("bearer" = [])))]
pub async fn revoke(State(state): State<AppState>, caller: AdminCaller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    tokens::revoke(&state.db, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
