//! Replaying a logged call (`POST /api/admin/postback-log/{id}/replay`) as a dry run. The call is
//! rebuilt from its log entry and re-run against today's rules and catalogs by its source's own
//! decide step (each source's `receive::replay`); an accepted call's write — the source's own
//! [`Source::write`] — runs inside a transaction that is always rolled back, and what it would
//! have logged and credited is read back from inside it. Nothing is kept: no conversion, ledger
//! entry, delivery or log entry, and no event is published (events follow commits only).
//!
//! What the log never kept cannot be re-run: a call refused before its sender was known (no or
//! a wrong key or secret, an unknown provider, an unapproved address) is logged without what it
//! sent; its replay repeats the logged outcome and says so.

use std::net::{IpAddr, Ipv4Addr};

use sqlx::{Any, Connection, Transaction};

use super::answer::ContractAnswer;
use super::directory::Directory;
use super::events::EventBus;
use super::log::{self, NewLogEntry};
use super::store::any::AnyTx;
use super::store::StoreError;
use super::writer::{Env, Source, Writer};
use super::{conversions_api, cpa, provider, reward};
use crate::domain::client_addr::ClientAddr;
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::replay::{Replay, WouldCredit};
use crate::server::db::{Backend, Db};
use crate::server::error::ServiceError;
use crate::server::AppState;

/// What a replay needs from the application.
pub struct ReplayContext<'a> {
    pub db: &'a Db,
    pub directory: &'a Directory,
    pub writer: &'a Writer,
    pub events: &'a EventBus,
    pub env: &'a Env,
    /// `TAPRAIN_PUBLIC_URL` (providers' signatures are checked against it).
    pub public_url: &'a str,
}

/// Replays log entry `entry_id` with the application's directory, settings and writer's `Env`.
pub async fn replay_entry(state: &AppState, entry_id: i64) -> Result<Replay, ServiceError> {
    let env = Env { thresholds: state.settings.thresholds.clone(), events: state.events.clone(), deliveries: state.deliveries.clone() };
    let ctx = ReplayContext {
        db: &state.db,
        directory: &state.directory,
        writer: &state.writer,
        events: &state.events,
        env: &env,
        public_url: &state.settings.public_url,
    };
    replay(&ctx, entry_id).await
}

/// Replays log entry `entry_id`.
pub async fn replay(ctx: &ReplayContext<'_>, entry_id: i64) -> Result<Replay, ServiceError> {
    let entry = log::get(&mut *ctx.db.pool().acquire().await?, entry_id).await?.ok_or(ServiceError::NotFound("postback log entry"))?;
    // The scheme was checked when the call came; a replay judges everything after it.
    let client = ClientAddr { ip: entry.source_ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), https: true };
    let replayed = match entry.source.as_str() {
        cpa::SOURCE => {
            let source = cpa::receive::CpaContext {
                db: ctx.db,
                directory: ctx.directory,
                writer: ctx.writer,
                events: ctx.events,
                require_https: false,
            };
            cpa::receive::replay(&source, ctx.env, &entry, client).await
        }
        reward::SOURCE => {
            let source = reward::receive::RewardContext { db: ctx.db, directory: ctx.directory, writer: ctx.writer, require_https: false };
            reward::receive::replay(&source, ctx.env, &entry, client).await
        }
        conversions_api::SOURCE => {
            let source =
                conversions_api::receive::ApiContext { db: ctx.db, directory: ctx.directory, writer: ctx.writer, require_https: false };
            conversions_api::receive::replay(&source, ctx.env, &entry, client).await
        }
        provider::SOURCE => {
            let source = provider::receive::ProviderContext {
                db: ctx.db,
                directory: ctx.directory,
                writer: ctx.writer,
                events: ctx.events,
                require_https: false,
                public_url: ctx.public_url,
            };
            provider::receive::replay(&source, ctx.env, &entry, client).await
        }
        other => Ok(Replay::nothing(entry.outcome.clone(), format!("calls of source {other} are not replayed"))),
    };
    replayed.map_err(|err| ServiceError::Internal(anyhow::anyhow!("replay of log entry {entry_id} failed: {err}")))
}

