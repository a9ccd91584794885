//! The audit log, newest first, filtered by actor, action, target and day range.

use app::domain::audit::{day_range, AuditEntry};
use app::server::audit::{self, AuditFilter};
use app::server::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Part of the actor (`user:…`, `token:…`, `cli`) or of the person's email.
    pub actor: Option<String>,
    /// Only actions starting with this, e.g. `network.` or `offer.create`.
    pub action: Option<String>,
    /// Part of the target's id.
    pub target: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC, inclusive).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC, inclusive).
    pub to: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
}

#[utoipa::path(get, path = "/api/admin/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(format!("invalid query string: {}", e.body_text())))?;
    let (from, until) = day_range(q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or(""))
        .map_err(|(field, message)| ApiError::Unprocessable(format!("{field}: {message}")))?;
    let filter = AuditFilter {
        actor: q.actor.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        target: q.target.unwrap_or_default(),
        from,
        until,
        limit: q.limit.unwrap_or(100),
        offset: q.offset.unwrap_or(0),
    };
    Ok(Json(AuditList { items: audit::page(&state.db, &filter).await?.items }))
}
