//! Audit log entries as admins read them, and the day range a listing is filtered by.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One change: who (`user:<id>`, `token:<id>` or `cli`, with the person's email when known), what
/// (`offer.create`, `store_app.deactivate`, …), on what (the target's id), and when (unix ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// The email of the user behind `actor` (directly or through their admin token).
    pub actor_email: Option<String>,
    pub action: String,
    pub target: String,
    /// What changed; never secrets.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// `YYYY-MM-DD` (UTC) → unix ms at the start of that day.
pub fn day_start_ms(raw: &str) -> Result<i64, String> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| format!("{raw:?} is not a date (YYYY-MM-DD)"))?;
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).ok_or_else(|| format!("{raw:?} is not a date (YYYY-MM-DD)"))
}

/// A time range in unix ms, `[start, end)`; `None` leaves that side open.
pub type MsRange = (Option<i64>, Option<i64>);

/// `from` and `to` days (inclusive, UTC; either may be empty) → `[start, end)` in unix ms, or
/// the wrong field (`from` or `to`) with what is wrong.
pub fn day_range(from: &str, to: &str) -> Result<MsRange, (&'static str, String)> {
    let start = Some(from.trim()).filter(|f| !f.is_empty()).map(day_start_ms).transpose().map_err(|e| ("from", e))?;
    let end =
        Some(to.trim()).filter(|t| !t.is_empty()).map(|t| day_start_ms(t).map(|ms| ms + 86_400_000)).transpose().map_err(|e| ("to", e))?;
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            return Err(("to", "must not be before the first day".into()));
        }
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_and_inclusive() {
        assert_eq!(day_start_ms("1970-01-02"), Ok(86_400_000));
        assert_eq!(day_range("2025-03-05", "2025-03-05"), Ok((Some(1_741_132_800_000), Some(1_741_219_200_000))));
        assert_eq!(day_range("", ""), Ok((None, None)));
        assert_eq!(day_range("", "1970-01-01"), Ok((None, Some(86_400_000))));
        assert_eq!(day_range("2025-13-01", "").map_err(|e| e.0), Err("from"));
        assert_eq!(day_range("2025-03-05", "2025-03-04").map_err(|e| e.0), Err("to"));
        assert!(day_start_ms("05/03/2025").is_err());
    }
}
