//! One module per area of the product.

pub mod admin;
pub mod auth;
pub mod not_found;
pub mod portal;
pub mod role_page;
