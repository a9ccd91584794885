//! `GET /c/{token}`: records the click and redirects (302) to the offer's URL with `{click_id}`,
//! `{s1}`, `{s2}`, `{uid}` filled in. HEAD requests, prefetches/previews (`Purpose: prefetch`,
//! `Sec-Purpose: prefetch…`, `X-Moz: prefetch`, `X-Purpose: preview`) and bots (user agent with
//! bot/crawler/spider…) record nothing and get `204 No Content`, so no click id leaks to the
//! advertiser without a click row; the real navigation that follows is counted.

use std::net::SocketAddr;

use app::domain::offerwall::is_bot;
use app::server::ingest::clicks::receive::{self as clicks, ClickError, Followed, Visitor};
use app::server::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// True for requests a browser makes ahead of (or instead of) a real click.
fn is_prefetch(headers: &HeaderMap) -> bool {
    let has =
        |name: &str, word: &str| headers.get_all(name).iter().any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains(word)));
    has("purpose", "prefetch") || has("sec-purpose", "prefetch") || has("x-moz", "prefetch") || has("x-purpose", "preview")
}

pub async fn follow(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let ip = crate::ingest::client::resolve(peer, &headers, &state.settings).ip.to_string();
    let counts = method != Method::HEAD && !is_prefetch(&headers) && !is_bot(user_agent);
    let visitor = Visitor { ip: &ip, user_agent, counts };
    match clicks::follow(&state.db, &state.offerwalls, &state.writer, &token, &visitor).await {
        Ok(Followed::Redirect { url, .. }) => match HeaderValue::from_str(&url) {
            Ok(location) => {
                let mut response = StatusCode::FOUND.into_response();
                response.headers_mut().insert(header::LOCATION, location);
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            Err(err) => crate::offerwall::server_error(&err),
        },
        Ok(Followed::NotCounted) => (StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")]).into_response(),
        Err(ClickError::NotFound) => {
            crate::offerwall::not_found("Offer not available", "This offer link is not valid or the offer has ended.")
        }
        Err(ClickError::Db(err)) => crate::offerwall::server_error(&err),
        Err(err @ ClickError::WriteFailed) => crate::offerwall::server_error(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefetch_headers() {
        let with = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            is_prefetch(&h)
        };
        assert!(with("purpose", "prefetch"));
        assert!(with("sec-purpose", "prefetch;prerender"));
        assert!(with("x-moz", "prefetch"));
        assert!(with("x-purpose", "preview"));
        assert!(!with("accept", "text/html"));
    }
}
