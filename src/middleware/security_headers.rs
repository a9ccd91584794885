//! Security headers on every response. Pages set their own CSP (with a nonce); everything else
//! gets a deny-all policy. Only offerwall pages (`/o/`) and click links (`/c/`) may be framed.

use std::sync::Arc;

use app::server::settings::Settings;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub async fn add(State(settings): State<Arc<Settings>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let frameable = path.starts_with("/o/") || path.starts_with("/c/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if frameable {
        headers.remove(header::X_FRAME_OPTIONS);
    } else {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if frameable { "default-src 'none'; frame-ancestors *" } else { "default-src 'none'; frame-ancestors 'none'" };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    if settings.send_hsts() {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}
