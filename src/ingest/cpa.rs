//! `GET /api/postback/cpa` (seed 000).

use std::net::SocketAddr;

use app::server::ingest::answer::ContractAnswer;
use app::server::ingest::cpa::receive::{self as cpa, CpaContext};
use app::server::AppState;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let client = super::client::resolve(peer, &headers, &state.settings);
    let ctx = CpaContext { db: &state.db, directory: &state.directory, writer: &state.writer, require_https: state.settings.require_https };
    let answer = cpa::receive(&ctx, client, query.as_deref().unwrap_or("")).await;
    let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(serde_json::json!({ "message": answer.message() }))).into_response()
}
