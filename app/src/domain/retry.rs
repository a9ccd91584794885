//! When a failed outbound postback is tried again. The seeds' schedule is the default: a fixed
//! interval (6 hours) between retries. A publisher may choose exponential backoff instead: the
//! interval doubles with each retry, with up to a fifth taken off at random so many deliveries
//! failing together do not all come back at the same moment. Either way a receiver's
//! `Retry-After` is honoured when it asks for a longer wait.

use serde::{Deserialize, Serialize};

/// The shape of a publisher's retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum RetryBackoff {
    /// Every retry `retry_interval_seconds` after the last (seeds 002 and 004).
    #[default]
    Fixed,
    /// `retry_interval_seconds`, then twice that, four times…, with jitter.
    Exponential,
}

impl RetryBackoff {
    pub fn as_str(self) -> &'static str {
        match self {
            RetryBackoff::Fixed => "fixed",
            RetryBackoff::Exponential => "exponential",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "fixed" => Some(RetryBackoff::Fixed),
            "exponential" => Some(RetryBackoff::Exponential),
            _ => None,
        }
    }
}

/// The longest wait between two attempts, whatever the schedule or the receiver asks: a week.
pub const MAX_RETRY_DELAY_SECONDS: i64 = 7 * 24 * 3600;

/// Seconds to wait before the next attempt.
///
/// `failures` counts the failed attempts so far (1 after the first); `jitter` is a random
/// number in `[0, 1)`; `retry_after` is what the receiver asked for, in seconds.
pub fn retry_delay_seconds(backoff: RetryBackoff, interval_seconds: i64, failures: u32, jitter: f64, retry_after: Option<i64>) -> i64 {
    let interval = interval_seconds.max(1);
    let scheduled = match backoff {
        RetryBackoff::Fixed => interval,
        RetryBackoff::Exponential => {
            let doubled = interval.saturating_mul(1_i64 << failures.saturating_sub(1).min(30));
            let capped = doubled.min(MAX_RETRY_DELAY_SECONDS);
            let cut = (capped as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as i64;
            (capped - cut).max(1)
        }
    };
    scheduled.max(retry_after.unwrap_or(0)).min(MAX_RETRY_DELAY_SECONDS)
}

/// The waits before each of `retries` retries, without jitter: what a settings screen shows.
pub fn schedule(backoff: RetryBackoff, interval_seconds: i64, retries: i64) -> Vec<i64> {
    (1..=retries.clamp(0, 50) as u32).map(|failures| retry_delay_seconds(backoff, interval_seconds, failures, 0.0, None)).collect()
}

/// A wait in words a person reads at a glance: `45 s`, `30 min`, `6 h`, `1 d 12 h`.
pub fn describe_wait(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 if s % 60 == 0 => format!("{} min", s / 60),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        3600..86_400 if s % 3600 == 0 => format!("{} h", s / 3600),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ if s % 86_400 == 0 => format!("{} d", s / 86_400),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// Failed attempts so far, this one included, of a delivery allowed `max_retries` that has
/// `retries_left` before this failure is counted (a resend starts the count again).
pub fn failures_so_far(max_retries: i64, retries_left: i64) -> u32 {
    (max_retries.saturating_sub(retries_left).saturating_add(1)).clamp(1, i64::from(u32::MAX)) as u32
}

/// Reads a `Retry-After` value — delay seconds or an HTTP date — as seconds from `now_ms`.
/// Dates in the past mean "now"; anything unreadable is ignored.
pub fn parse_retry_after(raw: &str, now_ms: i64) -> Option<i64> {
    let raw = raw.trim();
    if let Ok(seconds) = raw.parse::<i64>() {
        return (seconds >= 0).then_some(seconds.min(MAX_RETRY_DELAY_SECONDS));
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?.timestamp_millis();
    Some(((at - now_ms).max(0) / 1000).min(MAX_RETRY_DELAY_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_seeds_fixed_schedule() {
        assert_eq!(RetryBackoff::default(), RetryBackoff::Fixed);
        for failures in 1..=5 {
            assert_eq!(retry_delay_seconds(RetryBackoff::Fixed, 21_600, failures, 0.7, None), 21_600);
        }
    }

    #[test]
    fn exponential_doubles_with_bounded_jitter() {
        let delays: Vec<i64> = (1..=5).map(|n| retry_delay_seconds(RetryBackoff::Exponential, 60, n, 0.0, None)).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960]);
        let jittered = retry_delay_seconds(RetryBackoff::Exponential, 60, 3, 0.999, None);
        assert!((192..240).contains(&jittered), "{jittered}");
        assert_eq!(retry_delay_seconds(RetryBackoff::Exponential, 21_600, 40, 0.0, None), MAX_RETRY_DELAY_SECONDS);
    }

    #[test]
    fn the_exponential_schedule_of_a_whole_delivery() {
        // Five retries, one minute first: each failure counts from the allowance left.
        let delays: Vec<i64> =
            (0..5).map(|used| retry_delay_seconds(RetryBackoff::Exponential, 60, failures_so_far(5, 5 - used), 0.0, None)).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960]);
        assert_eq!(failures_so_far(5, 5), 1, "the first failure");
        assert_eq!(failures_so_far(2, 5), 1, "the allowance shrank after the delivery was queued");
        // Jitter only ever shortens, by at most a fifth, and never below a second.
        for jitter in [0.0, 0.25, 0.5, 0.999_999] {
            let d = retry_delay_seconds(RetryBackoff::Exponential, 600, 2, jitter, None);
            assert!((960..=1200).contains(&d), "{jitter}: {d}");
            assert!(retry_delay_seconds(RetryBackoff::Exponential, 1, 1, jitter, None) >= 1);
        }
    }

    #[test]
    fn retry_after_can_only_lengthen_the_wait() {
        assert_eq!(retry_delay_seconds(RetryBackoff::Fixed, 60, 1, 0.0, Some(600)), 600);
        assert_eq!(retry_delay_seconds(RetryBackoff::Fixed, 600, 1, 0.0, Some(5)), 600);
        assert_eq!(retry_delay_seconds(RetryBackoff::Fixed, 60, 1, 0.0, Some(i64::MAX)), MAX_RETRY_DELAY_SECONDS);
    }

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(parse_retry_after("120", 0), Some(120));
        assert_eq!(parse_retry_after(" 0 ", 0), Some(0));
        assert_eq!(parse_retry_after("-5", 0), None);
        assert_eq!(parse_retry_after("soon", 0), None);
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT").expect("date").timestamp_millis();
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now), Some(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(0));
    }

    #[test]
    fn the_schedule_as_a_screen_shows_it() {
        assert_eq!(schedule(RetryBackoff::Fixed, 21_600, 5), [21_600; 5]);
        assert_eq!(schedule(RetryBackoff::Exponential, 60, 4), [60, 120, 240, 480]);
        assert!(schedule(RetryBackoff::Exponential, 60, 0).is_empty());
        let words: Vec<String> = [45, 60, 90, 3600, 5400, 86_400, 129_600].into_iter().map(describe_wait).collect();
        assert_eq!(words, ["45 s", "1 min", "1 min 30 s", "1 h", "1 h 30 min", "1 d", "1 d 12 h"]);
    }

    #[test]
    fn backoff_names() {
        for b in [RetryBackoff::Fixed, RetryBackoff::Exponential] {
            assert_eq!(RetryBackoff::parse(b.as_str()), Some(b));
        }
        assert_eq!(RetryBackoff::parse("linear"), None);
    }
}
