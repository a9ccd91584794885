//! Admin API tokens: created for an admin by the CLI, stored hashed, looked up by hash.

use sqlx::AnyConnection;

use crate::server::clock::now_ms;
use crate::server::secrets;

/// The admin a valid token belongs to.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token_id: String,
    pub user_id: String,
}

/// Creates a token for `user_id` and returns its plaintext (shown once).
pub async fn create(conn: &mut AnyConnection, user_id: &str) -> Result<String, sqlx::Error> {
    let token = secrets::generate("tra");
    sqlx::query("INSERT INTO admin_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(secrets::new_id("tok"))
        .bind(user_id)
        .bind(secrets::hash(&token))
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(token)
}

/// Resolves a presented token to an active admin, if it is valid.
pub async fn authenticate(conn: &mut AnyConnection, presented: &str) -> Result<Option<TokenOwner>, sqlx::Error> {
    if presented.len() > 256 {
        return Ok(None);
    }
    let presented_hash = secrets::hash(presented);
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT t.id, t.user_id, t.token_hash FROM admin_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.role = 'admin' AND u.active = 1",
    )
    .bind(&presented_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.filter(|(_, _, stored)| secrets::ct_eq(stored, &presented_hash)).map(|(token_id, user_id, _)| TokenOwner { token_id, user_id }))
}
