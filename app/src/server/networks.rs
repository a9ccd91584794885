//! Ad networks: their security keys (hashed, rotated with an overlap window) and the source
//! addresses they may post from.

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::clock::now_ms;
use super::db::Db;
use super::error::ServiceError;
use super::ingest::Directory;
use super::keys::NETWORK_KEYS;
use super::secrets;
use crate::domain::label::parse_label;
use crate::domain::page::{self, Page};
use crate::domain::partners::Network;
use crate::domain::IpRule;

/// A created network and its first key, shown once.
#[derive(Debug, Clone)]
pub struct CreatedNetwork {
    pub network: Network,
    pub key: String,
}

fn parse_name(raw: &str) -> Result<String, ServiceError> {
    parse_label(raw, 100).map_err(|e| ServiceError::invalid("name", format!("name {e}")))
}

/// Creates a network with its first security key.
pub async fn create(db: &Db, actor: &Actor, name: &str) -> Result<CreatedNetwork, ServiceError> {
    let _changing = db.changing();
    let name = parse_name(name)?;
    let id = secrets::new_id("net");
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query("INSERT INTO networks (id, name, active, created_at) VALUES ($1, $2, 1, $3)")
        .bind(&id)
        .bind(&name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let key = NETWORK_KEYS.insert(&mut tx, &id, now).await?;
    audit::record(&mut tx, actor, "network.create", &id, serde_json::json!({ "name": name })).await?;
    let network = load(&mut tx, &id).await?.ok_or(ServiceError::NotFound("network"))?;
    tx.commit().await?;
    Ok(CreatedNetwork { network, key })
}

async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM networks WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(row.is_some())
}

/// Approves `rule` as a source for the network. Approving an approved address is a no-op.
pub async fn add_ip(db: &Db, directory: &Directory, actor: &Actor, network_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, network_id).await? {
        return Err(ServiceError::NotFound("network"));
    }
    let added =
        sqlx::query("INSERT INTO network_ips (network_id, cidr, created_at) VALUES ($1, $2, $3) ON CONFLICT (network_id, cidr) DO NOTHING")
            .bind(network_id)
            .bind(rule.to_string())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
    if added.rows_affected() == 1 {
        audit::record(&mut tx, actor, "network.ip.add", network_id, serde_json::json!({ "ip": rule.to_string() })).await?;
    }
    tx.commit().await?;
    directory.invalidate_network(network_id);
    Ok(())
}

/// Withdraws an approval.
pub async fn remove_ip(db: &Db, directory: &Directory, actor: &Actor, network_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, network_id).await? {
        return Err(ServiceError::NotFound("network"));
    }
    let removed = sqlx::query("DELETE FROM network_ips WHERE network_id = $1 AND cidr = $2")
        .bind(network_id)
        .bind(rule.to_string())
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(ServiceError::NotFound("ip"));
    }
    audit::record(&mut tx, actor, "network.ip.remove", network_id, serde_json::json!({ "ip": rule.to_string() })).await?;
    tx.commit().await?;
    directory.invalidate_network(network_id);
    Ok(())
}

/// Issues a new key; every key still valid keeps working for `overlap_seconds`, then stops.
pub async fn rotate_key(
    db: &Db,
    directory: &Directory,
    actor: &Actor,
    network_id: &str,
    overlap_seconds: i64,
) -> Result<String, ServiceError> {
    rotate_key_of_kind(db, directory, actor, network_id, overlap_seconds, false).await
}

/// Issues a new live key, or (`sandbox`) a new sandbox key; only keys of the same kind get the
/// overlap and then stop, so a sandbox key sits beside the live ones.
pub async fn rotate_key_of_kind(
    db: &Db,
    directory: &Directory,
    actor: &Actor,
    network_id: &str,
    overlap_seconds: i64,
    sandbox: bool,
) -> Result<String, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, network_id).await? {
        return Err(ServiceError::NotFound("network"));
    }
    let key = NETWORK_KEYS.rotate_kind(&mut tx, network_id, overlap_seconds, sandbox).await?;
    audit::record(
        &mut tx,
        actor,
        "network.key.rotate",
        network_id,
        serde_json::json!({ "overlap_seconds": overlap_seconds, "sandbox": sandbox }),
    )
    .await?;
    tx.commit().await?;
    directory.invalidate_network(network_id);
    Ok(key)
}

