//! Integration tests: each starts the real server on a free port against a fresh SQLite file,
//! and — when `TAPRAIN_TEST_POSTGRES_URL` is set — against a fresh PostgreSQL database.

mod helpers;
mod receiver;

mod admin_auth;
mod admin_catalogs;
mod backup;
mod bad_input;
mod catalog_edits;
mod cli;
mod conversions_api;
mod conversions_api_errors;
mod cpa;
mod cpa_ledger;
mod cpa_quality;
mod crash;
mod customers_api;
mod deliveries;
mod deliveries_restart;
mod deliveries_ssrf;
mod health;
mod networks;
mod offerwall;
mod postback_settings;
mod programs;
mod provider_chain;
mod provider_door;
mod provider_kit;
mod provider_sandbox;
mod providers;
mod publishers;
mod refused_calls;
mod replay;
mod reports;
mod retention;
mod reward;
mod reward_app;
mod reward_catalog;
mod reward_ledger;
mod secrets_and_records;
mod sessions;
mod sign_in_abuse;
mod source_health;
mod stats;
mod tls;
mod write_store;
