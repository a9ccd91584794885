//! Headline figures for the admin overview: today's conversions and payouts, what waits for
//! review, failed deliveries, and a per-day series — days as the reader's time zone cuts them.
//! Conversions are counted per quarter hour in SQL (every zone's offset is a whole number of
//! quarter hours), and each quarter is given to its local day here, with the zone's offsets.

use chrono::Duration;
use chrono_tz::Tz;

use super::db::Db;
use super::deliveries::listing;
use super::error::ServiceError;
use crate::domain::report::{day_number, zone, DateRange};
use crate::domain::stats::{self, Overview};

const QUARTER_MS: i64 = 900_000;

/// The figures as of `now_ms`, with a series of `days` days ending today in `tz`.
pub async fn overview(db: &Db, now_ms: i64, days: i64, tz: Tz) -> Result<Overview, ServiceError> {
    let days = days.clamp(1, 366);
    let today = zone::today(tz, now_ms);
    let range = DateRange { from: today - Duration::days(days - 1), to: today };
    let (start, end) = zone::bounds(tz, range);
    let spans = zone::spans(tz, start, end);
    let mut conn = db.pool().acquire().await?;
    // Payouts count what is credited to a publisher; reward coins and uncredited ones are not money paid.
    let quarters: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT created_at / 900000 AS quarter, COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN state = 'credited' AND publisher_id IS NOT NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT) \
         FROM conversions WHERE created_at >= $1 AND created_at < $2 GROUP BY created_at / 900000",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<(i64, i64, i64)> =
        quarters.into_iter().map(|(quarter, n, cents)| (zone::local_day(quarter * QUARTER_MS, &spans), n, cents)).collect();
    let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM conversions WHERE state = 'held'").fetch_one(&mut *conn).await?;
    let (_, delivery_failures) = listing::queue_depths(&mut conn, now_ms).await?;
    Ok(stats::overview(stats::fill_days(day_number(range.from), day_number(today), &rows), held, delivery_failures))
}
