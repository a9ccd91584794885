//! Timestamps (unix ms) as people read them: in UTC, or in the reader's IANA time zone. The zone
//! arithmetic (tz database) runs on the server and in the browser alike, so the server's page and
//! the browser's hydrated one print the same text.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

fn at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

/// `2025-03-05 14:03:22`.
pub fn date_time(ms: i64) -> String {
    at(ms).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| "—".into())
}

/// An IANA zone name (`Europe/Berlin`, `UTC`), if the tz database knows it.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// `2025-03-05 15:03:22` in `zone`.
pub fn date_time_in(ms: i64, zone: Tz) -> String {
    at(ms).map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| "—".into())
}

/// `Mar 5` in `zone`.
pub fn short_day_in(ms: i64, zone: Tz) -> String {
    at(ms).map(|t| t.with_timezone(&zone).format("%b %-d").to_string()).unwrap_or_else(|| "—".into())
}

/// `Mar 5`.
pub fn short_day(ms: i64) -> String {
    at(ms).map(|t| t.format("%b %-d").to_string()).unwrap_or_else(|| "—".into())
}

/// A span of time in the largest unit that fits, rounded down: `42 s`, `5 min`, `3 h`, `2 d`.
pub fn span_words(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3_600 => format!("{} min", seconds / 60),
        3_600..86_400 => format!("{} h", seconds / 3_600),
        _ => format!("{} d", seconds / 86_400),
    }
}

/// How long ago `then` was at `now` (unix ms): `just now`, `5 min ago`.
pub fn ago(then: i64, now: i64) -> String {
    if now - then < 1_000 {
        "just now".into()
    } else {
        format!("{} ago", span_words(now - then))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_in_their_largest_unit() {
        assert_eq!(span_words(42_000), "42 s");
        assert_eq!(span_words(5 * 60_000 + 59_000), "5 min");
        assert_eq!(span_words(3 * 3_600_000), "3 h");
        assert_eq!(span_words(50 * 3_600_000), "2 d");
        assert_eq!(span_words(-5), "0 s");
        assert_eq!(ago(1_000, 1_500), "just now");
        assert_eq!(ago(0, 300_000), "5 min ago");
    }

    #[test]
    fn formats_in_utc() {
        assert_eq!(date_time(0), "1970-01-01 00:00:00");
        assert_eq!(date_time(1_741_183_402_000), "2025-03-05 14:03:22");
        assert_eq!(short_day(1_741_183_402_000), "Mar 5");
        assert_eq!(date_time(i64::MAX), "—");
    }

    #[test]
    fn formats_in_the_readers_zone_with_daylight_saving() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        assert_eq!(date_time_in(1_741_183_402_000, berlin), "2025-03-05 15:03:22", "CET in March");
        assert_eq!(date_time_in(1_751_724_202_000, berlin), "2025-07-05 16:03:22", "CEST in July");
        let tokyo = parse_zone(" Asia/Tokyo ").expect("zone");
        assert_eq!(short_day_in(1_741_183_402_000 + 10 * 3_600_000, tokyo), "Mar 6");
        assert_eq!(parse_zone("Mars/Olympus"), None);
        assert_eq!(date_time_in(0, parse_zone("UTC").expect("utc")), date_time(0));
    }
}
