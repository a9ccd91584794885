//! The `taprain` server: configuration, HTTP doors (machine APIs, pages, operations) and startup.
#![forbid(unsafe_code)]

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
