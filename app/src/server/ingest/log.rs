//! The postback log (every call, without its secret) and the refused-IP queue: written as sets
//! inside the writer's transaction, read for the admin screens through the query layer.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::store::{StoreError, Table, Ty, Val, WriteTx};
use crate::domain::catalog::{PostbackLogEntry, RefusedIp};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::metrics::ServerMetrics;

/// One call to be logged.
#[derive(Debug, Clone)]
pub struct NewLogEntry {
    pub received_at: i64,
    /// When the call arrived, on the monotonic clock: `/metrics`' ingest latency runs from here
    /// to the commit.
    pub arrived: std::time::Instant,
    pub source: &'static str,
    pub network_id: Option<String>,
    /// The offerwall provider a call was addressed to.
    pub provider_id: Option<String>,
    /// The program whose API key a conversions-API call presented.
    pub program_id: Option<String>,
    /// The reward API secret a level postback presented.
    pub reward_secret_id: Option<String>,
    pub source_ip: String,
    pub outcome: &'static str,
    pub http_status: u16,
    pub reason: String,
    pub latency_us: i64,
    /// The query parameters without `key`, as a JSON object.
    pub params: serde_json::Value,
    /// What the entry keeps besides (a provider's signed request, the signature debugger's
    /// findings, a sandbox mark), as a JSON object; `None` when there is nothing.
    pub details: Option<serde_json::Value>,
}

impl NewLogEntry {
    /// A call from `source_ip` to `source`, received now; the rest is filled in as it is decided.
    pub fn new(source: &'static str, source_ip: String) -> Self {
        Self {
            received_at: now_ms(),
            arrived: std::time::Instant::now(),
            source,
            network_id: None,
            provider_id: None,
            program_id: None,
            reward_secret_id: None,
            source_ip,
            outcome: "",
            http_status: 0,
            reason: String::new(),
            latency_us: 0,
            params: serde_json::Value::Object(serde_json::Map::new()),
            details: None,
        }
    }

    /// Drops the call's parameters: a call refused before its sender was known (no or a wrong
    /// key) is logged with outcome, reason, address and time only, so strangers cannot fill the
    /// log with what they send.
    pub fn forget_params(&mut self) {
        self.params = serde_json::Value::Object(serde_json::Map::new());
        self.details = None;
    }

    /// Adds `value` under `name` to the entry's details.
    pub fn detail(&mut self, name: &str, value: serde_json::Value) {
        let details = self.details.get_or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(map) = details {
            map.insert(name.to_owned(), value);
        }
    }

    /// Stamps the time the call took since `started`.
    pub fn took(&mut self, started: std::time::Instant) {
        self.latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    }
}

/// Query (or form) parameters as logged: the first value of each name, the `hidden` names (a
/// key) left out, at most 32 names, names and values capped and without control characters.
pub fn query_params(params: &[(String, String)], hidden: &[&str]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (name, value) in params.iter().filter(|(k, _)| !hidden.contains(&k.as_str())).take(32) {
        let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
        let value: String = value.chars().filter(|c| !c.is_control()).take(512).collect();
        map.entry(name).or_insert(serde_json::Value::String(value));
    }
    serde_json::Value::Object(map)
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
        ("provider_id", Ty::Text),
        ("details", Ty::Text),
        ("program_id", Ty::Text),
        ("reward_secret_id", Ty::Text),
    ],
};

/// Writes log entries (each with the conversion it concerns, if any) as a set, and stages them
/// for `/metrics` (counted once the writer commits them).
pub async fn insert(tx: &mut dyn WriteTx, metrics: &ServerMetrics, entries: &[(&NewLogEntry, Option<&str>)]) -> Result<(), StoreError> {
    for (entry, _) in entries {
        metrics.stage(entry.source, entry.outcome, entry.arrived);
    }
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
                e.provider_id.as_deref().into(),
                e.details.as_ref().map(|d| d.to_string()).into(),
                e.program_id.as_deref().into(),
                e.reward_secret_id.as_deref().into(),
            ]
        })
        .collect();
    tx.insert(&LOG, &rows, "").await?;
    Ok(())
}

/// A queue of refused source addresses waiting for an admin's one-click approval: the
/// networks' (`refused_ips`) or the offerwall providers' (`provider_refused_ips`).
#[derive(Debug)]
pub struct RefusedQueue {
    table: Table,
}

impl RefusedQueue {
    /// The column naming the sender the address was refused for.
    fn owner(&self) -> &'static str {
        self.table.columns[0].0
    }
}

