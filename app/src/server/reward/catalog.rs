//! Store apps (`pid`) and reward games (`gid`): registered by admins, read by every postback.

use sqlx::AnyConnection;

use crate::domain::label::parse_label;
use crate::domain::reward::catalog::{parse_catalog_id, RewardGame, StoreApp, MAX_CATALOG_ID_LEN};
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::{is_unique_violation, ServiceError};

/// Longest display name of a store app or game.
pub const MAX_NAME_LEN: usize = 120;

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

/// Registers a store app.
pub async fn create_store_app(db: &Db, actor: &Actor, pid: &str, name: &str) -> Result<StoreApp, ServiceError> {
    let app = StoreApp { pid: parse_id("pid", pid)?, name: parse_name(name)?, created_at: now_ms() };
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query("INSERT INTO store_apps (pid, name, created_at) VALUES ($1, $2, $3)")
        .bind(&app.pid)
        .bind(&app.name)
        .bind(app.created_at)
        .execute(&mut *tx)
        .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(ServiceError::Conflict(format!("store app {} already exists", app.pid))),
        other => other?,
    };
    audit::record(&mut tx, actor, "store_app.create", &app.pid, serde_json::json!({ "name": app.name })).await?;
    tx.commit().await?;
    Ok(app)
}

/// All store apps, by pid.
pub async fn list_store_apps(db: &Db) -> Result<Vec<StoreApp>, ServiceError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT pid, name, created_at FROM store_apps ORDER BY pid").fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(|(pid, name, created_at)| StoreApp { pid, name, created_at }).collect())
}

/// Registers a reward game.
pub async fn create_game(db: &Db, actor: &Actor, id: &str, name: &str) -> Result<RewardGame, ServiceError> {
    let game = RewardGame { id: parse_id("id", id)?, name: parse_name(name)?, created_at: now_ms() };
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query("INSERT INTO reward_games (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&game.id)
        .bind(&game.name)
        .bind(game.created_at)
        .execute(&mut *tx)
        .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(ServiceError::Conflict(format!("reward game {} already exists", game.id))),
        other => other?,
    };
    audit::record(&mut tx, actor, "reward_game.create", &game.id, serde_json::json!({ "name": game.name })).await?;
    tx.commit().await?;
    Ok(game)
}

/// All reward games, by id.
pub async fn list_games(db: &Db) -> Result<Vec<RewardGame>, ServiceError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, name, created_at FROM reward_games ORDER BY id").fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(|(id, name, created_at)| RewardGame { id, name, created_at }).collect())
}

/// The game's name, when `gid` is registered.
pub async fn game_name(conn: &mut AnyConnection, gid: &str) -> Result<Option<String>, sqlx::Error> {
    if !could_be_id(gid) {
        return Ok(None);
    }
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM reward_games WHERE id = $1").bind(gid).fetch_optional(conn).await?;
    Ok(row.map(|r| r.0))
}
