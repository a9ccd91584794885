//! The cached directory every source reads before deciding (a hit needs no database
//! connection): presented key → network (and whether the key is a sandbox key) or program, a
//! network's approved IPs, which publishers are active, reward API secrets, store apps, reward
//! games, reward users, a program's terms, an offerwall provider's rules.
//!
//! Each map is a size-bounded `moka` cache: a missing or expired key is loaded once however many
//! requests ask for it at the same moment. Misses are cached too (a stranger flooding random keys
//! costs one hash and a map lookup, not a query). An entry belongs to a cache generation
//! ([`Db::generation`]): every service that changes keys, secrets, IPs or catalogs bumps it, so
//! a change made through this instance is seen at once; other instances see it within [`TTL`].

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::domain::reward::RewardUserId;
use crate::domain::IpRule;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::keys::{NETWORK_KEYS, PROGRAM_KEYS};
use crate::server::programs::attribution::{self, Terms};
use crate::server::providers::{self, ProviderRuntime};
use crate::server::reward::catalog;
use crate::server::{networks, publishers, secrets};

/// How long an entry is trusted without a change seen here.
pub const TTL: Duration = Duration::from_secs(5);
/// Most entries per map.
const CAPACITY: u64 = 50_000;

/// A key's owner and the end of its validity window.
type Owned = Option<(String, Option<i64>)>;

/// The network a presented key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkKey {
    pub network_id: String,
    /// A sandbox key: its calls are checked and answered, never credited or relayed.
    pub sandbox: bool,
}

/// One cached map: values stamped with the generation they were read in.
struct Map<K, V> {
    cache: Cache<K, (V, u64)>,
}

impl<K, V> Map<K, V>
where
    K: Hash + Eq + Send + Sync + Clone + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn new() -> Self {
        Self { cache: Cache::builder().max_capacity(CAPACITY).time_to_live(TTL).build() }
    }

    async fn get<F, Fut>(&self, db: &Db, key: K, load: F) -> Result<V, sqlx::Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, sqlx::Error>>,
    {
        let generation = db.generation();
        if let Some((value, at)) = self.cache.get(&key).await {
            if at == generation {
                return Ok(value);
            }
            self.cache.invalidate(&key).await;
        }
        let (value, _) = self
            .cache
            .try_get_with(key, async move { load().await.map(|value| (value, generation)) })
            .await
            .map_err(|err: Arc<sqlx::Error>| sqlx::Error::Protocol(format!("directory lookup failed: {err}")))?;
        Ok(value)
    }

    fn clear(&self) {
        self.cache.invalidate_all();
    }
}

/// Whether a key's validity window covers now.
fn valid_now(owned: Owned) -> Option<String> {
    owned.filter(|(_, until)| until.is_none_or(|until| until > now_ms())).map(|(owner, _)| owner)
}

#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    network_keys: Map<String, (Owned, bool)>,
    ips: Map<String, Arc<Vec<IpRule>>>,
    publishers: Map<String, bool>,
    reward_secrets: Map<String, Owned>,
    store_apps: Map<String, bool>,
    games: Map<String, Option<String>>,
    reward_users: Map<String, bool>,
    program_keys: Map<String, Owned>,
    terms: Map<String, Option<Terms>>,
    providers: Map<String, Option<Arc<ProviderRuntime>>>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                network_keys: Map::new(),
                ips: Map::new(),
                publishers: Map::new(),
                reward_secrets: Map::new(),
                store_apps: Map::new(),
                games: Map::new(),
                reward_users: Map::new(),
                program_keys: Map::new(),
                terms: Map::new(),
                providers: Map::new(),
            }),
        }
    }
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Directory")
    }
}

/// A presented secret worth looking up: not empty and not absurdly long.
fn plausible(presented: &str) -> bool {
    !presented.is_empty() && presented.len() <= 256
}

impl Directory {
    /// The network a presented key belongs to, if the key is valid now, and whether it is a
    /// sandbox key.
    pub async fn network_key(&self, db: &Db, presented: &str) -> Result<Option<NetworkKey>, sqlx::Error> {
        if !plausible(presented) {
            return Ok(None);
        }
        let hash = secrets::hash(presented);
        let (owned, sandbox) = self
            .inner
            .network_keys
            .get(db, hash.clone(), || async move {
                let mut conn = db.pool().acquire().await?;
                let owned = NETWORK_KEYS.validity(&mut conn, &hash).await?;
                let sandbox = owned.is_some() && NETWORK_KEYS.is_sandbox(&mut conn, &hash).await?;
                Ok((owned, sandbox))
            })
            .await?;
        Ok(valid_now(owned).map(|network_id| NetworkKey { network_id, sandbox }))
    }

