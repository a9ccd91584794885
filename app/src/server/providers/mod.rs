//! The provider catalog (SPEC F): create, list, read and change offerwall providers — their
//! callback format, their secret (kept retrievable to verify calls, listed only by a hint,
//! rotated with an overlap), rounding, sandbox flag and activity. Every change is audited.
//! Approved IPs and the refused-IP queue live in [`ips`]; the signature debugger in [`check`].

pub mod check;
pub mod ips;

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::clock::now_ms;
use super::db::Db;
use super::error::ServiceError;
use super::keys::check_overlap;
use super::secrets;
use crate::domain::label::parse_label;
use crate::domain::offerwall::Rounding;
use crate::domain::page::{self, Page};
use crate::domain::provider::door::Rules;
use crate::domain::provider::{postback_url, CustomConfig, Format, Preset, Provider, Recipe};
use crate::domain::secrets::ProviderSecretInfo;
use crate::domain::IpRule;

/// Longest provider secret accepted.
pub const MAX_SECRET: usize = 256;

/// A new provider as the admin describes it.
#[derive(Debug, Clone, Default)]
pub struct ProviderInput {
    pub name: String,
    pub preset: String,
    /// Required for `custom`, refused otherwise.
    pub custom: Option<CustomConfig>,
    /// The provider's secret; may be left out only when the recipe is unsigned.
    pub secret: Option<String>,
    /// `down` (default), `up` or `nearest`.
    pub rounding: Option<String>,
    pub sandbox: bool,
}

/// A change to a provider; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProviderEdit {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub rounding: Option<String>,
    pub sandbox: Option<bool>,
    /// A new custom configuration (custom providers only).
    pub custom: Option<CustomConfig>,
    /// A new secret: the current one keeps working for `overlap_seconds`, then stops.
    pub secret: Option<String>,
    pub overlap_seconds: Option<i64>,
}

/// Everything the inbound door needs to judge a call to one provider.
#[derive(Debug, Clone)]
pub struct ProviderRuntime {
    pub id: String,
    pub preset: Preset,
    pub format: Format,
    pub secret: String,
    /// The previous secret and when it stops (unix ms).
    pub previous: Option<(String, i64)>,
    pub rounding: Rounding,
    pub sandbox: bool,
    pub active: bool,
    pub ips: Vec<IpRule>,
}

impl ProviderRuntime {
    /// The door's rules for this provider at `now` (the previous secret works until its deadline).
    pub fn rules(&self, now: i64) -> Rules<'_> {
        Rules {
            format: &self.format,
            secret: &self.secret,
            previous: self.previous.as_ref().map(|(secret, until)| (secret.as_str(), *until > now)),
            rounding: self.rounding,
            sandbox: self.sandbox,
            active: self.active,
            ips: &self.ips,
        }
    }
}

fn parse_name(raw: &str) -> Result<String, ServiceError> {
    parse_label(raw, 100).map_err(|e| ServiceError::invalid("name", format!("name {e}")))
}

fn parse_rounding(raw: Option<&str>) -> Result<Option<Rounding>, ServiceError> {
    raw.map(|r| Rounding::parse(r).ok_or_else(|| ServiceError::invalid("rounding", "rounding must be down, up or nearest"))).transpose()
}

fn parse_secret(raw: &str) -> Result<String, ServiceError> {
    if raw.is_empty() || raw.chars().count() > MAX_SECRET || raw.chars().any(char::is_control) {
        return Err(ServiceError::invalid("secret", format!("secret must be 1 to {MAX_SECRET} characters, without control characters")));
    }
    Ok(raw.to_owned())
}

/// A hint that tells secrets apart without giving a short one away: the first 4 characters of
/// a secret of 16 or more, and the length.
pub fn secret_hint(secret: &str) -> String {
    let len = secret.chars().count();
    let shown: String = if len >= 16 { secret.chars().take(4).collect() } else { String::new() };
    format!("{shown}… ({len} characters)")
}

