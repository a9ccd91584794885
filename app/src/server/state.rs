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

/// Cheap to clone (one reference count): axum clones the state for every request and every
/// layer that reads it, so the parts live behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What the application state holds.
pub struct Parts {
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
