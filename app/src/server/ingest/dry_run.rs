//! The pieces every source's replay step is made of (see [`super::replay`]): the verdicts for
//! calls refused or sandboxed, what the log kept of a call, and [`write`], which runs a source's
//! own write in a transaction that is always rolled back and reads back what it would have
//! logged and credited.

use sqlx::{Any, Connection, Transaction};

use super::answer::ContractAnswer;
use super::log::NewLogEntry;
use super::store::any::AnyTx;
use super::store::StoreError;
use super::writer::{Env, Source};
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::replay::{Replay, WouldCredit};
use crate::server::db::{Backend, Db};

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
pub async fn write<S: Source>(db: &Db, env: &Env, item: S::Item) -> Result<Replay, StoreError> {
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
