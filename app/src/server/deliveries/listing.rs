//! Reading the delivery log: deliveries with their latest state, and every attempt of one.

use sqlx::AnyConnection;

use crate::domain::delivery::DeliveryState;
pub use crate::domain::delivery_log::{Attempt, Delivery, DeliveryDetails};
use crate::server::db::Db;
use crate::server::error::ServiceError;

const COLUMNS: &str = "id, publisher_id, conversion_id, event, state AS status, attempts, retries_left, next_attempt_at, last_url, \
     last_status, last_error, created_at, updated_at, finished_at";

/// Filters for the listing; empty means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub publisher_id: Option<String>,
    pub conversion_id: Option<String>,
    pub state: Option<DeliveryState>,
    pub limit: i64,
}

/// Deliveries matching `filter`, newest first.
pub async fn list(db: &Db, filter: &Filter) -> Result<Vec<Delivery>, ServiceError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries WHERE ($1 = '' OR publisher_id = $1) AND ($2 = '' OR state = $2) \
         AND ($3 = '' OR conversion_id = $3) ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(filter.publisher_id.as_deref().unwrap_or(""))
    .bind(filter.state.map(DeliveryState::as_str).unwrap_or(""))
    .bind(filter.conversion_id.as_deref().unwrap_or(""))
    .bind(filter.limit.clamp(1, 1000))
    .fetch_all(db.pool())
    .await?)
}

/// One delivery with every attempt.
pub async fn get(db: &Db, id: &str) -> Result<DeliveryDetails, ServiceError> {
    let delivery: Delivery = sqlx::query_as(&format!("SELECT {COLUMNS} FROM deliveries WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("delivery"))?;
    let attempt_log = sqlx::query_as(
        "SELECT attempted_at, url, status_code, latency_ms, body, error, outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(DeliveryDetails { delivery, attempt_log })
}

/// How many deliveries are due at `now` (waiting to be sent) and how many failed for good.
pub async fn queue_depths(conn: &mut AnyConnection, now: i64) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN state = 'pending' AND next_attempt_at <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM deliveries WHERE state IN ('pending', 'failed')",
    )
    .bind(now)
    .fetch_one(conn)
    .await
}
