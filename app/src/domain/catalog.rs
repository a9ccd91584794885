//! The old home of the admin records, kept as a re-export while other branches still import
//! from here: conversions live in [`super::conversion`], networks and publishers in
//! [`super::partners`].

pub use super::conversion::{Conversion, ConversionState, PostbackLogEntry};
pub use super::partners::{Network, NetworkKeyInfo, Publisher, RefusedIp};
