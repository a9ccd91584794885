//! Publishers' offerwalls: create (answering the share URL and embed code), list, read, edit.

use app::domain::offerwall::Offerwall;
use app::server::offerwall::walls::{self, WallInput};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::{ApiError, ApiJson};

/// A wall's fields. On create `publisher_id` and `name` are required; on PATCH every field is
/// optional and absent ones keep their value (`""` clears a branding field).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OfferwallBody {
    pub publisher_id: Option<String>,
    pub name: Option<String>,
    /// Default `Coins`.
    pub currency_name: Option<String>,
    /// Currency units per 1 USD, a decimal string or number with at most 6 decimals (default `"100"`).
    #[schema(value_type = Option<String>)]
    pub exchange_rate: Option<serde_json::Value>,
    /// `down` (default), `nearest` or `up`.
    pub rounding: Option<String>,
    pub title: Option<String>,
    /// `#rgb` or `#rrggbb`.
    pub accent_color: Option<String>,
    /// http(s) URL of a logo image.
    pub logo_url: Option<String>,
    /// The page's language when the visitor asks for none it speaks: `en` (default), `es`, `pt`,
    /// `de`, `fr`, `ru`, `tr` or `id`.
    pub language: Option<String>,
    pub active: Option<bool>,
}

impl OfferwallBody {
    fn into_input(self) -> Result<WallInput, ApiError> {
        let exchange_rate = match self.exchange_rate {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => return Err(ApiError::Unprocessable("exchange_rate: must be a decimal string or number".into())),
        };
        Ok(WallInput {
            publisher_id: self.publisher_id,
            name: self.name,
            currency_name: self.currency_name,
            exchange_rate,
            rounding: self.rounding,
            title: self.title,
            accent_color: self.accent_color,
            logo_url: self.logo_url,
            language: self.language,
            active: self.active,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this publisher's walls.
    pub publisher: Option<String>,
    /// Part of the name or id (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferwallList {
    pub items: Vec<Offerwall>,
}

#[utoipa::path(post, path = "/api/admin/offerwalls", request_body = OfferwallBody, tag = "offerwalls",
    responses((status = 201, body = Offerwall, description = "Created; `share_url` and `embed_code` are ready to hand out"),
        (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<OfferwallBody>,
) -> Result<(StatusCode, Json<Offerwall>), ApiError> {
    let wall = walls::create(&state.db, &caller.actor, body.into_input()?).await?;
    Ok((StatusCode::CREATED, Json(wall.to_api(&state.settings.public_url))))
}

#[utoipa::path(get, path = "/api/admin/offerwalls", tag = "offerwalls", params(ListQuery),
    responses((status = 200, body = OfferwallList), (status = 401)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<OfferwallList>, ApiError> {
    let found = walls::list(&state.db, q.publisher.as_deref(), q.q.as_deref(), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(OfferwallList { items: found.iter().map(|w| w.to_api(&state.settings.public_url)).collect() }))
}

#[utoipa::path(get, path = "/api/admin/offerwalls/{id}", tag = "offerwalls", params(("id" = String, Path)),
    responses((status = 200, body = Offerwall), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Offerwall>, ApiError> {
    Ok(Json(walls::get(&state.db, &id).await?.to_api(&state.settings.public_url)))
}

#[utoipa::path(patch, path = "/api/admin/offerwalls/{id}", tag = "offerwalls", params(("id" = String, Path)), request_body = OfferwallBody,
    responses((status = 200, body = Offerwall), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfferwallBody>,
) -> Result<Json<Offerwall>, ApiError> {
    let wall = walls::update(&state.db, &caller.actor, &id, body.into_input()?).await?;
    Ok(Json(wall.to_api(&state.settings.public_url)))
}
