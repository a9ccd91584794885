//! Offerwall clicks (SPEC B): `GET /c/{token}` from visitors. [`receive`] verifies the signed
//! token against its wall (cached) and builds the advertiser URL; [`record`] writes the clicks
//! set-wise through the writer, and finds them again for attribution.

pub mod receive;
pub mod record;
