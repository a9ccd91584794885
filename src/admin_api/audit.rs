//! The audit log, newest first.

use app::server::audit::{self, AuditEntry};
use app::server::AppState;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only actions starting with this, e.g. `network.`.
    pub action: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<AuditEntry>,
}

#[utoipa::path(get, path = "/api/admin/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller, Query(q): Query<AuditQuery>) -> Result<Json<AuditList>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let items = audit::recent(&mut *state.db.pool().acquire().await?, q.action.as_deref(), limit).await?;
    Ok(Json(AuditList { items }))
}
