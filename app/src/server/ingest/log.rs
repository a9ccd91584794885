//! The postback log (every call, without its secret) and the refused-IP queue: written as sets
//! inside the writer's transaction, read for the admin screens through the query layer.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::store::{StoreError, Table, Ty, Val, WriteTx};
use crate::domain::catalog::{PostbackLogEntry, RefusedIp};
use crate::server::clock::now_ms;

/// One call to be logged.
#[derive(Debug, Clone)]
pub struct NewLogEntry {
    pub received_at: i64,
    pub source: &'static str,
    pub network_id: Option<String>,
    pub source_ip: String,
    pub outcome: &'static str,
    pub http_status: u16,
    pub reason: String,
    pub latency_us: i64,
    /// The query parameters without `key`, as a JSON object.
    pub params: serde_json::Value,
}

impl NewLogEntry {
    /// A call from `source_ip` to `source`, received now; the rest is filled in as it is decided.
    pub fn new(source: &'static str, source_ip: String) -> Self {
        Self {
            received_at: now_ms(),
            source,
            network_id: None,
            source_ip,
            outcome: "",
            http_status: 0,
            reason: String::new(),
            latency_us: 0,
            params: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// Drops the call's parameters: a call refused before its sender was known (no or a wrong
    /// key) is logged with outcome, reason, address and time only, so strangers cannot fill the
    /// log with what they send.
    pub fn forget_params(&mut self) {
        self.params = serde_json::Value::Object(serde_json::Map::new());
    }

    /// Stamps the time the call took since `started`.
    pub fn took(&mut self, started: std::time::Instant) {
        self.latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    }
}

const LOG: Table = Table {
    name: "postback_log",
    columns: &[
        ("received_at", Ty::Int),
        ("source", Ty::Text),
        ("network_id", Ty::Text),
        ("source_ip", Ty::Text),
        ("outcome", Ty::Text),
        ("http_status", Ty::Int),
        ("reason", Ty::Text),
        ("latency_us", Ty::Int),
        ("params", Ty::Text),
        ("conversion_id", Ty::Text),
    ],
};

/// Writes log entries (each with the conversion it concerns, if any) as a set.
pub async fn insert(tx: &mut dyn WriteTx, entries: &[(&NewLogEntry, Option<&str>)]) -> Result<(), StoreError> {
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .map(|(e, conversion_id)| {
            vec![
                e.received_at.into(),
                e.source.into(),
                e.network_id.as_deref().into(),
                e.source_ip.as_str().into(),
                e.outcome.into(),
                i64::from(e.http_status).into(),
                e.reason.as_str().into(),
                e.latency_us.into(),
                e.params.to_string().into(),
                (*conversion_id).into(),
            ]
        })
        .collect();
    tx.insert(&LOG, &rows, "").await?;
    Ok(())
}

const REFUSED: Table = Table {
    name: "refused_ips",
    columns: &[("network_id", Ty::Text), ("ip", Ty::Text), ("count", Ty::Int), ("first_seen", Ty::Int), ("last_seen", Ty::Int)],
};

/// Most refused addresses remembered per network: beyond it the least recently seen are
/// forgotten, so a flood from many addresses cannot grow the queue without limit.
pub const REFUSED_IPS_PER_NETWORK: i64 = 1_000;

/// Remembers (or counts again) refused source addresses: `(network, ip)` → times refused.
pub async fn remember_refused_ips(tx: &mut dyn WriteTx, refused: &BTreeMap<(String, String), i64>) -> Result<(), StoreError> {
    let now = now_ms();
    let rows: Vec<Vec<Val>> = refused
        .iter()
        .map(|((network, ip), count)| vec![network.as_str().into(), ip.as_str().into(), (*count).into(), now.into(), now.into()])
        .collect();
    tx.insert(
        &REFUSED,
        &rows,
        "ON CONFLICT (network_id, ip) DO UPDATE SET count = refused_ips.count + excluded.count, last_seen = excluded.last_seen",
    )
    .await?;
    let networks: std::collections::BTreeSet<&str> = refused.keys().map(|(network, _)| network.as_str()).collect();
    for network in networks {
        let count = tx.query_one("SELECT COUNT(*) FROM refused_ips WHERE network_id = $1", &[network.into()]).await?;
        if count.map(|row| row.int(0)).transpose()?.unwrap_or(0) > REFUSED_IPS_PER_NETWORK {
            tx.execute(
                "DELETE FROM refused_ips WHERE network_id = $1 AND ip NOT IN \
                 (SELECT ip FROM refused_ips WHERE network_id = $1 ORDER BY last_seen DESC, ip LIMIT $2)",
                &[network.into(), REFUSED_IPS_PER_NETWORK.into()],
            )
            .await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub network_id: Option<String>,
    pub outcome: Option<String>,
    pub conversion_id: Option<String>,
    pub limit: i64,
}

type LogRow = (i64, i64, String, Option<String>, String, String, i64, String, i64, String, Option<String>);

/// Log entries matching `filter`, newest first.
pub async fn list(conn: &mut AnyConnection, filter: &LogFilter) -> Result<Vec<PostbackLogEntry>, sqlx::Error> {
    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT id, received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params, conversion_id \
         FROM postback_log WHERE ($1 = '' OR network_id = $1) AND ($2 = '' OR outcome = $2) AND ($3 = '' OR conversion_id = $3) \
         ORDER BY id DESC LIMIT $4",
    )
    .bind(filter.network_id.as_deref().unwrap_or(""))
    .bind(filter.outcome.as_deref().unwrap_or(""))
    .bind(filter.conversion_id.as_deref().unwrap_or(""))
    .bind(filter.limit.clamp(1, 1000))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params, conversion_id)| {
            PostbackLogEntry {
                id,
                received_at,
                source,
                network_id,
                source_ip,
                outcome,
                http_status,
                reason,
                latency_us,
                params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
                conversion_id,
            }
        })
        .collect())
}

/// The refused addresses of a network, most recent first.
pub async fn refused_ips(conn: &mut AnyConnection, network_id: &str) -> Result<Vec<RefusedIp>, sqlx::Error> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT network_id, ip, count, first_seen, last_seen FROM refused_ips WHERE network_id = $1 ORDER BY last_seen DESC",
    )
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(network_id, ip, count, first_seen, last_seen)| RefusedIp { network_id, ip, count, first_seen, last_seen })
        .collect())
}

/// Removes an address from the queue (after it was approved); false when it was not queued.
pub async fn forget_refused_ip(conn: &mut AnyConnection, network_id: &str, ip: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM refused_ips WHERE network_id = $1 AND ip = $2").bind(network_id).bind(ip).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}
