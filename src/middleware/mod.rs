//! Layers every request passes through.

pub mod csrf;
pub mod limits;
pub mod metrics;
pub mod page_guard;
pub mod request_id;
pub mod security_headers;