/// The format of a preset, or of a checked custom configuration.
fn resolve(preset: Preset, custom: Option<&CustomConfig>) -> Result<Format, ServiceError> {
    match (preset, custom) {
        (Preset::Custom, Some(config)) => {
            Format::custom(config).map_err(|e| ServiceError::invalid("custom", format!("{}: {}", e.field, e.message)))
        }
        (Preset::Custom, None) => Err(ServiceError::invalid("custom", "a custom provider needs its parameter names")),
        (_, Some(_)) => Err(ServiceError::invalid("custom", "only a custom provider takes parameter names")),
        (preset, None) => Format::preset(preset).ok_or_else(|| ServiceError::invalid("preset", "unknown preset")),
    }
}

/// Creates a provider and audits it (without the secret).
pub async fn create(db: &Db, actor: &Actor, public_url: &str, input: ProviderInput) -> Result<Provider, ServiceError> {
    let _changing = db.changing();
    let name = parse_name(&input.name)?;
    let preset =
        Preset::parse(&input.preset).ok_or_else(|| ServiceError::invalid("preset", "preset must be medioot, taprain or custom"))?;
    let format = resolve(preset, input.custom.as_ref())?;
    let secret = match (input.secret.as_deref(), &format.recipe) {
        (Some(s), _) => parse_secret(s)?,
        (None, Recipe::None) => String::new(),
        (None, _) => return Err(ServiceError::invalid("secret", "secret is needed to verify this provider's signatures")),
    };
    let rounding = parse_rounding(input.rounding.as_deref())?.unwrap_or_default();
    let id = secrets::new_id("prv");
    let now = now_ms();
    let custom_json = input.custom.as_ref().map(serde_json::to_string).transpose().map_err(anyhow::Error::from)?;
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO providers (id, name, preset, custom_config, secret, secret_hint, rounding, sandbox, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
    )
    .bind(&id)
    .bind(&name)
    .bind(preset.as_str())
    .bind(custom_json)
    .bind(&secret)
    .bind(secret_hint(&secret))
    .bind(rounding.as_str())
    .bind(i64::from(input.sandbox))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "provider.create",
        &id,
        serde_json::json!({ "name": name, "preset": preset.as_str(), "rounding": rounding.as_str(), "sandbox": input.sandbox }),
    )
    .await?;
    let provider = load(&mut tx, public_url, &id).await?.ok_or(ServiceError::NotFound("provider"))?;
    tx.commit().await?;
    Ok(provider)
}

type ProviderRow =
    (String, String, String, Option<String>, String, String, Option<String>, Option<String>, Option<i64>, String, i64, i64, i64, i64);

const COLUMNS: &str = "id, name, preset, custom_config, secret, secret_hint, previous_secret, previous_secret_hint, \
     previous_valid_until, rounding, sandbox, active, created_at, updated_at";

async fn row(conn: &mut AnyConnection, id: &str) -> Result<Option<ProviderRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM providers WHERE id = $1")).bind(id).fetch_optional(conn).await
}

fn custom_of(raw: Option<&str>) -> Option<CustomConfig> {
    raw.and_then(|json| serde_json::from_str(json).ok())
}

