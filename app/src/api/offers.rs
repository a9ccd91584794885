//! The admin's offers and offerwalls catalogs: paged, searchable lists, create and edit forms
//! (field errors named after the form's fields), deactivate and reactivate. The same services
//! as the admin API; every change audited as the signed-in admin.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::form_error::FormError;
use crate::domain::offer::Offer;
use crate::domain::offerwall::Offerwall;
use crate::domain::page::Page;

/// The offer form as typed: the payout in dollars (`1.25`), countries as a list of codes
/// separated by commas or spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferForm {
    pub name: String,
    pub payout: String,
    pub url_template: String,
    pub countries: String,
    /// `all`, `desktop` or `mobile`.
    pub device: String,
    pub description: String,
}

/// The offer form's field names, for errors that belong to none of them.
pub const OFFER_FIELDS: &[&str] = &["name", "payout", "url_template", "countries", "device", "description"];

/// Country codes as typed (`us, de fr`) → one code per entry.
pub fn split_countries(raw: &str) -> Vec<String> {
    raw.split([',', ' ', ';', '\n']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

/// The wall form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallForm {
    pub publisher_id: String,
    pub name: String,
    pub currency_name: String,
    /// Currency units per 1 USD, a decimal (`100`, `0.5`).
    pub exchange_rate: String,
    /// `down`, `nearest` or `up`.
    pub rounding: String,
    /// The page's language when the visitor asks for none it speaks (`en`, `es`, …).
    pub language: String,
    /// Branding: the page's heading (empty: the wall's name), accent colour (`#rrggbb`, empty:
    /// the default) and logo URL (empty: none).
    pub title: String,
    pub accent_color: String,
    pub logo_url: String,
}

pub const WALL_FIELDS: &[&str] =
    &["publisher_id", "name", "currency_name", "exchange_rate", "rounding", "language", "title", "accent_color", "logo_url"];

#[server(endpoint = "admin_offers")]
pub async fn list_offers(q: String, status: String, offset: i64) -> Result<Page<Offer>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::{active_filter, PAGE_SIZE};
    use crate::domain::Role;
    use crate::server::offerwall::offers;

    let (state, _) = require(Role::Admin).await?;
    offers::list_page(&state.db, &q, active_filter(&status), PAGE_SIZE, offset).await.map_err(service)
}

#[server(endpoint = "admin_offer")]
pub async fn get_offer(id: String) -> Result<Offer, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::offerwall::offers;

    let (state, _) = require(Role::Admin).await?;
    offers::get(&state.db, &id).await.map_err(service)
}

/// Creates an offer (`id` empty) or saves every field of an existing one.
#[server(endpoint = "admin_offer_save")]
pub async fn save_offer(id: String, form: OfferForm) -> Result<Offer, FormError> {
    use super::form_error::{form_error, reject};
    use super::guard::require;
    use crate::domain::money::{format_usd, parse_usd_cents};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::offerwall::offers::{self, OfferInput, MAX_PAYOUT_CENTS};

    let (state, user) = require(Role::Admin).await?;
    let payout_cents = parse_usd_cents(&form.payout).map_err(|m| reject("payout", m))?;
    if !(1..=MAX_PAYOUT_CENTS).contains(&payout_cents) {
        return Err(reject("payout", format!("Between $0.01 and {}", format_usd(MAX_PAYOUT_CENTS))));
    }
    let input = OfferInput {
        name: Some(form.name),
        payout_cents: Some(payout_cents),
        url_template: Some(form.url_template),
        countries: Some(split_countries(&form.countries)),
        device: Some(if form.device.is_empty() { "all".into() } else { form.device }),
        description: Some(form.description),
        network_id: None,
        active: None,
    };
    let actor = Actor::user(&user.user_id);
    let saved = if id.is_empty() {
        offers::create(&state.db, &actor, input).await
    } else {
        offers::update(&state.db, &actor, &id, input, false).await
    };
    saved.map_err(|e| form_error(e, &[("payout_cents", "payout")]))
}

#[server(endpoint = "admin_offer_active")]
pub async fn set_offer_active(id: String, active: bool) -> Result<Offer, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::offerwall::offers::{self, OfferInput};

    let (state, user) = require(Role::Admin).await?;
    let input = OfferInput { active: Some(active), ..OfferInput::default() };
    offers::update(&state.db, &Actor::user(&user.user_id), &id, input, false).await.map_err(service)
}

#[server(endpoint = "admin_offerwalls")]
pub async fn list_offerwalls(q: String, publisher: String, offset: i64) -> Result<Page<Offerwall>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::page::PAGE_SIZE;
    use crate::domain::Role;
    use crate::server::offerwall::walls;

    let (state, _) = require(Role::Admin).await?;
    let publisher = Some(publisher.trim()).filter(|p| !p.is_empty());
    let page = walls::list_page(&state.db, publisher, &q, PAGE_SIZE, offset).await.map_err(service)?;
    Ok(page.map(|w| w.to_api(&state.settings.public_url)))
}

#[server(endpoint = "admin_offerwall")]
pub async fn get_offerwall(id: String) -> Result<Offerwall, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::offerwall::walls;

    let (state, _) = require(Role::Admin).await?;
    Ok(walls::get(&state.db, &id).await.map_err(service)?.to_api(&state.settings.public_url))
}

/// Creates a wall (`id` empty) or saves every field of the form on an existing one.
#[server(endpoint = "admin_offerwall_save")]
pub async fn save_offerwall(id: String, form: WallForm) -> Result<Offerwall, FormError> {
    use super::form_error::{form_error, reject};
    use super::guard::require;
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::offerwall::walls::{self, WallInput};

    let (state, user) = require(Role::Admin).await?;
    if form.publisher_id.trim().is_empty() {
        return Err(reject("publisher_id", "Choose the publisher this wall belongs to"));
    }
    let input = WallInput {
        publisher_id: Some(form.publisher_id),
        name: Some(form.name),
        currency_name: Some(form.currency_name),
        exchange_rate: Some(form.exchange_rate),
        rounding: Some(form.rounding),
        language: Some(form.language).filter(|l| !l.is_empty()),
        title: Some(form.title),
        accent_color: Some(form.accent_color),
        logo_url: Some(form.logo_url),
        active: None,
    };
    let actor = Actor::user(&user.user_id);
    let saved =
        if id.is_empty() { walls::create(&state.db, &actor, input).await } else { walls::update(&state.db, &actor, &id, input).await };
    Ok(saved.map_err(|e| form_error(e, &[]))?.to_api(&state.settings.public_url))
}

#[server(endpoint = "admin_offerwall_active")]
pub async fn set_offerwall_active(id: String, active: bool) -> Result<Offerwall, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::offerwall::walls::{self, WallInput};

    let (state, user) = require(Role::Admin).await?;
    let input = WallInput { active: Some(active), ..WallInput::default() };
    let wall = walls::update(&state.db, &Actor::user(&user.user_id), &id, input).await.map_err(service)?;
    Ok(wall.to_api(&state.settings.public_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_split_on_commas_and_spaces() {
        assert_eq!(split_countries(" us, DE  fr;;"), vec!["us", "DE", "fr"]);
        assert!(split_countries("  ").is_empty());
    }
}
