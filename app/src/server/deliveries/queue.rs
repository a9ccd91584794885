//! The durable delivery queue: enqueued in the transaction that credits or reverses a
//! conversion, claimed by workers without holding a transaction during the HTTP call, and
//! finished in batches.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::domain::catalog::Conversion;
use crate::domain::delivery::{after_attempt, AttemptOutcome, DeliveryEvent, DeliveryState, Next};
use crate::domain::offerwall::WallCurrency;
use crate::domain::retry::RetryBackoff;
use crate::server::clock::now_ms;
use crate::server::db::Backend;
use crate::server::ingest::store::{args, StoreError, Table, Ty, Val, WriteTx};
use crate::server::secrets;
use crate::server::sql::{chunks, list};
use crate::server::{conversions, offerwall};

const DELIVERIES: Table = Table {
    name: "deliveries",
    columns: &[
        ("id", Ty::Text),
        ("publisher_id", Ty::Text),
        ("conversion_id", Ty::Text),
        ("event", Ty::Text),
        ("state", Ty::Text),
        ("retries_left", Ty::Int),
        ("next_attempt_at", Ty::Int),
        ("created_at", Ty::Int),
        ("updated_at", Ty::Int),
    ],
};

const ATTEMPTS: Table = Table {
    name: "delivery_attempts",
    columns: &[
        ("delivery_id", Ty::Text),
        ("attempted_at", Ty::Int),
        ("url", Ty::Text),
        ("status_code", Ty::Int),
        ("latency_ms", Ty::Int),
        ("body", Ty::Text),
        ("error", Ty::Text),
        ("outcome", Ty::Text),
    ],
};

/// Queues the outbound postback of `event` for each conversion whose publisher has postback
/// settings. Idempotent: a conversion's event is queued once. Returns how many were queued.
pub async fn enqueue(tx: &mut dyn WriteTx, event: DeliveryEvent, conversions: &[&Conversion]) -> Result<u64, StoreError> {
    let mut publishers: Vec<&str> = conversions.iter().filter_map(|c| c.publisher_id.as_deref()).collect();
    publishers.sort_unstable();
    publishers.dedup();
    let publishers: Vec<String> = publishers.into_iter().map(str::to_owned).collect();
    let mut max_retries: HashMap<String, i64> = HashMap::new();
    for row in
        tx.select_in("SELECT publisher_id, max_retries FROM publisher_postbacks WHERE publisher_id IN ", "", &[], &publishers).await?
    {
        max_retries.insert(row.text(0)?, row.int(1)?);
    }
    if max_retries.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let rows: Vec<Vec<Val>> = conversions
        .iter()
        .filter_map(|c| c.publisher_id.as_deref().and_then(|p| max_retries.get(p)).map(|retries| (*c, *retries)))
        .map(|(c, retries)| {
            vec![
                secrets::new_id("dlv").into(),
                c.publisher_id.as_deref().into(),
                c.id.as_str().into(),
                event.as_str().into(),
                DeliveryState::Pending.as_str().into(),
                retries.into(),
                now.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    tx.insert(&DELIVERIES, &rows, "ON CONFLICT (conversion_id, event) DO NOTHING").await
}

/// A claimed delivery with everything needed to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub publisher_id: String,
    pub event: DeliveryEvent,
    pub retries_left: i64,
    pub conversion: Conversion,
    /// The publisher's settings now; `None` when they were removed.
    pub target: Option<Target>,
    /// The currency of the offerwall the conversion came through, for `{reward}`.
    pub wall: Option<WallCurrency>,
    /// The claim's token: only its holder settles the delivery.
    pub claim_token: String,
}

/// Where and how a publisher wants postbacks.
#[derive(Debug, Clone)]
pub struct Target {
    pub url_template: String,
    pub signature: String,
    pub secret: String,
    pub max_retries: i64,
    pub retry_interval_seconds: i64,
    pub retry_backoff: RetryBackoff,
}

/// "Now" in unix ms as leases are reckoned, in SQL where `$1` is this process's clock: on
/// PostgreSQL the database's own clock, so instances whose clocks drift apart still agree on when
/// a claim expires (one running ahead would otherwise take back claims still in flight); on
/// SQLite, where one process owns the file, `$1`.
fn lease_clock(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
        Backend::Sqlite => "$1",
    }
}

/// Claims, for each `(publisher, limit)`, up to `limit` of that publisher's due deliveries
/// (oldest due first) for `lease_ms` under `claim_token`, and returns their ids ([`load`] reads
/// them outside the writer). Claiming publisher by publisher, each a range of the
/// `deliveries_publisher_due` index, is what keeps one publisher's long queue from hiding
/// another's due delivery.
///
/// Several instances on PostgreSQL: each claim runs in its writer's transaction, and its ids are
/// handed out only after the commit. The inner `SELECT … FOR UPDATE SKIP LOCKED` passes over rows
/// another transaction is claiming; a row another claim committed meanwhile is re-checked by
/// PostgreSQL against `state = 'pending'` and left out. So one delivery is claimed by one worker
/// at a time; it comes back only when its lease (longer than a request can last, see the worker)
/// runs out, and then the token keeps the late worker from settling it ([`finish`]). On SQLite
/// the single writer makes the `UPDATE … RETURNING` atomic.
pub async fn claim(
    tx: &mut dyn WriteTx,
    publishers: &[(String, i64)],
    lease_ms: i64,
    claim_token: &str,
) -> Result<Vec<String>, StoreError> {
    let now = now_ms();
    let backend = tx.backend();
    let lock = if backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE deliveries SET state = 'sending', lease_until = {clock} + $2, claim_token = $5, updated_at = $1 WHERE id IN \
         (SELECT id FROM deliveries WHERE publisher_id = $3 AND state = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at LIMIT $4{lock}) RETURNING id",
        clock = lease_clock(backend)
    );
    let mut ids = Vec::new();
    for (publisher_id, limit) in publishers.iter().filter(|(_, limit)| *limit > 0) {
        for row in tx.query(&sql, args![now, lease_ms, publisher_id.as_str(), *limit, claim_token]).await? {
            ids.push(row.text(0)?);
        }
    }
    Ok(ids)
}

