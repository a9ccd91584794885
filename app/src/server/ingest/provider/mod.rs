//! Offerwall providers' postbacks (SPEC F): `GET`/`POST /api/postback/in/{id}` from other
//! offerwalls. [`receive`] checks HTTPS → provider → source IP → signature → fields → reward user
//! with cached reads (the judgement of the call itself is `domain::provider::door`); [`record`]
//! writes a batch set-wise: exactly once per `(provider, transaction)`, the reward user's coins
//! credited — or, for a reversal, exactly what was credited taken back — in the same transaction.
//! A sandbox provider's calls are judged and answered the same, and only logged.

pub mod receive;
pub mod record;

/// The `conversions.source` of providers' calls.
pub const SOURCE: &str = "provider";