    /// The network's approved source addresses.
    pub async fn approved_ips(&self, db: &Db, network_id: &str) -> Result<Arc<Vec<IpRule>>, sqlx::Error> {
        let id = network_id.to_owned();
        self.inner
            .ips
            .get(db, id.clone(), || async move { Ok(Arc::new(networks::approved_ips(&mut *db.pool().acquire().await?, &id).await?)) })
            .await
    }

    /// True when the publisher exists and is active.
    pub async fn publisher_active(&self, db: &Db, id: &str) -> Result<bool, sqlx::Error> {
        if id.len() > 64 {
            return Ok(false);
        }
        let id = id.to_owned();
        self.inner
            .publishers
            .get(db, id.clone(), || async move { publishers::is_active(&mut *db.pool().acquire().await?, &id).await })
            .await
    }

    /// The id of the first presented reward API secret that is valid now.
    pub async fn reward_secret(&self, db: &Db, presented: &[&str]) -> Result<Option<String>, sqlx::Error> {
        for secret in presented.iter().filter(|s| plausible(s)) {
            let hash = secrets::hash(secret);
            let owned = self
                .inner
                .reward_secrets
                .get(db, hash.clone(), || async move {
                    sqlx::query_as("SELECT id, valid_until FROM reward_secrets WHERE secret_hash = $1 AND revoked_at IS NULL")
                        .bind(&hash)
                        .fetch_optional(db.pool())
                        .await
                })
                .await?;
            if let Some(id) = valid_now(owned) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// True when `pid` is a registered, active store app.
    pub async fn store_app_active(&self, db: &Db, pid: &str) -> Result<bool, sqlx::Error> {
        if !catalog::could_be_id(pid) {
            return Ok(false);
        }
        let pid = pid.to_owned();
        self.inner
            .store_apps
            .get(db, pid.clone(), || async move {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT 1 FROM store_apps WHERE pid = $1 AND active = 1").bind(&pid).fetch_optional(db.pool()).await?;
                Ok(row.is_some())
            })
            .await
    }

    /// The name of an active reward game.
    pub async fn game_name(&self, db: &Db, gid: &str) -> Result<Option<String>, sqlx::Error> {
        if !catalog::could_be_id(gid) {
            return Ok(None);
        }
        let gid = gid.to_owned();
        self.inner.games.get(db, gid.clone(), || async move { catalog::game_name(&mut *db.pool().acquire().await?, &gid).await }).await
    }

    /// True when the reward user exists.
    pub async fn reward_user_exists(&self, db: &Db, user: &RewardUserId) -> Result<bool, sqlx::Error> {
        let id = user.to_string();
        self.inner
            .reward_users
            .get(db, id.clone(), || async move {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT 1 FROM reward_users WHERE id = $1").bind(&id).fetch_optional(db.pool()).await?;
                Ok(row.is_some())
            })
            .await
    }

    /// The terms of the active program a presented API key belongs to, if the key is valid now.
    pub async fn program_for_key(&self, db: &Db, presented: &str) -> Result<Option<Terms>, sqlx::Error> {
        if !plausible(presented) {
            return Ok(None);
        }
        let hash = secrets::hash(presented);
        let owned = self
            .inner
            .program_keys
            .get(db, hash.clone(), || async move { PROGRAM_KEYS.validity(&mut *db.pool().acquire().await?, &hash).await })
            .await?;
        let Some(program_id) = valid_now(owned) else { return Ok(None) };
        self.inner
            .terms
            .get(db, program_id.clone(), || async move { attribution::terms(&mut *db.pool().acquire().await?, &program_id).await })
            .await
    }

    /// What the inbound door needs to judge a call to provider `id` (`None` when there is no
    /// such provider, or its stored format no longer reads).
    pub async fn provider(&self, db: &Db, id: &str) -> Result<Option<Arc<ProviderRuntime>>, sqlx::Error> {
        if id.is_empty() || id.len() > 64 {
            return Ok(None);
        }
        let id = id.to_owned();
        self.inner
            .providers
            .get(db, id.clone(), || async move { Ok(providers::runtime(&mut *db.pool().acquire().await?, &id).await?.map(Arc::new)) })
            .await
    }

    /// Forgets what is cached about a publisher (after it changed here).
    pub fn invalidate_publisher(&self, _publisher_id: &str) {
        self.inner.publishers.clear();
    }

    /// Forgets what is cached about networks (after their keys or IPs changed here).
    pub fn invalidate_network(&self, _network_id: &str) {
        self.inner.network_keys.clear();
        self.inner.ips.clear();
    }
}
