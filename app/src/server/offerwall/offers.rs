//! The offers catalog: create, read, edit (one validation path for create, replace and patch).

use sqlx::AnyConnection;

use crate::domain::label::parse_label;
use crate::domain::offer::{Countries, Offer, OfferCard, OfferUrl};
use crate::domain::offerwall::DeviceTarget;
use crate::domain::page::{self, contains_pattern, search_text, Page};
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::secrets;

/// Largest payout an offer may carry: $1,000,000.00.
pub const MAX_PAYOUT_CENTS: i64 = 100_000_000;
const MAX_DESCRIPTION: usize = 500;

/// Raw fields from a request; `None` means "not given" (keep the current value on a patch,
/// the default on a create).
#[derive(Debug, Clone, Default)]
pub struct OfferInput {
    pub name: Option<String>,
    pub payout_cents: Option<i64>,
    pub url_template: Option<String>,
    pub countries: Option<Vec<String>>,
    pub device: Option<String>,
    pub description: Option<String>,
    pub network_id: Option<String>,
    pub active: Option<bool>,
}

/// An offer's fields after validation.
struct Valid {
    name: String,
    payout_cents: i64,
    url: OfferUrl,
    countries: Countries,
    device: DeviceTarget,
    description: String,
    network_id: Option<String>,
    active: bool,
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, ServiceError> {
    value.ok_or_else(|| ServiceError::invalid(field, "is required"))
}

/// Validates `input` over `base` (the current offer on a patch; nothing on create or replace).
async fn validate(conn: &mut AnyConnection, input: OfferInput, base: Option<&Offer>) -> Result<Valid, ServiceError> {
    let name = required(input.name.or_else(|| base.map(|b| b.name.clone())), "name")?;
    let name = parse_label(&name, 120).map_err(|e| ServiceError::invalid("name", e.to_string()))?;
    let payout_cents = required(input.payout_cents.or(base.map(|b| b.payout_cents)), "payout_cents")?;
    if !(1..=MAX_PAYOUT_CENTS).contains(&payout_cents) {
        return Err(ServiceError::invalid("payout_cents", format!("must be a whole number of cents from 1 to {MAX_PAYOUT_CENTS}")));
    }
    let url = required(input.url_template.or_else(|| base.map(|b| b.url_template.clone())), "url_template")?;
    let url = OfferUrl::parse(&url).map_err(|e| ServiceError::invalid("url_template", e.to_string()))?;
    let countries = input.countries.or_else(|| base.map(|b| b.countries.clone())).unwrap_or_default();
    if countries.len() > 250 {
        return Err(ServiceError::invalid("countries", "at most 250 codes"));
    }
    let countries = Countries::parse(&countries).map_err(|e| ServiceError::invalid("countries", e))?;
    let device = match input.device {
        Some(raw) => DeviceTarget::parse(&raw).ok_or_else(|| ServiceError::invalid("device", "must be desktop, mobile or all"))?,
        None => base.map(|b| b.device).unwrap_or_default(),
    };
    let description = input.description.or_else(|| base.map(|b| b.description.clone())).unwrap_or_default().trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION || description.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ServiceError::invalid("description", format!("at most {MAX_DESCRIPTION} characters, no control characters")));
    }
    let network_id = match input.network_id.map(|n| n.trim().to_owned()) {
        Some(n) if n.is_empty() => None,
        Some(n) => {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT id FROM networks WHERE id = $1").bind(&n).fetch_optional(&mut *conn).await?;
            Some(found.ok_or_else(|| ServiceError::invalid("network_id", "no such network"))?.0)
        }
        None => base.and_then(|b| b.network_id.clone()),
    };
    let active = input.active.or(base.map(|b| b.active)).unwrap_or(true);
    Ok(Valid { name, payout_cents, url, countries, device, description, network_id, active })
}

fn to_offer(id: String, v: Valid, created_at: i64, updated_at: i64) -> Offer {
    Offer {
        id,
        network_id: v.network_id,
        name: v.name,
        description: v.description,
        payout_cents: v.payout_cents,
        url_template: v.url.as_str().to_owned(),
        countries: v.countries.codes().to_vec(),
        device: v.device,
        active: v.active,
        created_at,
        updated_at,
    }
}

pub async fn create(db: &Db, actor: &Actor, input: OfferInput) -> Result<Offer, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    let valid = validate(&mut tx, input, None).await?;
    let now = now_ms();
    let offer = to_offer(secrets::new_id("off"), valid, now, now);
    sqlx::query(
        "INSERT INTO offers (id, network_id, name, description, payout_cents, url_template, countries, device, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&offer.id)
    .bind(offer.network_id.as_deref())
    .bind(&offer.name)
    .bind(&offer.description)
    .bind(offer.payout_cents)
    .bind(&offer.url_template)
    .bind(offer.countries.join(","))
    .bind(offer.device.as_str())
    .bind(i64::from(offer.active))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, "offer.create", &offer.id, serde_json::json!({ "name": offer.name, "payout_cents": offer.payout_cents }))
        .await?;
    tx.commit().await?;
    Ok(offer)
}

