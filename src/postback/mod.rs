//! Inbound postback contracts, one module per seed format. Handlers are thin: read the
//! request, call the service in `app::server::postback`, answer in the contract's words.

pub mod client;
pub mod conversions_api;
pub mod cpa;
pub mod landing;
pub mod reward;
pub mod reward_app;

use app::server::AppState;
use axum::routing::{any, get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/postback/cpa", get(cpa::receive))
        .route("/api/postback", post(reward::receive))
        .route("/api/reward/postback", any(reward::legacy))
        .route("/api/rewards/postback", any(reward::legacy))
        .route("/api/reward/users", post(reward_app::create_user))
        .route("/api/reward/users/{id}", get(reward_app::get_user))
        .route("/api/reward/users/{id}/postbacks", get(reward_app::postbacks))
        .route("/api/v1/conversions", get(conversions_api::get_conversion).post(conversions_api::post_conversion))
        .route("/api/v1/customers", get(conversions_api::get_customer).post(conversions_api::post_customer))
        .route("/t.js", get(landing::script))
}
