//! Money moves inside the writer's transaction: ledger entries (once per `source_ref`, by its
//! unique constraint), the cached balances beside them, and the outbound postback each credit
//! or reversal queues for its publisher.

use std::collections::BTreeMap;

use super::store::{args, StoreError, Table, Ty, Val, WriteTx};
use crate::domain::catalog::Conversion;
use crate::domain::delivery::DeliveryEvent;
use crate::server::clock::now_ms;
use crate::server::deliveries::queue;
use crate::server::ledger::publisher_account;

/// One ledger entry to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub account: String,
    pub delta: i64,
    pub reason: String,
    pub source_ref: String,
}

const ENTRIES: Table = Table {
    name: "ledger_entries",
    columns: &[("account", Ty::Text), ("delta", Ty::Int), ("reason", Ty::Text), ("source_ref", Ty::Text), ("created_at", Ty::Int)],
};

const BALANCES: Table = Table { name: "balances", columns: &[("account", Ty::Text), ("balance", Ty::Int), ("updated_at", Ty::Int)] };

/// Posts entries whose `source_ref`s are new (the caller knows they are: fresh conversion ids)
/// as a set, and adds their sums to the cached balances.
pub async fn post_new(tx: &mut dyn WriteTx, entries: &[Entry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let rows: Vec<Vec<Val>> = entries
        .iter()
        .map(|e| vec![e.account.as_str().into(), e.delta.into(), e.reason.as_str().into(), e.source_ref.as_str().into(), now.into()])
        .collect();
    tx.insert(&ENTRIES, &rows, "").await?;
    let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
    for e in entries {
        *sums.entry(&e.account).or_default() += e.delta;
    }
    let rows: Vec<Vec<Val>> = sums.into_iter().map(|(account, delta)| vec![account.into(), delta.into(), now.into()]).collect();
    tx.insert(
        &BALANCES,
        &rows,
        "ON CONFLICT (account) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}

/// Posts one entry unless its `source_ref` was posted before; false then.
pub async fn post(tx: &mut dyn WriteTx, entry: &Entry) -> Result<bool, StoreError> {
    let now = now_ms();
    let inserted = tx
        .execute(
            "INSERT INTO ledger_entries (account, delta, reason, source_ref, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source_ref) DO NOTHING",
            args![entry.account.as_str(), entry.delta, entry.reason.as_str(), entry.source_ref.as_str(), now],
        )
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO balances (account, balance, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at",
        args![entry.account.as_str(), entry.delta, now],
    )
    .await?;
    Ok(true)
}

/// The cached balance of `account` (0 when it has no entries).
pub async fn balance(tx: &mut dyn WriteTx, account: &str) -> Result<i64, StoreError> {
    match tx.query_one("SELECT balance FROM balances WHERE account = $1", args![account]).await? {
        Some(row) => row.int(0),
        None => Ok(0),
    }
}

/// The entry crediting a conversion's publisher.
pub fn credit_entry(conversion: &Conversion) -> Option<Entry> {
    let publisher = conversion.publisher_id.as_deref()?;
    Some(Entry {
        account: publisher_account(publisher),
        delta: conversion.amount_cents,
        reason: format!("{} conversion credited", conversion.source),
        source_ref: format!("{}:credit", conversion.id),
    })
}

/// Credits the conversion's amount to its publisher (once) and queues its postback.
pub async fn post_credit(tx: &mut dyn WriteTx, conversion: &Conversion) -> Result<bool, StoreError> {
    let Some(entry) = credit_entry(conversion) else { return Ok(false) };
    let posted = post(tx, &entry).await?;
    if posted {
        queue::enqueue(tx, DeliveryEvent::Credit, &[conversion]).await?;
    }
    Ok(posted)
}

/// Compensates the conversion's credit (once), as a new negative entry on the account the
/// credit went to: a publisher's cents, or a reward user's coins. Returns what was compensated.
pub async fn post_reversal(tx: &mut dyn WriteTx, conversion: &Conversion) -> Result<Option<i64>, StoreError> {
    let credited =
        tx.query_one("SELECT account, delta FROM ledger_entries WHERE source_ref = $1", args![format!("{}:credit", conversion.id)]).await?;
    let Some(row) = credited else { return Ok(None) };
    let (account, amount) = (row.text(0)?, row.int(1)?);
    let entry = Entry {
        account,
        delta: -amount,
        reason: format!("{} conversion reversed", conversion.source),
        source_ref: format!("{}:reversal", conversion.id),
    };
    if !post(tx, &entry).await? {
        return Ok(None);
    }
    queue::enqueue(tx, DeliveryEvent::Reversal, &[conversion]).await?;
    Ok(Some(amount))
}
