//! `/t.js`: the landing snippet merchants add to their shop (seed 001's CMS flow). It stores
//! the affiliate fields of the landing URL in the first-party cookie `tap_data`, which the
//! shop's server sends on with its conversion (see `docs/conversions-api.md`).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

/// The script, embedded in the binary.
pub const SCRIPT: &str = include_str!("t.js");

/// Cacheable for an hour by browsers and CDNs: the script changes only with a release.
pub async fn script() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/javascript; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], SCRIPT)
}
