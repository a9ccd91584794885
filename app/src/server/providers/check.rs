//! The signature debugger on demand: a pasted callback URL checked against the provider's
//! current secret (and the previous one during a rotation), recording nothing.

use super::runtime;
use crate::domain::provider::{self, split_callback_url, Callback, ProviderCheck, SignedCall};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;

/// Analyses `url` as if the provider had called it.
pub async fn check(db: &Db, provider_id: &str, url: &str) -> Result<ProviderCheck, ServiceError> {
    let found = runtime(&mut *db.pool().acquire().await?, provider_id).await?.ok_or(ServiceError::NotFound("provider"))?;
    let (base, raw_query) =
        split_callback_url(url).ok_or_else(|| ServiceError::invalid("url", "url must be the full http(s) callback URL"))?;
    let callback = Callback::from_query(raw_query);
    let call = SignedCall { base, raw_query, callback: &callback };
    let rules = found.rules(now_ms());
    let analysis = provider::analyse(rules.format, rules.secret, rules.previous, &call);
    let field_error = provider::callback::parse(&found.format, &callback).err().map(|e| e.to_string());
    Ok(ProviderCheck { analysis, field_error })
}
