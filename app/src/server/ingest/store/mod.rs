//! The write store: the narrow interface the single writer commits through. Sources write with
//! three calls — [`WriteTx::execute`], [`WriteTx::query`] and the set-based [`WriteTx::insert`] —
//! on `$n`-placeholder SQL that both databases accept. Each backend implements them natively:
//! - [`sqlite`]: one dedicated OS thread owning a `rusqlite` connection (cached prepared
//!   statements, `BEGIN IMMEDIATE`, WAL, `synchronous=FULL`);
//! - [`postgres`]: a native sqlx `PgPool`, multi-row inserts as one `UNNEST` statement;
//! - [`any`]: the sqlx `Any` connection of the query layer, for the few writes made outside the
//!   writer (and for tests).
//!
//! Everything that is not the hot write path stays on the sqlx query layer (`Db`).

pub mod any;
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;

use crate::server::db::Backend;
use crate::server::sql::{chunks, list};

/// A value bound to a statement or read from a row. Nulls are typed so PostgreSQL knows the
/// parameter's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(Some(i64::from(v)))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_owned))
    }
}
impl From<&Option<String>> for Val {
    fn from(v: &Option<String>) -> Self {
        Val::Text(v.clone())
    }
}

/// `args![a, b, c]`: statement arguments from anything that converts into [`Val`].
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::server::ingest::store::Val::from($v)),*] };
}
pub use args;

/// One result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Val>);

impl Row {
    fn at(&self, i: usize) -> Result<&Val, StoreError> {
        self.0.get(i).ok_or(StoreError::Decode("column index out of range"))
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.at(i)? {
            Val::Int(v) => Ok(*v),
            Val::Text(None) => Ok(None),
            Val::Text(Some(_)) => Err(StoreError::Decode("expected an integer column")),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or(StoreError::Decode("unexpected NULL integer"))
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.at(i)? {
            Val::Text(v) => Ok(v.clone()),
            Val::Int(None) => Ok(None),
            Val::Int(Some(_)) => Err(StoreError::Decode("expected a text column")),
        }
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or(StoreError::Decode("unexpected NULL text"))
    }
}

/// A column's type, for set-based inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int,
    Text,
}

/// A table as the set-based insert writes it: every listed column, in order.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Ty)],
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("decode: {0}")]
    Decode(&'static str),
    #[error("the writer is gone")]
    Closed,
}

impl StoreError {
    /// True when the database refused because another connection holds the write lock; worth
    /// a short wait and another try.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            }
            StoreError::Sqlx(err) => crate::server::db::is_busy(err),
            _ => false,
        }
    }

    /// True for a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => e.extended_code == 2067 || e.extended_code == 1555,
            StoreError::Sqlx(sqlx::Error::Database(db)) => db.is_unique_violation(),
            _ => false,
        }
    }
}

/// Statements inside one open transaction.
#[async_trait]
pub trait WriteTx: Send {
    fn backend(&self) -> Backend;
    /// Runs a statement; returns the rows it changed.
    async fn execute(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    /// Runs a query (or a statement with `RETURNING`) and returns its rows.
    async fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError>;
    /// Inserts `rows` (one value per column of `table`, in order) as a set; `tail` is appended
    /// (e.g. `ON CONFLICT (…) DO NOTHING`). Returns the rows written.
    async fn insert(&mut self, table: &Table, rows: &[Vec<Val>], tail: &str) -> Result<u64, StoreError>;

    /// `sql_before_list` (ending with `<column> IN `), the list of `values`, `sql_after_list`:
    /// the rows whose column is one of `values`, `fixed` bound first. The default runs one
    /// statement per chunk of values; PostgreSQL binds them as one array, so the statement text
    /// (and its prepared plan) is the same whatever their number.
    async fn select_in(
        &mut self,
        sql_before_list: &str,
        sql_after_list: &str,
        fixed: &[Val],
        values: &[String],
    ) -> Result<Vec<Row>, StoreError> {
        let mut rows = Vec::new();
        for chunk in chunks(values) {
            let sql = format!("{sql_before_list}({}){sql_after_list}", list(fixed.len() + 1, chunk.len()));
            let mut args: Vec<Val> = fixed.to_vec();
            args.extend(chunk.iter().map(|v| Val::from(v.as_str())));
            rows.extend(self.query(&sql, &args).await?);
        }
        Ok(rows)
    }

    /// `sql_before_key` (ending with `<column> = `; a column that is unique together with the
    /// `fixed` ones, or an aggregate) run for each of `keys`: the rows found, at most one per key.
    /// The default runs the cached statement once per key. PostgreSQL runs one statement that
    /// looks each key up through `UNNEST … LATERAL`: with `column = ANY($n)` a table without
    /// statistics yet (a young one, growing fast) gets a plan that filters every row of the fixed
    /// columns instead.
    async fn select_each(&mut self, sql_before_key: &str, fixed: &[Val], keys: &[String]) -> Result<Vec<Row>, StoreError> {
        let sql = format!("{sql_before_key}${}", fixed.len() + 1);
        let mut args: Vec<Val> = fixed.to_vec();
        args.push(Val::Text(None));
        let mut rows = Vec::new();
        for key in keys {
            args[fixed.len()] = Val::from(key.as_str());
            rows.extend(self.query(&sql, &args).await?);
        }
        Ok(rows)
    }

    /// The first row of a query, if any.
    async fn query_one(&mut self, sql: &str, args: &[Val]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args).await?.into_iter().next())
    }
}

/// An open transaction that can be committed.
#[async_trait]
pub trait Tx: WriteTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    async fn rollback(self: Box<Self>);
}

/// Where the writer's transactions come from.
#[async_trait]
pub trait Store: Send {
    async fn begin(&mut self) -> Result<Box<dyn Tx + '_>, StoreError>;

    /// Called by the writer between batches, after every caller of the last one was answered:
    /// housekeeping that must not delay a reply (SQLite's WAL checkpoint).
    async fn maintain(&mut self) {}
}

/// `$1` → `?1`: SQLite's numbered form of the same placeholder (`$` starts a named one there).
pub fn numbered_qmarks(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(numbered_qmarks("SELECT $1, $12 WHERE a = '$x'"), "SELECT ?1, ?12 WHERE a = '$x'");
    }

    #[test]
    fn rows_decode_typed_values() {
        let row = Row(vec![Val::Int(Some(3)), Val::Text(None), Val::Text(Some("a".into()))]);
        assert_eq!(row.int(0).ok(), Some(3));
        assert_eq!(row.opt_text(1).ok(), Some(None));
        assert_eq!(row.text(2).ok().as_deref(), Some("a"));
        assert!(row.int(2).is_err());
        assert!(row.text(9).is_err());
    }
}
