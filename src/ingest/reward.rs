//! `POST /api/postback` (seed 003): reward-game level postbacks, and the legacy paths that
//! redirect to it.

use std::net::SocketAddr;

use app::server::ingest::answer::ContractAnswer;
use app::server::ingest::reward::receive::{self as pipeline, RewardAnswer, RewardContext, RewardRequest};
use app::server::reward::secrets;
use app::server::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, OriginalUri, State};
use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The header partners may send the secret in instead of `Authorization: Bearer`.
pub const SECRET_HEADER: &str = "x-reward-api-secret";

#[utoipa::path(post, path = "/api/postback", tag = "reward",
    description = "Level completion from a partner game (seed 003). Authenticate with `Authorization: Bearer <secret>` or \
        `X-Reward-Api-Secret`. Body: `pid`, `uid` (`userId`, `user_id`), `gid` (`game_id`, `gameId`), `level_number` (`level`), \
        optional `reason`. Every 5th level credits coins: 1–30 → 25, 31–70 → 15, 71–90 → 10, 91–100 → 5, 101–130 → 2, 131+ → 1.",
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded (`awarded`, `milestone`, `coinDelta`, `user`), or a duplicate (`duplicate: true`)"),
        (status = 400, description = "Invalid JSON, missing or mistyped field, level not a positive integer, unknown pid or gid"),
        (status = 401, description = "Missing or invalid API secret"),
        (status = 404, description = "No user found for the given uid (also for a uid that is not a UUID)"),
    ),
    security(("bearer" = [])))]
pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let request = RewardRequest {
        client: super::client::resolve(peer, &headers, &state.settings),
        secrets: secrets::presented(header(SECRET_HEADER), header(AUTHORIZATION.as_str())),
        body: body.as_deref().ok(),
    };
    let ctx =
        RewardContext { db: &state.db, directory: &state.directory, writer: &state.writer, require_https: state.settings.require_https };
    answer(pipeline::receive(&ctx, request).await)
}

/// The contract's bodies.
fn answer(answer: RewardAnswer) -> Response {
    let status = super::reply::status(&answer);
    let body = match &answer {
        RewardAnswer::Recorded { postback, award, user } => json!({
            "ok": true,
            "awarded": award.coins.get() > 0,
            "milestone": award.milestone,
            "pid": postback.pid,
            "gid": postback.gid,
            "game_id": postback.gid,
            "level_number": postback.level.get(),
            "coinDelta": award.coins.get(),
            "user": { "id": user.id, "coins": user.coins, "appId": user.app_id, "deviceId": user.device_id },
        }),
        RewardAnswer::Duplicate { postback } => json!({
            "ok": true,
            "awarded": false,
            "duplicate": true,
            "pid": postback.pid,
            "gid": postback.gid,
            "level_number": postback.level.get(),
            "message": answer.message(),
        }),
        other => json!({ "message": other.message() }),
    };
    (status, Json(body)).into_response()
}

/// `/api/reward/postback` and `/api/rewards/postback`: 308 to `/api/postback`, which keeps the
/// method and the body. The query string, if any, goes along.
pub async fn legacy(OriginalUri(uri): OriginalUri) -> Response {
    let location = match uri.query() {
        Some(query) => format!("/api/postback?{query}"),
        None => "/api/postback".to_owned(),
    };
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            (StatusCode::PERMANENT_REDIRECT, [(LOCATION, value)], Json(json!({ "message": "Moved to /api/postback" }))).into_response()
        }
        Err(_) => (StatusCode::PERMANENT_REDIRECT, [(LOCATION, HeaderValue::from_static("/api/postback"))]).into_response(),
    }
}
