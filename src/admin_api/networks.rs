//! Networks: create (key shown once), list and search, rename, deactivate and reactivate,
//! approved IPs and the refused-IP queue, key rotation with an overlap window, key revocation.

use app::domain::partners::Network;
use app::domain::IpRule;
use app::server::networks::{self, NetworkEdit};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::AdminCaller;
use crate::error::{ApiError, ApiJson};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateNetwork {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedNetwork {
    pub id: String,
    pub name: String,
    /// The security key. Shown only in this answer; TapRain keeps only its hash.
    pub key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddIp {
    /// A single IPv4/IPv6 address or a CIDR block.
    pub ip: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovedIp {
    pub network_id: String,
    pub ip: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RotateKey {
    /// How long (seconds) the current keys keep working; 0 stops them at once.
    pub overlap_seconds: i64,
    /// `true` issues a sandbox key (calls checked and answered, never credited or relayed)
    /// and retires only the older sandbox keys; live keys are untouched.
    #[serde(default)]
    pub sandbox: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedKey {
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkList {
    pub items: Vec<Network>,
    /// Networks matching the search on all pages.
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Matches name or id (case-insensitive); `q` is accepted too, like the other catalog lists.
    #[serde(alias = "q")]
    pub search: Option<String>,
    /// Default 100, at most 500.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditNetwork {
    pub name: Option<String>,
    /// `false` deactivates: the network's keys stop authenticating (401) until it is reactivated.
    pub active: Option<bool>,
}

fn parse_ip(raw: &str) -> Result<IpRule, ApiError> {
    IpRule::parse(raw).map_err(|e| ApiError::Unprocessable(format!("ip: {e}")))
}

#[utoipa::path(post, path = "/api/admin/networks", request_body = CreateNetwork, tag = "networks",
    responses((status = 201, body = CreatedNetwork), (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreateNetwork>,
) -> Result<(StatusCode, Json<CreatedNetwork>), ApiError> {
    let created = networks::create(&state.db, &caller.actor, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedNetwork { id: created.network.id, name: created.network.name, key: created.key })))
}

#[utoipa::path(get, path = "/api/admin/networks", tag = "networks", params(ListQuery),
    responses((status = 200, body = NetworkList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller, Query(q): Query<ListQuery>) -> Result<Json<NetworkList>, ApiError> {
    let page = networks::list_page(&state.db, q.search.as_deref().unwrap_or(""), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(NetworkList { items: page.items, total: page.total }))
}

#[utoipa::path(patch, path = "/api/admin/networks/{id}", tag = "networks", params(("id" = String, Path)), request_body = EditNetwork,
    responses((status = 200, body = Network), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditNetwork>,
) -> Result<Json<Network>, ApiError> {
    let network =
        networks::update(&state.db, &state.directory, &caller.actor, &id, NetworkEdit { name: body.name, active: body.active }).await?;
    Ok(Json(network))
}

#[utoipa::path(delete, path = "/api/admin/networks/{id}/keys/{key_id}", tag = "networks",
    params(("id" = String, Path), ("key_id" = String, Path, description = "The key's id as listed in the network's `keys`")),
    responses((status = 204, description = "Revoked: the key stops at once"), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, key_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    networks::revoke_key(&state.db, &state.directory, &caller.actor, &id, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/admin/networks/{id}", tag = "networks", params(("id" = String, Path)),
    responses((status = 200, body = Network), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Network>, ApiError> {
    Ok(Json(networks::get(&state.db, &id).await?))
}

#[utoipa::path(post, path = "/api/admin/networks/{id}/ips", tag = "networks", params(("id" = String, Path)), request_body = AddIp,
    responses((status = 201, body = ApprovedIp), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn add_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AddIp>,
) -> Result<(StatusCode, Json<ApprovedIp>), ApiError> {
    let rule = parse_ip(&body.ip)?;
    networks::add_ip(&state.db, &state.directory, &caller.actor, &id, rule).await?;
    Ok((StatusCode::CREATED, Json(ApprovedIp { network_id: id, ip: rule.to_string() })))
}

#[utoipa::path(delete, path = "/api/admin/networks/{id}/ips/{ip}", tag = "networks",
    params(("id" = String, Path), ("ip" = String, Path, description = "The IP or CIDR (URL-encode the `/`)")),
    responses((status = 204), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn remove_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, ip)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let rule = parse_ip(&ip)?;
    networks::remove_ip(&state.db, &state.directory, &caller.actor, &id, rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/admin/networks/{id}/keys/rotate", tag = "networks", params(("id" = String, Path)), request_body = RotateKey,
    responses((status = 201, body = RotatedKey), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn rotate_key(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateKey>,
) -> Result<(StatusCode, Json<RotatedKey>), ApiError> {
    let key = networks::rotate_key_of_kind(&state.db, &state.directory, &caller.actor, &id, body.overlap_seconds, body.sandbox).await?;
    Ok((StatusCode::CREATED, Json(RotatedKey { key })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedIpList {
    pub items: Vec<app::domain::partners::RefusedIp>,
}

#[utoipa::path(get, path = "/api/admin/networks/{id}/refused-ips", tag = "networks", params(("id" = String, Path)),
    responses((status = 200, body = RefusedIpList), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn refused_ips(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<RefusedIpList>, ApiError> {
    Ok(Json(RefusedIpList { items: networks::refused_ips(&state.db, &id).await? }))
}

#[utoipa::path(post, path = "/api/admin/networks/{id}/refused-ips/{ip}/approve", tag = "networks",
    params(("id" = String, Path), ("ip" = String, Path)),
    responses((status = 201, body = ApprovedIp), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn approve_refused_ip(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, ip)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ApprovedIp>), ApiError> {
    let rule = parse_ip(&ip)?;
    networks::approve_refused_ip(&state.db, &state.directory, &caller.actor, &id, rule).await?;
    Ok((StatusCode::CREATED, Json(ApprovedIp { network_id: id, ip: rule.to_string() })))
}
