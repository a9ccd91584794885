//! Reward level postbacks (seed 003, SPEC C): `POST /api/postback` from partner games.
//! [`receive`] checks HTTPS → secret → JSON → fields → pid → gid → uid with cached reads;
//! [`record`] writes a batch set-wise (exactly once by `(user, gid, level)`), crediting
//! milestone coins to the user's ledger account.

pub mod receive;
pub mod record;

/// The `conversions.source` of level postbacks.
pub const SOURCE: &str = "reward";
