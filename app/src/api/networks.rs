//! The admin's networks: list and search, create (key shown once), rename, deactivate and
//! reactivate, keys (rotate with an overlap, revoke), approved IPs and the refused-IP queue.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::page::Page;
use crate::domain::partners::{Network, RefusedIp};

/// A network's screen: the network, its refused-IP queue, and the server's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkDetails {
    pub network: Network,
    pub refused: Vec<RefusedIp>,
    pub now: i64,
}

/// A network as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// Keys that authenticate now (active or in their overlap).
    pub working_keys: usize,
    pub approved_ips: usize,
    pub created_at: i64,
}

/// A new network and its first key, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNetwork {
    pub id: String,
    pub name: String,
    pub key: String,
}

#[server(endpoint = "admin_networks")]
pub async fn list_networks(search: String, offset: i64) -> Result<Page<NetworkRow>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::secrets::KeyState;
    use crate::domain::Role;
    use crate::server::{clock::now_ms, networks};

    let (state, _) = require(Role::Admin).await?;
    let now = now_ms();
    let page = networks::list_page(&state.db, &search, PAGE_SIZE, offset).await.map_err(service)?;
    Ok(page.map(|n| NetworkRow {
        working_keys: n.keys.iter().filter(|k| KeyState::at(k.valid_until, k.revoked_at, now).works()).count(),
        approved_ips: n.ips.len(),
        id: n.id,
        name: n.name,
        active: n.active,
        created_at: n.created_at,
    }))
}

#[server(endpoint = "admin_network")]
pub async fn load_network(id: String) -> Result<NetworkDetails, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{clock::now_ms, networks};

    let (state, _) = require(Role::Admin).await?;
    let network = networks::get(&state.db, &id).await.map_err(service)?;
    let refused = networks::refused_ips(&state.db, &id).await.map_err(service)?;
    Ok(NetworkDetails { network, refused, now: now_ms() })
}

#[server(endpoint = "admin_network_create")]
pub async fn create_network(name: String) -> Result<NewNetwork, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    let created = networks::create(&state.db, &Actor::user(&user.user_id), &name).await.map_err(|e| form_error(e, &[]))?;
    Ok(NewNetwork { id: created.network.id, name: created.network.name, key: created.key })
}

#[server(endpoint = "admin_network_rename")]
pub async fn rename_network(id: String, name: String) -> Result<Network, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::networks::{self, NetworkEdit};

    let (state, user) = require(Role::Admin).await?;
    networks::update(&state.db, &state.directory, &Actor::user(&user.user_id), &id, NetworkEdit { name: Some(name), active: None })
        .await
        .map_err(|e| form_error(e, &[]))
}

/// Deactivates (`active = false`) or reactivates a network; its keys stop or work again at once.
#[server(endpoint = "admin_network_active")]
pub async fn set_network_active(id: String, active: bool) -> Result<Network, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::networks::{self, NetworkEdit};

    let (state, user) = require(Role::Admin).await?;
    let network =
        networks::update(&state.db, &state.directory, &Actor::user(&user.user_id), &id, NetworkEdit { name: None, active: Some(active) })
            .await
            .map_err(service)?;
    Ok(network)
}

#[server(endpoint = "admin_network_ip_add")]
pub async fn add_network_ip(id: String, ip: String) -> Result<String, FormError> {
    use super::form_error::{form_error, reject};
    use super::guard::require;
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    let rule = IpRule::parse(&ip).map_err(|_| reject("ip", "Enter an IPv4 or IPv6 address or a CIDR block such as 203.0.113.0/24."))?;
    let added = networks::add_ip(&state.db, &state.directory, &Actor::user(&user.user_id), &id, rule).await;
    added.map(|_| rule.to_string()).map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_network_ip_remove")]
pub async fn remove_network_ip(id: String, ip: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    let rule = IpRule::parse(&ip).map_err(|e| ServerFnError::new(e.to_string()))?;
    networks::remove_ip(&state.db, &state.directory, &Actor::user(&user.user_id), &id, rule).await.map_err(service)?;
    Ok(())
}

/// Approves a refused address from the queue in one step.
#[server(endpoint = "admin_network_ip_approve")]
pub async fn approve_refused_ip(id: String, ip: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::{IpRule, Role};
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    let rule = IpRule::parse(&ip).map_err(|e| ServerFnError::new(e.to_string()))?;
    networks::approve_refused_ip(&state.db, &state.directory, &Actor::user(&user.user_id), &id, rule).await.map_err(service)?;
    Ok(())
}

/// Issues a new key (returned once); the current ones keep working for `overlap_seconds`.
#[server(endpoint = "admin_network_key_rotate")]
pub async fn rotate_network_key(id: String, overlap_seconds: i64) -> Result<String, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    let rotated = networks::rotate_key(&state.db, &state.directory, &Actor::user(&user.user_id), &id, overlap_seconds).await;
    rotated.map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_network_key_revoke")]
pub async fn revoke_network_key(id: String, key_id: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{audit::Actor, networks};

    let (state, user) = require(Role::Admin).await?;
    networks::revoke_key(&state.db, &state.directory, &Actor::user(&user.user_id), &id, &key_id).await.map_err(service)?;
    Ok(())
}
