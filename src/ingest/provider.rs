//! `GET`/`POST /api/postback/in/{id}` (SPEC F): offerwall providers' postbacks, answered in
//! plain text — `OK`, `DUP`, or why not.

use std::net::SocketAddr;

use app::domain::client_addr::ClientAddr;
use app::server::ingest::provider::receive::{self as pipeline, ProviderContext, ProviderRequest};
use app::server::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, OriginalUri, Path, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::reply;

#[utoipa::path(get, path = "/api/postback/in/{id}", tag = "providers", params(("id" = String, Path, description = "The provider's id (`prv_…`)")),
    description = "A postback from an offerwall provider, in its preset's (or custom) parameter names: `medioot` (seed 004: `subid`, \
        `transid`, `reward`, `payout`, `status`, `signature` = md5(subid + transid + reward + secret), …) or `taprain` (seed 002 names, \
        `hash` = HMAC-SHA256 of the URL without it). Credits the reward user's coins (`reward` rounded as the provider says) exactly \
        once per transaction; `status=2` takes back exactly what was credited. A sandbox provider's calls are answered the same and \
        only logged. Plain-text answers.",
    responses(
        (status = 200, body = String, content_type = "text/plain", description = "`OK` (credited, reversed) or `DUP` (seen before: nothing credited)"),
        (status = 400, body = String, content_type = "text/plain", description = "A missing or malformed field, named: `transid: is missing`"),
        (status = 403, body = String, content_type = "text/plain", description = "`invalid signature`, or `source IP not approved`"),
        (status = 404, body = String, content_type = "text/plain", description = "`unknown provider` (also a deactivated one), or `unknown user`"),
    ))]
pub async fn receive_get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Response {
    let query = uri.query().unwrap_or("").to_owned();
    receive(&state, peer, &headers, &uri, id, query).await
}

#[utoipa::path(post, path = "/api/postback/in/{id}", tag = "providers", params(("id" = String, Path, description = "The provider's id (`prv_…`)")),
    description = "The same call with its parameters as an `application/x-www-form-urlencoded` body (a call with an empty body is \
        read from its query string). Signatures are checked on the body as sent.",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = String, content_type = "text/plain", description = "`OK` or `DUP`"),
        (status = 400, body = String, content_type = "text/plain"), (status = 403, body = String, content_type = "text/plain"), (status = 404, body = String, content_type = "text/plain"),
        (status = 413, body = String, content_type = "text/plain", description = "The body is over the size limit"),
    ))]
pub async fn receive_post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match body {
        Ok(body) if body.is_empty() => uri.query().unwrap_or("").to_owned(),
        Ok(body) => String::from_utf8_lossy(&body).into_owned(),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
        }
        Err(_) => return (StatusCode::BAD_REQUEST, "the request body could not be read").into_response(),
    };
    receive(&state, peer, &headers, &uri, id, form).await
}

async fn receive(state: &AppState, peer: SocketAddr, headers: &HeaderMap, uri: &Uri, provider_id: String, raw_query: String) -> Response {
    let client = super::client::resolve(peer, headers, &state.settings);
    let request = ProviderRequest { request_base: request_base(client, headers, uri), client, provider_id, raw_query };
    let ctx = ProviderContext {
        db: &state.db,
        directory: &state.directory,
        writer: &state.writer,
        events: &state.events,
        require_https: state.settings.require_https,
        public_url: &state.settings.public_url,
    };
    reply::text(&pipeline::receive(&ctx, request).await)
}

/// The URL the request reached, without its query: `scheme://host/path`.
fn request_base(client: ClientAddr, headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let host = headers.get(HOST).and_then(|v| v.to_str().ok()).or_else(|| uri.authority().map(|a| a.as_str()))?;
    let scheme = if client.https { "https" } else { "http" };
    Some(format!("{scheme}://{host}{}", uri.path()))
}
