//! The `taprain` server: configuration, HTTP doors (machine APIs, pages, operations) and startup.
#![forbid(unsafe_code)]
// The page shell's view types (without `erase_components`, as in release builds) nest deeper than
// the default limit of 128.
#![recursion_limit = "256"]

pub mod admin_api;
pub mod api_docs;
pub mod cli;
pub mod config;
pub mod error;
pub mod ingest;
pub mod middleware;
pub mod offerwall;
pub mod ops;
pub mod portal;
pub mod site;
pub mod startup;
pub mod telemetry;
pub mod tls;
