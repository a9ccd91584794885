//! Server-only services shared by the server functions (UI) and the HTTP handlers in `src/`:
//! database, repositories, ledger, authentication and sessions.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod conversions;
pub mod db;
pub mod deliveries;
pub mod error;
pub mod exports;
pub mod fanout;
pub mod health;
pub mod ingest;
pub mod keys;
pub mod ledger;
pub mod metrics;
pub mod networks;
pub mod offerwall;
pub mod programs;
pub mod providers;
pub mod publishers;
pub mod reports;
pub mod retention;
pub mod reward;
pub mod secrets;
pub mod session_store;
pub mod settings;
pub mod sql;
pub mod state;
pub mod stats;
pub mod users;

pub use error::ServiceError;
pub use state::AppState;
