//! The doors of the ingest engine, one module per inbound source (named as in
//! `app::server::ingest`), plus the reward app's user API and the landing script. Handlers are
//! thin: read the request, call the source's `receive`, answer in the contract's words.

pub mod clicks;
pub mod client;
pub mod conversions_api;
pub mod cpa;
pub mod landing;
pub mod provider;
pub mod reply;
pub mod reward;
pub mod reward_app;

use app::server::AppState;
use axum::routing::{any, get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/postback/cpa", get(cpa::receive))
        .route("/api/postback", post(reward::receive))
        .route("/api/postback/in/{id}", get(provider::receive_get).post(provider::receive_post))
        .route("/api/reward/postback", any(reward::legacy))
        .route("/api/rewards/postback", any(reward::legacy))
        .route("/api/reward/users", post(reward_app::create_user))
        .route("/api/reward/users/{id}", get(reward_app::get_user))
        .route("/api/reward/users/{id}/postbacks", get(reward_app::postbacks))
        .route("/api/v1/conversions", get(conversions_api::get_conversion).post(conversions_api::post_conversion))
        .route("/api/v1/customers", get(conversions_api::get_customer).post(conversions_api::post_customer))
        .route("/t.js", get(landing::script))
        .route("/c/{token}", get(clicks::follow))
}
