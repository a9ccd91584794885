//! `/api/docs`: the OpenAPI document in a bundled Swagger UI (vendored from the npm package
//! `swagger-ui-dist` into `public/api-docs/`, so no CDN), with a CSP of its own.

use axum::http::header;
use axum::response::IntoResponse;

/// Scripts and styles from TapRain only; Swagger UI sets inline style attributes and uses
/// `data:` images; requests go to this origin only ("Try it out").
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE: &str = include_str!("api_docs/page.html");

pub async fn page() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, CSP), (header::CACHE_CONTROL, "no-cache")],
        PAGE,
    )
}
