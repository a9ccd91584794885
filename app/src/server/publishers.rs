//! Publishers: the accounts TapRain pays. Their balance is their ledger account.

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::clock::now_ms;
use super::db::Db;
use super::error::{is_unique_violation, ServiceError};
use super::ledger;
use super::secrets;
use crate::domain::catalog::Publisher;
use crate::domain::label::parse_label;
use crate::domain::{Email, PublisherId};

/// What an admin supplies to create a publisher; parsed before it gets here.
#[derive(Debug, Clone)]
pub struct NewPublisher {
    pub name: String,
    pub email: Option<Email>,
    pub id: Option<PublisherId>,
}

impl NewPublisher {
    /// Parses raw input, naming the first field that is wrong.
    pub fn parse(name: &str, email: Option<&str>, id: Option<&str>) -> Result<Self, ServiceError> {
        let name = parse_label(name, 120).map_err(|e| ServiceError::invalid("name", format!("name {e}")))?;
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => Some(Email::parse(raw).map_err(|e| ServiceError::invalid("email", e.to_string()))?),
            None => None,
        };
        let id = match id {
            Some(raw) => Some(PublisherId::parse(raw).map_err(|e| ServiceError::invalid("id", e.to_string()))?),
            None => None,
        };
        Ok(Self { name: name.to_owned(), email, id })
    }
}

pub async fn create(db: &Db, actor: &Actor, new: NewPublisher) -> Result<Publisher, ServiceError> {
    let id = new.id.unwrap_or_else(|| PublisherId::from_bytes(secrets::random_bytes()));
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query("INSERT INTO publishers (id, name, email, active, created_at) VALUES ($1, $2, $3, 1, $4)")
        .bind(id.as_str())
        .bind(&new.name)
        .bind(new.email.as_ref().map(Email::as_str))
        .bind(now)
        .execute(&mut *tx)
        .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(ServiceError::Conflict(format!("publisher {id} already exists"))),
        other => other?,
    };
    let details = serde_json::json!({ "name": new.name, "email": new.email.as_ref().map(Email::as_str) });
    audit::record(&mut tx, actor, "publisher.create", id.as_str(), details).await?;
    tx.commit().await?;
    Ok(Publisher {
        id: id.to_string(),
        name: new.name,
        email: new.email.map(|e| e.to_string()),
        active: true,
        created_at: now,
        balance_cents: 0,
    })
}

type PublisherRow = (String, String, Option<String>, i64, i64, Option<i64>);

const SELECT: &str = "SELECT p.id, p.name, p.email, p.active, p.created_at, b.balance FROM publishers p \
     LEFT JOIN balances b ON b.account = 'publisher:' || p.id";

fn to_publisher((id, name, email, active, created_at, balance): PublisherRow) -> Publisher {
    Publisher { id, name, email, active: active == 1, created_at, balance_cents: balance.unwrap_or(0) }
}

pub async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Publisher>, sqlx::Error> {
    let row: Option<PublisherRow> = sqlx::query_as(&format!("{SELECT} WHERE p.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(to_publisher))
}

pub async fn get(db: &Db, id: &str) -> Result<Publisher, ServiceError> {
    find(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("publisher"))
}

/// Publishers whose name, id or email contains `search`, newest first, a page at a time.
pub async fn list(db: &Db, search: &str, limit: i64, offset: i64) -> Result<Vec<Publisher>, ServiceError> {
    let pattern = format!("%{}%", search.trim().to_lowercase());
    let rows: Vec<PublisherRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE LOWER(p.name) LIKE $1 OR p.id LIKE $1 OR LOWER(COALESCE(p.email, '')) LIKE $1 \
         ORDER BY p.created_at DESC, p.id LIMIT $2 OFFSET $3"
    ))
    .bind(pattern)
    .bind(limit.clamp(1, 500))
    .bind(offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(to_publisher).collect())
}

pub async fn count(db: &Db) -> Result<i64, ServiceError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM publishers").fetch_one(db.pool()).await?;
    Ok(n)
}

/// The balance straight from the ledger cache, for callers that hold a connection.
pub async fn balance_cents(conn: &mut AnyConnection, id: &str) -> Result<i64, sqlx::Error> {
    ledger::balance(conn, &ledger::publisher_account(id)).await
}

/// True when a publisher with this id exists.
pub async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    if id.len() > 64 {
        return Ok(false);
    }
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM publishers WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(row.is_some())
}
