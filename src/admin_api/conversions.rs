//! Conversions: listing, details with their postback log, and review decisions.

use app::domain::conversion::{Conversion, ConversionState, PostbackLogEntry};
use app::server::conversions::{self, Filter};
use app::server::ingest::log::{self, LogFilter};
use app::server::ingest::replay;
use app::server::ingest::review::{self, ReviewAction, ReviewRefusal, SubmitError};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversionQuery {
    /// `pending`, `credited`, `held`, `rejected`, `reversed` or `reversal_pending`.
    pub status: Option<String>,
    /// Network id.
    pub network: Option<String>,
    /// Publisher id.
    pub publisher: Option<String>,
    /// `cpa`, `reward` or `api`.
    pub source: Option<String>,
    /// Program id (conversions from the conversions API).
    pub program: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionList {
    pub items: Vec<Conversion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionDetails {
    pub conversion: Conversion,
    /// Every postback call that concerned this conversion, newest first.
    pub postbacks: Vec<PostbackLogEntry>,
}

/// An absent or empty query parameter is no filter.
pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

#[utoipa::path(get, path = "/api/admin/conversions", tag = "conversions", params(ConversionQuery),
    responses((status = 200, body = ConversionList), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(q): Query<ConversionQuery>,
) -> Result<Json<ConversionList>, ApiError> {
    let status = match non_empty(q.status) {
        Some(raw) => Some(ConversionState::parse(&raw).ok_or_else(|| ApiError::Unprocessable(format!("status: unknown status {raw:?}")))?),
        None => None,
    };
    let filter = Filter {
        state: status,
        network_id: non_empty(q.network),
        publisher_id: non_empty(q.publisher),
        source: non_empty(q.source),
        program_id: non_empty(q.program),
        limit: q.limit.unwrap_or(100),
    };
    let items = conversions::list(&state.db, &filter).await?;
    Ok(Json(ConversionList { items }))
}

#[utoipa::path(get, path = "/api/admin/conversions/{id}", tag = "conversions", params(("id" = String, Path)),
    responses((status = 200, body = ConversionDetails), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<ConversionDetails>, ApiError> {
    let (conversion, postbacks) = conversions::with_postbacks(&state.db, &id).await?;
    Ok(Json(ConversionDetails { conversion, postbacks }))
}

async fn decide(state: &AppState, caller: AdminCaller, id: String, action: ReviewAction) -> Result<Json<Conversion>, ApiError> {
    match review::submit(&state.writer, id, action, caller.actor).await {
        Ok(conversion) => Ok(Json(conversion)),
        Err(SubmitError::Refused(ReviewRefusal::NotFound)) => Err(ApiError::NotFound("conversion not found".into())),
        Err(SubmitError::Refused(refusal)) => Err(ApiError::Conflict(refusal.to_string())),
        Err(SubmitError::WriteFailed) => Err(ApiError::Internal),
    }
}

#[utoipa::path(post, path = "/api/admin/conversions/{id}/approve", tag = "conversions", params(("id" = String, Path)),
    responses((status = 200, body = Conversion, description = "Held → credited"), (status = 401), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn approve(State(state): State<AppState>, caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Conversion>, ApiError> {
    decide(&state, caller, id, ReviewAction::Approve).await
}

#[utoipa::path(post, path = "/api/admin/conversions/{id}/reject", tag = "conversions", params(("id" = String, Path)),
    responses((status = 200, body = Conversion, description = "Held → rejected"), (status = 401), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn reject(State(state): State<AppState>, caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Conversion>, ApiError> {
    decide(&state, caller, id, ReviewAction::Reject).await
}

#[utoipa::path(post, path = "/api/admin/conversions/{id}/reverse", tag = "conversions", params(("id" = String, Path)),
    responses((status = 200, body = Conversion, description = "Credited → reversed with a compensating ledger entry"), (status = 401), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn reverse(State(state): State<AppState>, caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Conversion>, ApiError> {
    decide(&state, caller, id, ReviewAction::Reverse).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    pub network: Option<String>,
    /// Offerwall provider id.
    pub provider: Option<String>,
    /// `ok`, `duplicate`, `held`, `sandbox`, `unauthorized`, `forbidden`, `invalid_signature`, `bad_request`, `not_found`,
    /// `https_required`, `error`.
    pub outcome: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostbackLog {
    pub items: Vec<PostbackLogEntry>,
}

#[utoipa::path(get, path = "/api/admin/postback-log", tag = "conversions", params(LogQuery),
    responses((status = 200, body = PostbackLog), (status = 401)), security(("bearer" = [])))]
pub async fn postback_log(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(q): Query<LogQuery>,
) -> Result<Json<PostbackLog>, ApiError> {
    let filter = LogFilter {
        network_id: non_empty(q.network),
        provider_id: non_empty(q.provider),
        outcome: non_empty(q.outcome),
        conversion_id: None,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(PostbackLog { items: log::find(&state.db, &filter).await? }))
}

#[utoipa::path(post, path = "/api/admin/postback-log/{entry_id}/replay", tag = "conversions", params(("entry_id" = i64, Path, description = "A postback log entry's id")),
    description = "Re-runs a logged call of any source (CPA, reward, conversions API, provider) against today's rules and catalogs as a \
        dry run, and says what it would do: its outcome and reason, and what it would credit (`null`: nothing). Writes nothing — no \
        conversion, ledger entry, delivery or log entry. A call refused before its sender was known was logged without what it sent \
        and only repeats its logged outcome.",
    responses((status = 200, body = app::domain::replay::Replay), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn replay(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(entry_id): Path<String>,
) -> Result<Json<app::domain::replay::Replay>, ApiError> {
    let entry_id: i64 = entry_id.parse().map_err(|_| ApiError::NotFound("postback log entry not found".into()))?;
    Ok(Json(replay::replay_entry(&state, entry_id).await?))
}
