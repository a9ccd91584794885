//! Sign-in throttling and the cap on concurrent password checks.
//!
//! Attempts are counted per key (the client address, and the email-and-address pair) before the
//! password is checked, so a burst cannot slip past the count while argon2 runs. After
//! `free_failures` failures a key waits, and the wait doubles with every further failure up to
//! `max_wait`: guessing stays slow, but a stranger can only ever delay their own address and
//! pairs — never lock a known email out for everyone.
//!
//! Argon2 needs about 19 MiB and a core for each check, so at most `concurrent` checks run at
//! once; a sign-in that cannot get a slot within a short wait is told to come back later.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// The wait after the first failure past the free ones; it doubles with each further failure.
const FIRST_DELAY: Duration = Duration::from_secs(30);
/// A key with no failure for this long is forgotten.
const MEMORY: Duration = Duration::from_secs(24 * 3600);
/// Most keys remembered; past it, stale keys and then the oldest tenth are dropped.
pub const MAX_TRACKED: usize = 100_000;
/// How long a sign-in waits for a password-check slot before being refused.
const SLOT_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
}

#[derive(Debug)]
pub struct LoginThrottle {
    free_failures: u32,
    max_wait: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
    verifications: Semaphore,
}

/// The throttle keys for a sign-in: the address, and the email-and-address pair.
pub fn keys(email: &str, address: std::net::IpAddr) -> Vec<String> {
    vec![format!("addr:{address}"), format!("pair:{address}|{}", email.trim().to_lowercase())]
}

impl LoginThrottle {
    /// `free_failures` failures per key pass without a wait; waits never exceed `max_wait`;
    /// at most `concurrent` password checks run at once.
    pub fn new(free_failures: u32, max_wait: Duration, concurrent: usize) -> Self {
        Self::with_capacity(free_failures, max_wait, concurrent, MAX_TRACKED)
    }

    fn with_capacity(free_failures: u32, max_wait: Duration, concurrent: usize, capacity: usize) -> Self {
        Self {
            free_failures: free_failures.max(1),
            max_wait: max_wait.max(Duration::from_secs(1)),
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
            verifications: Semaphore::new(concurrent.max(1)),
        }
    }

    /// How long a key with `failures` failures, the last at `last`, must still wait at `now`.
    fn wait(&self, entry: &Entry, now: Instant) -> Duration {
        if entry.failures < self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (entry.failures - self.free_failures).min(20);
        let delay = FIRST_DELAY.saturating_mul(1 << doublings).min(self.max_wait);
        (entry.last + delay).saturating_duration_since(now)
    }

    fn longest_wait(&self, map: &HashMap<String, Entry>, keys: &[String], now: Instant) -> Option<Duration> {
        keys.iter().filter_map(|k| map.get(k)).map(|e| self.wait(e, now)).filter(|d| !d.is_zero()).max()
    }