/// Edits an offer: `replace` validates `input` alone (PUT), otherwise over the current offer (PATCH).
pub async fn update(db: &Db, actor: &Actor, id: &str, input: OfferInput, replace: bool) -> Result<Offer, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    let current = find(&mut tx, id).await?.ok_or(ServiceError::NotFound("offer"))?;
    let valid = validate(&mut tx, input, (!replace).then_some(&current)).await?;
    let offer = to_offer(current.id.clone(), valid, current.created_at, now_ms());
    sqlx::query(
        "UPDATE offers SET network_id = $1, name = $2, description = $3, payout_cents = $4, url_template = $5, countries = $6, \
         device = $7, active = $8, updated_at = $9 WHERE id = $10",
    )
    .bind(offer.network_id.as_deref())
    .bind(&offer.name)
    .bind(&offer.description)
    .bind(offer.payout_cents)
    .bind(&offer.url_template)
    .bind(offer.countries.join(","))
    .bind(offer.device.as_str())
    .bind(i64::from(offer.active))
    .bind(offer.updated_at)
    .bind(&offer.id)
    .execute(&mut *tx)
    .await?;
    let rest_same = Offer { active: offer.active, updated_at: offer.updated_at, ..current.clone() } == offer;
    let action = state_change("offer", current.active, offer.active, rest_same);
    audit::record(&mut tx, actor, &action, &offer.id, serde_json::json!({ "name": offer.name, "active": offer.active })).await?;
    tx.commit().await?;
    Ok(offer)
}

/// `<kind>.deactivate` / `.activate` when only the active flag changed (`rest_same`), else
/// `<kind>.update`: the audit log then reads like what the admin did.
pub(crate) fn state_change(kind: &str, was_active: bool, is_active: bool, rest_same: bool) -> String {
    match (was_active, is_active, rest_same) {
        (true, false, true) => format!("{kind}.deactivate"),
        (false, true, true) => format!("{kind}.activate"),
        _ => format!("{kind}.update"),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    network_id: Option<String>,
    name: String,
    description: String,
    payout_cents: i64,
    url_template: String,
    countries: String,
    device: String,
    active: i64,
    created_at: i64,
    updated_at: i64,
}

const SELECT: &str =
    "SELECT id, network_id, name, description, payout_cents, url_template, countries, device, active, created_at, updated_at FROM offers";

fn from_row(r: Row) -> Offer {
    Offer {
        id: r.id,
        network_id: r.network_id,
        name: r.name,
        description: r.description,
        payout_cents: r.payout_cents,
        url_template: r.url_template,
        countries: Countries::from_stored(&r.countries).codes().to_vec(),
        device: DeviceTarget::parse(&r.device).unwrap_or_default(),
        active: r.active == 1,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Offer>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(from_row))
}

pub async fn get(db: &Db, id: &str) -> Result<Offer, ServiceError> {
    find(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("offer"))
}

/// Offers, newest first; `active` narrows to active (`true`) or inactive (`false`) ones, `q`
/// to those whose name or id contains it (case-insensitive).
pub async fn list(db: &Db, q: Option<&str>, active: Option<bool>, limit: i64, offset: i64) -> Result<Vec<Offer>, ServiceError> {
    let q = search_text(q.unwrap_or(""));
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} {MATCHING} ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"))
        .bind(active.map(i64::from).unwrap_or(-1))
        .bind(&q)
        .bind(contains_pattern(&q))
        .bind(limit.clamp(1, 1000))
        .bind(offset.max(0))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The offers a listing shows: `$1` the active filter (-1 for all), `$2` the search, `$3` its pattern.
const MATCHING: &str = "WHERE ($1 < 0 OR active = $1) AND ($2 = '' OR LOWER(name) LIKE $3 ESCAPE '\\' OR LOWER(id) LIKE $3 ESCAPE '\\')";

/// One page of [`list`], with how many offers match on all pages.
pub async fn list_page(db: &Db, q: &str, active: Option<bool>, limit: i64, offset: i64) -> Result<Page<Offer>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let q = search_text(q);
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM offers {MATCHING}"))
        .bind(active.map(i64::from).unwrap_or(-1))
        .bind(&q)
        .bind(contains_pattern(&q))
        .fetch_one(db.pool())
        .await?;
    let items = list(db, Some(&q), active, limit, offset).await?;
    Ok(Page { items, total, offset, limit })
}

/// Every active offer as the walls show them, best paying first.
pub async fn active_cards(db: &Db) -> Result<Vec<OfferCard>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} WHERE active = 1 ORDER BY payout_cents DESC, id")).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let url = OfferUrl::parse(&r.url_template).ok()?;
            Some(OfferCard {
                id: r.id,
                network_id: r.network_id,
                name: r.name,
                description: r.description,
                payout_cents: r.payout_cents,
                url,
                countries: Countries::from_stored(&r.countries),
                device: DeviceTarget::parse(&r.device).unwrap_or_default(),
            })
        })
        .collect())
}
