//! Per-source health from the postback log: the database adds the calls up per source, window,
//! outcome and reason (no row is read one by one), the rules in `domain::health` judge them.
//!
//! Every kind of source is one row of [`KINDS`] — the table it is listed from and the log column
//! that names it — and the same three queries serve them all: the sources with their last call,
//! the day's calls grouped, and the day's most recent latencies.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::clock::now_ms;
use super::db::Db;
use crate::domain::health::{self, CallClass, ReasonCount, SourceHealth, SourceKind, SourceTally, DAY_MS, HOUR_MS};

/// Latencies read per source for the percentiles: the most recent calls of the day.
pub const LATENCY_SAMPLE: i64 = 2_000;

/// Where a kind of source lives.
struct KindSql {
    kind: SourceKind,
    /// The postback log's column naming the source of a call.
    log_column: &'static str,
    /// `id, name, active` of every source of the kind; `$1` is now (Unix ms).
    listing: &'static str,
}

const KINDS: [KindSql; 4] = [
    KindSql { kind: SourceKind::Network, log_column: "network_id", listing: "SELECT id, name, active FROM networks" },
    KindSql { kind: SourceKind::Program, log_column: "program_id", listing: "SELECT id, name, active FROM programs" },
    KindSql {
        kind: SourceKind::RewardSecret,
        log_column: "reward_secret_id",
        listing: "SELECT id, hint AS name, CASE WHEN revoked_at IS NULL AND (valid_until IS NULL OR valid_until > $1) THEN 1 ELSE 0 END \
                  AS active FROM reward_secrets",
    },
    KindSql { kind: SourceKind::Provider, log_column: "provider_id", listing: "SELECT id, name, active FROM providers" },
];

/// Which sources to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFilter {
    pub kind: Option<SourceKind>,
    pub id: Option<String>,
}

impl SourceFilter {
    fn keeps(&self, source: &SourceHealth) -> bool {
        self.kind.is_none_or(|kind| kind == source.kind) && self.id.as_deref().is_none_or(|id| id == source.id)
    }
}

/// `kind` and `sender` of a log row: the kind whose column names it (a call has one sender).
fn sender_columns() -> (String, String) {
    let arms: String = KINDS.iter().map(|k| format!(" WHEN {} IS NOT NULL THEN '{}'", k.log_column, k.kind.as_str())).collect();
    let columns: Vec<&str> = KINDS.iter().map(|k| k.log_column).collect();
    (format!("CASE{arms} END"), format!("COALESCE({})", columns.join(", ")))
}

/// Every source that `filter` keeps, with its figures at `now` (Unix ms; `None` for the clock):
/// flagged sources first, then by kind and name.
pub async fn sources(db: &Db, now: Option<i64>, filter: &SourceFilter) -> Result<Vec<SourceHealth>, sqlx::Error> {
    let now = now.unwrap_or_else(now_ms);
    let mut conn = db.pool().acquire().await?;
    let listed = listed(&mut conn, now).await?;
    let mut tallies = day_tallies(&mut conn, now).await?;
    for (key, latencies) in day_latencies(&mut conn, now).await? {
        tallies.entry(key).or_default().latencies_us = latencies;
    }
    let mut out: Vec<SourceHealth> = listed
        .into_iter()
        .filter_map(|(kind, id, name, active, last_call_at)| {
            let kind = SourceKind::parse(&kind)?;
            let mut tally = tallies.remove(&(kind, id.clone())).unwrap_or_default();
            tally.last_call_at = last_call_at;
            Some(SourceHealth { kind, id, name, active: active != 0, figures: health::figures(now, tally) })
        })
        .filter(|source| filter.keeps(source))
        .collect();
    out.sort_by(|a, b| {
        (a.figures.flags.is_empty(), a.kind, a.name.to_lowercase(), &a.id).cmp(&(
            b.figures.flags.is_empty(),
            b.kind,
            b.name.to_lowercase(),
            &b.id,
        ))
    });
    Ok(out)
}

type Listed = (String, String, String, i64, Option<i64>);

