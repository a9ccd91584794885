//! Networks: create (key shown once), approved IPs, key rotation with an overlap window.

use app::domain::catalog::Network;
use app::domain::IpRule;
use app::server::{networks, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::AdminCaller;
use super::json::ApiJson;
use super::ApiError;

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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedKey {
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkList {
    pub items: Vec<Network>,
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

#[utoipa::path(get, path = "/api/admin/networks", tag = "networks", responses((status = 200, body = NetworkList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller) -> Result<Json<NetworkList>, ApiError> {
    Ok(Json(NetworkList { items: networks::list(&state.db).await? }))
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
    networks::add_ip(&state.db, &caller.actor, &id, rule).await?;
    state.directory.invalidate_network(&id);
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
    networks::remove_ip(&state.db, &caller.actor, &id, rule).await?;
    state.directory.invalidate_network(&id);
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
    let key = networks::rotate_key(&state.db, &caller.actor, &id, body.overlap_seconds).await?;
    state.directory.invalidate_network(&id);
    Ok((StatusCode::CREATED, Json(RotatedKey { key })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedIpList {
    pub items: Vec<app::domain::catalog::RefusedIp>,
}

#[utoipa::path(get, path = "/api/admin/networks/{id}/refused-ips", tag = "networks", params(("id" = String, Path)),
    responses((status = 200, body = RefusedIpList), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn refused_ips(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<RefusedIpList>, ApiError> {
    networks::get(&state.db, &id).await?;
    let items = app::server::postback::log::refused_ips(&mut *state.db.pool().acquire().await?, &id).await?;
    Ok(Json(RefusedIpList { items }))
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
    networks::approve_refused_ip(&state.db, &caller.actor, &id, rule).await?;
    state.directory.invalidate_network(&id);
    Ok((StatusCode::CREATED, Json(ApprovedIp { network_id: id, ip: rule.to_string() })))
}
