//! Publishers' offerwalls: create, read, edit. Each wall has its own click secret (never shown)
//! that signs its click links.

use sqlx::AnyConnection;

use crate::domain::label::parse_label;
use crate::domain::offerwall::{embed_code, parse_accent_color, parse_web_url, share_url, ExchangeRate, Offerwall, Rounding, WallCurrency};
use crate::domain::page::{self, contains_pattern, search_text, Page};
use crate::domain::wall_language::WallLanguage;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::secrets;

/// Defaults for a wall created without currency settings: 100 coins per USD (1 per cent).
pub const DEFAULT_CURRENCY: &str = "Coins";
pub const DEFAULT_RATE: ExchangeRate = ExchangeRate::from_micros(100_000_000);

/// Raw fields from a request; `None` means "not given". An empty string clears an optional
/// branding field.
#[derive(Debug, Clone, Default)]
pub struct WallInput {
    pub publisher_id: Option<String>,
    pub name: Option<String>,
    pub currency_name: Option<String>,
    /// The rate as written: `"1000"`, `"0.5"` (a JSON number arrives as its decimal text).
    pub exchange_rate: Option<String>,
    pub rounding: Option<String>,
    pub title: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    /// The page's language when the visitor asks for none it speaks (`en`, `es`, …).
    pub language: Option<String>,
    pub active: Option<bool>,
}