    /// `Err(retry_after)` when any of `keys` must still wait at `now`; counts nothing.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.longest_wait(&map, keys, now).map_or(Ok(()), Err)
    }

    /// Checks `keys` and, when none must wait, counts one attempt against each — atomically,
    /// so concurrent attempts cannot all pass the check. A success later clears the pair.
    pub fn begin(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(wait) = self.longest_wait(&map, keys, now) {
            return Err(wait);
        }
        for key in keys {
            if !map.contains_key(key) && map.len() >= self.capacity {
                self.make_room(&mut map, now);
            }
            let entry = map.entry(key.clone()).or_insert(Entry { failures: 0, last: now });
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
        }
        Ok(())
    }

    /// Drops forgotten keys, then — if still full — the tenth with the oldest last failure.
    fn make_room(&self, map: &mut HashMap<String, Entry>, now: Instant) {
        map.retain(|_, e| now.saturating_duration_since(e.last) < MEMORY);
        if map.len() < self.capacity {
            return;
        }
        let mut ages: Vec<Instant> = map.values().map(|e| e.last).collect();
        let drop = (self.capacity / 10).max(1);
        ages.select_nth_unstable(drop - 1);
        let cutoff = ages[drop - 1];
        map.retain(|_, e| e.last > cutoff);
    }

    /// A successful sign-in clears its email-and-address pair and takes back the attempt it
    /// counted against the address. The address keeps its other failures, so one valid account
    /// cannot be used to wipe the address's record of guesses at others.
    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if key.starts_with("pair:") {
                map.remove(key);
            } else if let Some(entry) = map.get_mut(key) {
                entry.failures = entry.failures.saturating_sub(1);
                if entry.failures == 0 {
                    map.remove(key);
                }
            }
        }
    }

    /// Keys currently remembered.
    pub fn tracked(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// A slot for one password check, waiting briefly; `None` when the server is busy.
    pub async fn verification_slot(&self) -> Option<SemaphorePermit<'_>> {
        tokio::time::timeout(SLOT_WAIT, self.verifications.acquire()).await.ok()?.ok()
    }

    /// Seconds a caller refused for want of a slot should wait before retrying.
    pub fn busy_retry_after(&self) -> Duration {
        SLOT_WAIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(3, Duration::from_secs(900), 2)
    }

    #[test]
    fn waits_grow_after_the_free_failures_and_are_capped() {
        let throttle = throttle();
        let keys = vec!["addr:1.2.3.4".to_string()];
        let t0 = Instant::now();
        for _ in 0..3 {
            throttle.begin(&keys, t0).expect("free attempt");
        }
        assert_eq!(throttle.check(&keys, t0 + Duration::from_secs(10)), Err(Duration::from_secs(20)));
        // After the wait, one more attempt; its wait doubles.
        let t1 = t0 + Duration::from_secs(30);
        throttle.begin(&keys, t1).expect("after the wait");
        assert_eq!(throttle.check(&keys, t1), Err(Duration::from_secs(60)));
        let mut t = t1;
        for _ in 0..10 {
            t += Duration::from_secs(900);
            throttle.begin(&keys, t).expect("after the longest wait");
        }
        assert_eq!(throttle.check(&keys, t), Err(Duration::from_secs(900)), "never beyond max_wait");
    }

    #[test]
    fn attempts_count_before_the_password_is_checked() {
        let throttle = throttle();
        let keys = vec!["pair:1.2.3.4|a@b.co".to_string()];
        let now = Instant::now();
        let passed = (0..10).filter(|_| throttle.begin(&keys, now).is_ok()).count();
        assert_eq!(passed, 3, "a burst gets only the free attempts");
    }

    #[test]
    fn one_address_never_locks_another() {
        let throttle = throttle();
        let now = Instant::now();
        let attacker = keys("admin@x.co", "203.0.113.1".parse().expect("ip"));
        for _ in 0..3 {
            throttle.begin(&attacker, now).expect("free");
        }
        assert!(throttle.check(&attacker, now).is_err());
        let admin = keys("admin@x.co", "198.51.100.7".parse().expect("ip"));
        assert!(throttle.check(&admin, now).is_ok());
    }

    #[test]
    fn success_resets() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60), 1);
        let now = Instant::now();
        let guess = keys("victim@b.co", "192.0.2.1".parse().expect("ip"));
        let mine = keys("me@b.co", "192.0.2.1".parse().expect("ip"));
        throttle.begin(&guess, now).expect("a guess");
        throttle.begin(&mine, now).expect("my own sign-in");
        assert!(throttle.check(&mine, now).is_err(), "two attempts from the address");
        throttle.succeeded(&mine);
        assert!(throttle.check(&mine[1..], now).is_ok(), "the pair is cleared");
        assert!(throttle.check(&mine[..1], now).is_ok(), "the successful attempt is taken back");
        throttle.begin(&mine, now).expect("signing in again");
        assert!(throttle.check(&mine[..1], now).is_err(), "but the guess still counts");
        // Many successful sign-ins never throttle an address.
        throttle.succeeded(&mine);
        for _ in 0..20 {
            throttle.begin(&mine, now).expect("a good sign-in");
            throttle.succeeded(&mine);
        }
    }

    #[test]
    fn the_tracker_is_capped() {
        let throttle = LoginThrottle::with_capacity(5, Duration::from_secs(60), 1, 1_000);
        let start = Instant::now();
        for i in 0..10_000u64 {
            throttle.begin(&[format!("pair:{i}")], start + Duration::from_millis(i)).expect("fresh key");
            assert!(throttle.tracked() <= 1_000);
        }
        // The newest keys survive.
        assert_eq!(throttle.entries.lock().expect("lock").get("pair:9999").map(|e| e.failures), Some(1));
    }

    #[tokio::test]
    async fn password_checks_are_bounded() {
        let throttle = throttle();
        let first = throttle.verification_slot().await.expect("slot");
        let second = throttle.verification_slot().await.expect("slot");
        assert!(throttle.verification_slot().await.is_none(), "a third waits, then is refused");
        drop(first);
        assert!(throttle.verification_slot().await.is_some());
        drop(second);
    }
}
