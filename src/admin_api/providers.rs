//! Offerwall providers (SPEC F): create (with the postback URL to paste into the provider's
//! dashboard), list, read, change (deactivate, rotate the secret with an overlap), approved IPs
//! and the refused-IP queue, and the signature debugger (`check`), which records nothing.

use app::domain::provider::{CustomConfig, Provider, ProviderCheck, ProviderRefusedIp};
use app::domain::IpRule;
use app::server::providers::{self, check as debugger, ips, ProviderEdit, ProviderInput};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use super::json::ApiJson;
use super::ApiError;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateProvider {
    pub name: String,
    /// `medioot`, `taprain` or `custom`.
    pub preset: String,
    /// The provider's secret, as its dashboard shows it. Kept to verify calls; listed only by
    /// a hint afterwards. May be left out when a custom provider is unsigned.
    pub secret: Option<String>,
    /// `down` (default), `up` or `nearest`: how a fractional reward becomes whole coins.
    pub rounding: Option<String>,
    /// Sandbox calls are checked and answered but never credited.
    #[serde(default)]
    pub sandbox: bool,
    /// For `custom`: the parameter names and the signature recipe.
    pub custom: Option<CustomConfig>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditProvider {
    pub name: Option<String>,
    /// `false` deactivates: its calls are answered 404 like an unknown provider's.
    pub active: Option<bool>,
    pub rounding: Option<String>,
    pub sandbox: Option<bool>,
    pub custom: Option<CustomConfig>,
    /// A new secret (after rotating it at the provider).
    pub secret: Option<String>,
    /// With `secret`: how long (seconds) the current secret keeps working; 0 or omitted stops it at once.
    pub overlap_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderList {
    pub items: Vec<Provider>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Matches name or id (case-insensitive).
    #[serde(alias = "q")]
    pub search: Option<String>,
    /// Default 100, at most 500.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddProviderIp {
    /// A single IPv4/IPv6 address or a CIDR block.
    pub ip: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovedProviderIp {
    pub provider_id: String,
    pub ip: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderRefusedIpList {
    pub items: Vec<ProviderRefusedIp>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckCallback {
    /// The full callback URL as the provider called (or would call) it.
    pub url: String,
}

fn parse_ip(raw: &str) -> Result<IpRule, ApiError> {
    IpRule::parse(raw).map_err(|e| ApiError::Unprocessable(format!("ip: {e}")))
}

#[utoipa::path(post, path = "/api/admin/providers", request_body = CreateProvider, tag = "providers",
    responses((status = 201, body = Provider), (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreateProvider>,
) -> Result<(StatusCode, Json<Provider>), ApiError> {
    let input = ProviderInput {
        name: body.name,
        preset: body.preset,
        custom: body.custom,
        secret: body.secret,
        rounding: body.rounding,
        sandbox: body.sandbox,
    };
    let provider = providers::create(&state.db, &caller.actor, &state.settings.public_url, input).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

#[utoipa::path(get, path = "/api/admin/providers", tag = "providers", params(ListQuery),
    responses((status = 200, body = ProviderList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller, Query(q): Query<ListQuery>) -> Result<Json<ProviderList>, ApiError> {
    let page = providers::list_page(
        &state.db,
        &state.settings.public_url,
        q.search.as_deref().unwrap_or(""),
        q.limit.unwrap_or(100),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(ProviderList { items: page.items, total: page.total }))
}

#[utoipa::path(get, path = "/api/admin/providers/{id}", tag = "providers", params(("id" = String, Path)),
    responses((status = 200, body = Provider), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Provider>, ApiError> {
    Ok(Json(providers::get(&state.db, &state.settings.public_url, &id).await?))
}

#[utoipa::path(patch, path = "/api/admin/providers/{id}", tag = "providers", params(("id" = String, Path)), request_body = EditProvider,
    responses((status = 200, body = Provider), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditProvider>,
) -> Result<Json<Provider>, ApiError> {
    let edit = ProviderEdit {
        name: body.name,
        active: body.active,
        rounding: body.rounding,
        sandbox: body.sandbox,
        custom: body.custom,
        secret: body.secret,
        overlap_seconds: body.overlap_seconds,
    };
    Ok(Json(providers::update(&state.db, &caller.actor, &state.settings.public_url, &id, edit).await?))
}

#[utoipa::path(post, path = "/api/admin/providers/{id}/ips", tag = "providers", params(("id" = String, Path)), request_body = AddProviderIp,
    responses((status = 201, body = ApprovedProviderIp), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn add_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddProviderIp>,
) -> Result<(StatusCode, Json<ApprovedProviderIp>), ApiError> {
    let rule = parse_ip(&body.ip)?;
    ips::add(&state.db, &caller.actor, &id, rule).await?;
    Ok((StatusCode::CREATED, Json(ApprovedProviderIp { provider_id: id, ip: rule.to_string() })))
}

#[utoipa::path(delete, path = "/api/admin/providers/{id}/ips/{ip}", tag = "providers",
    params(("id" = String, Path), ("ip" = String, Path, description = "The IP or CIDR (URL-encode the `/`)")),
    responses((status = 204), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn remove_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, ip)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ips::remove(&state.db, &caller.actor, &id, parse_ip(&ip)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/admin/providers/{id}/refused-ips", tag = "providers", params(("id" = String, Path)),
    responses((status = 200, body = ProviderRefusedIpList), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn refused_ips(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<ProviderRefusedIpList>, ApiError> {
    Ok(Json(ProviderRefusedIpList { items: ips::refused(&state.db, &id).await? }))
}

#[utoipa::path(post, path = "/api/admin/providers/{id}/refused-ips/{ip}/approve", tag = "providers",
    params(("id" = String, Path), ("ip" = String, Path)),
    responses((status = 201, body = ApprovedProviderIp), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn approve_refused_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, ip)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ApprovedProviderIp>), ApiError> {
    let rule = parse_ip(&ip)?;
    ips::approve_refused(&state.db, &caller.actor, &id, rule).await?;
    Ok((StatusCode::CREATED, Json(ApprovedProviderIp { provider_id: id, ip: rule.to_string() })))
}

/// The signature debugger: analyses a callback URL without recording anything.
#[utoipa::path(post, path = "/api/admin/providers/{id}/check", tag = "providers", params(("id" = String, Path)), request_body = CheckCallback,
    responses((status = 200, body = ProviderCheck), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn check(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CheckCallback>,
) -> Result<Json<ProviderCheck>, ApiError> {
    Ok(Json(debugger::check(&state.db, &id, &body.url).await?))
}
