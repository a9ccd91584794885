//! The end user's doors (seed 000 "Offerwall Embed", SPEC B): `GET /o/{offerwall_id}` — the
//! page publishers embed in an iframe. Its cards' click links (`GET /c/{token}`) are an ingest
//! source (`crate::ingest::clicks`). Only these two may be framed by other sites (see `middleware::security_headers`).

pub mod page;
pub mod render;

use app::server::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/o/{offerwall_id}", get(page::show))
}

/// A fresh nonce for the inline style and script of one response.
fn nonce() -> String {
    app::server::secrets::new_id("n")
}

/// An HTML answer with a CSP that allows the page's own inline style/script (by nonce), images
/// from the web (wall logos), forms to itself, and framing by any site.
fn html(status: StatusCode, body: String, nonce: &str) -> Response {
    let policy = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src https: http: data:; \
         form-action 'self'; base-uri 'none'; frame-ancestors *"
    );
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The "not found" page shared by unknown walls and dead click links.
pub(crate) fn not_found(title: &str, message: &str) -> Response {
    let nonce = nonce();
    html(StatusCode::NOT_FOUND, render::message_page(title, message, &nonce), &nonce)
}

pub(crate) fn server_error(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "offerwall request failed");
    let nonce = nonce();
    html(StatusCode::INTERNAL_SERVER_ERROR, render::message_page("Something went wrong", "Please try again in a moment.", &nonce), &nonce)
}