/// Puts claims whose lease ran out (their worker crashed mid-request, or could not store its
/// attempt in time) back in the queue, due at once; returns how many.
pub async fn reclaim_expired(tx: &mut dyn WriteTx) -> Result<u64, StoreError> {
    let sql = format!(
        "UPDATE deliveries SET state = 'pending', lease_until = 0, claim_token = NULL, updated_at = $1 \
         WHERE state = 'sending' AND lease_until <= {clock}",
        clock = lease_clock(tx.backend())
    );
    tx.execute(&sql, args![now_ms()]).await
}

/// The publishers with a delivery due now, by id. A read only: one index probe per publisher,
/// however many deliveries are queued.
pub async fn due_publishers(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT p.id FROM publishers p WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.publisher_id = p.id \
         AND d.state = 'pending' AND d.next_attempt_at <= $1) ORDER BY p.id",
    )
    .bind(now_ms())
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// True when some claim's lease ran out (by the clock [`reclaim_expired`] goes by). A read only.
pub async fn any_expired(conn: &mut AnyConnection, backend: Backend) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT id FROM deliveries WHERE state = 'sending' AND lease_until <= {} LIMIT 1", lease_clock(backend));
    let found: Option<(String,)> = sqlx::query_as(&sql).bind(now_ms()).fetch_optional(conn).await?;
    Ok(found.is_some())
}

type ClaimRow =
    (String, String, String, String, i64, Option<String>, Option<String>, Option<String>, Option<i64>, Option<i64>, Option<String>);

/// Everything needed to send the deliveries `ids` claimed under `claim_token` (a read, outside
/// the writer).
pub async fn load(conn: &mut AnyConnection, ids: &[String], claim_token: &str) -> Result<Vec<Claimed>, sqlx::Error> {
    let mut rows: Vec<ClaimRow> = Vec::with_capacity(ids.len());
    for chunk in chunks(ids) {
        let sql = format!(
            "SELECT d.id, d.publisher_id, d.event, d.conversion_id, d.retries_left, p.url_template, p.signature, p.secret, \
             p.max_retries, p.retry_interval_seconds, p.retry_backoff FROM deliveries d LEFT JOIN publisher_postbacks p ON p.publisher_id = d.publisher_id WHERE d.id IN ({})",
            list(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, ClaimRow>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        rows.extend(query.fetch_all(&mut *conn).await?);
    }
    let conversion_ids: Vec<String> = rows.iter().map(|r| r.3.clone()).collect();
    let mut found = conversions::get_many(conn, &conversion_ids).await?;
    let mut walls: HashMap<String, WallCurrency> = HashMap::new();
    let wall_ids: std::collections::BTreeSet<String> = found.values().filter_map(|c| c.offerwall_id.clone()).collect();
    for id in wall_ids {
        if let Some(wall) = offerwall::walls::find(conn, &id).await? {
            walls.insert(id, wall.currency);
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, publisher_id, event, conversion_id, retries_left, url_template, signature, secret, max_retries, interval, backoff)| {
                let target = match (url_template, signature, secret, max_retries, interval) {
                    (Some(url_template), Some(signature), Some(secret), Some(max_retries), Some(retry_interval_seconds)) => Some(Target {
                        url_template,
                        signature,
                        secret,
                        max_retries,
                        retry_interval_seconds,
                        retry_backoff: backoff.as_deref().and_then(RetryBackoff::parse).unwrap_or_default(),
                    }),
                    _ => None,
                };
                let conversion = found.remove(&conversion_id)?;
                let wall = conversion.offerwall_id.as_ref().and_then(|w| walls.get(w)).cloned();
                Some(Claimed {
                    id,
                    publisher_id,
                    event: DeliveryEvent::parse(&event)?,
                    retries_left,
                    conversion,
                    target,
                    wall,
                    claim_token: claim_token.to_owned(),
                })
            },
        )
        .collect())
}

/// How a claimed delivery ended this time: attempted, or put off without an attempt (its host's
/// circuit breaker is open), which costs it no retry.
#[derive(Debug, Clone)]
pub enum Settled {
    Attempted(AttemptResult),
    PutOff { delivery_id: String, claim_token: String, until_ms: i64 },
}

/// What one attempt did.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub delivery_id: String,
    /// The claim it was made under.
    pub claim_token: String,
    pub retries_left: i64,
    /// Seconds until the next attempt should this one have failed (the publisher's schedule,
    /// lengthened by the receiver's `Retry-After`).
    pub retry_delay_seconds: i64,
    pub attempted_at: i64,
    pub url: String,
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub body: String,
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
}

