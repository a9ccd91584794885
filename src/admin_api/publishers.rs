//! Publishers and their portal logins.

use app::domain::catalog::Publisher;
use app::domain::{Email, Role};
use app::server::publishers::{self, NewPublisher};
use app::server::{users, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::json::ApiJson;
use super::ApiError;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePublisher {
    pub name: String,
    pub email: Option<String>,
    /// 24 lowercase hex characters; generated when absent.
    pub id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Matches name, id or email.
    pub search: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherList {
    pub items: Vec<Publisher>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateLogin {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedLogin {
    pub id: String,
    pub email: String,
    pub publisher_id: String,
}

#[utoipa::path(post, path = "/api/admin/publishers", request_body = CreatePublisher, tag = "publishers",
    responses((status = 201, body = Publisher), (status = 400), (status = 401), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreatePublisher>,
) -> Result<(StatusCode, Json<Publisher>), ApiError> {
    let new = NewPublisher::parse(&body.name, body.email.as_deref(), body.id.as_deref())?;
    let publisher = publishers::create(&state.db, &caller.actor, new).await?;
    Ok((StatusCode::CREATED, Json(publisher)))
}

#[utoipa::path(get, path = "/api/admin/publishers", tag = "publishers", params(ListQuery),
    responses((status = 200, body = PublisherList), (status = 401)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<PublisherList>, ApiError> {
    let items = publishers::list(&state.db, q.search.as_deref().unwrap_or(""), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(PublisherList { items }))
}

#[utoipa::path(get, path = "/api/admin/publishers/{id}", tag = "publishers", params(("id" = String, Path)),
    responses((status = 200, body = Publisher), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Publisher>, ApiError> {
    Ok(Json(publishers::get(&state.db, &id).await?))
}

#[utoipa::path(post, path = "/api/admin/publishers/{id}/users", tag = "publishers", params(("id" = String, Path)), request_body = CreateLogin,
    responses((status = 201, body = CreatedLogin), (status = 401), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create_login(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateLogin>,
) -> Result<(StatusCode, Json<CreatedLogin>), ApiError> {
    let publisher = publishers::get(&state.db, &id).await?;
    let email = Email::parse(&body.email).map_err(|e| ApiError::Unprocessable(format!("email: {e}")))?;
    let user = users::create(&state.db, &caller.actor, &email, &body.password, Role::Publisher, Some(&publisher.id)).await?;
    Ok((StatusCode::CREATED, Json(CreatedLogin { id: user.id, email: user.email, publisher_id: publisher.id })))
}