/// The verdict for a call its source refuses before any write.
pub fn refused(answer: &impl ContractAnswer) -> Replay {
    Replay::nothing(answer.outcome(), answer.message())
}

/// The verdict for a call accepted from a sandbox sender.
pub fn sandbox() -> Replay {
    Replay::nothing("sandbox", "sandbox: checked and answered, nothing credited or relayed")
}

/// True when the entry kept what the call sent (a call refused before its sender was known is
/// logged without it).
pub fn has_params(entry: &PostbackLogEntry) -> bool {
    entry.params.as_object().is_some_and(|params| !params.is_empty())
}

/// The verdict for a call that cannot be re-run: the logged outcome again.
pub fn unreplayable(entry: &PostbackLogEntry) -> Replay {
    Replay::nothing(
        entry.outcome.clone(),
        format!("{} (refused before its sender was known, so it was logged without what it sent and cannot be re-run)", entry.reason),
    )
}

/// True when the call came from a sandbox sender (a network's sandbox key).
pub fn was_sandbox(entry: &PostbackLogEntry) -> bool {
    entry.details.as_ref().and_then(|d| d.get("sandbox")).and_then(|s| s.as_bool()) == Some(true)
}

/// The logged parameters as `(name, value)` pairs (text values as they were, others as JSON).
pub fn logged_pairs(entry: &PostbackLogEntry) -> Vec<(String, String)> {
    let Some(params) = entry.params.as_object() else { return Vec::new() };
    params.iter().map(|(name, value)| (name.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned))).collect()
}

/// A fresh log entry for the replayed call, as its source's receive starts it for an accepted
/// call (the dry run's log row tells the outcome; it is never kept).
pub fn accepted_log(entry: &PostbackLogEntry, source: &'static str) -> NewLogEntry {
    let mut log = NewLogEntry::new(source, entry.source_ip.clone());
    (log.outcome, log.http_status) = ("ok", 200);
    log
}

/// Runs source `S`'s write of `item` in a transaction that is rolled back, and reads what it
/// would have logged (outcome, reason) and credited (the net ledger movement of each account).
pub async fn dry_run<S: Source>(db: &Db, env: &Env, item: S::Item) -> Result<Replay, StoreError> {
    let mut conn = db.pool().acquire().await?;
    let mut tx = conn.begin().await?;
    let found = write_and_read::<S>(&mut tx, db.backend(), env, item).await;
    tx.rollback().await?;
    found
}

async fn write_and_read<S: Source>(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    env: &Env,
    item: S::Item,
) -> Result<Replay, StoreError> {
    // Only this transaction's own rows may be read back: on SQLite it takes the write lock at
    // once (no other writer commits until it rolls back); on PostgreSQL it reads one snapshot.
    let first = match backend {
        Backend::Sqlite => "UPDATE postback_log SET id = id WHERE id < 0",
        Backend::Postgres => "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
    };
    sqlx::query(first).execute(&mut **tx).await?;
    let (log_before,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM postback_log").fetch_one(&mut **tx).await?;
    let (ledger_before,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM ledger_entries").fetch_one(&mut **tx).await?;
    S::write(&mut AnyTx::new(tx, backend), env, std::slice::from_ref(&item)).await?;
    let logged: Option<(String, String)> = sqlx::query_as("SELECT outcome, reason FROM postback_log WHERE id > $1 ORDER BY id LIMIT 1")
        .bind(log_before)
        .fetch_optional(&mut **tx)
        .await?;
    let moved: Vec<(String, i64)> =
        sqlx::query_as("SELECT account, CAST(SUM(delta) AS BIGINT) FROM ledger_entries WHERE id > $1 GROUP BY account ORDER BY account")
            .bind(ledger_before)
            .fetch_all(&mut **tx)
            .await?;
    let (outcome, reason) = logged.ok_or(StoreError::Decode("the dry run wrote no log entry"))?;
    let would_credit = moved.into_iter().find(|(_, amount)| *amount != 0).map(|(account, amount)| WouldCredit { account, amount });
    Ok(Replay { outcome, reason, would_credit })
}
