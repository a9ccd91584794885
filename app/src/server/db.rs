//! The database handle. The backend is chosen from the `DATABASE_URL` scheme; queries use the
//! sqlx `Any` driver with `$1` placeholders so one repository serves SQLite and PostgreSQL.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got scheme {0:?})")]
    UnsupportedScheme(String),
    #[error("cannot create the directory for the SQLite file: {0}")]
    CreateDir(std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Bumped whenever something the ingest caches hold (keys, secrets, IPs, catalogs) changes:
    /// a cached entry from an older generation is read again.
    generation: Arc<Generation>,
}

#[derive(Debug, Default)]
struct Generation {
    value: AtomicU64,
    /// Woken by each change made through this instance, so the fan-out can tell the others
    /// ([`crate::server::fanout`]); changes in a burst wake it once.
    changed_here: tokio::sync::Notify,
}

/// Bumps the cache generation when dropped, i.e. when the changing service returns (after its
/// commit), and has the change announced to other instances.
#[must_use = "the generation is bumped when this is dropped"]
pub struct Changing(Arc<Generation>);

impl Drop for Changing {
    fn drop(&mut self) {
        self.0.value.fetch_add(1, Ordering::Release);
        self.0.changed_here.notify_one();
    }
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(DbError::UnsupportedScheme(scheme)),
        }
    }
}

impl Db {
    /// Connects to `url`, creating the SQLite file (and its directory) when needed.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(DbError::Connect)?;
        let pool = match backend {
            // A local file: connections do not go stale, so skip the ping before each acquire.
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // WAL for concurrent readers, FULL so a committed 200 survives power loss.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        // A 64 MiB page cache and memory-mapped reads: index pages stay in memory
                        // instead of being re-read with a system call per page.
                        conn.execute("PRAGMA cache_size = -65536").await?;
                        conn.execute("PRAGMA mmap_size = 268435456").await?;
                        // Checkpoints run in the background (`spawn_checkpointer`), not inside
                        // whichever commit happens to cross the threshold.
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
                .map_err(DbError::Connect)?,
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(DbError::Connect)?,
        };
        Ok(Self { pool, backend, generation: Arc::default() })
    }

    /// Applies the backend's migration set.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The cache generation: it changes after every change to what ingest caches.
    pub fn generation(&self) -> u64 {
        self.generation.value.load(Ordering::Acquire)
    }

    /// Held by a service that changes keys, secrets, IPs or catalogs: when it returns, cached
    /// copies are stale.
    pub fn changing(&self) -> Changing {
        Changing(self.generation.clone())
    }

    /// Marks every cached copy stale now (another instance changed something, or may have while
    /// its news could not reach us). Not announced again.
    pub fn changed_elsewhere(&self) {
        self.generation.value.fetch_add(1, Ordering::Release);
    }

    /// Waits for the next change made through this instance (see [`Db::changing`]).
    pub async fn changed_here(&self) {
        self.generation.changed_here.notified().await;
    }

    /// On SQLite, copies the write-ahead log into the database file every 100 ms with a
    /// PASSIVE checkpoint (which never blocks writers), keeping the log short and commits fast.
    pub fn spawn_checkpointer(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if pool.is_closed() {
                    return;
                }
                if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    tracing::warn!(error = %err, "WAL checkpoint failed");
                }
            }
        });
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Ensures the directory exists and that the file is created on first start (`mode=rwc`).
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.split_once(':').map(|(_, r)| r).unwrap_or_default();
    let rest = rest.trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(DbError::CreateDir)?;
        }
    }
    let mut out = format!("sqlite://{path}");
    if query.is_empty() {
        out.push_str("?mode=rwc");
    } else if !query.contains("mode=") {
        out.push_str(&format!("?{query}&mode=rwc"));
    } else {
        out.push_str(&format!("?{query}"));
    }
    Ok(out)
}

/// True when SQLite refused a statement because another connection holds the write lock
/// (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`, `SQLITE_LOCKED`).
pub fn is_busy(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "517" | "6" | "262")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("postgresql://u@h/db").ok(), Some(Backend::Postgres));
        assert!(matches!(Backend::from_url("mysql://h/db"), Err(DbError::UnsupportedScheme(s)) if s == "mysql"));
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("taprain-db-test-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        let prepared = prepare_sqlite_url(&url).expect("prepare");
        assert!(prepared.ends_with("a.db?mode=rwc"));
        assert!(dir.exists());
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(prepare_sqlite_url("sqlite::memory:").expect("mem"), "sqlite://:memory:?mode=rwc");
    }
}
