//! The admin's reward catalogs: store apps (`pid`) and reward games (`gid`) — list, register,
//! rename, deactivate, reactivate — and reward users (read only) with their level postbacks.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::page::Page;
use crate::domain::reward::catalog::{RewardGame, RewardUser, StoreApp, UserPostback};

/// Which of the two catalogs a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RewardCatalog {
    StoreApps,
    Games,
}

/// A store app or a game as the shared screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: i64,
}

impl From<StoreApp> for CatalogEntry {
    fn from(a: StoreApp) -> Self {
        CatalogEntry { id: a.pid, name: a.name, active: a.active, created_at: a.created_at }
    }
}

impl From<RewardGame> for CatalogEntry {
    fn from(g: RewardGame) -> Self {
        CatalogEntry { id: g.id, name: g.name, active: g.active, created_at: g.created_at }
    }
}

/// The fields of the register form: `id` (the pid or game id) and `name`.
pub const CATALOG_FIELDS: &[&str] = &["id", "name"];

#[server(endpoint = "admin_reward_catalog")]
pub async fn list_catalog(catalog: RewardCatalog, q: String, status: String, offset: i64) -> Result<Page<CatalogEntry>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::{active_filter, PAGE_SIZE};
    use crate::domain::Role;
    use crate::server::reward::catalog::{self as cat, CatalogQuery};

    let (state, _) = require(Role::Admin).await?;
    let query = CatalogQuery { q: Some(q), active: active_filter(&status), limit: PAGE_SIZE, offset };
    Ok(match catalog {
        RewardCatalog::StoreApps => cat::store_apps_page(&state.db, &query).await.map_err(service)?.map(Into::into),
        RewardCatalog::Games => cat::games_page(&state.db, &query).await.map_err(service)?.map(Into::into),
    })
}

#[server(endpoint = "admin_reward_catalog_create")]
pub async fn create_catalog_entry(catalog: RewardCatalog, id: String, name: String) -> Result<CatalogEntry, FormError> {
    use super::form_error::conflict_at;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::reward::catalog as cat;

    let (state, user) = require(Role::Admin).await?;
    let actor = Actor::user(&user.user_id);
    match catalog {
        RewardCatalog::StoreApps => cat::create_store_app(&state.db, &actor, &id, &name).await.map(Into::into),
        RewardCatalog::Games => cat::create_game(&state.db, &actor, &id, &name).await.map(Into::into),
    }
    .map_err(|e| conflict_at("id", e, &[("pid", "id")]))
}

/// Renames (`name` given), deactivates or reactivates (`active` given) an entry.
#[server(endpoint = "admin_reward_catalog_update")]
pub async fn update_catalog_entry(
    catalog: RewardCatalog,
    id: String,
    name: Option<String>,
    active: Option<bool>,
) -> Result<CatalogEntry, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::reward::catalog::{self as cat, CatalogEdit};

    let (state, user) = require(Role::Admin).await?;
    let actor = Actor::user(&user.user_id);
    let edit = CatalogEdit { name, active };
    match catalog {
        RewardCatalog::StoreApps => cat::update_store_app(&state.db, &actor, &id, edit).await.map(Into::into),
        RewardCatalog::Games => cat::update_game(&state.db, &actor, &id, edit).await.map(Into::into),
    }
    .map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_reward_users")]
pub async fn list_reward_users(q: String, offset: i64) -> Result<Page<RewardUser>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::reward::users;

    let (state, _) = require(Role::Admin).await?;
    users::list_page(&state.db, &q, PAGE_SIZE, offset).await.map_err(service)
}

/// A reward user with their newest level postbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardUserDetails {
    pub user: RewardUser,
    pub postbacks: Vec<UserPostback>,
    /// True when older postbacks exist than those shown.
    pub more: bool,
}

/// Most postbacks the user's page shows.
pub const USER_POSTBACKS_SHOWN: i64 = 200;

#[server(endpoint = "admin_reward_user")]
pub async fn get_reward_user(id: String) -> Result<RewardUserDetails, ServerFnError> {
    use super::guard::{internal, require, service};
    use crate::domain::reward::RewardUserId;
    use crate::domain::Role;
    use crate::server::reward::users;
    use crate::server::ServiceError;

    let (state, _) = require(Role::Admin).await?;
    let not_found = || service(ServiceError::NotFound("reward user"));
    let user_id = RewardUserId::parse(&id).map_err(|_| not_found())?;
    let mut conn = state.db.pool().acquire().await.map_err(internal)?;
    let user = users::find(&mut conn, &user_id).await.map_err(internal)?.ok_or_else(not_found)?;
    let (postbacks, more) = users::recent_postbacks(&mut conn, &user_id, USER_POSTBACKS_SHOWN).await.map_err(internal)?;
    Ok(RewardUserDetails { user, postbacks, more })
}