/// Every source of every kind with its last call ever (an index lookup each).
async fn listed(conn: &mut AnyConnection, now: i64) -> Result<Vec<Listed>, sqlx::Error> {
    let sql = KINDS
        .iter()
        .map(|k| {
            format!(
                "SELECT '{kind}' AS kind, s.id, s.name, CAST(s.active AS BIGINT) AS active, \
                        (SELECT MAX(l.received_at) FROM postback_log l WHERE l.{column} = s.id) AS last_call_at \
                 FROM ({listing}) s",
                kind = k.kind.as_str(),
                column = k.log_column,
                listing = k.listing,
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sqlx::query_as(&sql).bind(now).fetch_all(conn).await
}

/// The last 24 hours' calls of every source, counted per outcome, reason and window in one pass
/// over the day's log.
async fn day_tallies(conn: &mut AnyConnection, now: i64) -> Result<BTreeMap<(SourceKind, String), SourceTally>, sqlx::Error> {
    let (kind, sender) = sender_columns();
    // kind, sender, outcome, reason, in the last hour (1/0), calls, first and last call.
    type Group = (String, String, String, String, i64, i64, i64, i64);
    let rows: Vec<Group> = sqlx::query_as(&format!(
        "SELECT kind, sender, outcome, reason, in_hour, CAST(COUNT(*) AS BIGINT), MIN(received_at), MAX(received_at) FROM \
           (SELECT {kind} AS kind, {sender} AS sender, outcome, reason, received_at, \
                   CAST(CASE WHEN received_at > $2 THEN 1 ELSE 0 END AS BIGINT) AS in_hour \
            FROM postback_log WHERE received_at > $1 AND received_at <= $3) calls \
         WHERE sender IS NOT NULL GROUP BY kind, sender, outcome, reason, in_hour"
    ))
    .bind(now - DAY_MS)
    .bind(now - HOUR_MS)
    .bind(now)
    .fetch_all(conn)
    .await?;
    let mut tallies: BTreeMap<(SourceKind, String), SourceTally> = BTreeMap::new();
    for (kind, sender, outcome, reason, in_hour, count, first, last) in rows {
        let Some(kind) = SourceKind::parse(&kind) else { continue };
        let tally = tallies.entry((kind, sender)).or_default();
        tally.day_span = Some(tally.day_span.map_or((first, last), |(f, l)| (f.min(first), l.max(last))));
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
    Ok(tallies)
}

/// The latencies of each source's most recent calls of the day, at most [`LATENCY_SAMPLE`] each.
async fn day_latencies(conn: &mut AnyConnection, now: i64) -> Result<BTreeMap<(SourceKind, String), Vec<i64>>, sqlx::Error> {
    let (kind, sender) = sender_columns();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT kind, sender, latency_us FROM \
           (SELECT {kind} AS kind, {sender} AS sender, latency_us, \
                   ROW_NUMBER() OVER (PARTITION BY {kind}, {sender} ORDER BY received_at DESC, id DESC) AS nth \
            FROM postback_log WHERE received_at > $1 AND received_at <= $2 AND {sender} IS NOT NULL) calls \
         WHERE nth <= $3"
    ))
    .bind(now - DAY_MS)
    .bind(now)
    .bind(LATENCY_SAMPLE)
    .fetch_all(conn)
    .await?;
    let mut out: BTreeMap<(SourceKind, String), Vec<i64>> = BTreeMap::new();
    for (kind, sender, latency) in rows {
        if let Some(kind) = SourceKind::parse(&kind) {
            out.entry((kind, sender)).or_default().push(latency);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_described_once() {
        let kinds: Vec<SourceKind> = KINDS.iter().map(|k| k.kind).collect();
        assert_eq!(kinds, SourceKind::ALL);
        let (kind, sender) = sender_columns();
        assert!(kind.starts_with("CASE WHEN network_id IS NOT NULL THEN 'network'"), "{kind}");
        assert_eq!(sender, "COALESCE(network_id, program_id, reward_secret_id, provider_id)");
    }
}
