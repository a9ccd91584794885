//! The SQLite write store: one `rusqlite` connection on the writer's own OS thread. Statements
//! are prepared once and cached; a batch is one `BEGIN IMMEDIATE … COMMIT`, fsynced
//! (`synchronous=FULL`) before anyone is answered. The file and its migrations are the ones
//! the sqlx query layer opened; readers keep using that pool (WAL lets them read meanwhile).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params_from_iter, Connection, ToSql};

use super::{numbered_qmarks, Row, Store, StoreError, Table, Tx, Val, WriteTx};
use crate::server::db::Backend;

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Int(Some(v)) => ToSqlOutput::from(*v),
            Val::Text(Some(v)) => ToSqlOutput::from(v.as_str()),
            Val::Int(None) | Val::Text(None) => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

fn from_ref(value: ValueRef<'_>) -> Val {
    match value {
        ValueRef::Null => Val::Text(None),
        ValueRef::Integer(v) => Val::Int(Some(v)),
        // AVG and friends: the callers cast to integers, this is only a fallback.
        ValueRef::Real(v) => Val::Int(Some(v as i64)),
        ValueRef::Text(v) | ValueRef::Blob(v) => Val::Text(Some(String::from_utf8_lossy(v).into_owned())),
    }
}

/// How often the writer checkpoints the WAL itself (see [`SqliteStore::maintain`]).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// The writer's connection.
pub struct SqliteStore {
    conn: Connection,
    /// When the writer's last checkpoint backfilled the whole WAL.
    checkpointed: Instant,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

/// The file path of a `sqlite://` URL.
pub fn path_of(url: &str) -> &str {
    let rest = url.split_once(':').map(|(_, r)| r).unwrap_or(url);
    let rest = rest.trim_start_matches("//");
    rest.split_once('?').map(|(p, _)| p).unwrap_or(rest)
}

impl SqliteStore {
    /// Opens the database file of `url` for writing, with the same settings as the pool.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(path_of(url))?;
        // A small page cache (8 MiB): the writer touches the right edges of its indexes and one
        // random page per new key, and reads the rest through the memory map. SQLite truncates
        // the cache on every commit by scanning its hash table, so a large cache cost more per
        // commit than it saved (measured: 87 against 96 µs of CPU per CPA postback).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
             PRAGMA cache_size = -8192; PRAGMA mmap_size = 268435456; PRAGMA wal_autocheckpoint = 0;",
        )?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self { conn, checkpointed: Instant::now() })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&mut self) -> Result<Box<dyn Tx + '_>, StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteTx { conn: &mut self.conn, open: true }))
    }

    /// Keeps the WAL from growing without end under steady load. The pool's background
    /// checkpointer copies frames while the writer appends more, so on its own it never
    /// finishes, and SQLite only starts the WAL over when a write transaction begins with every
    /// frame copied. Then every commit appends to fresh file space, which the kernel must
    /// allocate and zero. So every [`CHECKPOINT_EVERY`] the writer, between batches, copies
    /// what is left (the background checkpointer did most of it). The next batch then starts
    /// at the WAL's beginning and rewrites pages already in the page cache.
    async fn maintain(&mut self) {
        if self.checkpointed.elapsed() < CHECKPOINT_EVERY {
            return;
        }
        let done = self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        });
        match done {
            // Not busy and every frame copied: done until the next interval.
            Ok((0, log, copied)) if log == copied => self.checkpointed = Instant::now(),
            // The background checkpointer holds the lock, or a reader holds old frames: the
            // next batch tries again.
            Ok(_) => {}
            Err(err) => tracing::debug!(error = %err, "writer checkpoint failed"),
        }
    }
}

/// An open `BEGIN IMMEDIATE` transaction; rolled back when dropped uncommitted.
pub struct SqliteTx<'c> {
    conn: &'c mut Connection,
    open: bool,
}

impl SqliteTx<'_> {
    fn run(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let mut statement = self.conn.prepare_cached(&numbered_qmarks(sql))?;
        Ok(statement.execute(params_from_iter(args.iter()))? as u64)
    }
}

#[async_trait]
impl WriteTx for SqliteTx<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn execute(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        self.run(sql, args)
    }

    async fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.conn.prepare_cached(&numbered_qmarks(sql))?;
        let columns = statement.column_count();
        let mut rows = statement.query(params_from_iter(args.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(from_ref(row.get_ref(i)?));
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    async fn insert(&mut self, table: &Table, rows: &[Vec<Val>], tail: &str) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        // One cached single-row statement, run per row: with no parsing and no round trip per
        // row, this is what SQLite does fastest.
        let marks = (1..=table.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO {} ({}) VALUES ({marks}) {tail}", table.name, table.column_list());
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut written = 0;
        for row in rows {
            written += statement.execute(params_from_iter(row.iter()))? as u64;
        }
        Ok(written)
    }
}

#[async_trait]
impl Tx for SqliteTx<'_> {
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.open = false;
        if let Err(err) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(err.into());
        }
        Ok(())
    }

    async fn rollback(mut self: Box<Self>) {
        self.open = false;
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_come_from_urls() {
        assert_eq!(path_of("sqlite://data/taprain.db?mode=rwc"), "data/taprain.db");
        assert_eq!(path_of("sqlite:///tmp/x.db"), "/tmp/x.db");
        assert_eq!(path_of("sqlite:x.db"), "x.db");
    }

    /// Under steady writes the WAL starts over after the writer's checkpoints instead of growing
    /// with everything ever written.
    #[tokio::test]
    async fn the_wal_stays_bounded_under_steady_writes() {
        let dir = std::env::temp_dir().join(format!("taprain-wal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test database");
        let path = dir.join("wal.db");
        let mut store = SqliteStore::open(&format!("sqlite://{}", path.display())).expect("test database");
        store.conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").expect("test database");
        let body = "x".repeat(2_000);
        let started = Instant::now();
        let mut written = 0usize;
        while started.elapsed() < CHECKPOINT_EVERY * 10 {
            let mut tx = store.begin().await.expect("test database");
            for _ in 0..20 {
                tx.execute("INSERT INTO t (body) VALUES ($1)", &[Val::from(body.as_str())]).await.expect("test database");
                written += body.len();
            }
            tx.commit().await.expect("test database");
            store.maintain().await;
        }
        let wal = std::fs::metadata(dir.join("wal.db-wal")).map(|m| m.len() as usize).unwrap_or(0);
        std::fs::remove_dir_all(&dir).ok();
        // Without the checkpoints the WAL would hold everything written (and a bit more).
        assert!(written > 3 * wal, "WAL {wal} bytes after {written} bytes written");
    }
}
