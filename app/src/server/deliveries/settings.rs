//! Publishers' outbound postback settings: the URL template (parsed when saved, so an unknown
//! macro is refused naming it), the signature scheme, the signing secret and the retry schedule.

use serde::{Deserialize, Serialize};

use crate::domain::postback_template::PostbackTemplate;
use crate::domain::retry::RetryBackoff;
use crate::domain::secrets::PostbackSecretInfo;
use crate::domain::signature::SignatureScheme;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::publishers;

/// Default retry schedule (seed 002): up to 5 retries, 6 hours apart.
pub const DEFAULT_MAX_RETRIES: i64 = 5;
pub const DEFAULT_RETRY_INTERVAL_SECONDS: i64 = 6 * 3600;

/// What an admin or publisher sets.
#[derive(Debug, Clone)]
pub struct NewPostbackSettings {
    pub url_template: String,
    pub signature: Option<String>,
    pub max_retries: Option<i64>,
    pub retry_interval_seconds: Option<i64>,
    /// `None`: fixed, the seeds' schedule.
    pub retry_backoff: Option<RetryBackoff>,
}

/// Stored settings; `secret` is the signing secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostbackSettings {
    pub publisher_id: String,
    pub url_template: String,
    /// `hmac-sha256` (default), `md5` or `standard-webhooks`.
    pub signature: String,
    pub secret: String,
    pub max_retries: i64,
    pub retry_interval_seconds: i64,
    pub retry_backoff: RetryBackoff,
    pub updated_at: i64,
}

/// The settings as the admin API shows them: a hint of the signing secret, and the secret
/// itself only in the answer that created it (rotation answers with the new one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShownPostbackSettings {
    pub publisher_id: String,
    pub url_template: String,
    /// `hmac-sha256` (default), `md5` or `standard-webhooks`.
    pub signature: String,
    /// The secret's first characters (`whsec_AbCd…`).
    pub secret_hint: String,
    /// The signing secret: present only when this save created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub max_retries: i64,
    /// Seconds before the first retry; with `fixed` backoff, between every two attempts.
    pub retry_interval_seconds: i64,
    /// `fixed` (default, the seeds' schedule): every retry `retry_interval_seconds` after the
    /// last; `exponential`: the interval doubles with each retry, up to a fifth shorter at random.
    pub retry_backoff: RetryBackoff,
    pub updated_at: i64,
}

impl PostbackSettings {
    /// What may be shown; `reveal` only in the answer that created the secret.
    pub fn shown(self, reveal: bool) -> ShownPostbackSettings {
        ShownPostbackSettings {
            secret_hint: crate::domain::secrets::secret_hint(&self.secret),
            secret: reveal.then_some(self.secret),
            publisher_id: self.publisher_id,
            url_template: self.url_template,
            signature: self.signature,
            max_retries: self.max_retries,
            retry_interval_seconds: self.retry_interval_seconds,
            retry_backoff: self.retry_backoff,
            updated_at: self.updated_at,
        }
    }
}

/// A fresh signing secret: `whsec_` + base64 of 24 random bytes (usable by every scheme).
fn new_secret() -> String {
    use base64::Engine;
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(crate::server::secrets::random_bytes::<24>()))
}

