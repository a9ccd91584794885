//! The admin's programs: list and search, create (API key shown once), edit the name and the
//! commission rule, deactivate and reactivate, keys, and the publishers' referral codes,
//! coupons, assets and sources.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::page::Page;
use crate::domain::program::{Program, ProgramHandle};

/// A program's screen: the program, the publishers to pick from, and the server's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramDetails {
    pub program: Program,
    /// (id, name) of every publisher, for the handle form and to name handle owners.
    pub publishers: Vec<(String, String)>,
    pub now: i64,
}

/// A new program and its first API key, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProgram {
    pub id: String,
    pub name: String,
    pub api_key: String,
}

/// `percent` or `cents` with its value, as typed, into the service's two optional fields.
#[cfg(feature = "ssr")]
fn commission(kind: &str, value: &str) -> Result<(Option<String>, Option<i64>), FormError> {
    let field_error = super::form_error::reject;
    match kind {
        "percent" => Ok((Some(value.trim().to_owned()), None)),
        "cents" => value
            .trim()
            .parse::<i64>()
            .map(|c| (None, Some(c)))
            .map_err(|_| field_error("commission_cents", "Enter a whole number of cents, e.g. 250 for $2.50.")),
        _ => Err(field_error("commission_percent", "Choose a percentage or a fixed amount.")),
    }
}

#[server(endpoint = "admin_programs")]
pub async fn list_programs(search: String, offset: i64) -> Result<Page<Program>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::programs;

    let (state, _) = require(Role::Admin).await?;
    programs::list_page(&state.db, &search, PAGE_SIZE, offset).await.map_err(service)
}

#[server(endpoint = "admin_program")]
pub async fn load_program(id: String) -> Result<ProgramDetails, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{clock::now_ms, programs, publishers};

    let (state, _) = require(Role::Admin).await?;
    let program = programs::get(&state.db, &id).await.map_err(service)?;
    let publishers = publishers::list(&state.db, "", 500, 0).await.map_err(service)?.into_iter().map(|p| (p.id, p.name)).collect();
    Ok(ProgramDetails { program, publishers, now: now_ms() })
}

/// Creates a program; `commission_kind` is `percent` or `cents`.
#[server(endpoint = "admin_program_create")]
pub async fn create_program(
    name: String,
    currency: String,
    commission_kind: String,
    commission_value: String,
) -> Result<NewProgram, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::programs::{self, NewProgram as Parsed};

    let (state, user) = require(Role::Admin).await?;
    let (percent, cents) = commission(&commission_kind, &commission_value)?;
    let new = Parsed::parse(&name, &currency, percent.as_deref(), cents).map_err(|e| form_error(e, &[]))?;
    let created = programs::create(&state.db, &Actor::user(&user.user_id), new).await.map_err(|e| form_error(e, &[]))?;
    Ok(NewProgram { id: created.program.id, name: created.program.name, api_key: created.api_key })
}

/// Saves the name and the commission rule (for conversions from now on).
#[server(endpoint = "admin_program_edit")]
pub async fn edit_program(id: String, name: String, commission_kind: String, commission_value: String) -> Result<Program, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::programs::{self, ProgramEdit};

    let (state, user) = require(Role::Admin).await?;
    let (commission_percent, commission_cents) = commission(&commission_kind, &commission_value)?;
    let edit = ProgramEdit { name: Some(name), active: None, commission_percent, commission_cents };
    programs::update(&state.db, &Actor::user(&user.user_id), &id, edit).await.map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_program_active")]
pub async fn set_program_active(id: String, active: bool) -> Result<Program, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::programs::{self, ProgramEdit};

    let (state, user) = require(Role::Admin).await?;
    let edit = ProgramEdit { active: Some(active), ..ProgramEdit::default() };
    programs::update(&state.db, &Actor::user(&user.user_id), &id, edit).await.map_err(service)
}

/// Gives a publisher a handle: `kind` is `referral_code`, `coupon`, `asset_id` or `source_id`.
#[server(endpoint = "admin_program_handle_add")]
pub async fn add_handle(id: String, kind: String, publisher_id: String, code: String) -> Result<ProgramHandle, FormError> {
    use super::form_error::{conflict_at, reject};
    use super::guard::require;
    use crate::domain::program::HandleKind;
    use crate::domain::Role;
    use crate::server::{audit::Actor, programs};

    let (state, user) = require(Role::Admin).await?;
    let kind = HandleKind::parse(&kind).ok_or_else(|| reject("kind", "Choose what to add."))?;
    if publisher_id.trim().is_empty() {
        return Err(reject("publisher_id", "Choose the publisher who owns it."));
    }
    // A taken code is the code field's problem, said next to it.
    programs::add_handle(&state.db, &Actor::user(&user.user_id), &id, kind, publisher_id.trim(), &code)
        .await
        .map_err(|e| conflict_at("code", e, &[]))
}

/// Removes one of the program's codes (kind as `HandleKind::field` names it).
#[server(endpoint = "admin_program_handle_remove")]
pub async fn remove_handle(id: String, kind: String, code: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::program::HandleKind;
    use crate::domain::Role;
    use crate::server::{audit::Actor, programs, ServiceError};

    let (state, user) = require(Role::Admin).await?;
    let kind = HandleKind::parse(&kind).ok_or_else(|| service(ServiceError::invalid("kind", "unknown kind of code")))?;
    programs::remove_handle(&state.db, &Actor::user(&user.user_id), &id, kind, &code).await.map_err(service)
}

#[server(endpoint = "admin_program_key_rotate")]
pub async fn rotate_program_key(id: String, overlap_seconds: i64) -> Result<String, FormError> {
    use super::form_error::form_error;
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::{audit::Actor, programs};

    let (state, user) = require(Role::Admin).await?;
    programs::rotate_key(&state.db, &Actor::user(&user.user_id), &id, overlap_seconds).await.map_err(|e| form_error(e, &[]))
}

#[server(endpoint = "admin_program_key_revoke")]
pub async fn revoke_program_key(id: String, key_id: String) -> Result<(), ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{audit::Actor, programs};

    let (state, user) = require(Role::Admin).await?;
    programs::revoke_key(&state.db, &Actor::user(&user.user_id), &id, &key_id).await.map_err(service)
}
