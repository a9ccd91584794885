//! The publisher's postback settings in the portal: template, signature and retry schedule, the
//! signing secret (shown once, right after the first save), a test postback, and their own
//! delivery log. The publisher is always the one in the session, never one named by the request.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::delivery_log::{Delivery, DeliveryDetails, TestPostback};
use crate::domain::retry::RetryBackoff;

/// The settings as the portal shows them: the secret itself never, only its first characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPostbackSettings {
    /// False until the first save.
    pub configured: bool,
    pub url_template: String,
    /// `hmac-sha256`, `md5` or `standard-webhooks`.
    pub signature: String,
    pub max_retries: i64,
    pub retry_interval_seconds: i64,
    /// Fixed (the seeds' schedule) or exponential with jitter.
    pub retry_backoff: RetryBackoff,
    /// E.g. `whsec_AbCd…`, once a secret exists.
    pub secret_hint: Option<String>,
}

/// The answer to a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPostback {
    pub settings: PortalPostbackSettings,
    /// The signing secret, only when this save created it.
    pub new_secret: Option<String>,
}

pub use crate::domain::secrets::secret_hint;

#[cfg(feature = "ssr")]
fn shown(settings: Option<crate::server::deliveries::settings::PostbackSettings>) -> PortalPostbackSettings {
    use crate::server::deliveries::settings::{DEFAULT_MAX_RETRIES, DEFAULT_RETRY_INTERVAL_SECONDS};
    match settings {
        Some(s) => PortalPostbackSettings {
            configured: true,
            secret_hint: Some(secret_hint(&s.secret)),
            url_template: s.url_template,
            signature: s.signature,
            max_retries: s.max_retries,
            retry_interval_seconds: s.retry_interval_seconds,
            retry_backoff: s.retry_backoff,
        },
        None => PortalPostbackSettings {
            configured: false,
            url_template: String::new(),
            signature: "hmac-sha256".into(),
            max_retries: DEFAULT_MAX_RETRIES,
            retry_interval_seconds: DEFAULT_RETRY_INTERVAL_SECONDS,
            retry_backoff: RetryBackoff::default(),
            secret_hint: None,
        },
    }
}

#[server(endpoint = "portal_postback")]
pub async fn my_postback() -> Result<PortalPostbackSettings, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::deliveries::settings as postback_settings;

    let (state, _, publisher_id) = require_publisher().await?;
    Ok(shown(postback_settings::get(&state.db, &publisher_id).await.map_err(service)?))
}

#[server(endpoint = "portal_postback_save")]
pub async fn save_my_postback(
    url_template: String,
    signature: String,
    max_retries: i64,
    retry_interval_seconds: i64,
    retry_backoff: RetryBackoff,
) -> Result<SavedPostback, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::audit::Actor;
    use crate::server::deliveries::settings::{self as postback_settings, NewPostbackSettings};

    let (state, user, publisher_id) = require_publisher().await?;
    let existed = postback_settings::get(&state.db, &publisher_id).await.map_err(service)?.is_some();
    let new = NewPostbackSettings {
        url_template,
        signature: Some(signature),
        max_retries: Some(max_retries),
        retry_interval_seconds: Some(retry_interval_seconds),
        retry_backoff: Some(retry_backoff),
    };
    let saved = postback_settings::set(&state.db, &Actor::user(&user.user_id), &publisher_id, new).await.map_err(service)?;
    let new_secret = (!existed).then(|| saved.secret.clone());
    Ok(SavedPostback { settings: shown(Some(saved)), new_secret })
}

/// Replaces this publisher's signing secret; the new one is returned once.
#[server(endpoint = "portal_postback_secret_rotate")]
pub async fn rotate_my_postback_secret() -> Result<String, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::audit::Actor;
    use crate::server::deliveries::settings as postback_settings;

    let (state, user, publisher_id) = require_publisher().await?;
    postback_settings::rotate_secret(&state.db, &Actor::user(&user.user_id), &publisher_id).await.map_err(service)
}

#[server(endpoint = "portal_postback_test")]
pub async fn send_my_test_postback() -> Result<TestPostback, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::deliveries::tools;

    let (state, _, publisher_id) = require_publisher().await?;
    tools::test_postback(&state.db, &state.sender, &publisher_id).await.map_err(service)
}

#[server(endpoint = "portal_deliveries")]
pub async fn my_deliveries(status: String) -> Result<Vec<Delivery>, ServerFnError> {
    use super::deliveries::{delivery_state, DELIVERIES_LIMIT};
    use super::guard::{require_publisher, service};
    use crate::server::deliveries::listing::{self, Filter};

    let (state, _, publisher_id) = require_publisher().await?;
    let filter = Filter { publisher_id: Some(publisher_id), conversion_id: None, state: delivery_state(&status)?, limit: DELIVERIES_LIMIT };
    listing::list(&state.db, &filter).await.map_err(service)
}

#[server(endpoint = "portal_delivery")]
pub async fn my_delivery(id: String) -> Result<DeliveryDetails, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::deliveries::listing;
    use crate::server::ServiceError;

    let (state, _, publisher_id) = require_publisher().await?;
    let details = listing::get(&state.db, &id).await.map_err(service)?;
    // Another publisher's delivery does not exist as far as this one can tell.
    if details.delivery.publisher_id != publisher_id {
        return Err(service(ServiceError::NotFound("delivery")));
    }
    Ok(details)
}

/// Resends this publisher's failed deliveries; returns how many.
#[server(endpoint = "portal_deliveries_resend_failed")]
pub async fn resend_my_failed() -> Result<u64, ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::audit::Actor;
    use crate::server::deliveries::tools;

    let (state, user, publisher_id) = require_publisher().await?;
    tools::resend_failed(&state.db, &state.deliveries, &Actor::user(&user.user_id), Some(&publisher_id)).await.map_err(service)
}

/// Sends one of this publisher's finished deliveries again.
#[server(endpoint = "portal_delivery_resend")]
pub async fn resend_my_delivery(id: String) -> Result<(), ServerFnError> {
    use super::guard::{require_publisher, service};
    use crate::server::audit::Actor;
    use crate::server::deliveries::{listing, tools};
    use crate::server::ServiceError;

    let (state, user, publisher_id) = require_publisher().await?;
    if listing::get(&state.db, &id).await.map_err(service)?.delivery.publisher_id != publisher_id {
        return Err(service(ServiceError::NotFound("delivery")));
    }
    tools::resend(&state.db, &state.deliveries, &Actor::user(&user.user_id), &id).await.map_err(service)
}
