//! A circuit breaker per target host: after `threshold` consecutive failed deliveries to a host,
//! nothing more is sent there for `cool_down`; then one delivery probes it. A success closes the
//! breaker, a failed probe opens it for another `cool_down`. Deliveries held back by an open
//! breaker are put off, not failed, so a host that is down costs no retries and no slots.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hosts remembered at most; past it, closed hosts with no recent failure are forgotten first.
const MAX_HOSTS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Sending; `failures` in a row so far.
    Closed { failures: u32 },
    /// Not sending until then.
    Open { until: Instant },
    /// One probe is in flight; everything else waits for its answer.
    Probing { since: Instant },
}

/// How many deliveries to a host the worker may claim now (a look that changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admits {
    /// As many as the other limits allow.
    Any,
    /// One: the probe after a cool-down.
    One,
    /// None until the host has cooled down or its probe answered.
    None,
}

/// May a delivery go to the host now?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Send,
    /// Send: this delivery is the probe after a cool-down.
    Probe,
    /// Put it off for this long.
    Wait(Duration),
}

#[derive(Debug)]
pub struct HostBreakers {
    threshold: u32,
    cool_down: Duration,
    hosts: Mutex<HashMap<String, (State, Instant)>>,
}

impl HostBreakers {
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Self { threshold: threshold.max(1), cool_down, hosts: Mutex::new(HashMap::new()) }
    }

    /// Whether a delivery to `host` may be sent at `now`.
    pub fn check(&self, host: &str, now: Instant) -> Verdict {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let Some((state, _)) = hosts.get_mut(host) else {
            return Verdict::Send;
        };
        match *state {
            State::Closed { .. } => Verdict::Send,
            State::Open { until } if now >= until => {
                *state = State::Probing { since: now };
                Verdict::Probe
            }
            State::Open { until } => Verdict::Wait(until - now),
            // A probe that never reported (its task died) is replaced after a cool-down.
            State::Probing { since } if now.duration_since(since) >= self.cool_down => {
                *state = State::Probing { since: now };
                Verdict::Probe
            }
            State::Probing { since } => Verdict::Wait((since + self.cool_down).saturating_duration_since(now).max(Duration::from_secs(1))),
        }
    }

    /// What [`check`](Self::check) would allow at `now`, without taking the probe.
    pub fn admits(&self, host: &str, now: Instant) -> Admits {
        let hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        match hosts.get(host).map(|(state, _)| *state) {
            None | Some(State::Closed { .. }) => Admits::Any,
            Some(State::Open { until }) if now >= until => Admits::One,
            Some(State::Probing { since }) if now.duration_since(since) >= self.cool_down => Admits::One,
            Some(State::Open { .. } | State::Probing { .. }) => Admits::None,
        }
    }

    /// Sends nothing more to `host` for `wait` (its `Retry-After`), then probes it; a wait
    /// already longer is kept.
    pub fn hold(&self, host: &str, wait: Duration, now: Instant) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if !hosts.contains_key(host) && hosts.len() >= MAX_HOSTS {
            return;
        }
        let until = now + wait;
        let (state, touched) = hosts.entry(host.to_owned()).or_insert((State::Closed { failures: 0 }, now));
        *touched = now;
        *state = match *state {
            State::Open { until: later } if later > until => State::Open { until: later },
            _ => State::Open { until },
        };
    }

    /// Records how a delivery to `host` went.
    pub fn record(&self, host: &str, delivered: bool, now: Instant) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if delivered {
            hosts.remove(host);
            return;
        }
        if !hosts.contains_key(host) && hosts.len() >= MAX_HOSTS {
            hosts.retain(|_, (state, touched)| !matches!(state, State::Closed { .. }) || now.duration_since(*touched) < self.cool_down);
            if hosts.len() >= MAX_HOSTS {
                return;
            }
        }
        let (state, touched) = hosts.entry(host.to_owned()).or_insert((State::Closed { failures: 0 }, now));
        *touched = now;
        *state = match *state {
            State::Closed { failures } if failures + 1 >= self.threshold => State::Open { until: now + self.cool_down },
            State::Closed { failures } => State::Closed { failures: failures + 1 },
            // A failed probe (or a failure reported while open) opens it again.
            State::Probing { .. } | State::Open { .. } => State::Open { until: now + self.cool_down },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_then_probes_once() {
        let breakers = HostBreakers::new(3, Duration::from_secs(30));
        let t0 = Instant::now();
        for _ in 0..2 {
            breakers.record("hang.example", false, t0);
            assert_eq!(breakers.check("hang.example", t0), Verdict::Send);
        }
        breakers.record("hang.example", false, t0);
        assert_eq!(breakers.check("hang.example", t0 + Duration::from_secs(10)), Verdict::Wait(Duration::from_secs(20)));
        assert_eq!(breakers.check("other.example", t0), Verdict::Send, "other hosts are not affected");
        let t1 = t0 + Duration::from_secs(30);
        assert_eq!(breakers.check("hang.example", t1), Verdict::Probe);
        assert!(matches!(breakers.check("hang.example", t1), Verdict::Wait(_)), "only one probe at a time");
        breakers.record("hang.example", false, t1);
        assert_eq!(breakers.check("hang.example", t1), Verdict::Wait(Duration::from_secs(30)), "a failed probe reopens it");
        let t2 = t1 + Duration::from_secs(30);
        assert_eq!(breakers.check("hang.example", t2), Verdict::Probe);
        breakers.record("hang.example", true, t2);
        assert_eq!(breakers.check("hang.example", t2), Verdict::Send, "a good probe closes it");
    }

    #[test]
    fn admits_mirrors_check_without_taking_the_probe() {
        let breakers = HostBreakers::new(1, Duration::from_secs(30));
        let t0 = Instant::now();
        assert_eq!(breakers.admits("h", t0), Admits::Any);
        breakers.record("h", false, t0);
        assert_eq!(breakers.admits("h", t0), Admits::None);
        let t1 = t0 + Duration::from_secs(30);
        assert_eq!(breakers.admits("h", t1), Admits::One);
        assert_eq!(breakers.admits("h", t1), Admits::One, "looking takes nothing");
        assert_eq!(breakers.check("h", t1), Verdict::Probe);
        assert_eq!(breakers.admits("h", t1), Admits::None, "the probe is out");
        assert_eq!(breakers.admits("h", t1 + Duration::from_secs(30)), Admits::One, "a lost probe is replaced");
    }

    #[test]
    fn retry_after_holds_the_host_then_probes() {
        let breakers = HostBreakers::new(5, Duration::from_secs(30));
        let t0 = Instant::now();
        breakers.hold("h", Duration::from_secs(120), t0);
        assert_eq!(breakers.check("h", t0 + Duration::from_secs(60)), Verdict::Wait(Duration::from_secs(60)));
        breakers.hold("h", Duration::from_secs(10), t0 + Duration::from_secs(60));
        assert_eq!(breakers.admits("h", t0 + Duration::from_secs(100)), Admits::None, "a shorter hold keeps the longer one");
        assert_eq!(breakers.check("h", t0 + Duration::from_secs(120)), Verdict::Probe);
        breakers.record("h", true, t0 + Duration::from_secs(121));
        assert_eq!(breakers.admits("h", t0 + Duration::from_secs(121)), Admits::Any);
    }

    #[test]
    fn a_success_resets_the_count() {
        let breakers = HostBreakers::new(2, Duration::from_secs(30));
        let now = Instant::now();
        breakers.record("h", false, now);
        breakers.record("h", true, now);
        breakers.record("h", false, now);
        assert_eq!(breakers.check("h", now), Verdict::Send);
    }
}