/// A wall as stored, with its click secret: what the page and the click redirect need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wall {
    pub id: String,
    pub publisher_id: String,
    pub name: String,
    pub currency: WallCurrency,
    pub title: Option<String>,
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    pub language: WallLanguage,
    pub active: bool,
    pub click_secret: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Wall {
    /// The admin API's view, with the share URL and embed code for `public_url`.
    pub fn to_api(&self, public_url: &str) -> Offerwall {
        let share = share_url(public_url, &self.id);
        Offerwall {
            id: self.id.clone(),
            publisher_id: self.publisher_id.clone(),
            name: self.name.clone(),
            currency_name: self.currency.name.clone(),
            exchange_rate: self.currency.rate.to_string(),
            rounding: self.currency.rounding,
            title: self.title.clone(),
            accent_color: self.accent_color.clone(),
            logo_url: self.logo_url.clone(),
            language: self.language.code().to_owned(),
            active: self.active,
            embed_code: embed_code(&share, &self.title.clone().unwrap_or_else(|| self.name.clone())),
            share_url: share,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// An optional branding field: given and empty clears it, given and bad names the field.
fn optional(
    given: Option<String>,
    current: Option<&Option<String>>,
    field: &'static str,
    parse: impl Fn(&str) -> Option<String>,
    rule: &str,
) -> Result<Option<String>, ServiceError> {
    match given.map(|g| g.trim().to_owned()) {
        Some(g) if g.is_empty() => Ok(None),
        Some(g) => parse(&g).map(Some).ok_or_else(|| ServiceError::invalid(field, rule.to_owned())),
        None => Ok(current.cloned().flatten()),
    }
}

/// Validates `input` over `base` (the current wall on an edit, nothing on create).
async fn validate(conn: &mut AnyConnection, input: WallInput, base: Option<&Wall>) -> Result<Wall, ServiceError> {
    let publisher_id = input.publisher_id.or_else(|| base.map(|b| b.publisher_id.clone()));
    let publisher_id = publisher_id.ok_or_else(|| ServiceError::invalid("publisher_id", "is required"))?;
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM publishers WHERE id = $1").bind(publisher_id.trim()).fetch_optional(&mut *conn).await?;
    let publisher_id = found.ok_or_else(|| ServiceError::invalid("publisher_id", "no such publisher"))?.0;
    let name = input.name.or_else(|| base.map(|b| b.name.clone())).ok_or_else(|| ServiceError::invalid("name", "is required"))?;
    let name = parse_label(&name, 120).map_err(|e| ServiceError::invalid("name", e.to_string()))?;
    let currency_name = input.currency_name.or_else(|| base.map(|b| b.currency.name.clone())).unwrap_or_else(|| DEFAULT_CURRENCY.into());
    let currency_name = parse_label(&currency_name, 40).map_err(|e| ServiceError::invalid("currency_name", e.to_string()))?;
    let rate = match input.exchange_rate {
        Some(raw) => ExchangeRate::parse(raw.trim()).map_err(|e| ServiceError::invalid("exchange_rate", e.to_string()))?,
        None => base.map(|b| b.currency.rate).unwrap_or(DEFAULT_RATE),
    };
    let rounding = match input.rounding {
        Some(raw) => Rounding::parse(raw.trim()).ok_or_else(|| ServiceError::invalid("rounding", "must be down, nearest or up"))?,
        None => base.map(|b| b.currency.rounding).unwrap_or_default(),
    };
    let title = optional(input.title, base.map(|b| &b.title), "title", |t| parse_label(t, 120).ok(), "at most 120 characters")?;
    let accent_color =
        optional(input.accent_color, base.map(|b| &b.accent_color), "accent_color", parse_accent_color, "must be #rgb or #rrggbb")?;
    let logo_url = optional(input.logo_url, base.map(|b| &b.logo_url), "logo_url", parse_web_url, "must be an http(s) URL")?;
    let language = match input.language {
        Some(raw) => {
            WallLanguage::parse(&raw).ok_or_else(|| ServiceError::invalid("language", "must be one of en, es, pt, de, fr, ru, tr, id"))?
        }
        None => base.map(|b| b.language).unwrap_or_default(),
    };
    let now = now_ms();
    Ok(Wall {
        id: base.map(|b| b.id.clone()).unwrap_or_else(|| secrets::new_id("ofw")),
        publisher_id,
        name,
        currency: WallCurrency { name: currency_name, rate, rounding },
        title,
        accent_color,
        logo_url,
        language,
        active: input.active.or(base.map(|b| b.active)).unwrap_or(true),
        click_secret: base.map(|b| b.click_secret.clone()).unwrap_or_else(|| hex::encode(secrets::random_bytes::<32>())),
        created_at: base.map(|b| b.created_at).unwrap_or(now),
        updated_at: now,
    })
}

pub async fn create(db: &Db, actor: &Actor, input: WallInput) -> Result<Wall, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    let wall = validate(&mut tx, input, None).await?;
    sqlx::query(
        "INSERT INTO offerwalls (id, publisher_id, name, currency_name, exchange_rate_micros, rounding, title, accent_color, logo_url, \
         click_secret, active, created_at, updated_at, language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
    )
    .bind(&wall.id)
    .bind(&wall.publisher_id)
    .bind(&wall.name)
    .bind(&wall.currency.name)
    .bind(wall.currency.rate.micros())
    .bind(wall.currency.rounding.as_str())
    .bind(wall.title.as_deref())
    .bind(wall.accent_color.as_deref())
    .bind(wall.logo_url.as_deref())
    .bind(&wall.click_secret)
    .bind(i64::from(wall.active))
    .bind(wall.created_at)
    .bind(wall.language.code())
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "publisher_id": wall.publisher_id, "name": wall.name });
    audit::record(&mut tx, actor, "offerwall.create", &wall.id, details).await?;
    tx.commit().await?;
    Ok(wall)
}