/// The network a presented key belongs to, if the key is valid now.
pub async fn authenticate_key(conn: &mut AnyConnection, presented: &str) -> Result<Option<String>, sqlx::Error> {
    NETWORK_KEYS.authenticate(conn, presented).await
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Network>, sqlx::Error> {
    let row: Option<(String, String, i64, i64)> =
        sqlx::query_as("SELECT id, name, active, created_at FROM networks WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    let Some((id, name, active, created_at)) = row else {
        return Ok(None);
    };
    let ips: Vec<(String,)> = sqlx::query_as("SELECT cidr FROM network_ips WHERE network_id = $1 ORDER BY created_at, cidr")
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?;
    let keys = NETWORK_KEYS.list(conn, &id).await?;
    Ok(Some(Network { id, name, active: active == 1, created_at, ips: ips.into_iter().map(|r| r.0).collect(), keys }))
}

pub async fn get(db: &Db, id: &str) -> Result<Network, ServiceError> {
    load(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("network"))
}

/// Networks whose name or id contains `search`, newest first, a page at a time.
pub async fn list_page(db: &Db, search: &str, limit: i64, offset: i64) -> Result<Page<Network>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let mut conn = db.pool().acquire().await?;
    let (total, ids) = crate::server::sql::ids_named_like(&mut conn, "networks", search, limit, offset).await?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(network) = load(&mut conn, &id).await? {
            items.push(network);
        }
    }
    Ok(Page { items, total, offset, limit })
}

/// A change to a network; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct NetworkEdit {
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// Renames, deactivates or reactivates a network. A deactivated network's keys stop
/// authenticating at once (its postbacks get 401) and work again when it is reactivated.
pub async fn update(db: &Db, directory: &Directory, actor: &Actor, id: &str, edit: NetworkEdit) -> Result<Network, ServiceError> {
    let _changing = db.changing();
    let name = edit.name.as_deref().map(parse_name).transpose()?;
    let mut tx = db.pool().begin().await?;
    let before = load(&mut tx, id).await?.ok_or(ServiceError::NotFound("network"))?;
    let mut changes = serde_json::Map::new();
    if let Some(name) = name.filter(|n| *n != before.name) {
        sqlx::query("UPDATE networks SET name = $1 WHERE id = $2").bind(&name).bind(id).execute(&mut *tx).await?;
        changes.insert("name".into(), name.into());
    }
    if let Some(active) = edit.active.filter(|a| *a != before.active) {
        sqlx::query("UPDATE networks SET active = $1 WHERE id = $2").bind(i64::from(active)).bind(id).execute(&mut *tx).await?;
        changes.insert("active".into(), active.into());
    }
    if !changes.is_empty() {
        audit::record(&mut tx, actor, "network.update", id, serde_json::Value::Object(changes)).await?;
    }
    let network = load(&mut tx, id).await?.ok_or(ServiceError::NotFound("network"))?;
    tx.commit().await?;
    directory.invalidate_network(id);
    Ok(network)
}

/// Stops one of the network's keys at once.
pub async fn revoke_key(db: &Db, directory: &Directory, actor: &Actor, network_id: &str, key_id: &str) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, network_id).await? {
        return Err(ServiceError::NotFound("network"));
    }
    if !NETWORK_KEYS.revoke(&mut tx, network_id, key_id).await? {
        return Err(ServiceError::NotFound("key"));
    }
    audit::record(&mut tx, actor, "network.key.revoke", network_id, serde_json::json!({ "key_id": key_id })).await?;
    tx.commit().await?;
    directory.invalidate_network(network_id);
    Ok(())
}

/// All networks, newest first.
pub async fn list(db: &Db) -> Result<Vec<Network>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM networks ORDER BY created_at DESC, id").fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(network) = load(&mut conn, &id).await? {
            out.push(network);
        }
    }
    Ok(out)
}

pub async fn count(db: &Db) -> Result<i64, ServiceError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM networks").fetch_one(db.pool()).await?;
    Ok(n)
}

/// The network's approved source addresses.
pub async fn approved_ips(conn: &mut AnyConnection, network_id: &str) -> Result<Vec<IpRule>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT cidr FROM network_ips WHERE network_id = $1").bind(network_id).fetch_all(conn).await?;
    Ok(rows.into_iter().filter_map(|(cidr,)| IpRule::parse(&cidr).ok()).collect())
}

/// The network's queue of refused source addresses, most recent first.
pub async fn refused_ips(db: &Db, network_id: &str) -> Result<Vec<crate::domain::partners::RefusedIp>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    if !exists(&mut conn, network_id).await? {
        return Err(ServiceError::NotFound("network"));
    }
    Ok(super::ingest::log::refused_ips(&mut conn, network_id).await?)
}

/// Approves a queued refused address in one step: it joins the approved list and leaves the queue.
pub async fn approve_refused_ip(db: &Db, directory: &Directory, actor: &Actor, network_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut conn = db.pool().acquire().await?;
    let queued = super::ingest::log::refused_ips(&mut conn, network_id).await?;
    if !queued.iter().any(|r| r.ip == rule.to_string()) {
        return Err(ServiceError::NotFound("refused ip"));
    }
    drop(conn);
    add_ip(db, directory, actor, network_id, rule).await?;
    super::ingest::log::forget_refused_ip(&mut *db.pool().acquire().await?, network_id, &rule.to_string()).await?;
    Ok(())
}

/// The network and validity window of a stored key hash (revoked keys and inactive networks
/// are not found).
pub async fn key_validity(conn: &mut AnyConnection, key_hash: &str) -> Result<Option<(String, Option<i64>)>, sqlx::Error> {
    NETWORK_KEYS.validity(conn, key_hash).await
}
