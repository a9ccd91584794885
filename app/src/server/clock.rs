//! Wall-clock time as TapRain stores it: unix milliseconds.

/// Milliseconds since the unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
