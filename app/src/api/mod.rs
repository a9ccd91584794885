//! Server functions behind the UI. Each one checks the caller's role itself; the page a
//! function belongs to is never the protection.

pub mod audit;
pub mod auth;
pub mod conversions;
pub mod deliveries;
pub mod form_error;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod health;
pub mod networks;
pub mod offers;
pub mod overview;
pub mod portal;
pub mod postback;
pub mod programs;
pub mod providers;
pub mod publishers;
pub mod reports;
pub mod reward;
pub mod secrets;

/// The message inside a server function error, without the framework's prefix.
pub fn error_message(err: &leptos::prelude::ServerFnError) -> String {
    match err {
        leptos::prelude::ServerFnError::ServerError(message) => message.clone(),
        other => other.to_string(),
    }
}
