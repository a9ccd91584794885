//! Timestamps (unix ms) as people read them: always UTC, so the server's page and the browser's
//! hydrated one print the same text.

use chrono::{DateTime, Utc};

fn at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

/// `2025-03-05 14:03:22`.
pub fn date_time(ms: i64) -> String {
    at(ms).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| "—".into())
}

/// `Mar 5`.
pub fn short_day(ms: i64) -> String {
    at(ms).map(|t| t.format("%b %-d").to_string()).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc() {
        assert_eq!(date_time(0), "1970-01-01 00:00:00");
        assert_eq!(date_time(1_741_183_402_000), "2025-03-05 14:03:22");
        assert_eq!(short_day(1_741_183_402_000), "Mar 5");
        assert_eq!(date_time(i64::MAX), "—");
    }
}
