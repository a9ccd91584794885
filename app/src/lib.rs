//! TapRain's web application: pages, components and server functions (Leptos), the pure
//! domain, and — with the `ssr` feature — the server-side services.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod api;
mod app;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

pub use app::{shell, App};

/// Browser entry point: attaches the reactive system to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
