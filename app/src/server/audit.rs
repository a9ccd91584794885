//! The audit log: who changed what, when. Written in the same transaction as the change.

use sqlx::AnyConnection;

use super::clock::now_ms;
use super::db::Db;
use super::error::ServiceError;
pub use crate::domain::audit::AuditEntry;
use crate::domain::page::{self, contains_pattern, prefix_pattern, search_text, Page};

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

/// What the audit log is narrowed to; empty text matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor (`user:…`, `token:…`, `cli`) or of the person's email.
    pub actor: String,
    /// Actions starting with this (`offer.` or `offer.create`).
    pub action: String,
    /// Part of the target id.
    pub target: String,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub until: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The person behind an actor: a user directly, or the owner of an admin token.
const WITH_EMAIL: &str = "FROM audit_log a LEFT JOIN users u ON a.actor = 'user:' || u.id \
     LEFT JOIN admin_tokens t ON a.actor = 'token:' || t.id LEFT JOIN users tu ON tu.id = t.user_id";

type AuditRow = (i64, i64, String, String, String, String, Option<String>);

/// The entries `filter` lets through: `$1`/`$2` the actor and its pattern, `$3`/`$4` the action and
/// its prefix pattern, `$5`/`$6` the target and its pattern, `$7`..`$8` the time range.
const MATCHING: &str =
    "WHERE ($1 = '' OR LOWER(a.actor) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(u.email, tu.email, '')) LIKE $2 ESCAPE '\\') \
     AND ($3 = '' OR LOWER(a.action) LIKE $4 ESCAPE '\\') AND ($5 = '' OR LOWER(a.target) LIKE $6 ESCAPE '\\') \
     AND a.at >= $7 AND a.at < $8";

/// One page of the entries `filter` lets through (its `limit` and `offset`), with how many there
/// are on all pages.
pub async fn page(db: &Db, filter: &AuditFilter) -> Result<Page<AuditEntry>, ServiceError> {
    let (limit, offset) = page::clamp(filter.limit, filter.offset);
    let filter = AuditFilter { limit, offset, ..filter.clone() };
    let mut conn = db.pool().acquire().await?;
    let total = count(&mut conn, &filter).await?;
    let items = search(&mut conn, &filter).await?;
    Ok(Page { items, total, offset, limit })
}

/// How many entries `filter` lets through on all pages.
pub async fn count(conn: &mut AnyConnection, filter: &AuditFilter) -> Result<i64, sqlx::Error> {
    let (actor, target, action) = (search_text(&filter.actor), search_text(&filter.target), search_text(&filter.action));
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {WITH_EMAIL} {MATCHING}"))
        .bind(&actor)
        .bind(contains_pattern(&actor))
        .bind(&action)
        .bind(prefix_pattern(&action))
        .bind(&target)
        .bind(contains_pattern(&target))
        .bind(filter.from.unwrap_or(i64::MIN))
        .bind(filter.until.unwrap_or(i64::MAX))
        .fetch_one(conn)
        .await?;
    Ok(total)
}

/// Entries matching `filter`, newest first.
pub async fn search(conn: &mut AnyConnection, filter: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let (actor, target, action) = (search_text(&filter.actor), search_text(&filter.target), search_text(&filter.action));
    let rows: Vec<AuditRow> = sqlx::query_as(&format!(
        "SELECT a.id, a.at, a.actor, a.action, a.target, a.details, COALESCE(u.email, tu.email) {WITH_EMAIL} {MATCHING} \
         ORDER BY a.id DESC LIMIT $9 OFFSET $10"
    ))
    .bind(&actor)
    .bind(contains_pattern(&actor))
    .bind(&action)
    .bind(prefix_pattern(&action))
    .bind(&target)
    .bind(contains_pattern(&target))
    .bind(filter.from.unwrap_or(i64::MIN))
    .bind(filter.until.unwrap_or(i64::MAX))
    .bind(filter.limit.clamp(1, 1000))
    .bind(filter.offset.max(0))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor, action, target, details, actor_email)| AuditEntry {
            id,
            at,
            actor,
            actor_email,
            action,
            target,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// Every action recorded so far, for a filter menu.
pub async fn actions(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
