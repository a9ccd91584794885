//! The admin's offerwall providers: list and search, create (presets, or a custom provider's
//! parameter names), the detail screen (postback URL, rotate the secret, deactivate, approved
//! IPs and the refused queue) and the signature debugger, which records nothing.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::page::Page;
use crate::domain::provider::{CustomConfig, Provider, ProviderCheck, ProviderRefusedIp};

/// A provider's screen: the provider and its refused-IP queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderDetails {
    pub provider: Provider,
    pub refused: Vec<ProviderRefusedIp>,
}

/// What the "Add a provider" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewProvider {
    pub name: String,
    pub preset: String,
    pub secret: String,
    pub rounding: String,
    pub sandbox: bool,
    /// Only for `custom`.
    pub custom: Option<CustomConfig>,
}

#[server(endpoint = "admin_providers")]
pub async fn list_providers(search: String, offset: i64) -> Result<Page<Provider>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::providers;

    let (state, _) = require(Role::Admin).await?;
    providers::list_page(&state.db, &state.settings.public_url, &search, PAGE_SIZE, offset).await.map_err(service)
}

#[server(endpoint = "admin_provider")]
pub async fn load_provider(id: String) -> Result<ProviderDetails, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::providers::{self, ips};

    let (state, _) = require(Role::Admin).await?;
    let provider = providers::get(&state.db, &state.settings.public_url, &id).await.map_err(service)?;
    let refused = ips::refused(&state.db, &id).await.map_err(service)?;
    Ok(ProviderDetails { provider, refused })
}

#[server(endpoint = "admin_provider_create")]
pub async fn create_provider(input: NewProvider) -> Result<Provider, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::providers::{self, ProviderInput};

    let (state, user) = require(Role::Admin).await?;
    let input = ProviderInput {
        name: input.name,
        preset: input.preset,
        custom: input.custom,
        secret: Some(input.secret).filter(|s| !s.is_empty()),
        rounding: Some(input.rounding).filter(|r| !r.is_empty()),
        sandbox: input.sandbox,
    };
    providers::create(&state.db, &Actor::user(&user.user_id), &state.settings.public_url, input).await.map_err(|e| form_error(e, &[]))
}

/// Sets a new secret; the current one keeps working for `overlap_seconds`.
#[server(endpoint = "admin_provider_rotate")]
pub async fn rotate_provider_secret(id: String, secret: String, overlap_seconds: i64) -> Result<Provider, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::providers::{self, ProviderEdit};

    let (state, user) = require(Role::Admin).await?;
    let edit = ProviderEdit { secret: Some(secret), overlap_seconds: Some(overlap_seconds), ..ProviderEdit::default() };
    providers::update(&state.db, &Actor::user(&user.user_id), &state.settings.public_url, &id, edit).await.map_err(|e| form_error(e, &[]))
}

/// Deactivates or reactivates a provider, or switches its sandbox mode.
#[server(endpoint = "admin_provider_flags")]
pub async fn set_provider_flags(id: String, active: Option<bool>, sandbox: Option<bool>) -> Result<Provider, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::providers::{self, ProviderEdit};

    let (state, user) = require(Role::Admin).await?;
    let edit = ProviderEdit { active, sandbox, ..ProviderEdit::default() };
    providers::update(&state.db, &Actor::user(&user.user_id), &state.settings.public_url, &id, edit).await.map_err(service)
}

#[server(endpoint = "admin_provider_ip_add")]
pub async fn add_provider_ip(id: String, ip: String) -> Result<String, FormError> {
    use super::form_error::{form_error, reject};
    use super::guard::require;
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, providers::ips};

    let (state, user) = require(Role::Admin).await?;
    let Ok(rule) = IpRule::parse(&ip) else {
        return Err(reject("ip", "Enter an IPv4 or IPv6 address or a CIDR block such as 203.0.113.0/24."));
    };
    ips::add(&state.db, &Actor::user(&user.user_id), &id, rule).await.map(|_| rule.to_string()).map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_provider_ip_remove")]
pub async fn remove_provider_ip(id: String, ip: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, providers::ips};

    let (state, user) = require(Role::Admin).await?;
    let rule = IpRule::parse(&ip).map_err(|e| ServerFnError::new(e.to_string()))?;
    ips::remove(&state.db, &Actor::user(&user.user_id), &id, rule).await.map_err(service)
}

#[server(endpoint = "admin_provider_ip_approve")]
pub async fn approve_provider_ip(id: String, ip: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, providers::ips};

    let (state, user) = require(Role::Admin).await?;
    let rule = IpRule::parse(&ip).map_err(|e| ServerFnError::new(e.to_string()))?;
    ips::approve_refused(&state.db, &Actor::user(&user.user_id), &id, rule).await.map_err(service)
}

/// The signature debugger: analyses a pasted callback URL, recording nothing.
#[server(endpoint = "admin_provider_check")]
pub async fn check_provider_url(id: String, url: String) -> Result<ProviderCheck, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::providers::check;

    let (state, _) = require(Role::Admin).await?;
    check::check(&state.db, &id, &url).await.map_err(|e| form_error(e, &[]))
}
