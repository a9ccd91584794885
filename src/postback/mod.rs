//! Inbound postback contracts, one module per seed format. Handlers are thin: read the
//! request, call the service in `app::server::postback`, answer in the contract's words.

pub mod client;
pub mod cpa;

use app::server::AppState;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/postback/cpa", get(cpa::receive))
}
