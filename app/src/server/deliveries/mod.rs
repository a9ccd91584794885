//! Outbound postbacks to publishers (SPEC E): each publisher's postback settings, the durable
//! queue, the sender with its SSRF guard, the worker, and the delivery log.

pub mod listing;
pub mod queue;
pub mod sender;
pub mod settings;
pub mod tools;
pub mod worker;

pub use sender::{Sender, SenderConfig};
pub use worker::DeliveryWake;
