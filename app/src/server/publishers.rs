//! Publishers: the accounts TapRain pays. Their balance is their ledger account.

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::clock::now_ms;
use super::db::Db;
use super::error::{ServiceError, UniqueKey};
use super::ingest::Directory;
use super::ledger;
use super::secrets;
use crate::domain::label::parse_label;
use crate::domain::page::{self, Page};
use crate::domain::partners::Publisher;
use crate::domain::{Email, PublisherId};

const PUBLISHER_KEY: UniqueKey = UniqueKey { postgres: "publishers_pkey", sqlite: "publishers.id" };

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
    let _changing = db.changing();
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
        Err(e) if PUBLISHER_KEY.violated_by(&e) => return Err(ServiceError::Conflict(format!("publisher {id} already exists"))),
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
    Ok(list_page(db, search, limit, offset).await?.items)
}

const MATCHES: &str =
    "(LOWER(p.name) LIKE $1 ESCAPE '\\' OR LOWER(p.id) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(p.email, '')) LIKE $1 ESCAPE '\\')";

/// Like [`list`], with the number of matches on all pages.
pub async fn list_page(db: &Db, search: &str, limit: i64, offset: i64) -> Result<Page<Publisher>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let pattern = page::contains_pattern(search);
    let (total,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM publishers p WHERE {MATCHES}")).bind(&pattern).fetch_one(db.pool()).await?;
    let rows: Vec<PublisherRow> = sqlx::query_as(&format!("{SELECT} WHERE {MATCHES} ORDER BY p.created_at DESC, p.id LIMIT $2 OFFSET $3"))
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok(Page { items: rows.into_iter().map(to_publisher).collect(), total, offset, limit })
}

/// A change to a publisher; `None` leaves a field as it is, `Some("")` clears the email.
#[derive(Debug, Clone, Default)]
pub struct PublisherEdit {
    pub name: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
}

/// Edits a publisher. A deactivated publisher's logins cannot sign in and its postbacks are
/// refused as for an unknown publisher, so it is credited nothing until reactivated.
pub async fn update(db: &Db, directory: &Directory, actor: &Actor, id: &str, edit: PublisherEdit) -> Result<Publisher, ServiceError> {
    let _changing = db.changing();
    let name =
        edit.name.as_deref().map(|n| parse_label(n, 120).map_err(|e| ServiceError::invalid("name", format!("name {e}")))).transpose()?;
    let email = match edit.email.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(raw) => Some(Some(Email::parse(raw).map_err(|e| ServiceError::invalid("email", e.to_string()))?.to_string())),
    };
    let mut tx = db.pool().begin().await?;
    let before = find(&mut tx, id).await?.ok_or(ServiceError::NotFound("publisher"))?;
    let mut changes = serde_json::Map::new();
    if let Some(name) = name.filter(|n| *n != before.name) {
        sqlx::query("UPDATE publishers SET name = $1 WHERE id = $2").bind(&name).bind(id).execute(&mut *tx).await?;
        changes.insert("name".into(), name.into());
    }
    if let Some(email) = email.filter(|e| *e != before.email) {
        sqlx::query("UPDATE publishers SET email = $1 WHERE id = $2").bind(email.as_deref()).bind(id).execute(&mut *tx).await?;
        changes.insert("email".into(), email.into());
    }
    if let Some(active) = edit.active.filter(|a| *a != before.active) {
        sqlx::query("UPDATE publishers SET active = $1 WHERE id = $2").bind(i64::from(active)).bind(id).execute(&mut *tx).await?;
        changes.insert("active".into(), active.into());
    }
    if !changes.is_empty() {
        audit::record(&mut tx, actor, "publisher.update", id, serde_json::Value::Object(changes)).await?;
    }
    let publisher = find(&mut tx, id).await?.ok_or(ServiceError::NotFound("publisher"))?;
    tx.commit().await?;
    directory.invalidate_publisher(id);
    Ok(publisher)
}

/// True when the publisher exists and is active: the only kind that is credited.
pub async fn is_active(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    if id.len() > 64 {
        return Ok(false);
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT active FROM publishers WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(row.is_some_and(|(active,)| active == 1))
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
