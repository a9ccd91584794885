//! The admin's publishers: list and search, create, edit, deactivate and reactivate, and their
//! portal logins.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::page::Page;
use crate::domain::partners::Publisher;

/// A portal login as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInfo {
    pub id: String,
    pub email: String,
    /// False when the login or its publisher is deactivated.
    pub active: bool,
}

/// A publisher's screen: the publisher (with balance) and its logins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublisherDetails {
    pub publisher: Publisher,
    pub logins: Vec<LoginInfo>,
}

#[server(endpoint = "admin_publishers")]
pub async fn list_publishers(search: String, offset: i64) -> Result<Page<Publisher>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::publishers;

    let (state, _) = require(Role::Admin).await?;
    publishers::list_page(&state.db, &search, PAGE_SIZE, offset).await.map_err(service)
}

#[server(endpoint = "admin_publisher")]
pub async fn load_publisher(id: String) -> Result<PublisherDetails, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{publishers, users};

    let (state, _) = require(Role::Admin).await?;
    let publisher = publishers::get(&state.db, &id).await.map_err(service)?;
    let logins = users::for_publisher(&state.db, &id)
        .await
        .map_err(service)?
        .into_iter()
        .map(|u| LoginInfo { id: u.id, email: u.email, active: u.active })
        .collect();
    Ok(PublisherDetails { publisher, logins })
}

/// Creates a publisher; `id` (24 lowercase hex) and `email` may be empty.
#[server(endpoint = "admin_publisher_create")]
pub async fn create_publisher(name: String, email: String, id: String) -> Result<Publisher, FormError> {
    use super::form_error::{conflict_at, form_error};
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::publishers::{self, NewPublisher};

    let (state, user) = require(Role::Admin).await?;
    let id = Some(id.trim()).filter(|i| !i.is_empty());
    let new = NewPublisher::parse(&name, Some(&email), id).map_err(|e| form_error(e, &[]))?;
    // A taken id is the id field's problem, said next to it.
    publishers::create(&state.db, &Actor::user(&user.user_id), new).await.map_err(|e| conflict_at("id", e, &[]))
}

/// Saves name and email (an empty email clears it).
#[server(endpoint = "admin_publisher_edit")]
pub async fn edit_publisher(id: String, name: String, email: String) -> Result<Publisher, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::publishers::{self, PublisherEdit};

    let (state, user) = require(Role::Admin).await?;
    let edit = PublisherEdit { name: Some(name), email: Some(email), active: None };
    publishers::update(&state.db, &state.directory, &Actor::user(&user.user_id), &id, edit).await.map_err(|e| form_error(e, &[]))
}

/// Deactivates or reactivates a publisher: a deactivated one cannot sign in and is not credited.
#[server(endpoint = "admin_publisher_active")]
pub async fn set_publisher_active(id: String, active: bool) -> Result<Publisher, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::publishers::{self, PublisherEdit};

    let (state, user) = require(Role::Admin).await?;
    let edit = PublisherEdit { name: None, email: None, active: Some(active) };
    let publisher = publishers::update(&state.db, &state.directory, &Actor::user(&user.user_id), &id, edit).await.map_err(service)?;
    Ok(publisher)
}

/// Gives the publisher a portal login.
#[server(endpoint = "admin_publisher_login_create")]
pub async fn create_login(id: String, email: String, password: String) -> Result<LoginInfo, FormError> {
    use super::form_error::{conflict_at, reject, sentence};
    use super::guard::{require, service};
    use crate::domain::{Email, Role};
    use crate::server::{audit::Actor, publishers, users};

    let (state, user) = require(Role::Admin).await?;
    let publisher = publishers::get(&state.db, &id).await.map_err(service)?;
    let email = Email::parse(&email).map_err(|e| reject("email", sentence(&e.to_string())))?;
    let created = users::create(&state.db, &Actor::user(&user.user_id), &email, &password, Role::Publisher, Some(&publisher.id))
        .await
        .map_err(|e| conflict_at("email", e, &[]))?;
    Ok(LoginInfo { id: created.id, email: created.email, active: created.active })
}

/// Deactivates or reactivates one of the publisher's logins.
#[server(endpoint = "admin_publisher_login_active")]
pub async fn set_login_active(id: String, user_id: String, active: bool) -> Result<LoginInfo, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{audit::Actor, users};

    let (state, user) = require(Role::Admin).await?;
    let login = users::set_login_active(&state.db, &Actor::user(&user.user_id), &id, &user_id, active).await.map_err(service)?;
    Ok(LoginInfo { id: login.id, email: login.email, active: login.active })
}
