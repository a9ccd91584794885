//! The delivery log as people read it (admin API, dashboard, portal): outbound postbacks, their
//! attempts, and the answer to a test postback. Shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// One outbound postback and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Delivery {
    pub id: String,
    pub publisher_id: String,
    pub conversion_id: String,
    /// `credit` (status 1) or `reversal` (status 2).
    pub event: String,
    /// `pending`, `sending`, `delivered`, `duplicate` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub retries_left: i64,
    /// When the next attempt is due (ms since the epoch), while pending.
    pub next_attempt_at: i64,
    pub last_url: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// One try at delivering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Attempt {
    pub attempted_at: i64,
    pub url: String,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// The first 1 KiB of the answer.
    pub body: String,
    pub error: Option<String>,
    /// `delivered`, `duplicate` or `failed`.
    pub outcome: String,
}

/// A delivery with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryDetails {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempt_log: Vec<Attempt>,
}

/// The outcome of a test postback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TestPostback {
    pub method: String,
    /// The exact URL requested, signature included.
    pub url: String,
    /// `[name, value]` pairs, in the order sent.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<String>>))]
    pub headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status_code: Option<u16>,
    /// The first 1 KiB of the answer.
    pub body: String,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// `delivered`, `duplicate` or `failed`, judged as a real delivery would be.
    pub outcome: String,
    /// True when the answer would count as delivered (or already received).
    pub delivered: bool,
}
