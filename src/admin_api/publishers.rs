//! Publishers (create, list and search, edit, deactivate and reactivate), their portal logins,
//! and their outbound postback settings and signing secret.

use app::domain::partners::Publisher;
use app::domain::retry::RetryBackoff;
use app::domain::secrets::PostbackSecretInfo;
use app::domain::{Email, Role};
use app::server::deliveries::settings::{self as postback_settings, NewPostbackSettings, ShownPostbackSettings};
use app::server::publishers::{self, NewPublisher, PublisherEdit};
use app::server::{users, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::{ApiError, ApiJson};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePublisher {
    pub name: String,
    pub email: Option<String>,
    /// 24 lowercase hex characters; generated when absent.
    pub id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Matches name, id or email; `q` is accepted too, like the other catalog lists.
    #[serde(alias = "q")]
    pub search: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherList {
    pub items: Vec<Publisher>,
    /// Publishers matching the search on all pages.
    pub total: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditPublisher {
    pub name: Option<String>,
    /// An empty string clears the email.
    pub email: Option<String>,
    /// `false` deactivates: its logins cannot sign in and its postbacks are refused (404) until
    /// it is reactivated.
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Login {
    pub id: String,
    pub email: String,
    /// False when the login or its publisher is deactivated.
    pub active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginList {
    pub items: Vec<Login>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new signing secret. Shown only in this answer.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostbackSecretList {
    pub items: Vec<PostbackSecretInfo>,
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
    let page = publishers::list_page(&state.db, q.search.as_deref().unwrap_or(""), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(PublisherList { items: page.items, total: page.total }))
}

#[utoipa::path(patch, path = "/api/admin/publishers/{id}", tag = "publishers", params(("id" = String, Path)), request_body = EditPublisher,
    responses((status = 200, body = Publisher), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditPublisher>,
) -> Result<Json<Publisher>, ApiError> {
    let edit = PublisherEdit { name: body.name, email: body.email, active: body.active };
    let publisher = publishers::update(&state.db, &state.directory, &caller.actor, &id, edit).await?;
    Ok(Json(publisher))
}

#[utoipa::path(get, path = "/api/admin/publishers/{id}/users", tag = "publishers", params(("id" = String, Path)),
    responses((status = 200, body = LoginList), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn list_logins(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<LoginList>, ApiError> {
    publishers::get(&state.db, &id).await?;
    let items =
        users::for_publisher(&state.db, &id).await?.into_iter().map(|u| Login { id: u.id, email: u.email, active: u.active }).collect();
    Ok(Json(LoginList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditLogin {
    /// `false` deactivates the login: it cannot sign in, and its session ends at its next request.
    pub active: bool,
}

#[utoipa::path(patch, path = "/api/admin/publishers/{id}/users/{user_id}", tag = "publishers",
    params(("id" = String, Path), ("user_id" = String, Path)), request_body = EditLogin,
    responses((status = 200, body = Login), (status = 401), (status = 404, description = "No such login of this publisher"), (status = 422)),
    security(("bearer" = [])))]
pub async fn edit_login(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<EditLogin>,
) -> Result<Json<Login>, ApiError> {
    let user = users::set_login_active(&state.db, &caller.actor, &id, &user_id, body.active).await?;
    Ok(Json(Login { id: user.id, email: user.email, active: user.active }))
}

#[utoipa::path(post, path = "/api/admin/publishers/{id}/postback/secret/rotate", tag = "publishers", params(("id" = String, Path)),
    responses((status = 201, body = RotatedSecret, description = "Postbacks are signed with the new secret from now on"), (status = 401),
        (status = 404, description = "Unknown publisher, or no postback settings yet")),
    security(("bearer" = [])))]
pub async fn rotate_postback_secret(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<RotatedSecret>), ApiError> {
    let secret = postback_settings::rotate_secret(&state.db, &caller.actor, &id).await?;
    Ok((StatusCode::CREATED, Json(RotatedSecret { secret })))
}

#[utoipa::path(get, path = "/api/admin/postback-secrets", tag = "publishers",
    responses((status = 200, body = PostbackSecretList, description = "Hints only, never a secret"), (status = 401)), security(("bearer" = [])))]
pub async fn list_postback_secrets(State(state): State<AppState>, _caller: AdminCaller) -> Result<Json<PostbackSecretList>, ApiError> {
    Ok(Json(PostbackSecretList { items: postback_settings::secrets(&state.db).await? }))
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPostback {
    /// A URL with `{macros}`, e.g. `https://pub.example/cb?uid={user_id}&tx={tx_id}&r={reward}&s={status}`.
    pub url_template: String,
    /// `hmac-sha256` (default), `md5` or `standard-webhooks`.
    pub signature: Option<String>,
    /// Retries after the first attempt, 0–50 (default 5).
    pub max_retries: Option<i64>,
    /// Seconds before the first retry, 1–604800 (default 21600); with `fixed` backoff, between
    /// every two attempts.
    pub retry_interval_seconds: Option<i64>,
    /// `fixed` (the default, the seeds' schedule) or `exponential` (the interval doubles with
    /// each retry, with jitter).
    pub retry_backoff: Option<RetryBackoff>,
}

#[utoipa::path(put, path = "/api/admin/publishers/{id}/postback", tag = "publishers", params(("id" = String, Path)), request_body = SetPostback,
    responses((status = 200, body = ShownPostbackSettings, description = "Saved; `secret` is the signing secret, present only when this save created it"), (status = 401), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn set_postback(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SetPostback>,
) -> Result<Json<ShownPostbackSettings>, ApiError> {
    let existed = postback_settings::get(&state.db, &id).await?.is_some();
    let new = NewPostbackSettings {
        url_template: body.url_template,
        signature: body.signature,
        max_retries: body.max_retries.or(Some(state.settings.deliveries.default_max_retries)),
        retry_interval_seconds: body.retry_interval_seconds.or(Some(state.settings.deliveries.default_retry_interval_seconds)),
        retry_backoff: body.retry_backoff,
    };
    Ok(Json(postback_settings::set(&state.db, &caller.actor, &id, new).await?.shown(!existed)))
}

#[utoipa::path(get, path = "/api/admin/publishers/{id}/postback", tag = "publishers", params(("id" = String, Path)),
    responses((status = 200, body = ShownPostbackSettings, description = "The settings with a hint of the secret, never the secret"), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get_postback(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<ShownPostbackSettings>, ApiError> {
    publishers::get(&state.db, &id).await?;
    let settings = postback_settings::get(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no postback configured for this publisher".into()))?;
    Ok(Json(settings.shown(false)))
}
