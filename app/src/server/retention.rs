//! Retention: rows that only record what happened on the doors — postback log entries, offerwall
//! clicks that never converted, and delivery attempts — are deleted once older than
//! `TAPRAIN_RETENTION_DAYS`. Conversions, ledger entries and the audit log are never pruned.
//!
//! Deletion runs in the background in small batches with a pause between them, so the
//! postback writer (which shares SQLite's single write lock) is never held up for long.

use std::time::Duration;

use super::clock::now_ms;
use super::db::Db;

/// Rows deleted per statement.
pub const BATCH: i64 = 500;
/// Pause between batches, letting other writers in.
const PAUSE: Duration = Duration::from_millis(50);
/// How often the pruner wakes.
const EVERY: Duration = Duration::from_secs(3600);
/// Delay before the first run, so a start-up is not slowed by it.
const FIRST_RUN: Duration = Duration::from_secs(60);

/// One prunable table: a batch delete taking the cutoff (`$1`, unix ms) and batch size (`$2`).
struct Prunable {
    name: &'static str,
    delete_batch: &'static str,
}

const PRUNABLE: [Prunable; 3] = [
    Prunable {
        name: "postback_log",
        delete_batch:
            "DELETE FROM postback_log WHERE id IN (SELECT id FROM postback_log WHERE received_at < $1 ORDER BY received_at LIMIT $2)",
    },
    Prunable {
        name: "clicks",
        delete_batch: "DELETE FROM clicks WHERE id IN (SELECT c.id FROM clicks c WHERE c.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM conversions v WHERE v.click_id = c.id) ORDER BY c.created_at LIMIT $2)",
    },
    Prunable {
        name: "delivery_attempts",
        delete_batch: "DELETE FROM delivery_attempts WHERE id IN \
             (SELECT id FROM delivery_attempts WHERE attempted_at < $1 ORDER BY attempted_at LIMIT $2)",
    },
];

/// How many rows one run deleted, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    pub postback_log: u64,
    pub clicks: u64,
    pub delivery_attempts: u64,
}

/// The cutoff (unix ms) for keeping `days` days at `now`.
pub fn cutoff(now_ms: i64, days: u32) -> i64 {
    now_ms - i64::from(days) * 86_400_000
}

/// Deletes every prunable row older than `cutoff`, `batch` rows per statement.
pub async fn prune(db: &Db, cutoff: i64, batch: i64) -> Result<Pruned, sqlx::Error> {
    let mut pruned = Pruned::default();
    for table in &PRUNABLE {
        let mut total = 0;
        loop {
            let done = sqlx::query(table.delete_batch).bind(cutoff).bind(batch.max(1)).execute(db.pool()).await?.rows_affected();
            total += done;
            if done < batch.max(1) as u64 {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
        match table.name {
            "postback_log" => pruned.postback_log = total,
            "clicks" => pruned.clicks = total,
            _ => pruned.delivery_attempts = total,
        }
    }
    Ok(pruned)
}

/// Prunes in the background every hour, keeping `days` days; 0 turns retention off.
pub fn spawn(db: Db, days: u32) {
    if days == 0 {
        tracing::info!("retention is off: nothing is pruned");
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(FIRST_RUN).await;
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            match prune(&db, cutoff(now_ms(), days), BATCH).await {
                Ok(p) => tracing::info!(
                    days,
                    postback_log = p.postback_log,
                    clicks = p.clicks,
                    delivery_attempts = p.delivery_attempts,
                    "retention: pruned old rows"
                ),
                Err(err) => tracing::warn!(error = %err, "retention: pruning failed; trying again next hour"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_are_whole_days_back() {
        assert_eq!(cutoff(100 * 86_400_000, 90), 10 * 86_400_000);
    }

    #[test]
    fn only_log_tables_are_prunable() {
        let names: Vec<_> = PRUNABLE.iter().map(|t| t.name).collect();
        assert_eq!(names, ["postback_log", "clicks", "delivery_attempts"]);
        for table in &PRUNABLE {
            for kept in ["conversions", "ledger_entries", "audit_log", "balances"] {
                assert!(!table.delete_batch.contains(&format!("DELETE FROM {kept}")), "{} deletes from {kept}", table.name);
            }
        }
    }
}
