//! A short-lived in-memory copy of the active offers and of each wall, so an offerwall page or a
//! click needs no database read. Entries belong to the database handle's cache generation
//! ([`Db::generation`]), which every offer or wall change through this instance bumps, so such a
//! change is seen at once (a read that raced it never stores stale data); other instances see
//! changes within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::{offers, walls};
use crate::domain::offer::OfferCard;
use crate::server::db::Db;
use crate::server::offerwall::walls::Wall;

const TTL: Duration = Duration::from_secs(5);
/// Walls remembered at most (unknown ids included, so a scan of made-up ids cannot grow it).
const MAX_WALLS: usize = 10_000;

#[derive(Default)]
struct Inner {
    /// The database generation the entries were read in.
    generation: u64,
    offers: Option<(Arc<Vec<OfferCard>>, Instant)>,
    walls: HashMap<String, (Option<Arc<Wall>>, Instant)>,
}

#[derive(Clone, Default)]
pub struct OfferwallCache {
    inner: Arc<RwLock<Inner>>,
}

impl std::fmt::Debug for OfferwallCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfferwallCache")
    }
}

impl OfferwallCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets entries of an older generation; returns the current one.
    fn current(&self, db: &Db) -> u64 {
        let generation = db.generation();
        if self.read().generation != generation {
            let mut inner = self.write();
            if inner.generation != generation {
                inner.generation = generation;
                inner.offers = None;
                inner.walls.clear();
            }
        }
        generation
    }

    /// Every active offer, best paying first.
    pub async fn offers(&self, db: &Db) -> Result<Arc<Vec<OfferCard>>, sqlx::Error> {
        let generation = self.current(db);
        let cached = self.read().offers.clone();
        if let Some((offers, _)) = cached.filter(|(_, at)| at.elapsed() < TTL) {
            return Ok(offers);
        }
        let offers = Arc::new(offers::active_cards(db).await?);
        let mut inner = self.write();
        if inner.generation == generation {
            inner.offers = Some((offers.clone(), Instant::now()));
        }
        Ok(offers)
    }

    /// The wall with this id, if it exists (inactive ones included).
    pub async fn wall(&self, db: &Db, id: &str) -> Result<Option<Arc<Wall>>, sqlx::Error> {
        let generation = self.current(db);
        let cached = self.read().walls.get(id).cloned();
        if let Some((wall, _)) = cached.filter(|(_, at)| at.elapsed() < TTL) {
            return Ok(wall);
        }
        let wall = walls::find(&mut *db.pool().acquire().await?, id).await?.map(Arc::new);
        let mut inner = self.write();
        if inner.generation == generation {
            if inner.walls.len() >= MAX_WALLS {
                inner.walls.clear();
            }
            inner.walls.insert(id.to_owned(), (wall.clone(), Instant::now()));
        }
        Ok(wall)
    }
}