async fn approved(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>, sqlx::Error> {
    let ips: Vec<(String,)> =
        sqlx::query_as("SELECT cidr FROM provider_ips WHERE provider_id = $1 ORDER BY created_at, cidr").bind(id).fetch_all(conn).await?;
    Ok(ips.into_iter().map(|(cidr,)| cidr).collect())
}

async fn load(conn: &mut AnyConnection, public_url: &str, id: &str) -> Result<Option<Provider>, sqlx::Error> {
    let Some(r) = row(&mut *conn, id).await? else {
        return Ok(None);
    };
    let (id, name, preset, custom, _secret, hint, _prev, prev_hint, prev_until, rounding, sandbox, active, created_at, updated_at) = r;
    let preset = Preset::parse(&preset).unwrap_or(Preset::Custom);
    let custom = custom_of(custom.as_deref());
    let format = resolve(preset, custom.as_ref()).ok();
    let ips = approved(conn, &id).await?;
    Ok(Some(Provider {
        postback_url: format.as_ref().map(|f| postback_url(public_url, &id, preset, f)).unwrap_or_default(),
        recipe: format.as_ref().map(Format::recipe_text).unwrap_or_default(),
        id,
        name,
        preset,
        custom,
        secret_hint: hint,
        previous_secret_hint: prev_hint,
        previous_secret_valid_until: prev_until,
        rounding: Rounding::parse(&rounding).unwrap_or_default(),
        sandbox: sandbox == 1,
        active: active == 1,
        ips,
        created_at,
        updated_at,
    }))
}

/// What the inbound door needs for provider `id` (`None` when there is no such provider).
pub async fn runtime(conn: &mut AnyConnection, id: &str) -> Result<Option<ProviderRuntime>, sqlx::Error> {
    let Some(r) = row(&mut *conn, id).await? else {
        return Ok(None);
    };
    let (id, _, preset, custom, secret, _, prev, _, prev_until, rounding, sandbox, active, _, _) = r;
    let preset = Preset::parse(&preset).unwrap_or(Preset::Custom);
    let Ok(format) = resolve(preset, custom_of(custom.as_deref()).as_ref()) else {
        return Ok(None);
    };
    let ips = approved(conn, &id).await?.iter().filter_map(|cidr| IpRule::parse(cidr).ok()).collect();
    Ok(Some(ProviderRuntime {
        id,
        preset,
        format,
        secret,
        previous: prev.zip(prev_until),
        rounding: Rounding::parse(&rounding).unwrap_or_default(),
        sandbox: sandbox == 1,
        active: active == 1,
        ips,
    }))
}

pub(crate) async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM providers WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(found.is_some())
}

pub async fn get(db: &Db, public_url: &str, id: &str) -> Result<Provider, ServiceError> {
    load(&mut *db.pool().acquire().await?, public_url, id).await?.ok_or(ServiceError::NotFound("provider"))
}

/// Providers whose name or id contains `search`, newest first, a page at a time.
pub async fn list_page(db: &Db, public_url: &str, search: &str, limit: i64, offset: i64) -> Result<Page<Provider>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let mut conn = db.pool().acquire().await?;
    let (total, ids) = super::sql::ids_named_like(&mut conn, "providers", search, limit, offset).await?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(provider) = load(&mut conn, public_url, &id).await? {
            items.push(provider);
        }
    }
    Ok(Page { items, total, offset, limit })
}

/// Renames, (de)activates, changes rounding, sandbox or the custom format, or rotates the
/// secret. A rotation keeps the current secret working for `overlap_seconds` (0: it stops at
/// once); only one previous secret is kept, so rotating again ends the older one.
pub async fn update(db: &Db, actor: &Actor, public_url: &str, id: &str, edit: ProviderEdit) -> Result<Provider, ServiceError> {
    let _changing = db.changing();
    let name = edit.name.as_deref().map(parse_name).transpose()?;
    let rounding = parse_rounding(edit.rounding.as_deref())?;
    let secret = edit.secret.as_deref().map(parse_secret).transpose()?;
    let overlap = edit.overlap_seconds.unwrap_or(0);
    check_overlap(overlap)?;
    if edit.overlap_seconds.is_some() && secret.is_none() {
        return Err(ServiceError::invalid("overlap_seconds", "overlap_seconds goes with a new secret"));
    }
    let mut tx = db.pool().begin().await?;
    let before = load(&mut tx, public_url, id).await?.ok_or(ServiceError::NotFound("provider"))?;
    if let Some(custom) = &edit.custom {
        resolve(before.preset, Some(custom))?;
    }
    let now = now_ms();
    let mut changes = serde_json::Map::new();
    let set = |column: &'static str| format!("UPDATE providers SET {column} = $1, updated_at = $2 WHERE id = $3");
    if let Some(name) = name.filter(|n| *n != before.name) {
        sqlx::query(&set("name")).bind(&name).bind(now).bind(id).execute(&mut *tx).await?;
        changes.insert("name".into(), name.into());
    }
    if let Some(active) = edit.active.filter(|a| *a != before.active) {
        sqlx::query(&set("active")).bind(i64::from(active)).bind(now).bind(id).execute(&mut *tx).await?;
        changes.insert("active".into(), active.into());
    }
    if let Some(sandbox) = edit.sandbox.filter(|s| *s != before.sandbox) {
        sqlx::query(&set("sandbox")).bind(i64::from(sandbox)).bind(now).bind(id).execute(&mut *tx).await?;
        changes.insert("sandbox".into(), sandbox.into());
    }
    if let Some(rounding) = rounding.filter(|r| *r != before.rounding) {
        sqlx::query(&set("rounding")).bind(rounding.as_str()).bind(now).bind(id).execute(&mut *tx).await?;
        changes.insert("rounding".into(), rounding.as_str().into());
    }
    if let Some(custom) = edit.custom.filter(|c| Some(c) != before.custom.as_ref()) {
        let json = serde_json::to_string(&custom).map_err(anyhow::Error::from)?;
        sqlx::query(&set("custom_config")).bind(&json).bind(now).bind(id).execute(&mut *tx).await?;
        changes.insert("custom".into(), serde_json::to_value(&custom).map_err(anyhow::Error::from)?);
    }
    if !changes.is_empty() {
        audit::record(&mut tx, actor, "provider.update", id, serde_json::Value::Object(changes)).await?;
    }
    if let Some(secret) = secret {
        rotate_secret(&mut tx, id, &secret, overlap, now).await?;
        audit::record(&mut tx, actor, "provider.secret.rotate", id, serde_json::json!({ "overlap_seconds": overlap })).await?;
    }
    let provider = load(&mut tx, public_url, id).await?.ok_or(ServiceError::NotFound("provider"))?;
    tx.commit().await?;
    Ok(provider)
}

