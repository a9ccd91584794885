//! The addresses a provider may call from, and the queue of refused ones: a provider accepts
//! calls only from its approved IPs/CIDRs, like a network, and a refused address waits here
//! for an admin's one-click approval.

use std::collections::BTreeMap;

use super::exists;
use crate::domain::provider::ProviderRefusedIp;
use crate::domain::IpRule;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::ingest::log;
use crate::server::ingest::store::{StoreError, WriteTx};

/// Approves `rule` for the provider. Approving an approved address is a no-op.
pub async fn add(db: &Db, actor: &Actor, provider_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, provider_id).await? {
        return Err(ServiceError::NotFound("provider"));
    }
    let added = sqlx::query(
        "INSERT INTO provider_ips (provider_id, cidr, created_at) VALUES ($1, $2, $3) ON CONFLICT (provider_id, cidr) DO NOTHING",
    )
    .bind(provider_id)
    .bind(rule.to_string())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() == 1 {
        audit::record(&mut tx, actor, "provider.ip.add", provider_id, serde_json::json!({ "ip": rule.to_string() })).await?;
    }
    // An approved address leaves the refused queue.
    sqlx::query("DELETE FROM provider_refused_ips WHERE provider_id = $1 AND ip = $2")
        .bind(provider_id)
        .bind(rule.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an approval.
pub async fn remove(db: &Db, actor: &Actor, provider_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, provider_id).await? {
        return Err(ServiceError::NotFound("provider"));
    }
    let removed = sqlx::query("DELETE FROM provider_ips WHERE provider_id = $1 AND cidr = $2")
        .bind(provider_id)
        .bind(rule.to_string())
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(ServiceError::NotFound("ip"));
    }
    audit::record(&mut tx, actor, "provider.ip.remove", provider_id, serde_json::json!({ "ip": rule.to_string() })).await?;
    tx.commit().await?;
    Ok(())
}

/// Remembers (or counts again) addresses refused for providers, inside the writer's
/// transaction: `(provider id, ip)` → times refused. The queue is capped per provider like a
/// network's.
pub async fn remember_refused(tx: &mut dyn WriteTx, refused: &BTreeMap<(String, String), i64>) -> Result<(), StoreError> {
    log::remember_refused_ips(tx, &log::PROVIDER_REFUSED_IPS, refused).await
}

/// The provider's refused addresses, most recent first.
pub async fn refused(db: &Db, provider_id: &str) -> Result<Vec<ProviderRefusedIp>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    if !exists(&mut conn, provider_id).await? {
        return Err(ServiceError::NotFound("provider"));
    }
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT provider_id, ip, count, first_seen, last_seen FROM provider_refused_ips WHERE provider_id = $1 ORDER BY last_seen DESC",
    )
    .bind(provider_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(provider_id, ip, count, first_seen, last_seen)| ProviderRefusedIp { provider_id, ip, count, first_seen, last_seen })
        .collect())
}

/// Approves a queued refused address in one step.
pub async fn approve_refused(db: &Db, actor: &Actor, provider_id: &str, rule: IpRule) -> Result<(), ServiceError> {
    let queued = refused(db, provider_id).await?;
    if !queued.iter().any(|r| r.ip == rule.to_string()) {
        return Err(ServiceError::NotFound("refused ip"));
    }
    add(db, actor, provider_id, rule).await
}
