//! Store apps (`pid`) and reward games (`gid`): registered, renamed, deactivated and
//! reactivated by admins, read by every postback. An inactive one is refused by the level
//! postback exactly like an unknown one.

use sqlx::AnyConnection;

use crate::domain::label::parse_label;
use crate::domain::page::{self, contains_pattern, search_text, Page};
use crate::domain::reward::catalog::{parse_catalog_id, RewardGame, StoreApp, MAX_CATALOG_ID_LEN};
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::{ServiceError, UniqueKey};

/// Longest display name of a store app or game.
pub const MAX_NAME_LEN: usize = 120;

/// Which catalog a statement is about: store apps and games differ only in names.
struct Kind {
    table: &'static str,
    key: &'static str,
    /// The audit action prefix and the word in messages.
    audit: &'static str,
    noun: &'static str,
    /// The key an id clashes on.
    unique: UniqueKey,
}

const STORE_APPS: Kind = Kind {
    table: "store_apps",
    key: "pid",
    audit: "store_app",
    noun: "store app",
    unique: UniqueKey { postgres: "store_apps_pkey", sqlite: "store_apps.pid" },
};
const GAMES: Kind = Kind {
    table: "reward_games",
    key: "id",
    audit: "reward_game",
    noun: "reward game",
    unique: UniqueKey { postgres: "reward_games_pkey", sqlite: "reward_games.id" },
};

/// A catalog listing: `q` matches the id or the name (case-insensitive); `active` narrows to
/// active (`true`) or inactive (`false`) entries.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub q: Option<String>,
    pub active: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// An edit: fields not given keep their values.
#[derive(Debug, Clone, Default)]
pub struct CatalogEdit {
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// One row of either catalog.
struct Entry {
    id: String,
    name: String,
    active: bool,
    created_at: i64,
}

impl From<Entry> for StoreApp {
    fn from(e: Entry) -> Self {
        StoreApp { pid: e.id, name: e.name, active: e.active, created_at: e.created_at }
    }
}

impl From<Entry> for RewardGame {
    fn from(e: Entry) -> Self {
        RewardGame { id: e.id, name: e.name, active: e.active, created_at: e.created_at }
    }
}

fn parse_name(raw: &str) -> Result<String, ServiceError> {
    parse_label(raw, MAX_NAME_LEN).map_err(|e| ServiceError::invalid("name", format!("name {e}")))
}

fn parse_id(field: &'static str, raw: &str) -> Result<String, ServiceError> {
    parse_catalog_id(raw).map_err(|e| ServiceError::invalid(field, format!("{field} {e}")))
}

/// True when `raw` could be a registered id; anything else is unknown without asking the
/// database (which keeps NUL bytes and 9 KB strings away from it).
pub fn could_be_id(raw: &str) -> bool {
    raw.len() <= MAX_CATALOG_ID_LEN * 4 && parse_catalog_id(raw).is_ok()
}

async fn create(db: &Db, actor: &Actor, kind: &Kind, id: &str, name: &str) -> Result<Entry, ServiceError> {
    let entry = Entry { id: parse_id(kind.key, id)?, name: parse_name(name)?, active: true, created_at: now_ms() };
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(&format!("INSERT INTO {} ({}, name, active, created_at) VALUES ($1, $2, 1, $3)", kind.table, kind.key))
        .bind(&entry.id)
        .bind(&entry.name)
        .bind(entry.created_at)
        .execute(&mut *tx)
        .await;
    match inserted {
        Err(e) if kind.unique.violated_by(&e) => return Err(ServiceError::Conflict(format!("{} {} already exists", kind.noun, entry.id))),
        other => other?,
    };
    audit::record(&mut tx, actor, &format!("{}.create", kind.audit), &entry.id, serde_json::json!({ "name": entry.name })).await?;
    tx.commit().await?;
    Ok(entry)
}

async fn find(conn: &mut AnyConnection, kind: &Kind, id: &str) -> Result<Option<Entry>, sqlx::Error> {
    if !could_be_id(id) {
        return Ok(None);
    }
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT {key}, name, active, created_at FROM {table} WHERE {key} = $1",
        key = kind.key,
        table = kind.table
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, name, active, created_at)| Entry { id, name, active: active == 1, created_at }))
}

/// Renames, deactivates or reactivates; audited as `<kind>.deactivate` / `.activate` when only
/// the state changes, else `<kind>.update`.
async fn update(db: &Db, actor: &Actor, kind: &Kind, id: &str, edit: CatalogEdit) -> Result<Entry, ServiceError> {
    let name = edit.name.as_deref().map(parse_name).transpose()?;
    let mut tx = db.pool().begin().await?;
    let current = find(&mut tx, kind, id).await?.ok_or(ServiceError::NotFound(kind.noun))?;
    let entry = Entry {
        name: name.unwrap_or_else(|| current.name.clone()),
        active: edit.active.unwrap_or(current.active),
        id: current.id.clone(),
        created_at: current.created_at,
    };
    sqlx::query(&format!("UPDATE {} SET name = $1, active = $2 WHERE {} = $3", kind.table, kind.key))
        .bind(&entry.name)
        .bind(i64::from(entry.active))
        .bind(&entry.id)
        .execute(&mut *tx)
        .await?;
    let action = match (entry.name == current.name, entry.active, current.active) {
        (true, false, true) => "deactivate",
        (true, true, false) => "activate",
        _ => "update",
    };
    let details = serde_json::json!({ "name": entry.name, "active": entry.active });
    audit::record(&mut tx, actor, &format!("{}.{action}", kind.audit), &entry.id, details).await?;
    tx.commit().await?;
    Ok(entry)
}