async fn rotate_secret(conn: &mut AnyConnection, id: &str, secret: &str, overlap_seconds: i64, now: i64) -> Result<(), sqlx::Error> {
    // The current secret becomes the previous one for the overlap; with no overlap it is dropped.
    let keep = overlap_seconds > 0;
    sqlx::query(
        "UPDATE providers SET previous_secret = CASE WHEN $1 = 1 THEN secret ELSE NULL END, \
         previous_secret_hint = CASE WHEN $1 = 1 THEN secret_hint ELSE NULL END, \
         previous_valid_until = CASE WHEN $1 = 1 THEN $2 ELSE NULL END, \
         secret = $3, secret_hint = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(i64::from(keep))
    .bind(now + overlap_seconds * 1000)
    .bind(secret)
    .bind(secret_hint(secret))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every provider's secret as the secrets screen lists it (hints only), by name.
pub async fn secrets(db: &Db) -> Result<Vec<ProviderSecretInfo>, ServiceError> {
    type SecretRow = (String, String, i64, String, Option<String>, Option<i64>, i64);
    let rows: Vec<SecretRow> = sqlx::query_as(
        "SELECT id, name, active, secret_hint, previous_secret_hint, previous_valid_until, updated_at FROM providers ORDER BY name, id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(provider_id, provider_name, active, hint, previous_hint, previous_valid_until, updated_at)| ProviderSecretInfo {
            provider_id,
            provider_name,
            active: active == 1,
            hint,
            previous_hint,
            previous_valid_until,
            updated_at,
        })
        .collect())
}

/// How many providers there are (for the overview and health screens).
pub async fn count(db: &Db) -> Result<i64, ServiceError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM providers").fetch_one(db.pool()).await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_do_not_give_short_secrets_away() {
        assert_eq!(secret_hint("short"), "… (5 characters)");
        assert_eq!(secret_hint("whsec_0123456789abcdef"), "whse… (22 characters)");
    }

    #[test]
    fn previous_secret_works_only_during_the_overlap() {
        let runtime = ProviderRuntime {
            id: "prv_1".into(),
            preset: Preset::Medioot,
            format: Format::preset(Preset::Medioot).expect("preset"),
            secret: "new".into(),
            previous: Some(("old".into(), 1_000)),
            rounding: Rounding::Down,
            sandbox: false,
            active: true,
            ips: vec![],
        };
        assert_eq!(runtime.rules(999).previous, Some(("old", true)));
        assert_eq!(runtime.rules(1_000).previous, Some(("old", false)));
    }
}
