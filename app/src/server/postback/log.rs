//! The postback log (every call, without the key) and the refused-IP queue.

use sqlx::AnyConnection;

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

pub async fn insert(conn: &mut AnyConnection, entry: &NewLogEntry, conversion_id: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO postback_log (received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params, conversion_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.received_at)
    .bind(entry.source)
    .bind(entry.network_id.as_deref())
    .bind(&entry.source_ip)
    .bind(entry.outcome)
    .bind(i64::from(entry.http_status))
    .bind(&entry.reason)
    .bind(entry.latency_us)
    .bind(entry.params.to_string())
    .bind(conversion_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Remembers (or counts again) a refused source address for a network.
pub async fn remember_refused_ip(conn: &mut AnyConnection, network_id: &str, ip: &str) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO refused_ips (network_id, ip, count, first_seen, last_seen) VALUES ($1, $2, 1, $3, $3) \
         ON CONFLICT (network_id, ip) DO UPDATE SET count = refused_ips.count + 1, last_seen = excluded.last_seen",
    )
    .bind(network_id)
    .bind(ip)
    .bind(now)
    .execute(conn)
    .await?;
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
