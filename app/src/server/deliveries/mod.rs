//! Outbound postbacks to publishers (SPEC E): each publisher's postback settings, the durable
//! queue, the sender with its SSRF guard, the worker with its fair shares per publisher and
//! circuit breaker per host, and the delivery log.

pub mod breaker;
pub mod fair;
pub mod listing;
pub mod queue;
pub mod sender;
pub mod settings;
pub mod tools;
pub mod wake;
pub mod worker;
pub mod writes;

pub use sender::{Sender, SenderConfig};
pub use wake::DeliveryWake;
