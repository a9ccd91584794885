//! The offers catalog: create, list, read, replace (PUT) and edit or deactivate (PATCH).

use app::domain::offer::Offer;
use app::server::offerwall::offers::{self, OfferInput};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::{ApiError, ApiJson};

/// An offer's fields. On create and PUT, `name`, `payout_cents` and `url_template` are required
/// and the others default; on PATCH every field is optional and absent ones keep their value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OfferBody {
    pub name: Option<String>,
    /// Payout in integer cents (250 = $2.50).
    pub payout_cents: Option<i64>,
    /// http(s) URL; macros `{click_id}`, `{s1}`, `{s2}`, `{uid}` are filled (URL-encoded) on click.
    pub url_template: Option<String>,
    /// ISO 3166-1 alpha-2 codes; empty or absent for everywhere.
    pub countries: Option<Vec<String>>,
    /// `desktop`, `mobile` or `all` (default).
    pub device: Option<String>,
    pub description: Option<String>,
    /// The network whose postbacks pay for it; `""` clears it.
    pub network_id: Option<String>,
    /// Default true; false hides it from every wall.
    pub active: Option<bool>,
}

impl From<OfferBody> for OfferInput {
    fn from(b: OfferBody) -> Self {
        OfferInput {
            name: b.name,
            payout_cents: b.payout_cents,
            url_template: b.url_template,
            countries: b.countries,
            device: b.device,
            description: b.description,
            network_id: b.network_id,
            active: b.active,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name or id (case-insensitive).
    pub q: Option<String>,
    /// `true` for active offers only, `false` for inactive ones.
    pub active: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferList {
    pub items: Vec<Offer>,
}

#[utoipa::path(post, path = "/api/admin/offers", request_body = OfferBody, tag = "offers",
    responses((status = 201, body = Offer), (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<(StatusCode, Json<Offer>), ApiError> {
    let offer = offers::create(&state.db, &caller.actor, body.into()).await?;
    Ok((StatusCode::CREATED, Json(offer)))
}

#[utoipa::path(get, path = "/api/admin/offers", tag = "offers", params(ListQuery),
    responses((status = 200, body = OfferList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller, Query(q): Query<ListQuery>) -> Result<Json<OfferList>, ApiError> {
    let items = offers::list(&state.db, q.q.as_deref(), q.active, q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(OfferList { items }))
}

#[utoipa::path(get, path = "/api/admin/offers/{id}", tag = "offers", params(("id" = String, Path)),
    responses((status = 200, body = Offer), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Offer>, ApiError> {
    Ok(Json(offers::get(&state.db, &id).await?))
}

#[utoipa::path(put, path = "/api/admin/offers/{id}", tag = "offers", params(("id" = String, Path)), request_body = OfferBody,
    responses((status = 200, body = Offer), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<Json<Offer>, ApiError> {
    Ok(Json(offers::update(&state.db, &caller.actor, &id, body.into(), true).await?))
}

#[utoipa::path(patch, path = "/api/admin/offers/{id}", tag = "offers", params(("id" = String, Path)), request_body = OfferBody,
    responses((status = 200, body = Offer), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfferBody>,
) -> Result<Json<Offer>, ApiError> {
    Ok(Json(offers::update(&state.db, &caller.actor, &id, body.into(), false).await?))
}
