//! `GET /api/admin/health/sources`: every source — network, program, reward secret, offerwall
//! provider — with its calls of the last hour and day, top refusal reasons, ingest latency and
//! flags (silent, refusals jump).

use app::domain::health::{SourceHealth, SourceKind};
use app::server::health::{self, SourceFilter};
use app::server::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::conversions::non_empty;
use super::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceHealthQuery {
    /// Only sources of this kind: `network`, `program`, `reward_secret` or `provider`.
    pub kind: Option<String>,
    /// Only the source with this id.
    pub id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceHealthList {
    /// Flagged sources first, then by kind and name.
    pub items: Vec<SourceHealth>,
}

#[utoipa::path(get, path = "/api/admin/health/sources", tag = "health", params(SourceHealthQuery),
    description = "Per source — every network (CPA postbacks), program (conversions API), reward secret (level postbacks) and \
        offerwall provider (inbound postbacks), told apart by `kind`: last call, calls accepted/held/refused in the last hour and \
        24 hours, the top refusal reasons, p50/p99 ingest latency, and flags: `silent` (no call for 6 usual gaps and at least 15 \
        minutes, or a day) and `refusals_jump` (the hour's refusal share at least 3× the day's, with 5 or more refusals). Calls \
        refused before their sender was known (no or a wrong key or secret, an unknown provider) count for no source.",
    responses((status = 200, body = SourceHealthList), (status = 400), (status = 401)), security(("bearer" = [])))]
pub async fn sources(
    State(state): State<AppState>,
    _caller: AdminCaller,
    query: Result<Query<SourceHealthQuery>, QueryRejection>,
) -> Result<Json<SourceHealthList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(format!("invalid query string: {}", e.body_text())))?;
    let kind = match non_empty(q.kind) {
        Some(word) => Some(
            SourceKind::parse(&word)
                .ok_or_else(|| ApiError::BadRequest("kind: expected network, program, reward_secret or provider".into()))?,
        ),
        None => None,
    };
    let filter = SourceFilter { kind, id: non_empty(q.id) };
    Ok(Json(SourceHealthList { items: health::sources(&state.db, None, &filter).await? }))
}
