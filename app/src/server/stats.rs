//! Headline figures for the admin overview: today's conversions and payouts, what waits for
//! review, failed deliveries, and a per-day series. Days are UTC days; timestamps are unix ms,
//! so a day is `created_at / 86400000` — integer division that SQLite and PostgreSQL agree on.

use super::db::Db;
use super::error::ServiceError;
use crate::domain::stats::{self, Overview, DAY_MS};

/// The figures as of `now_ms`, with a series of `days` days ending today.
pub async fn overview(db: &Db, now_ms: i64, days: i64) -> Result<Overview, ServiceError> {
    let days = days.clamp(1, 366);
    let today = now_ms.div_euclid(DAY_MS);
    let first = today - (days - 1);
    let mut conn = db.pool().acquire().await?;
    // Payouts count what is credited to a publisher; reward coins and uncredited ones are not money paid.
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT created_at / 86400000 AS day, COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN state = 'credited' AND publisher_id IS NOT NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT) \
         FROM conversions WHERE created_at >= $1 AND created_at < $2 GROUP BY created_at / 86400000",
    )
    .bind(first * DAY_MS)
    .bind((today + 1) * DAY_MS)
    .fetch_all(&mut *conn)
    .await?;
    let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM conversions WHERE state = 'held'").fetch_one(&mut *conn).await?;
    let (delivery_failures,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE state = 'failed'").fetch_one(&mut *conn).await?;
    Ok(stats::overview(stats::fill_days(first, today, &rows), held, delivery_failures))
}
