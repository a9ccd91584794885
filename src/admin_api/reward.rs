//! Reward catalogs and secrets: store apps (`pid`), reward games (`gid`), reward API secrets
//! (shown once, rotated with an overlap, revoked), and reward users with their coins.

use app::domain::reward::catalog::{RewardGame, RewardSecretInfo, RewardUser, StoreApp};
use app::server::reward::catalog::{CatalogEdit, CatalogQuery};
use app::server::reward::secrets::CreatedSecret;
use app::server::reward::{catalog, secrets, users};
use app::server::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::{ApiError, ApiJson};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateStoreApp {
    /// The partner / product id postbacks send as `pid`: 1–64 characters, matched exactly.
    pub pid: String,
    pub name: String,
}

/// A store app's or game's edit: fields not given keep their values.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditCatalogEntry {
    pub name: Option<String>,
    /// `false` deactivates it: level postbacks naming it are refused like an unknown one (400).
    /// `true` reactivates it.
    pub active: Option<bool>,
}

impl From<EditCatalogEntry> for CatalogEdit {
    fn from(body: EditCatalogEntry) -> Self {
        CatalogEdit { name: body.name, active: body.active }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogListQuery {
    /// Part of the id or the name (case-insensitive).
    pub q: Option<String>,
    /// `true` for active entries only, `false` for inactive ones.
    pub active: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl From<CatalogListQuery> for CatalogQuery {
    fn from(q: CatalogListQuery) -> Self {
        CatalogQuery { q: q.q, active: q.active, limit: q.limit.unwrap_or(100), offset: q.offset.unwrap_or(0) }
    }
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|e| ApiError::BadRequest(format!("invalid query string: {}", e.body_text())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreAppList {
    pub items: Vec<StoreApp>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateRewardGame {
    /// The game id postbacks send as `gid`: 1–64 characters, matched exactly.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardGameList {
    pub items: Vec<RewardGame>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewRewardSecret {
    pub id: String,
    /// The secret. Shown only in this answer; TapRain keeps only its hash.
    pub secret: String,
    pub hint: String,
    pub created_at: i64,
}

impl From<CreatedSecret> for NewRewardSecret {
    fn from(created: CreatedSecret) -> Self {
        Self { id: created.info.id, secret: created.secret, hint: created.info.hint, created_at: created.info.created_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardSecretList {
    pub items: Vec<RewardSecretInfo>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RotateRewardSecret {
    /// How long (seconds) the old secret keeps working; 0 stops it at once.
    pub overlap_seconds: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RewardUserQuery {
    /// Part of the user id, app id or device id (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardUserList {
    pub items: Vec<RewardUser>,
}

#[utoipa::path(post, path = "/api/admin/store-apps", request_body = CreateStoreApp, tag = "reward",
    responses((status = 201, body = StoreApp), (status = 400), (status = 401), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create_store_app(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreateStoreApp>,
) -> Result<(StatusCode, Json<StoreApp>), ApiError> {
    Ok((StatusCode::CREATED, Json(catalog::create_store_app(&state.db, &caller.actor, &body.pid, &body.name).await?)))
}

#[utoipa::path(get, path = "/api/admin/store-apps", tag = "reward", params(CatalogListQuery),
    responses((status = 200, body = StoreAppList), (status = 400), (status = 401)), security(("bearer" = [])))]
pub async fn list_store_apps(
    State(state): State<AppState>,
    _caller: AdminCaller,
    q: Result<Query<CatalogListQuery>, QueryRejection>,
) -> Result<Json<StoreAppList>, ApiError> {
    Ok(Json(StoreAppList { items: catalog::list_store_apps(&state.db, &query(q)?.into()).await? }))
}

#[utoipa::path(get, path = "/api/admin/store-apps/{pid}", tag = "reward", params(("pid" = String, Path)),
    responses((status = 200, body = StoreApp), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get_store_app(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(pid): Path<String>,
) -> Result<Json<StoreApp>, ApiError> {
    Ok(Json(catalog::get_store_app(&state.db, &pid).await?))
}

#[utoipa::path(patch, path = "/api/admin/store-apps/{pid}", tag = "reward", params(("pid" = String, Path)), request_body = EditCatalogEntry,
    responses((status = 200, body = StoreApp), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit_store_app(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(pid): Path<String>,
    ApiJson(body): ApiJson<EditCatalogEntry>,
) -> Result<Json<StoreApp>, ApiError> {
    Ok(Json(catalog::update_store_app(&state.db, &caller.actor, &pid, body.into()).await?))
}

#[utoipa::path(post, path = "/api/admin/reward-games", request_body = CreateRewardGame, tag = "reward",
    responses((status = 201, body = RewardGame), (status = 400), (status = 401), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create_game(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreateRewardGame>,
) -> Result<(StatusCode, Json<RewardGame>), ApiError> {
    Ok((StatusCode::CREATED, Json(catalog::create_game(&state.db, &caller.actor, &body.id, &body.name).await?)))
}

#[utoipa::path(get, path = "/api/admin/reward-games", tag = "reward", params(CatalogListQuery),
    responses((status = 200, body = RewardGameList), (status = 400), (status = 401)), security(("bearer" = [])))]
pub async fn list_games(
    State(state): State<AppState>,
    _caller: AdminCaller,
    q: Result<Query<CatalogListQuery>, QueryRejection>,
) -> Result<Json<RewardGameList>, ApiError> {
    Ok(Json(RewardGameList { items: catalog::list_games(&state.db, &query(q)?.into()).await? }))
}

#[utoipa::path(get, path = "/api/admin/reward-games/{id}", tag = "reward", params(("id" = String, Path)),
    responses((status = 200, body = RewardGame), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get_game(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<RewardGame>, ApiError> {
    Ok(Json(catalog::get_game(&state.db, &id).await?))
}

#[utoipa::path(patch, path = "/api/admin/reward-games/{id}", tag = "reward", params(("id" = String, Path)), request_body = EditCatalogEntry,
    responses((status = 200, body = RewardGame), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit_game(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditCatalogEntry>,
) -> Result<Json<RewardGame>, ApiError> {
    Ok(Json(catalog::update_game(&state.db, &caller.actor, &id, body.into()).await?))
}

/// The body (`{}`) carries nothing, so it is not read.
#[utoipa::path(post, path = "/api/admin/reward-secrets", tag = "reward",
    request_body(content = Object, description = "`{}`", content_type = "application/json"),
    responses((status = 201, body = NewRewardSecret), (status = 401)), security(("bearer" = [])))]
pub async fn create_secret(State(state): State<AppState>, caller: AdminCaller) -> Result<(StatusCode, Json<NewRewardSecret>), ApiError> {
    Ok((StatusCode::CREATED, Json(secrets::create(&state.db, &caller.actor).await?.into())))
}

#[utoipa::path(get, path = "/api/admin/reward-secrets", tag = "reward",
    responses((status = 200, body = RewardSecretList), (status = 401)), security(("bearer" = [])))]
pub async fn list_secrets(State(state): State<AppState>, _caller: AdminCaller) -> Result<Json<RewardSecretList>, ApiError> {
    Ok(Json(RewardSecretList { items: secrets::list(&state.db).await? }))
}

#[utoipa::path(post, path = "/api/admin/reward-secrets/{id}/rotate", tag = "reward", params(("id" = String, Path)),
    request_body = RotateRewardSecret,
    responses((status = 201, body = NewRewardSecret), (status = 401), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateRewardSecret>,
) -> Result<(StatusCode, Json<NewRewardSecret>), ApiError> {
    Ok((StatusCode::CREATED, Json(secrets::rotate(&state.db, &caller.actor, &id, body.overlap_seconds).await?.into())))
}

#[utoipa::path(delete, path = "/api/admin/reward-secrets/{id}", tag = "reward", params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_secret(State(state): State<AppState>, caller: AdminCaller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    secrets::revoke(&state.db, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/admin/reward-users", tag = "reward", operation_id = "admin_list_users", params(RewardUserQuery),
    responses((status = 200, body = RewardUserList), (status = 401)), security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    _caller: AdminCaller,
    q: Result<Query<RewardUserQuery>, QueryRejection>,
) -> Result<Json<RewardUserList>, ApiError> {
    let q = query(q)?;
    Ok(Json(RewardUserList { items: users::list(&state.db, q.q.as_deref(), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await? }))
}

#[utoipa::path(get, path = "/api/admin/reward-users/{id}", tag = "reward", operation_id = "admin_get_user", params(("id" = String, Path)),
    responses((status = 200, body = RewardUser), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get_user(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<RewardUser>, ApiError> {
    Ok(Json(users::get(&state.db, &id).await?))
}
