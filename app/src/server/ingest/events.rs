//! New and changed conversions, published after their transaction commits; the admin live feed
//! streams them. On PostgreSQL each published event is also handed to the fan-out
//! ([`crate::server::fanout`]), which sends it to the other instances' feeds; events they send
//! come back in through [`EventBus::deliver_here`], never relayed again.

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

use crate::domain::catalog::Conversion;

/// Events waiting for the fan-out at most; past it, other instances' feeds miss events rather
/// than postbacks slowing down.
const RELAY_QUEUE: usize = 16_384;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionEvent {
    /// `created` or `updated`.
    pub kind: String,
    pub conversion: Conversion,
}

/// A broadcast channel; slow subscribers miss old events rather than slowing postbacks down.
#[derive(Clone, Debug)]
pub struct EventBus {
    here: broadcast::Sender<ConversionEvent>,
    /// To the other instances (PostgreSQL only).
    relay: Option<mpsc::Sender<ConversionEvent>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus for this process alone (SQLite, tests).
    pub fn new() -> Self {
        Self { here: broadcast::channel(4096).0, relay: None }
    }

    /// A bus whose events also go out to other instances: the receiver yields what to send.
    pub fn relayed() -> (Self, mpsc::Receiver<ConversionEvent>) {
        let (relay, outbox) = mpsc::channel(RELAY_QUEUE);
        (Self { relay: Some(relay), ..Self::new() }, outbox)
    }

    /// Publishes an event of this instance: to its own feeds, and to the other instances'.
    pub fn publish(&self, kind: &str, conversion: Conversion) {
        let event = ConversionEvent { kind: kind.to_owned(), conversion };
        if let Some(relay) = &self.relay {
            if relay.try_send(event.clone()).is_err() {
                tracing::warn!("the fan-out is behind: another instance's live feed misses an event");
            }
        }
        let _ = self.here.send(event);
    }

    /// Hands an event another instance published to this instance's feeds.
    pub fn deliver_here(&self, event: ConversionEvent) {
        let _ = self.here.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ConversionEvent> {
        self.here.subscribe()
    }

    /// Subscribers now (the live feeds open on this instance).
    pub fn clients(&self) -> usize {
        self.here.receiver_count()
    }
}
