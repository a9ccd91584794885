//! The append-only ledger. Every movement is an entry; `balances` is a cache of the sums,
//! updated in the same transaction, and `verify` proves the two agree.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::AnyConnection;

use super::clock::now_ms;

/// The ledger account of a publisher (integer cents).
pub fn publisher_account(publisher_id: &str) -> String {
    format!("publisher:{publisher_id}")
}

/// Posts `delta` to `account` once per `source_ref`. Returns false when that reference was
/// already posted (the unique constraint makes a second posting impossible, even concurrently).
pub async fn post(conn: &mut AnyConnection, account: &str, delta: i64, reason: &str, source_ref: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO ledger_entries (account, delta, reason, source_ref, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (source_ref) DO NOTHING",
    )
    .bind(account)
    .bind(delta)
    .bind(reason)
    .bind(source_ref)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO balances (account, balance, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at",
    )
    .bind(account)
    .bind(delta)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(true)
}

/// The cached balance of `account` (0 when it has no entries).
pub async fn balance(conn: &mut AnyConnection, account: &str) -> Result<i64, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT balance FROM balances WHERE account = $1").bind(account).fetch_optional(conn).await?;
    Ok(row.map(|r| r.0).unwrap_or(0))
}

/// An account whose cached balance differs from the sum of its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub account: String,
    pub cached: i64,
    pub computed: i64,
}

/// Recomputes every balance from the entries and lists the accounts that disagree.
pub async fn verify(conn: &mut AnyConnection) -> Result<(usize, Vec<Mismatch>), sqlx::Error> {
    let sums: Vec<(String, i64)> =
        sqlx::query_as("SELECT account, CAST(SUM(delta) AS BIGINT) FROM ledger_entries GROUP BY account").fetch_all(&mut *conn).await?;
    let cached: Vec<(String, i64)> = sqlx::query_as("SELECT account, balance FROM balances").fetch_all(conn).await?;
    let mut accounts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (account, sum) in sums {
        accounts.entry(account).or_default().1 = sum;
    }
    for (account, balance) in cached {
        accounts.entry(account).or_default().0 = balance;
    }
    let checked = accounts.len();
    let mismatches = accounts
        .into_iter()
        .filter(|(_, (cached, computed))| cached != computed)
        .map(|(account, (cached, computed))| Mismatch { account, cached, computed })
        .collect();
    Ok((checked, mismatches))
}