/// Edits a wall; fields not given keep their values.
pub async fn update(db: &Db, actor: &Actor, id: &str, input: WallInput) -> Result<Wall, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    let current = find(&mut tx, id).await?.ok_or(ServiceError::NotFound("offerwall"))?;
    let wall = validate(&mut tx, input, Some(&current)).await?;
    sqlx::query(
        "UPDATE offerwalls SET publisher_id = $1, name = $2, currency_name = $3, exchange_rate_micros = $4, rounding = $5, title = $6, \
         accent_color = $7, logo_url = $8, active = $9, updated_at = $10, language = $12 WHERE id = $11",
    )
    .bind(&wall.publisher_id)
    .bind(&wall.name)
    .bind(&wall.currency.name)
    .bind(wall.currency.rate.micros())
    .bind(wall.currency.rounding.as_str())
    .bind(wall.title.as_deref())
    .bind(wall.accent_color.as_deref())
    .bind(wall.logo_url.as_deref())
    .bind(i64::from(wall.active))
    .bind(wall.updated_at)
    .bind(&wall.id)
    .bind(wall.language.code())
    .execute(&mut *tx)
    .await?;
    let rest_same = Wall { active: wall.active, updated_at: wall.updated_at, ..current.clone() } == wall;
    let action = super::offers::state_change("offerwall", current.active, wall.active, rest_same);
    audit::record(&mut tx, actor, &action, &wall.id, serde_json::json!({ "name": wall.name, "active": wall.active })).await?;
    tx.commit().await?;
    Ok(wall)
}

type WallRow = (String, String, String, String, i64, String, Option<String>, Option<String>, Option<String>, i64, String, i64, i64, String);

const SELECT: &str = "SELECT id, publisher_id, name, currency_name, exchange_rate_micros, rounding, title, accent_color, logo_url, \
     active, click_secret, created_at, updated_at, language FROM offerwalls";

fn from_row(r: WallRow) -> Wall {
    let (
        id,
        publisher_id,
        name,
        currency_name,
        micros,
        rounding,
        title,
        accent_color,
        logo_url,
        active,
        click_secret,
        created_at,
        updated_at,
        language,
    ) = r;
    Wall {
        id,
        publisher_id,
        name,
        currency: WallCurrency {
            name: currency_name,
            rate: ExchangeRate::from_micros(micros),
            rounding: Rounding::parse(&rounding).unwrap_or_default(),
        },
        title,
        accent_color,
        logo_url,
        language: WallLanguage::parse(&language).unwrap_or_default(),
        active: active == 1,
        click_secret,
        created_at,
        updated_at,
    }
}

pub async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Wall>, sqlx::Error> {
    if id.len() > 64 {
        return Ok(None);
    }
    let row: Option<WallRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(from_row))
}

pub async fn get(db: &Db, id: &str) -> Result<Wall, ServiceError> {
    find(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("offerwall"))
}

/// The walls a listing shows: `$1` the publisher (empty for all), `$2` the search, `$3` its pattern.
const MATCHING: &str =
    "WHERE ($1 = '' OR publisher_id = $1) AND ($2 = '' OR LOWER(name) LIKE $3 ESCAPE '\\' OR LOWER(id) LIKE $3 ESCAPE '\\')";

/// One page of [`list`], with how many walls match on all pages.
pub async fn list_page(db: &Db, publisher_id: Option<&str>, q: &str, limit: i64, offset: i64) -> Result<Page<Wall>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let q = search_text(q);
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM offerwalls {MATCHING}"))
        .bind(search_text(publisher_id.unwrap_or("")))
        .bind(&q)
        .bind(contains_pattern(&q))
        .fetch_one(db.pool())
        .await?;
    let items = list(db, publisher_id, Some(&q), limit, offset).await?;
    Ok(Page { items, total, offset, limit })
}

/// Walls, newest first, optionally of one publisher and whose name or id contains `q`.
pub async fn list(db: &Db, publisher_id: Option<&str>, q: Option<&str>, limit: i64, offset: i64) -> Result<Vec<Wall>, ServiceError> {
    let q = search_text(q.unwrap_or(""));
    let rows: Vec<WallRow> = sqlx::query_as(&format!("{SELECT} {MATCHING} ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"))
        .bind(search_text(publisher_id.unwrap_or("")))
        .bind(&q)
        .bind(contains_pattern(&q))
        .bind(limit.clamp(1, 1000))
        .bind(offset.max(0))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}
