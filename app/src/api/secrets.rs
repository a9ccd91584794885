//! The secrets screen: every key and secret TapRain hands out, as hints with their validity —
//! network security keys, program API keys, reward API secrets, publisher postback secrets,
//! offerwall providers' secrets — and the reward-secret and postback-secret actions (network and
//! program keys rotate and revoke through their own modules' functions, providers' secrets on
//! the provider's screen).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::partners::NetworkKeyInfo;
use crate::domain::secrets::{PostbackSecretInfo, ProviderSecretInfo};

/// An owner (network or program) and its keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnedKeys {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub keys: Vec<NetworkKeyInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretsOverview {
    pub networks: Vec<OwnedKeys>,
    pub programs: Vec<OwnedKeys>,
    /// Listed like keys: same fields.
    pub reward_secrets: Vec<NetworkKeyInfo>,
    pub postback_secrets: Vec<PostbackSecretInfo>,
    /// Offerwall providers' secrets (hints only); they rotate on the provider's screen.
    pub provider_secrets: Vec<ProviderSecretInfo>,
    pub now: i64,
}

#[server(endpoint = "admin_secrets")]
pub async fn load_secrets() -> Result<SecretsOverview, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::deliveries::settings as postback_settings;
    use crate::server::reward::secrets as reward_secrets;
    use crate::server::{clock::now_ms, networks, programs, providers};

    let (state, _) = require(Role::Admin).await?;
    let networks = networks::list(&state.db)
        .await
        .map_err(service)?
        .into_iter()
        .map(|n| OwnedKeys { id: n.id, name: n.name, active: n.active, keys: n.keys })
        .collect();
    let programs = programs::list(&state.db)
        .await
        .map_err(service)?
        .into_iter()
        .map(|p| OwnedKeys { id: p.id, name: p.name, active: p.active, keys: p.keys })
        .collect();
    let reward_secrets = reward_secrets::list(&state.db)
        .await
        .map_err(service)?
        .into_iter()
        .map(|s| NetworkKeyInfo {
            id: s.id,
            hint: s.hint,
            created_at: s.created_at,
            valid_until: s.valid_until,
            revoked_at: s.revoked_at,
            sandbox: false,
        })
        .collect();
    let postback_secrets = postback_settings::secrets(&state.db).await.map_err(service)?;
    let provider_secrets = providers::secrets(&state.db).await.map_err(service)?;
    Ok(SecretsOverview { networks, programs, reward_secrets, postback_secrets, provider_secrets, now: now_ms() })
}

/// A new reward API secret, returned once.
#[server(endpoint = "admin_reward_secret_create")]
pub async fn create_reward_secret() -> Result<String, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::reward::secrets;

    let (state, user) = require(Role::Admin).await?;
    Ok(secrets::create(&state.db, &Actor::user(&user.user_id)).await.map_err(service)?.secret)
}

#[server(endpoint = "admin_reward_secret_rotate")]
pub async fn rotate_reward_secret(id: String, overlap_seconds: i64) -> Result<String, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::reward::secrets;

    let (state, user) = require(Role::Admin).await?;
    secrets::rotate(&state.db, &Actor::user(&user.user_id), &id, overlap_seconds).await.map(|c| c.secret).map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_reward_secret_revoke")]
pub async fn revoke_reward_secret(id: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::reward::secrets;

    let (state, user) = require(Role::Admin).await?;
    secrets::revoke(&state.db, &Actor::user(&user.user_id), &id).await.map_err(service)
}

/// A new signing secret for the publisher's postbacks, returned once.
#[server(endpoint = "admin_postback_secret_rotate")]
pub async fn rotate_postback_secret(publisher_id: String) -> Result<String, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::deliveries::settings as postback_settings;

    let (state, user) = require(Role::Admin).await?;
    postback_settings::rotate_secret(&state.db, &Actor::user(&user.user_id), &publisher_id).await.map_err(service)
}

/// Every admin API token, by hint, newest first.
#[server(endpoint = "admin_tokens")]
pub async fn load_admin_tokens() -> Result<Vec<crate::domain::secrets::AdminTokenInfo>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::auth::tokens;

    let (state, _) = require(Role::Admin).await?;
    tokens::list(&state.db, None).await.map_err(service)
}

/// Revokes an admin API token: it is refused from its next call.
#[server(endpoint = "admin_token_revoke")]
pub async fn revoke_admin_token(id: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::auth::tokens;

    let (state, user) = require(Role::Admin).await?;
    tokens::revoke(&state.db, &Actor::user(&user.user_id), &id).await.map_err(service)
}
