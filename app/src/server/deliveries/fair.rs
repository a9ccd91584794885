//! Fair shares of the delivery worker's slots. Each publisher has at most `per_publisher`
//! requests in flight; a publisher whose target host's circuit breaker is open gets none (or the
//! one probe); the free slots are split evenly between the publishers with something due, taking
//! turns when there are fewer slots than publishers. So a publisher whose server hangs, or who
//! just had ten thousand failed postbacks resent, delays nobody else.

use std::collections::HashMap;
use std::time::Instant;

use super::breaker::{Admits, HostBreakers};

/// What the worker has in flight, per publisher, and where each publisher's postbacks go.
#[derive(Debug)]
pub struct Shares {
    per_publisher: usize,
    in_flight: HashMap<String, usize>,
    /// The target host of each publisher's latest request, for its breaker.
    hosts: HashMap<String, String>,
    /// Which due publisher is served first next time.
    turn: usize,
}

impl Shares {
    pub fn new(per_publisher: usize) -> Self {
        Self { per_publisher: per_publisher.max(1), in_flight: HashMap::new(), hosts: HashMap::new(), turn: 0 }
    }

    /// How many of each due publisher's deliveries to claim now, `free` slots in all.
    pub fn plan(&mut self, due: &[String], free: usize, breakers: &HostBreakers, now: Instant) -> Vec<(String, i64)> {
        if due.is_empty() || free == 0 {
            return Vec::new();
        }
        let start = self.turn % due.len();
        self.turn = self.turn.wrapping_add(1);
        let mut rooms: Vec<(&String, usize)> = due[start..]
            .iter()
            .chain(&due[..start])
            .map(|publisher| (publisher, self.room(publisher, breakers, now)))
            .filter(|(_, room)| *room > 0)
            .collect();
        if rooms.is_empty() {
            return Vec::new();
        }
        // An even share first (at least one each, in turn), then what is left, in turn.
        let share = (free / rooms.len()).max(1);
        let mut taken: Vec<usize> = vec![0; rooms.len()];
        let mut left = free;
        for (i, (_, room)) in rooms.iter_mut().enumerate() {
            let take = (*room).min(share).min(left);
            taken[i] = take;
            *room -= take;
            left -= take;
        }
        for (i, (_, room)) in rooms.iter().enumerate() {
            let take = (*room).min(left);
            taken[i] += take;
            left -= take;
        }
        rooms.iter().zip(taken).filter(|(_, take)| *take > 0).map(|((publisher, _), take)| ((*publisher).clone(), take as i64)).collect()
    }

    /// Requests `publisher` may have added in flight now.
    fn room(&self, publisher: &str, breakers: &HostBreakers, now: Instant) -> usize {
        let busy = self.in_flight.get(publisher).copied().unwrap_or(0);
        let room = self.per_publisher.saturating_sub(busy);
        match self.hosts.get(publisher).map(|host| breakers.admits(host, now)) {
            None | Some(Admits::Any) => room,
            Some(Admits::One) if busy == 0 => room.min(1),
            Some(Admits::One | Admits::None) => 0,
        }
    }

    /// A delivery of `publisher` was claimed and is about to be sent.
    pub fn started(&mut self, publisher: &str) {
        *self.in_flight.entry(publisher.to_owned()).or_default() += 1;
    }

    /// A delivery of `publisher` is done; its request went to `host`, if it had one.
    pub fn finished(&mut self, publisher: &str, host: Option<String>) {
        if let Some(busy) = self.in_flight.get_mut(publisher) {
            *busy = busy.saturating_sub(1);
            if *busy == 0 {
                self.in_flight.remove(publisher);
            }
        }
        if let Some(host) = host {
            self.hosts.insert(publisher.to_owned(), host);
        }
    }

    /// Requests of `publisher` in flight.
    pub fn in_flight(&self, publisher: &str) -> usize {
        self.in_flight.get(publisher).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn due(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn breakers() -> HostBreakers {
        HostBreakers::new(2, Duration::from_secs(30))
    }

    #[test]
    fn a_publisher_never_has_more_than_its_share_in_flight() {
        let mut shares = Shares::new(4);
        let b = breakers();
        let now = Instant::now();
        assert_eq!(shares.plan(&due(&["a"]), 256, &b, now), vec![("a".to_owned(), 4)]);
        for _ in 0..4 {
            shares.started("a");
        }
        assert!(shares.plan(&due(&["a"]), 252, &b, now).is_empty(), "a is full");
        assert_eq!(shares.plan(&due(&["a", "b"]), 252, &b, now), vec![("b".to_owned(), 4)], "b still gets its share");
        shares.finished("a", Some("hang.example:80".into()));
        assert_eq!(shares.in_flight("a"), 3);
        assert_eq!(shares.plan(&due(&["a"]), 253, &b, now), vec![("a".to_owned(), 1)]);
    }

    #[test]
    fn scarce_slots_are_split_and_publishers_take_turns() {
        let mut shares = Shares::new(32);
        let b = breakers();
        let now = Instant::now();
        let plan = shares.plan(&due(&["a", "b", "c"]), 9, &b, now);
        assert_eq!(plan.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [3, 3, 3]);
        // One slot, three publishers: each gets it in turn.
        let firsts: Vec<String> = (0..3).map(|_| shares.plan(&due(&["a", "b", "c"]), 1, &b, now).remove(0).0).collect();
        let mut sorted = firsts.clone();
        sorted.sort();
        assert_eq!(sorted, ["a", "b", "c"], "{firsts:?}");
    }

    #[test]
    fn an_open_breaker_stops_claims_then_allows_one_probe() {
        let mut shares = Shares::new(8);
        let b = breakers();
        let t0 = Instant::now();
        shares.started("a");
        shares.finished("a", Some("down.example:443".into()));
        b.record("down.example:443", false, t0);
        b.record("down.example:443", false, t0);
        assert_eq!(shares.plan(&due(&["a", "b"]), 100, &b, t0), vec![("b".to_owned(), 8)], "a's host is open");
        let later = t0 + Duration::from_secs(30);
        assert_eq!(shares.plan(&due(&["a"]), 100, &b, later), vec![("a".to_owned(), 1)], "one probe");
        shares.started("a");
        assert!(shares.plan(&due(&["a"]), 100, &b, later).is_empty(), "only one while it is out");
    }
}
