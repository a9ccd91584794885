//! Sign-in throttling: after too many failures from one address or for one email, sign-in is
//! refused (429 with `Retry-After`) until the window passes. Never a permanent lockout.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures: max_failures.max(1), window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after)` when any of `keys` is locked out at `now`.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| map.get(k))
            .filter(|(count, _)| *count >= self.max_failures)
            .filter_map(|(_, first)| (*first + self.window).checked_duration_since(now))
            .filter(|d| !d.is_zero())
            .max();
        match wait {
            Some(d) => Err(d),
            None => Ok(()),
        }
    }

    /// Counts one failure against every key; a window that has passed starts afresh.
    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, first)| now.duration_since(*first) < self.window);
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, now));
            entry.0 += 1;
        }
    }

    /// A successful sign-in clears the keys' failures.
    pub fn reset(&self, keys: &[String]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_then_releases() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        let keys = vec!["ip:1.2.3.4".to_string(), "email:a@b.co".to_string()];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(throttle.check(&keys, t0).is_ok());
            throttle.record_failure(&keys, t0);
        }
        let wait = throttle.check(&keys, t0 + Duration::from_secs(10)).expect_err("locked");
        assert_eq!(wait, Duration::from_secs(50));
        // Another address for the same email is locked too; an unrelated one is not.
        assert!(throttle.check(&["email:a@b.co".into()], t0).is_err());
        assert!(throttle.check(&["ip:9.9.9.9".into()], t0).is_ok());
        // Time-limited: after the window sign-in is allowed again.
        assert!(throttle.check(&keys, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn success_resets() {
        let throttle = LoginThrottle::new(1, Duration::from_secs(60));
        let keys = vec!["ip:1".to_string()];
        let now = Instant::now();
        throttle.record_failure(&keys, now);
        assert!(throttle.check(&keys, now).is_err());
        throttle.reset(&keys);
        assert!(throttle.check(&keys, now).is_ok());
    }
}
