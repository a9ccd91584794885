//! `GET /api/admin/health/sources`: every source with its calls of the last hour and day, top
//! refusal reasons, ingest latency and flags (silent, refusals jump).

use app::server::health::{self, SourceHealth};
use app::server::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::AdminCaller;
use super::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceHealthList {
    /// Flagged sources first, then by name.
    pub items: Vec<SourceHealth>,
}

#[utoipa::path(get, path = "/api/admin/health/sources", tag = "health",
    description = "Per source (today: every network; programs, reward secrets and offerwall providers follow when the postback log \
        records their ids): last call, calls accepted/held/refused in the last hour and 24 hours, the top refusal reasons, p50/p99 \
        ingest latency, and flags: `silent` (no call for 6 usual gaps and at least 15 minutes, or a day) and `refusals_jump` (the \
        hour's refusal share at least 3× the day's, with 5 or more refusals).",
    responses((status = 200, body = SourceHealthList), (status = 401)), security(("bearer" = [])))]
pub async fn sources(State(state): State<AppState>, _caller: AdminCaller) -> Result<Json<SourceHealthList>, ApiError> {
    let mut items = health::networks(&state.db, None).await?;
    items.sort_by_key(|s| s.figures.flags.is_empty());
    Ok(Json(SourceHealthList { items }))
}
