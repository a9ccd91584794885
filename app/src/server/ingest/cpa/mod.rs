//! CPA postbacks (seed 000, SPEC A): `GET /api/postback/cpa` from ad networks. [`receive`]
//! checks HTTPS → key → source IP → fields → publisher with cached reads; [`record`] writes a
//! batch set-wise (exactly once by `(cpa, network, lead_id | click_id)`); [`change`] moves an
//! existing conversion (approval of a pending one, reversal, settlement).

pub mod change;
pub mod receive;
pub mod record;

/// The `conversions.source` of CPA postbacks.
pub const SOURCE: &str = "cpa";
