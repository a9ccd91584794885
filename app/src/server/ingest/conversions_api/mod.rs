//! The conversions and customers API (seed 001, SPEC D): `/api/v1/conversions` and
//! `/api/v1/customers` from merchants. [`receive`] checks HTTPS → `X-Api-Key` → body → fields →
//! attribution; [`record`] writes (idempotent by `(api, program, external_id)`, commission
//! credited in the same transaction).

pub mod receive;
pub mod record;

/// The `source` of conversions made through the API.
pub const SOURCE: &str = "api";
