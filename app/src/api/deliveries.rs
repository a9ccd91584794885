//! The admin's delivery log: outbound postbacks to publishers, their attempts, and resends.

use leptos::prelude::*;

use crate::domain::delivery_log::{Delivery, DeliveryDetails};

/// Most rows the deliveries table shows.
pub const DELIVERIES_LIMIT: i64 = 200;

#[cfg(feature = "ssr")]
pub(crate) fn delivery_state(raw: &str) -> Result<Option<crate::domain::delivery::DeliveryState>, ServerFnError> {
    use crate::domain::delivery::DeliveryState;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    DeliveryState::parse(raw).map(Some).ok_or_else(|| ServerFnError::new(format!("Unknown status {raw:?}")))
}

#[server(endpoint = "admin_deliveries")]
pub async fn list_deliveries(publisher: String, status: String) -> Result<Vec<Delivery>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::deliveries::listing::{self, Filter};

    let (state, _) = require(Role::Admin).await?;
    let filter = Filter {
        publisher_id: Some(publisher.trim().to_owned()).filter(|p| !p.is_empty()),
        conversion_id: None,
        state: delivery_state(&status)?,
        limit: DELIVERIES_LIMIT,
    };
    listing::list(&state.db, &filter).await.map_err(service)
}

#[server(endpoint = "admin_delivery")]
pub async fn delivery_attempts(id: String) -> Result<DeliveryDetails, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::deliveries::listing;

    let (state, _) = require(Role::Admin).await?;
    listing::get(&state.db, &id).await.map_err(service)
}

#[server(endpoint = "admin_delivery_resend")]
pub async fn resend_delivery(id: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::deliveries::tools;

    let (state, user) = require(Role::Admin).await?;
    tools::resend(&state.db, &state.deliveries, &Actor::user(&user.user_id), &id).await.map_err(service)
}

/// Resends every failed delivery (of `publisher`, or of everyone when empty); returns how many.
#[server(endpoint = "admin_delivery_resend_failed")]
pub async fn resend_failed_deliveries(publisher: String) -> Result<u64, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::deliveries::tools;

    let (state, user) = require(Role::Admin).await?;
    let publisher = Some(publisher.trim()).filter(|p| !p.is_empty());
    tools::resend_failed(&state.db, &state.deliveries, &Actor::user(&user.user_id), publisher).await.map_err(service)
}
