//! Outbound postbacks: the delivery log, resending, and the test postback.

use app::domain::delivery::DeliveryState;
use app::server::deliveries::listing::{self, Delivery, DeliveryDetails, Filter};
use app::server::deliveries::tools::{self, TestPostback};
use app::server::{publishers, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::conversions::non_empty;
use crate::error::ApiError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Publisher id.
    pub publisher: Option<String>,
    /// `pending`, `sending`, `delivered`, `duplicate` or `failed`.
    pub status: Option<String>,
    /// Conversion id.
    pub conversion: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResendFailed {
    /// Only this publisher's failed deliveries; all when absent.
    pub publisher: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Resent {
    pub resent: u64,
}

#[utoipa::path(get, path = "/api/admin/deliveries", tag = "deliveries", params(DeliveryQuery),
    responses((status = 200, body = DeliveryList), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let status = match non_empty(q.status) {
        Some(raw) => Some(DeliveryState::parse(&raw).ok_or_else(|| ApiError::Unprocessable(format!("status: unknown status {raw:?}")))?),
        None => None,
    };
    let filter = Filter {
        publisher_id: non_empty(q.publisher),
        conversion_id: non_empty(q.conversion),
        state: status,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(DeliveryList { items: listing::list(&state.db, &filter).await? }))
}

#[utoipa::path(get, path = "/api/admin/deliveries/{id}", tag = "deliveries", params(("id" = String, Path)),
    responses((status = 200, body = DeliveryDetails), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<DeliveryDetails>, ApiError> {
    Ok(Json(listing::get(&state.db, &id).await?))
}

#[utoipa::path(post, path = "/api/admin/deliveries/{id}/resend", tag = "deliveries", params(("id" = String, Path)),
    responses((status = 202, body = DeliveryDetails), (status = 401), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryDetails>), ApiError> {
    tools::resend(&state.db, &state.deliveries, &caller.actor, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(listing::get(&state.db, &id).await?)))
}

#[utoipa::path(post, path = "/api/admin/deliveries/resend-failed", tag = "deliveries", params(ResendFailed),
    responses((status = 202, body = Resent), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn resend_failed(
    State(state): State<AppState>,
    caller: AdminCaller,
    Query(q): Query<ResendFailed>,
) -> Result<(StatusCode, Json<Resent>), ApiError> {
    let publisher = non_empty(q.publisher);
    if let Some(id) = &publisher {
        publishers::get(&state.db, id).await?;
    }
    let resent = tools::resend_failed(&state.db, &state.deliveries, &caller.actor, publisher.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(Resent { resent })))
}

#[utoipa::path(post, path = "/api/admin/publishers/{id}/postback/test", tag = "deliveries", params(("id" = String, Path)),
    responses((status = 200, body = TestPostback), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn test(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<TestPostback>, ApiError> {
    publishers::get(&state.db, &id).await?;
    Ok(Json(tools::test_postback(&state.db, &state.sender, &id).await?))
}
