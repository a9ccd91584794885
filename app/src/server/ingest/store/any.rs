//! The write interface over the query layer's sqlx `Any` connection: for the few writes made
//! outside the writer, and for tests that drive a source's writes directly.

use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyRow, AnyTypeInfoKind};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Column, Row as _};

use super::{Row, StoreError, Table, Val, WriteTx};
use crate::server::db::Backend;
use crate::server::sql::{chunks, placeholders};

/// An `Any` connection (or a transaction on one) seen as a [`WriteTx`].
pub struct AnyTx<'c> {
    conn: &'c mut AnyConnection,
    backend: Backend,
}

impl<'c> AnyTx<'c> {
    pub fn new(conn: &'c mut AnyConnection, backend: Backend) -> Self {
        Self { conn, backend }
    }
}

fn bind<'q>(mut query: Query<'q, Any, AnyArguments<'q>>, args: &'q [Val]) -> Query<'q, Any, AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Val::Int(v) => query.bind(*v),
            Val::Text(v) => query.bind(v.as_deref()),
        };
    }
    query
}

fn decode(row: &AnyRow) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match column.type_info().kind() {
            AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt | AnyTypeInfoKind::Bool => {
                Val::Int(row.try_get::<Option<i64>, _>(i)?)
            }
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Val::Int(row.try_get::<Option<f64>, _>(i)?.map(|v| v as i64)),
            // SQLite declares no type for an expression (`COUNT(*)`, `MAX(id)`): the value says.
            AnyTypeInfoKind::Null => match row.try_get::<Option<i64>, _>(i) {
                Ok(v) => Val::Int(v),
                Err(_) => Val::Text(row.try_get::<Option<String>, _>(i).ok().flatten()),
            },
            _ => Val::Text(row.try_get::<Option<String>, _>(i)?),
        };
        values.push(value);
    }
    Ok(Row(values))
}

#[async_trait]
impl WriteTx for AnyTx<'_> {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn execute(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        Ok(bind(sqlx::query(sql), args).execute(&mut *self.conn).await?.rows_affected())
    }

    async fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        bind(sqlx::query(sql), args).fetch_all(&mut *self.conn).await?.iter().map(decode).collect()
    }

    async fn insert(&mut self, table: &Table, rows: &[Vec<Val>], tail: &str) -> Result<u64, StoreError> {
        let mut written = 0;
        for chunk in chunks(rows) {
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {} {tail}",
                table.name,
                table.column_list(),
                placeholders(chunk.len(), table.columns.len())
            );
            let args: Vec<Val> = chunk.iter().flatten().cloned().collect();
            written += bind(sqlx::query(&sql), &args).execute(&mut *self.conn).await?.rows_affected();
        }
        Ok(written)
    }
}
