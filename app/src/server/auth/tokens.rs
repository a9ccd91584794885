//! Admin API tokens: created for an admin by the CLI, stored hashed, looked up by hash, listed
//! by hint and revoked (a revoked token is refused on its next call).

use sqlx::AnyConnection;

use crate::domain::secrets::AdminTokenInfo;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::secrets;

/// How often `last_used_at` is written at most, so busy scripts do not write on every call.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// The admin a valid token belongs to.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token_id: String,
    pub user_id: String,
}

/// Creates a token for `user_id` and returns its plaintext (shown once).
pub async fn create(conn: &mut AnyConnection, user_id: &str) -> Result<String, sqlx::Error> {
    let token = secrets::generate("tra");
    sqlx::query("INSERT INTO admin_tokens (id, user_id, token_hash, hint, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(secrets::new_id("tok"))
        .bind(user_id)
        .bind(secrets::hash(&token))
        .bind(secrets::hint(&token))
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(token)
}

/// Resolves a presented token to an active admin, if it is valid, and notes its use.
pub async fn authenticate(db: &Db, presented: &str) -> Result<Option<TokenOwner>, sqlx::Error> {
    if presented.len() > 256 {
        return Ok(None);
    }
    let conn = &mut *db.pool().acquire().await?;
    let presented_hash = secrets::hash(presented);
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.token_hash FROM admin_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.role = 'admin' AND u.active = 1",
    )
    .bind(&presented_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((token_id, user_id, _)) = row.filter(|(_, _, stored)| secrets::ct_eq(stored, &presented_hash)) else {
        return Ok(None);
    };
    let now = now_ms();
    sqlx::query("UPDATE admin_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now)
        .bind(&token_id)
        .bind(now - LAST_USED_RESOLUTION_MS)
        .execute(conn)
        .await?;
    Ok(Some(TokenOwner { token_id, user_id }))
}

type Row = (String, String, String, String, i64, Option<i64>, Option<i64>);

/// Every token, newest first; only those of the admin with `email` when given.
pub async fn list(db: &Db, email: Option<&str>) -> Result<Vec<AdminTokenInfo>, ServiceError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.id, t.user_id, u.email, t.hint, t.created_at, t.last_used_at, t.revoked_at \
         FROM admin_tokens t JOIN users u ON u.id = t.user_id WHERE ($1 = '' OR u.email = $1) ORDER BY t.created_at DESC, t.id",
    )
    .bind(email.map(|e| e.trim().to_lowercase()).unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, owner_email, hint, created_at, last_used_at, revoked_at)| AdminTokenInfo {
            id,
            user_id,
            owner_email,
            hint,
            created_at,
            last_used_at,
            revoked_at,
        })
        .collect())
}

/// Revokes a token at once; revoking one already revoked changes nothing.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let mut tx = db.pool().begin().await?;
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM admin_tokens WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    if found.is_none() {
        return Err(ServiceError::NotFound("admin token"));
    }
    let revoked = sqlx::query("UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if revoked.rows_affected() == 1 {
        audit::record(&mut tx, actor, "admin_token.revoke", id, serde_json::json!({})).await?;
    }
    tx.commit().await?;
    Ok(())
}
