//! The append-only ledger as it is read: balances, and `verify`, which proves the cached
//! balances equal the sums of the entries. Entries are posted by the ingest writer
//! (`ingest::credit`), in the transaction that decides them.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::AnyConnection;

/// The ledger account of a publisher (integer cents).
pub fn publisher_account(publisher_id: &str) -> String {
    format!("publisher:{publisher_id}")
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
