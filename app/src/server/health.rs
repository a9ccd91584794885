//! Per-source health from the postback log: the database adds the calls up per window, outcome
//! and reason (no row is read one by one), the rules in `domain::health` judge them.
//!
//! Today the log names the source of CPA postbacks (`network_id`) and of providers' calls
//! (`provider_id`); programs and reward secrets are logged without theirs. Only networks are
//! listed here so far.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock::now_ms;
use super::db::Db;
use crate::domain::health::{self, CallClass, ReasonCount, SourceFigures, SourceTally, DAY_MS, HOUR_MS};

/// Latencies read per source for the percentiles: the most recent calls of the day.
pub const LATENCY_SAMPLE: i64 = 2_000;

/// The kind of source a health row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Network,
}

/// One source and its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SourceHealth {
    pub kind: SourceKind,
    pub id: String,
    pub name: String,
    pub active: bool,
    #[serde(flatten)]
    pub figures: SourceFigures,
}

/// Every network with its figures at `now` (Unix ms; `None` for the clock).
pub async fn networks(db: &Db, now: Option<i64>) -> Result<Vec<SourceHealth>, sqlx::Error> {
    let now = now.unwrap_or_else(now_ms);
    let (day_start, hour_start) = (now - DAY_MS, now - HOUR_MS);
    let mut conn = db.pool().acquire().await?;
    let sources: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT n.id, n.name, n.active, \
                (SELECT MAX(l.received_at) FROM postback_log l WHERE l.network_id = n.id) \
         FROM networks n ORDER BY n.name, n.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let groups: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT network_id, outcome, reason, CAST(CASE WHEN received_at > $2 THEN 1 ELSE 0 END AS BIGINT) AS in_hour, \
                CAST(COUNT(*) AS BIGINT) \
         FROM postback_log WHERE network_id IS NOT NULL AND received_at > $1 AND received_at <= $3 \
         GROUP BY network_id, outcome, reason, in_hour",
    )
    .bind(day_start)
    .bind(hour_start)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let spans: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT network_id, MIN(received_at), MAX(received_at) FROM postback_log \
         WHERE network_id IS NOT NULL AND received_at > $1 AND received_at <= $2 GROUP BY network_id",
    )
    .bind(day_start)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut tallies: BTreeMap<String, SourceTally> = BTreeMap::new();
    for (network, first, last) in spans {
        tallies.entry(network).or_default().day_span = Some((first, last));
    }
    for (network, outcome, reason, in_hour, count) in groups {
        let tally = tallies.entry(network).or_default();
        let class = CallClass::of(&outcome);
        tally.last_day.add_many(class, count);
        if in_hour == 1 {
            tally.last_hour.add_many(class, count);
        }
        if class == CallClass::Refused {
            let reason = if reason.is_empty() { outcome } else { reason };
            match tally.refusals.iter_mut().find(|r| r.reason == reason) {
                Some(r) => r.count += count,
                None => tally.refusals.push(ReasonCount { reason, count }),
            }
        }
    }
    let mut out = Vec::with_capacity(sources.len());
    for (id, name, active, last_call_at) in sources {
        let mut tally = tallies.remove(&id).unwrap_or_default();
        tally.last_call_at = last_call_at;
        if tally.last_day.total() > 0 {
            let latencies: Vec<(i64,)> = sqlx::query_as(
                "SELECT latency_us FROM postback_log WHERE network_id = $1 AND received_at > $2 AND received_at <= $3 \
                 ORDER BY received_at DESC LIMIT $4",
            )
            .bind(&id)
            .bind(day_start)
            .bind(now)
            .bind(LATENCY_SAMPLE)
            .fetch_all(&mut *conn)
            .await?;
            tally.latencies_us = latencies.into_iter().map(|(us,)| us).collect();
        }
        out.push(SourceHealth { kind: SourceKind::Network, id, name, active: active != 0, figures: health::figures(now, tally) });
    }
    Ok(out)
}
