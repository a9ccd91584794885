//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::sync::Arc;

use app::server::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::middleware::metrics::Metrics;

/// Liveness: the process answers. Touches no database.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.ping().await {
        (StatusCode::OK, Json(serde_json::json!({ "status": "ready" })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "database unavailable" })))
    }
}

/// Prometheus text exposition: requests per route, postbacks per source and outcome, the
/// writer, deliveries, queues, live-feed clients and the pool (gauges read now). With
/// `TAPRAIN_METRICS_TOKEN` set, a request without that bearer token gets 401.
pub async fn metrics(State(state): State<AppState>, Extension(metrics): Extension<Arc<Metrics>>, headers: HeaderMap) -> Response {
    if !metrics.allows(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "a metrics token is required").into_response();
    }
    state.metrics.refresh(&state.db, state.writer.queued(), state.events.clients()).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.render()).into_response()
}