async fn list(db: &Db, kind: &Kind, query: &CatalogQuery) -> Result<Vec<Entry>, ServiceError> {
    let q = search_text(query.q.as_deref().unwrap_or(""));
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT {key}, name, active, created_at {} ORDER BY {key} LIMIT $4 OFFSET $5",
        matching(kind),
        key = kind.key
    ))
    .bind(&q)
    .bind(contains_pattern(&q))
    .bind(query.active.map(i64::from).unwrap_or(-1))
    .bind(query.limit.clamp(1, 1000))
    .bind(query.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, name, active, created_at)| Entry { id, name, active: active == 1, created_at }).collect())
}

/// The entries a listing shows: `$1` the search, `$2` its pattern, `$3` the active filter (-1 for all).
fn matching(kind: &Kind) -> String {
    format!(
        "FROM {table} WHERE ($1 = '' OR LOWER({key}) LIKE $2 ESCAPE '\\' OR LOWER(name) LIKE $2 ESCAPE '\\') AND ($3 < 0 OR active = $3)",
        key = kind.key,
        table = kind.table
    )
}

/// One page of `kind`'s entries, with how many match on all pages.
async fn list_page(db: &Db, kind: &Kind, query: &CatalogQuery) -> Result<Page<Entry>, ServiceError> {
    let (limit, offset) = page::clamp(query.limit, query.offset);
    let q = search_text(query.q.as_deref().unwrap_or(""));
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {}", matching(kind)))
        .bind(&q)
        .bind(contains_pattern(&q))
        .bind(query.active.map(i64::from).unwrap_or(-1))
        .fetch_one(db.pool())
        .await?;
    let items = list(db, kind, &CatalogQuery { q: Some(q), active: query.active, limit, offset }).await?;
    Ok(Page { items, total, offset, limit })
}

/// One page of store apps by pid.
pub async fn store_apps_page(db: &Db, query: &CatalogQuery) -> Result<Page<StoreApp>, ServiceError> {
    Ok(list_page(db, &STORE_APPS, query).await?.map(Into::into))
}

/// One page of reward games by id.
pub async fn games_page(db: &Db, query: &CatalogQuery) -> Result<Page<RewardGame>, ServiceError> {
    Ok(list_page(db, &GAMES, query).await?.map(Into::into))
}

/// Registers a store app.
pub async fn create_store_app(db: &Db, actor: &Actor, pid: &str, name: &str) -> Result<StoreApp, ServiceError> {
    let _changing = db.changing();
    create(db, actor, &STORE_APPS, pid, name).await.map(Into::into)
}

/// Renames, deactivates or reactivates a store app.
pub async fn update_store_app(db: &Db, actor: &Actor, pid: &str, edit: CatalogEdit) -> Result<StoreApp, ServiceError> {
    let _changing = db.changing();
    update(db, actor, &STORE_APPS, pid, edit).await.map(Into::into)
}

pub async fn get_store_app(db: &Db, pid: &str) -> Result<StoreApp, ServiceError> {
    let found = find(&mut *db.pool().acquire().await?, &STORE_APPS, pid).await?;
    found.map(Into::into).ok_or(ServiceError::NotFound(STORE_APPS.noun))
}

/// Store apps by pid.
pub async fn list_store_apps(db: &Db, query: &CatalogQuery) -> Result<Vec<StoreApp>, ServiceError> {
    Ok(list(db, &STORE_APPS, query).await?.into_iter().map(Into::into).collect())
}

/// Registers a reward game.
pub async fn create_game(db: &Db, actor: &Actor, id: &str, name: &str) -> Result<RewardGame, ServiceError> {
    let _changing = db.changing();
    create(db, actor, &GAMES, id, name).await.map(Into::into)
}

/// Renames, deactivates or reactivates a reward game.
pub async fn update_game(db: &Db, actor: &Actor, id: &str, edit: CatalogEdit) -> Result<RewardGame, ServiceError> {
    let _changing = db.changing();
    update(db, actor, &GAMES, id, edit).await.map(Into::into)
}

pub async fn get_game(db: &Db, id: &str) -> Result<RewardGame, ServiceError> {
    let found = find(&mut *db.pool().acquire().await?, &GAMES, id).await?;
    found.map(Into::into).ok_or(ServiceError::NotFound(GAMES.noun))
}

/// Reward games by id.
pub async fn list_games(db: &Db, query: &CatalogQuery) -> Result<Vec<RewardGame>, ServiceError> {
    Ok(list(db, &GAMES, query).await?.into_iter().map(Into::into).collect())
}

/// The game's name, when `gid` is registered and active.
pub async fn game_name(conn: &mut AnyConnection, gid: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(find(conn, &GAMES, gid).await?.filter(|g| g.active).map(|g| g.name))
}
