//! `/api/v1/conversions` and `/api/v1/customers` (seed 001, SPEC D): GET with a query string or
//! POST with a JSON body (a form body works too), authenticated by `X-Api-Key`.

use std::net::SocketAddr;

use app::domain::program::call::{fields_from_json, fields_from_query, Fields};
use app::server::ingest::answer::ContractAnswer;
use app::server::ingest::conversions_api::receive::{self as api, ApiAnswer, ApiContext, ApiRequest};
use app::server::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The header carrying the program's API key.
pub const API_KEY_HEADER: &str = "x-api-key";

#[derive(Clone, Copy)]
enum Endpoint {
    Conversions,
    Customers,
}

#[utoipa::path(post, path = "/api/v1/conversions", tag = "conversions API",
    description = "Records a conversion (seed 001) and credits the attributed publisher's commission in the same transaction. \
        Fields: `external_id` (required, unique per program); one of `coupon`, `click_id`, `referral_code`, `asset_id`, `source_id` \
        (priority in that order: the first one the program knows attributes the conversion), or the `customer_id` of a known \
        customer alone (lifetime commission); optional `amount` (decimal, as a number or a string; never read as a float), \
        `currency` (ISO 4217, default the program's), `customer_id`, `meta_data` (object), `user_agent`, `ip`.",
    request_body(content = Object, content_type = "application/json", description = "e.g. {\"referral_code\":\"nwjinmy\",\"amount\":\"100\",\"external_id\":\"ORD005\"}"),
    responses(
        (status = 201, body = app::server::ingest::conversions_api::record::ConversionAnswer, description = "Recorded, or the same call again (the original answer)"),
        (status = 400, description = "Broken JSON or a body that is not an object"),
        (status = 401, description = "Missing or unknown `X-Api-Key`"),
        (status = 409, description = "The `external_id` was used by a different call"),
        (status = 422, description = "A field is missing or wrong: the message starts with its name (`external_id`, `amount`, `currency`, …)"),
    ),
    security(("api_key" = [])))]
pub async fn post_conversion(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    receive(&state, peer, &headers, body_fields(&headers, body), Endpoint::Conversions).await
}

#[utoipa::path(get, path = "/api/v1/conversions", tag = "conversions API",
    description = "The conversion call with a query string: the POST body's fields as parameters, `meta_data` as a JSON string or \
        `meta_data[key]=value` pairs.",
    responses((status = 201, body = app::server::ingest::conversions_api::record::ConversionAnswer), (status = 400), (status = 401), (status = 409), (status = 422)),
    security(("api_key" = [])))]
pub async fn get_conversion(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    receive(&state, peer, &headers, query_fields(query.as_deref()), Endpoint::Conversions).await
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "conversions API",
    description = "Registers a customer (`customer_id`) for the publisher of an attribution field (`coupon`, `click_id`, \
        `referral_code`, `asset_id`, `source_id`). Later conversions with this `customer_id` and no other attribution field go to \
        that publisher (lifetime commission). The same call again answers the same; another publisher for the customer is a 409.",
    request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = app::server::ingest::conversions_api::record::CustomerAnswer), (status = 400), (status = 401), (status = 409), (status = 422)),
    security(("api_key" = [])))]
pub async fn post_customer(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    receive(&state, peer, &headers, body_fields(&headers, body), Endpoint::Customers).await
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "conversions API", description = "The customers call with a query string.",
    responses((status = 201, body = app::server::ingest::conversions_api::record::CustomerAnswer), (status = 400), (status = 401), (status = 409), (status = 422)),
    security(("api_key" = [])))]
pub async fn get_customer(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    receive(&state, peer, &headers, query_fields(query.as_deref()), Endpoint::Customers).await
}

/// A call's fields as read from the request, or why they could not be.
enum Read {
    Fields(Fields),
    /// Broken JSON, an unreadable body: a 400 once the key is checked.
    Unreadable(String),
    /// Over the body limit: answered 413 at once.
    TooLarge,
}

fn query_fields(query: Option<&str>) -> Read {
    Read::Fields(fields_from_query(query.unwrap_or("").as_bytes()))
}

/// JSON unless the body says it is a form.
fn body_fields(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Read {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return Read::TooLarge,
        Err(_) => return Read::Unreadable("the request body could not be read".into()),
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Read::Fields(fields_from_query(&body));
    }
    match fields_from_json(&body) {
        Ok(fields) => Read::Fields(fields),
        Err(message) => Read::Unreadable(message),
    }
}

async fn receive(state: &AppState, peer: SocketAddr, headers: &HeaderMap, read: Read, endpoint: Endpoint) -> Response {
    let fields = match read {
        Read::Fields(fields) => Ok(fields),
        Read::Unreadable(message) => Err(message),
        Read::TooLarge => return (StatusCode::PAYLOAD_TOO_LARGE, Json(json!({ "message": "request body too large" }))).into_response(),
    };
    let request = ApiRequest {
        client: super::client::resolve(peer, headers, &state.settings),
        api_key: headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok()),
        fields,
    };
    let ctx = ApiContext { db: &state.db, directory: &state.directory, writer: &state.writer, require_https: state.settings.require_https };
    let answer = match endpoint {
        Endpoint::Conversions => api::conversion(&ctx, request).await,
        Endpoint::Customers => api::customer(&ctx, request).await,
    };
    respond(answer)
}

fn respond(answer: ApiAnswer) -> Response {
    let status = super::reply::status(&answer);
    match answer {
        ApiAnswer::Conversion(body) => (status, Json(body)).into_response(),
        ApiAnswer::Customer(body) => (status, Json(body)).into_response(),
        ApiAnswer::Invalid(err) => (status, Json(json!({ "message": err.to_string(), "field": err.field }))).into_response(),
        other => (status, Json(json!({ "message": other.message() }))).into_response(),
    }
}
