//! New and changed conversions, published in-process after their transaction commits; the
//! admin live feed streams them.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::domain::catalog::Conversion;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionEvent {
    /// `created` or `updated`.
    pub kind: String,
    pub conversion: Conversion,
}

/// A broadcast channel; slow subscribers miss old events rather than slowing postbacks down.
#[derive(Clone, Debug)]
pub struct EventBus(broadcast::Sender<ConversionEvent>);

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        Self(broadcast::channel(4096).0)
    }

    pub fn publish(&self, kind: &str, conversion: Conversion) {
        let _ = self.0.send(ConversionEvent { kind: kind.to_owned(), conversion });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ConversionEvent> {
        self.0.subscribe()
    }

    /// Subscribers now (the live feeds open on this instance).
    pub fn clients(&self) -> usize {
        self.0.receiver_count()
    }
}
