//! CSRF protection for cookie-authenticated requests: a state-changing request that a browser
//! marks as coming from another site (`Sec-Fetch-Site`, else `Origin` vs `Host`) is refused.
//! Requests that authenticate with a header (tokens, API keys) carry no ambient authority and
//! pass; browsers cannot add those headers cross-site without a CORS preflight we never grant.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

const HEADER_AUTH: [&str; 3] = ["authorization", "x-api-key", "x-reward-api-secret"];

pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let header_auth = HEADER_AUTH.iter().any(|h| request.headers().contains_key(*h));
    if !safe && !header_auth && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site state-changing request");
        return (StatusCode::FORBIDDEN, Json(serde_json::json!({ "message": "Cross-site request refused" }))).into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("null");
    !origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn origin_must_match_host() {
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:3000")])));
    }
}
