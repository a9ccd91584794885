//! Wakes the delivery worker when the writer commits something that queued a delivery.

use std::sync::Arc;

use tokio::sync::Notify;

#[derive(Clone, Debug, Default)]
pub struct DeliveryWake(Arc<Notify>);

impl DeliveryWake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Waits until woken (or returns at once when a wake is pending).
    pub async fn woken(&self) {
        self.0.notified().await;
    }
}
