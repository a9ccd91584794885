//! The one application state handed to axum handlers and, by context, to server functions.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::auth::LoginThrottle;
use super::db::Db;
use super::deliveries::{DeliveryWake, Sender};
use super::ingest::{Directory, EventBus, Writer};
use super::metrics::ServerMetrics;
use super::offerwall::OfferwallCache;
use super::settings::Settings;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub throttle: Arc<LoginThrottle>,
    /// The single writer of every inbound source.
    pub writer: Writer,
    /// New and changed conversions, for the live feed.
    pub events: EventBus,
    /// Cached lookups for the postback hot path.
    pub directory: Directory,
    /// Sends outbound postbacks (the worker's, and "send test postback").
    pub sender: Sender,
    /// Wakes the delivery worker.
    pub deliveries: DeliveryWake,
    /// Cached walls and offers for the offerwall pages and click links.
    pub offerwalls: OfferwallCache,
    /// Postbacks, the writer's batches and delivery attempts, for `/metrics`.
    pub metrics: Arc<ServerMetrics>,
}
