//! The `taprain` server: configuration, HTTP doors (machine APIs, pages, operations) and startup.
#![forbid(unsafe_code)]

pub mod admin_api;
pub mod cli;
pub mod config;
pub mod error;
pub mod middleware;
pub mod offerwall;
pub mod ops;
pub mod portal;
pub mod postback;
pub mod startup;
pub mod telemetry;