/// Stores a batch of attempts and moves each delivery on, and returns put-off claims to the queue
/// (inside the writer's transaction). Only a delivery still held under the same claim moves: one
/// whose lease ran out and that was claimed again belongs to its new worker, and the late
/// attempt is only logged.
pub async fn finish(tx: &mut dyn WriteTx, settled: &[Settled]) -> Result<(), StoreError> {
    let now = now_ms();
    let mut results = Vec::with_capacity(settled.len());
    for done in settled {
        match done {
            Settled::Attempted(result) => results.push(result),
            Settled::PutOff { delivery_id, claim_token, until_ms } => {
                tx.execute(
                    "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, lease_until = 0, claim_token = NULL, updated_at = $2 \
                     WHERE id = $3 AND state = 'sending' AND claim_token = $4",
                    args![*until_ms, now, delivery_id.as_str(), claim_token.as_str()],
                )
                .await?;
            }
        }
    }
    if results.is_empty() {
        return Ok(());
    }
    for r in &results {
        let (state, next_at, retries_left, finished_at) = match after_attempt(r.outcome, r.retries_left, r.retry_delay_seconds, now) {
            Next::Done(state) => (state, now, r.retries_left, Some(now)),
            Next::RetryAt { at_ms, retries_left } => (DeliveryState::Pending, at_ms, retries_left, None),
        };
        tx.execute(
            "UPDATE deliveries SET state = $1, attempts = attempts + 1, retries_left = $2, next_attempt_at = $3, lease_until = 0, \
             claim_token = NULL, last_url = $4, last_status = $5, last_error = $6, updated_at = $7, finished_at = $8 \
             WHERE id = $9 AND state = 'sending' AND claim_token = $10",
            args![
                state.as_str(),
                retries_left,
                next_at,
                r.url.as_str(),
                r.status_code.map(i64::from),
                r.error.as_deref(),
                now,
                finished_at,
                r.delivery_id.as_str(),
                r.claim_token.as_str()
            ],
        )
        .await?;
    }
    let rows: Vec<Vec<Val>> = results
        .iter()
        .map(|r| {
            vec![
                r.delivery_id.as_str().into(),
                r.attempted_at.into(),
                r.url.as_str().into(),
                r.status_code.map(i64::from).into(),
                r.latency_ms.into(),
                r.body.as_str().into(),
                r.error.as_deref().into(),
                r.outcome.as_str().into(),
            ]
        })
        .collect();
    tx.insert(&ATTEMPTS, &rows, "").await?;
    Ok(())
}

/// Sends a finished delivery again now, with the publisher's full retry allowance. Returns
/// false when there is no such delivery or it is still queued.
pub async fn resend(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!("{RESEND} WHERE id = $2 AND state IN ('failed', 'delivered', 'duplicate')"))
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sends every failed delivery again (of one publisher, or all); returns how many.
pub async fn resend_failed(conn: &mut AnyConnection, publisher_id: Option<&str>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(&format!("{RESEND} WHERE state = 'failed' AND ($2 = '' OR publisher_id = $2)"))
        .bind(now_ms())
        .bind(publisher_id.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

const RESEND: &str = "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, updated_at = $1, finished_at = NULL, \
     retries_left = COALESCE((SELECT max_retries FROM publisher_postbacks p WHERE p.publisher_id = deliveries.publisher_id), 0)";
