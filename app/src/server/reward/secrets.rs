//! Reward API secrets: what the reward app backend and partner games authenticate with
//! (`Authorization: Bearer …` or `X-Reward-Api-Secret`). Generated, shown once, stored as
//! hashes, rotated with an overlap window, revoked.

use sqlx::AnyConnection;

use crate::domain::reward::catalog::RewardSecretInfo;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::keys::check_overlap;
use crate::server::secrets;

/// A new secret and how it is listed; the secret itself is never shown again.
#[derive(Debug, Clone)]
pub struct CreatedSecret {
    pub info: RewardSecretInfo,
    pub secret: String,
}

type SecretRow = (String, String, i64, Option<i64>, Option<i64>);

fn to_info((id, hint, created_at, valid_until, revoked_at): SecretRow) -> RewardSecretInfo {
    RewardSecretInfo { id, hint, created_at, valid_until, revoked_at }
}

async fn insert(conn: &mut AnyConnection, now: i64) -> Result<CreatedSecret, sqlx::Error> {
    let secret = secrets::generate("rws");
    let info =
        RewardSecretInfo { id: secrets::new_id("rws"), hint: secrets::hint(&secret), created_at: now, valid_until: None, revoked_at: None };
    sqlx::query("INSERT INTO reward_secrets (id, secret_hash, hint, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&info.id)
        .bind(secrets::hash(&secret))
        .bind(&info.hint)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(CreatedSecret { info, secret })
}

/// Issues a new, open-ended secret.
pub async fn create(db: &Db, actor: &Actor) -> Result<CreatedSecret, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    let created = insert(&mut tx, now_ms()).await?;
    audit::record(&mut tx, actor, "reward_secret.create", &created.info.id, serde_json::json!({ "hint": created.info.hint })).await?;
    tx.commit().await?;
    Ok(created)
}

/// Every secret, newest first.
pub async fn list(db: &Db) -> Result<Vec<RewardSecretInfo>, ServiceError> {
    let rows: Vec<SecretRow> =
        sqlx::query_as("SELECT id, hint, created_at, valid_until, revoked_at FROM reward_secrets ORDER BY created_at DESC, id")
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(to_info).collect())
}

async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<RewardSecretInfo>, sqlx::Error> {
    let row: Option<SecretRow> = sqlx::query_as("SELECT id, hint, created_at, valid_until, revoked_at FROM reward_secrets WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(to_info))
}

/// Replaces secret `id` with a new one; the old one keeps working for `overlap_seconds`.
pub async fn rotate(db: &Db, actor: &Actor, id: &str, overlap_seconds: i64) -> Result<CreatedSecret, ServiceError> {
    let _changing = db.changing();
    check_overlap(overlap_seconds)?;
    let now = now_ms();
    let until = now + overlap_seconds * 1000;
    let mut tx = db.pool().begin().await?;
    let old = find(&mut tx, id).await?.ok_or(ServiceError::NotFound("reward secret"))?;
    if old.revoked_at.is_some() {
        return Err(ServiceError::Conflict("reward secret is revoked".into()));
    }
    // An earlier, shorter deadline stands: rotating never extends a secret's life.
    sqlx::query("UPDATE reward_secrets SET valid_until = $1 WHERE id = $2 AND (valid_until IS NULL OR valid_until > $1)")
        .bind(until)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let created = insert(&mut tx, now).await?;
    let details = serde_json::json!({ "replaced_by": created.info.id, "overlap_seconds": overlap_seconds });
    audit::record(&mut tx, actor, "reward_secret.rotate", id, details).await?;
    tx.commit().await?;
    Ok(created)
}

/// Stops secret `id` at once. Revoking a revoked secret changes nothing.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    find(&mut tx, id).await?.ok_or(ServiceError::NotFound("reward secret"))?;
    let revoked = sqlx::query("UPDATE reward_secrets SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if revoked.rows_affected() == 1 {
        audit::record(&mut tx, actor, "reward_secret.revoke", id, serde_json::json!({})).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// True when `presented` is a secret valid now. The lookup is by hash, and the stored hash is
/// compared in constant time.
pub async fn authenticate(conn: &mut AnyConnection, presented: &str) -> Result<bool, sqlx::Error> {
    if presented.is_empty() || presented.len() > 256 {
        return Ok(false);
    }
    let hash = secrets::hash(presented);
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT secret_hash, valid_until FROM reward_secrets WHERE secret_hash = $1 AND revoked_at IS NULL")
            .bind(&hash)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some_and(|(stored, until)| secrets::ct_eq(&stored, &hash) && until.is_none_or(|u| u > now_ms())))
}

/// The secrets a request presents: `X-Reward-Api-Secret`, and the token of `Authorization: Bearer`.
pub fn presented<'a>(x_reward_api_secret: Option<&'a str>, authorization: Option<&'a str>) -> Vec<&'a str> {
    let bearer = authorization.and_then(|value| {
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    [x_reward_api_secret.map(str::trim), bearer].into_iter().flatten().filter(|s| !s.is_empty()).collect()
}

/// True when any presented secret is valid now.
pub async fn authenticate_any(db: &Db, presented: &[&str]) -> Result<bool, sqlx::Error> {
    if presented.is_empty() {
        return Ok(false);
    }
    let conn = &mut *db.pool().acquire().await?;
    for secret in presented {
        if authenticate(conn, secret).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_are_read() {
        assert_eq!(presented(Some("rws_a"), None), vec!["rws_a"]);
        assert_eq!(presented(None, Some("Bearer rws_b")), vec!["rws_b"]);
        assert_eq!(presented(None, Some("bearer  rws_b ")), vec!["rws_b"]);
        assert_eq!(presented(Some("rws_a"), Some("Bearer rws_b")), vec!["rws_a", "rws_b"]);
        assert!(presented(None, Some("Basic abc")).is_empty());
        assert!(presented(None, Some("Bearer")).is_empty());
        assert!(presented(Some(" "), Some("Bearer ")).is_empty());
        assert!(presented(None, None).is_empty());
    }
}
