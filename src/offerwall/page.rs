//! `GET /o/{offerwall_id}?s1=&s2=&uid=&country=&device=&q=&sort=&lang=&theme=`: the offerwall page,
//! in the visitor's language (`lang=`, then `Accept-Language`, then the wall's).

use app::domain::wall_language::{WallLanguage, WallTheme};
use app::server::offerwall::page::{self, clean_param, resolve_country, resolve_device, Sort, Visit};
use app::server::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::render;

/// The first value of each parameter wins.
fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

pub async fn show(State(state): State<AppState>, Path(wall_id): Path<String>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let country_header = state.settings.country_header.as_deref().and_then(header);
    let visit = Visit {
        s1: clean_param(first(&params, "s1")),
        s2: clean_param(first(&params, "s2")),
        uid: clean_param(first(&params, "uid")),
        country: resolve_country(first(&params, "country"), country_header),
        device: resolve_device(first(&params, "device"), header(header::USER_AGENT.as_str())),
        query: clean_param(first(&params, "q")),
        sort: Sort::parse(first(&params, "sort").unwrap_or_default()),
        language: WallLanguage::requested(first(&params, "lang"), header(header::ACCEPT_LANGUAGE.as_str())),
        theme: first(&params, "theme").and_then(WallTheme::parse).unwrap_or_default(),
    };
    match page::load(&state.db, &state.offerwalls, &wall_id, visit).await {
        Ok(Some(wall_page)) => {
            let nonce = super::nonce();
            let mut response = super::html(StatusCode::OK, render::wall_page(&wall_page, &nonce), &nonce);
            let headers = response.headers_mut();
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
            headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(wall_page.language().code()));
            response
        }
        Ok(None) => super::not_found("Offerwall not found", "This offerwall does not exist or is no longer available."),
        Err(err) => super::server_error(&err),
    }
}