/// Saves the settings; the signing secret is created on first save and kept afterwards.
pub async fn set(db: &Db, actor: &Actor, publisher_id: &str, new: NewPostbackSettings) -> Result<PostbackSettings, ServiceError> {
    PostbackTemplate::parse(&new.url_template).map_err(|e| ServiceError::invalid("url_template", e.to_string()))?;
    let signature = new.signature.as_deref().unwrap_or("hmac-sha256");
    SignatureScheme::parse(signature)
        .ok_or_else(|| ServiceError::invalid("signature", "signature must be hmac-sha256, md5 or standard-webhooks"))?;
    let max_retries = new.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
    if !(0..=50).contains(&max_retries) {
        return Err(ServiceError::invalid("max_retries", "max_retries must be between 0 and 50"));
    }
    let interval = new.retry_interval_seconds.unwrap_or(DEFAULT_RETRY_INTERVAL_SECONDS);
    if !(1..=7 * 24 * 3600).contains(&interval) {
        return Err(ServiceError::invalid("retry_interval_seconds", "retry_interval_seconds must be between 1 and 604800"));
    }
    let mut tx = db.pool().begin().await?;
    if publishers::find(&mut tx, publisher_id).await?.is_none() {
        return Err(ServiceError::NotFound("publisher"));
    }
    let now = now_ms();
    let backoff = new.retry_backoff.unwrap_or_default();
    sqlx::query(
        "INSERT INTO publisher_postbacks (publisher_id, url_template, signature, secret, max_retries, retry_interval_seconds, retry_backoff, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (publisher_id) DO UPDATE SET url_template = excluded.url_template, \
         signature = excluded.signature, max_retries = excluded.max_retries, retry_interval_seconds = excluded.retry_interval_seconds, \
         retry_backoff = excluded.retry_backoff, updated_at = excluded.updated_at",
    )
    .bind(publisher_id)
    .bind(new.url_template.trim())
    .bind(signature)
    .bind(new_secret())
    .bind(max_retries)
    .bind(interval)
    .bind(backoff.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "url_template": new.url_template.trim(), "signature": signature, "max_retries": max_retries,
        "retry_interval_seconds": interval, "retry_backoff": backoff.as_str() });
    audit::record(&mut tx, actor, "publisher.postback.set", publisher_id, details).await?;
    let saved = get_in(&mut tx, publisher_id).await?.ok_or(ServiceError::NotFound("postback settings"))?;
    tx.commit().await?;
    Ok(saved)
}

type Row = (String, String, String, String, i64, i64, String, i64);

async fn get_in(conn: &mut sqlx::AnyConnection, publisher_id: &str) -> Result<Option<PostbackSettings>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT publisher_id, url_template, signature, secret, max_retries, retry_interval_seconds, retry_backoff, updated_at \
         FROM publisher_postbacks WHERE publisher_id = $1",
    )
    .bind(publisher_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(publisher_id, url_template, signature, secret, max_retries, retry_interval_seconds, backoff, updated_at)| {
        PostbackSettings {
            publisher_id,
            url_template,
            signature,
            secret,
            max_retries,
            retry_interval_seconds,
            retry_backoff: RetryBackoff::parse(&backoff).unwrap_or_default(),
            updated_at,
        }
    }))
}

/// The publisher's settings, if any.
pub async fn get(db: &Db, publisher_id: &str) -> Result<Option<PostbackSettings>, ServiceError> {
    Ok(get_in(&mut *db.pool().acquire().await?, publisher_id).await?)
}

/// Replaces the publisher's signing secret and returns the new one (shown once). Postbacks
/// signed from now on use it; TapRain signs and the publisher verifies, so there is no overlap
/// to keep — the publisher's server should accept both while it switches.
pub async fn rotate_secret(db: &Db, actor: &Actor, publisher_id: &str) -> Result<String, ServiceError> {
    let secret = new_secret();
    let mut tx = db.pool().begin().await?;
    let rotated = sqlx::query("UPDATE publisher_postbacks SET secret = $1, updated_at = $2 WHERE publisher_id = $3")
        .bind(&secret)
        .bind(now_ms())
        .bind(publisher_id)
        .execute(&mut *tx)
        .await?;
    if rotated.rows_affected() == 0 {
        return Err(if publishers::find(&mut tx, publisher_id).await?.is_none() {
            ServiceError::NotFound("publisher")
        } else {
            ServiceError::NotFound("postback settings")
        });
    }
    audit::record(&mut tx, actor, "publisher.postback.secret.rotate", publisher_id, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Every publisher that has a signing secret, by name.
pub async fn secrets(db: &Db) -> Result<Vec<PostbackSecretInfo>, ServiceError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT s.publisher_id, p.name, s.secret, s.updated_at FROM publisher_postbacks s JOIN publishers p ON p.id = s.publisher_id \
         ORDER BY p.name, s.publisher_id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(publisher_id, publisher_name, secret, updated_at)| PostbackSecretInfo {
            publisher_id,
            publisher_name,
            hint: crate::domain::secrets::secret_hint(&secret),
            updated_at,
        })
        .collect())
}
