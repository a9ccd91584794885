//! A short-lived cache of what every CPA postback reads (a hit needs no database connection): key → network (with the key's validity),
//! network → approved IPs, and which publishers exist and are active. Changes made through this instance
//! invalidate it at once; other instances see them within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::domain::IpRule;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::{networks, publishers, secrets};

const TTL: Duration = Duration::from_secs(5);

#[derive(Clone)]
struct KeyEntry {
    network_id: String,
    valid_until: Option<i64>,
    at: Instant,
}

#[derive(Default)]
struct Inner {
    keys: HashMap<String, KeyEntry>,
    ips: HashMap<String, (Arc<Vec<IpRule>>, Instant)>,
    publishers: HashMap<String, Instant>,
}

#[derive(Clone, Default)]
pub struct Directory {
    inner: Arc<RwLock<Inner>>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Directory")
    }
}

fn fresh(at: Instant) -> bool {
    at.elapsed() < TTL
}

impl Directory {
    /// The network a presented key belongs to, if the key is valid now.
    pub async fn network_for_key(&self, db: &Db, presented: &str) -> Result<Option<String>, sqlx::Error> {
        if presented.is_empty() || presented.len() > 256 {
            return Ok(None);
        }
        let hash = secrets::hash(presented);
        let cached = self.inner.read().unwrap_or_else(|p| p.into_inner()).keys.get(&hash).cloned();
        if let Some(entry) = cached.filter(|e| fresh(e.at)) {
            let valid = entry.valid_until.is_none_or(|until| until > now_ms());
            return Ok(valid.then_some(entry.network_id));
        }
        let Some((network_id, valid_until)) = networks::key_validity(&mut *db.pool().acquire().await?, &hash).await? else {
            return Ok(None);
        };
        let entry = KeyEntry { network_id: network_id.clone(), valid_until, at: Instant::now() };
        self.inner.write().unwrap_or_else(|p| p.into_inner()).keys.insert(hash, entry);
        Ok(valid_until.is_none_or(|until| until > now_ms()).then_some(network_id))
    }

    /// The network's approved source addresses.
    pub async fn approved_ips(&self, db: &Db, network_id: &str) -> Result<Arc<Vec<IpRule>>, sqlx::Error> {
        let cached = self.inner.read().unwrap_or_else(|p| p.into_inner()).ips.get(network_id).cloned();
        if let Some((rules, at)) = cached.filter(|(_, at)| fresh(*at)) {
            let _ = at;
            return Ok(rules);
        }
        let rules = Arc::new(networks::approved_ips(&mut *db.pool().acquire().await?, network_id).await?);
        self.inner.write().unwrap_or_else(|p| p.into_inner()).ips.insert(network_id.to_owned(), (rules.clone(), Instant::now()));
        Ok(rules)
    }

    /// True when the publisher exists and is active (only hits are cached; a deactivation here
    /// forgets the hit at once, elsewhere within `TTL`).
    pub async fn publisher_active(&self, db: &Db, id: &str) -> Result<bool, sqlx::Error> {
        let hit = self.inner.read().unwrap_or_else(|p| p.into_inner()).publishers.get(id).is_some_and(|at| fresh(*at));
        if hit {
            return Ok(true);
        }
        let exists = publishers::is_active(&mut *db.pool().acquire().await?, id).await?;
        if exists {
            self.inner.write().unwrap_or_else(|p| p.into_inner()).publishers.insert(id.to_owned(), Instant::now());
        }
        Ok(exists)
    }

    /// Forgets that a publisher was active (after it was deactivated here).
    pub fn invalidate_publisher(&self, publisher_id: &str) {
        self.inner.write().unwrap_or_else(|p| p.into_inner()).publishers.remove(publisher_id);
    }

    /// Forgets everything cached about a network (after its keys or IPs changed here).
    pub fn invalidate_network(&self, network_id: &str) {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        inner.keys.retain(|_, e| e.network_id != network_id);
        inner.ips.remove(network_id);
    }
}
