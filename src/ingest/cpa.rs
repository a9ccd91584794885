//! `GET /api/postback/cpa` (seed 000).

use std::net::SocketAddr;

use app::server::ingest::cpa::receive::{self as cpa, CpaContext};
use app::server::AppState;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let client = super::client::resolve(peer, &headers, &state.settings);
    let ctx = CpaContext {
        db: &state.db,
        directory: &state.directory,
        writer: &state.writer,
        events: &state.events,
        require_https: state.settings.require_https,
    };
    super::reply::message_json(&cpa::receive(&ctx, client, query.as_deref().unwrap_or("")).await)
}