const fn refused_queue(name: &'static str, columns: &'static [(&'static str, Ty)]) -> RefusedQueue {
    RefusedQueue { table: Table { name, columns } }
}

pub const NETWORK_REFUSED_IPS: RefusedQueue = refused_queue(
    "refused_ips",
    &[("network_id", Ty::Text), ("ip", Ty::Text), ("count", Ty::Int), ("first_seen", Ty::Int), ("last_seen", Ty::Int)],
);
pub const PROVIDER_REFUSED_IPS: RefusedQueue = refused_queue(
    "provider_refused_ips",
    &[("provider_id", Ty::Text), ("ip", Ty::Text), ("count", Ty::Int), ("first_seen", Ty::Int), ("last_seen", Ty::Int)],
);

/// Most refused addresses remembered per network (or provider): beyond it the least recently
/// seen are forgotten, so a flood from many addresses cannot grow the queue without limit.
pub const REFUSED_IPS_PER_NETWORK: i64 = 1_000;

/// Remembers (or counts again) refused source addresses in `queue`: `(sender, ip)` → times refused.
pub async fn remember_refused_ips(
    tx: &mut dyn WriteTx,
    queue: &RefusedQueue,
    refused: &BTreeMap<(String, String), i64>,
) -> Result<(), StoreError> {
    if refused.is_empty() {
        return Ok(());
    }
    let (table, owner) = (queue.table.name, queue.owner());
    let now = now_ms();
    let rows: Vec<Vec<Val>> = refused
        .iter()
        .map(|((sender, ip), count)| vec![sender.as_str().into(), ip.as_str().into(), (*count).into(), now.into(), now.into()])
        .collect();
    let tail = format!("ON CONFLICT ({owner}, ip) DO UPDATE SET count = {table}.count + excluded.count, last_seen = excluded.last_seen");
    tx.insert(&queue.table, &rows, &tail).await?;
    let senders: std::collections::BTreeSet<&str> = refused.keys().map(|(sender, _)| sender.as_str()).collect();
    for sender in senders {
        let count = tx.query_one(&format!("SELECT COUNT(*) FROM {table} WHERE {owner} = $1"), &[sender.into()]).await?;
        if count.map(|row| row.int(0)).transpose()?.unwrap_or(0) > REFUSED_IPS_PER_NETWORK {
            let sql = format!(
                "DELETE FROM {table} WHERE {owner} = $1 AND ip NOT IN \
                 (SELECT ip FROM {table} WHERE {owner} = $1 ORDER BY last_seen DESC, ip LIMIT $2)"
            );
            tx.execute(&sql, &[sender.into(), REFUSED_IPS_PER_NETWORK.into()]).await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub network_id: Option<String>,
    pub provider_id: Option<String>,
    pub outcome: Option<String>,
    pub conversion_id: Option<String>,
    pub limit: i64,
}

const SELECT: &str = "SELECT id, received_at, source, network_id, provider_id, source_ip, outcome, http_status, reason, latency_us, \
     params, conversion_id, details, program_id, reward_secret_id FROM postback_log";

fn decode(row: &AnyRow) -> Result<PostbackLogEntry, sqlx::Error> {
    let json = |raw: Option<String>| raw.and_then(|text| serde_json::from_str(&text).ok());
    Ok(PostbackLogEntry {
        id: row.try_get(0)?,
        received_at: row.try_get(1)?,
        source: row.try_get(2)?,
        network_id: row.try_get(3)?,
        provider_id: row.try_get(4)?,
        source_ip: row.try_get(5)?,
        outcome: row.try_get(6)?,
        http_status: row.try_get(7)?,
        reason: row.try_get(8)?,
        latency_us: row.try_get(9)?,
        params: json(row.try_get(10)?).unwrap_or(serde_json::Value::Null),
        conversion_id: row.try_get(11)?,
        details: json(row.try_get(12)?),
        program_id: row.try_get(13)?,
        reward_secret_id: row.try_get(14)?,
    })
}

/// Log entries matching `filter`, newest first.
pub async fn list(conn: &mut AnyConnection, filter: &LogFilter) -> Result<Vec<PostbackLogEntry>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 = '' OR network_id = $1) AND ($2 = '' OR outcome = $2) AND ($3 = '' OR conversion_id = $3) \
         AND ($4 = '' OR provider_id = $4) ORDER BY id DESC LIMIT $5"
    ))
    .bind(filter.network_id.as_deref().unwrap_or(""))
    .bind(filter.outcome.as_deref().unwrap_or(""))
    .bind(filter.conversion_id.as_deref().unwrap_or(""))
    .bind(filter.provider_id.as_deref().unwrap_or(""))
    .bind(filter.limit.clamp(1, 1000))
    .fetch_all(conn)
    .await?;
    rows.iter().map(decode).collect()
}

/// Log entries matching `filter`, newest first (for the doors, which hold no connection).
pub async fn find(db: &Db, filter: &LogFilter) -> Result<Vec<PostbackLogEntry>, sqlx::Error> {
    list(&mut *db.pool().acquire().await?, filter).await
}

/// One log entry.
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<PostbackLogEntry>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(decode).transpose()
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
