//! Size limits on what a request may carry besides its body.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Longest path plus query string accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;

pub async fn refuse_long_uris(request: Request, next: Next) -> Response {
    let len = request.uri().path_and_query().map(|pq| pq.as_str().len()).unwrap_or(0);
    if len > MAX_URI_BYTES {
        return (StatusCode::URI_TOO_LONG, Json(serde_json::json!({ "message": "URI too long (limit 8 KiB)" }))).into_response();
    }
    next.run(request).await
}
