//! Inbound postbacks: the shared pipeline pieces (log, events, group-commit writer) and one
//! module per contract.

pub mod batch;
pub mod cpa;
pub mod cpa_record;
pub mod directory;
pub mod events;
pub mod log;
pub mod quality;
pub mod review;
pub mod writer;

pub use directory::Directory;
pub use events::{ConversionEvent, EventBus};
pub use writer::PostbackWriter;
