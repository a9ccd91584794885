//! The SQLite write store: one `rusqlite` connection on the writer's own OS thread. Statements
//! are prepared once and cached; a batch is one `BEGIN IMMEDIATE … COMMIT`, fsynced
//! (`synchronous=FULL`) before anyone is answered. The file and its migrations are the ones
//! the sqlx query layer opened; readers keep using that pool (WAL lets them read meanwhile).

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

/// The writer's connection.
pub struct SqliteStore {
    conn: Connection,
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
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
             PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; PRAGMA wal_autocheckpoint = 0;",
        )?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Self { conn })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&mut self) -> Result<Box<dyn Tx + '_>, StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteTx { conn: &mut self.conn, open: true }))
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
}
