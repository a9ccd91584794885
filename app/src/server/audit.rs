//! The audit log: who changed what, when. Written in the same transaction as the change.

use serde::Serialize;
use sqlx::AnyConnection;

use super::clock::now_ms;

/// Who did something: a signed-in user, an admin API token, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn user(user_id: &str) -> Self {
        Self(format!("user:{user_id}"))
    }
    pub fn token(token_id: &str) -> Self {
        Self(format!("token:{token_id}"))
    }
    pub fn cli() -> Self {
        Self("cli".into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
}

/// Appends an entry; `details` must never carry secrets.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)")
        .bind(now_ms())
        .bind(actor.as_str())
        .bind(action)
        .bind(target)
        .bind(details.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest entries first, optionally only those whose action starts with `action_prefix`.
pub async fn recent(conn: &mut AnyConnection, action_prefix: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let pattern = format!("{}%", action_prefix.unwrap_or(""));
    let rows: Vec<(i64, i64, String, String, String, String)> =
        sqlx::query_as("SELECT id, at, actor, action, target, details FROM audit_log WHERE action LIKE $1 ORDER BY id DESC LIMIT $2")
            .bind(pattern)
            .bind(limit)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor, action, target, details)| AuditEntry {
            id,
            at,
            actor,
            action,
            target,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
