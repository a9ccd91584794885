//! The reward app's API (SPEC C and K), authenticated with a reward API secret like the level
//! postback: register a user, read a user with coins, and list a user's postbacks after a
//! cursor so the app can apply coins locally and resume where it stopped.

use std::net::SocketAddr;

use app::domain::reward::catalog::{RewardUser, UserPostback};
use app::domain::reward::RewardUserId;
use app::server::reward::users::{self, NewRewardUser};
use app::server::reward::{secrets, users::MAX_PAGE};
use app::server::{AppState, ServiceError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::reward::SECRET_HEADER;
use crate::admin_api::json::ApiJson;
use crate::admin_api::ApiError;

/// A caller holding a valid reward API secret.
#[derive(Debug, Clone, Copy)]
pub struct RewardCaller;

impl FromRequestParts<AppState> for RewardCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.settings.require_https {
            let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0).ok_or(ApiError::Internal)?;
            if !super::client::resolve(peer, &parts.headers, &state.settings).https {
                return Err(ApiError::Forbidden);
            }
        }
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let presented = secrets::presented(header(SECRET_HEADER), header(AUTHORIZATION.as_str()));
        if secrets::authenticate_any(&state.db, &presented).await? {
            Ok(Self)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateRewardUser {
    #[serde(rename = "appId", alias = "app_id")]
    pub app_id: String,
    #[serde(rename = "deviceId", alias = "device_id")]
    pub device_id: String,
    /// A UUID, to import an existing user; generated (v4) when absent.
    pub id: Option<String>,
}

#[utoipa::path(post, path = "/api/reward/users", tag = "reward", request_body = CreateRewardUser,
    responses((status = 201, body = RewardUser), (status = 400), (status = 401), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    _caller: RewardCaller,
    ApiJson(body): ApiJson<CreateRewardUser>,
) -> Result<(StatusCode, Json<RewardUser>), ApiError> {
    let new = NewRewardUser::parse(body.id.as_deref(), &body.app_id, &body.device_id)?;
    Ok((StatusCode::CREATED, Json(users::create(&state.db, new).await?)))
}

fn user_not_found() -> ApiError {
    ApiError::NotFound("No user found for the given id".into())
}

#[utoipa::path(get, path = "/api/reward/users/{id}", tag = "reward", params(("id" = String, Path, description = "The user's UUID")),
    responses((status = 200, body = RewardUser), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get_user(State(state): State<AppState>, _caller: RewardCaller, Path(id): Path<String>) -> Result<Json<RewardUser>, ApiError> {
    match users::get(&state.db, &id).await {
        Ok(user) => Ok(Json(user)),
        Err(ServiceError::NotFound(_)) => Err(user_not_found()),
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PostbacksQuery {
    /// Only postbacks after this cursor (the last one applied); from the start when absent.
    pub after: Option<String>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostbackPage {
    /// Oldest first.
    pub items: Vec<UserPostback>,
    /// Pass as `after` for the next page; `null` when there is nothing more yet.
    pub next: Option<i64>,
}

fn parse_number(name: &str, raw: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a non-negative integer"))),
    }
}

#[utoipa::path(get, path = "/api/reward/users/{id}/postbacks", tag = "reward", params(("id" = String, Path), PostbacksQuery),
    responses((status = 200, body = PostbackPage), (status = 400), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn postbacks(
    State(state): State<AppState>,
    _caller: RewardCaller,
    Path(id): Path<String>,
    query: Result<Query<PostbacksQuery>, QueryRejection>,
) -> Result<Json<PostbackPage>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::BadRequest("invalid query string".into()))?;
    let after = parse_number("after", q.after.as_deref(), 0)?;
    let limit = parse_number("limit", q.limit.as_deref(), 100)?.clamp(1, MAX_PAGE);
    let user = RewardUserId::parse(&id).map_err(|_| user_not_found())?;
    let (items, next) = users::postbacks_of(&state.db, &user, after, limit).await?.ok_or_else(user_not_found)?;
    Ok(Json(PostbackPage { items, next }))
}
