//! The admin JSON API under `/api/admin` (SPEC K): bearer token or admin session, errors as
//! `{"message": …}`, described by the OpenAPI document at `/api/openapi.json`.

pub mod audit;
pub mod auth;
pub mod conversions;
pub mod deliveries;
pub mod events;
pub mod health;
pub mod networks;
pub mod offers;
pub mod offerwalls;
pub mod openapi;
pub mod openapi_doors;
pub mod openapi_tidy;
pub mod programs;
pub mod providers;
pub mod publishers;
pub mod reports;
pub mod reward;
pub mod tokens;

use app::server::AppState;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;

pub use crate::error::ApiError;

/// The JSON extractor's old path, kept for the doors that still import it from here.
pub mod json {
    pub use crate::error::ApiJson;
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/networks", post(networks::create).get(networks::list))
        .route("/networks/{id}", get(networks::get).patch(networks::edit))
        .route("/networks/{id}/keys/{key_id}", delete(networks::revoke_key))
        .route("/networks/{id}/ips", post(networks::add_ip))
        .route("/networks/{id}/ips/{ip}", delete(networks::remove_ip))
        .route("/networks/{id}/keys/rotate", post(networks::rotate_key))
        .route("/publishers", post(publishers::create).get(publishers::list))
        .route("/publishers/{id}", get(publishers::get).patch(publishers::edit))
        .route("/publishers/{id}/users", post(publishers::create_login).get(publishers::list_logins))
        .route("/publishers/{id}/users/{user_id}", patch(publishers::edit_login))
        .route("/publishers/{id}/postback/secret/rotate", post(publishers::rotate_postback_secret))
        .route("/postback-secrets", get(publishers::list_postback_secrets))
        .route("/publishers/{id}/postback", put(publishers::set_postback).get(publishers::get_postback))
        .route("/publishers/{id}/postback/test", post(deliveries::test))
        .route("/deliveries", get(deliveries::list))
        .route("/deliveries/resend-failed", post(deliveries::resend_failed))
        .route("/deliveries/{id}", get(deliveries::get))
        .route("/deliveries/{id}/resend", post(deliveries::resend))
        .route("/networks/{id}/refused-ips", get(networks::refused_ips))
        .route("/networks/{id}/refused-ips/{ip}/approve", post(networks::approve_refused_ip))
        .route("/conversions", get(conversions::list))
        .route("/conversions.csv", get(reports::conversions_csv))
        .route("/reports", get(reports::report))
        .route("/reports.csv", get(reports::report_csv))
        .route("/conversions/{id}", get(conversions::get))
        .route("/conversions/{id}/approve", post(conversions::approve))
        .route("/conversions/{id}/reject", post(conversions::reject))
        .route("/conversions/{id}/reverse", post(conversions::reverse))
        .route("/postback-log", get(conversions::postback_log))
        .route("/postback-log/{entry_id}/replay", post(conversions::replay))
        .route("/events", get(events::stream))
        .route("/audit", get(audit::list))
        .route("/health/sources", get(health::sources))
        .route("/store-apps", post(reward::create_store_app).get(reward::list_store_apps))
        .route("/store-apps/{pid}", get(reward::get_store_app).patch(reward::edit_store_app))
        .route("/reward-games", post(reward::create_game).get(reward::list_games))
        .route("/reward-games/{id}", get(reward::get_game).patch(reward::edit_game))
        .route("/reward-secrets", post(reward::create_secret).get(reward::list_secrets))
        .route("/reward-secrets/{id}", delete(reward::revoke_secret))
        .route("/reward-secrets/{id}/rotate", post(reward::rotate_secret))
        .route("/programs", post(programs::create).get(programs::list))
        .route("/programs/{id}", get(programs::get).patch(programs::edit))
        .route("/programs/{id}/keys/rotate", post(programs::rotate_key))
        .route("/programs/{id}/keys/{key_id}", delete(programs::revoke_key))
        .route("/programs/{id}/referral-codes", post(programs::add_referral_code))
        .route("/programs/{id}/coupons", post(programs::add_coupon))
        .route("/programs/{id}/assets", post(programs::add_asset))
        .route("/programs/{id}/sources", post(programs::add_source))
        .route("/programs/{id}/clicks", post(programs::add_click))
        .route("/programs/{id}/handles/{kind}/{code}", delete(programs::remove_handle))
        .route("/reward-users", get(reward::list_users))
        .route("/reward-users/{id}", get(reward::get_user))
        .route("/offers", post(offers::create).get(offers::list))
        .route("/offers/{id}", get(offers::get).put(offers::replace).patch(offers::edit))
        .route("/offerwalls", post(offerwalls::create).get(offerwalls::list))
        .route("/offerwalls/{id}", get(offerwalls::get).patch(offerwalls::edit))
        .route("/tokens", get(tokens::list))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route("/providers", post(providers::create).get(providers::list))
        .route("/providers/{id}", get(providers::get).patch(providers::edit))
        .route("/providers/{id}/ips", post(providers::add_ip))
        .route("/providers/{id}/ips/{ip}", delete(providers::remove_ip))
        .route("/providers/{id}/refused-ips", get(providers::refused_ips))
        .route("/providers/{id}/refused-ips/{ip}/approve", post(providers::approve_refused_ip))
        .route("/providers/{id}/check", post(providers::check))
        .fallback(|| async { ApiError::NotFound("no such admin API endpoint".into()) })
}
