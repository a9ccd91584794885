//! The caller's address and scheme, believing forwarding headers only from trusted proxies.

use std::net::SocketAddr;

use app::domain::client_addr::{self, ClientAddr};
use app::server::settings::Settings;
use axum::http::HeaderMap;

pub fn resolve(peer: SocketAddr, headers: &HeaderMap, settings: &Settings) -> ClientAddr {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    client_addr::resolve(peer.ip(), false, header("x-forwarded-for"), header("x-forwarded-proto"), &settings.trusted_proxies)
}
