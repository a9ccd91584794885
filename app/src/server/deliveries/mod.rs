//! Outbound postbacks to publishers (SPEC E): each publisher's postback settings, the durable
//! queue, the sender with its SSRF guard, the worker, and the delivery log.

pub mod breaker;
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
