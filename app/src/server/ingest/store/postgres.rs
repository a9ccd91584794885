//! The PostgreSQL write store: native sqlx on a `PgPool`. A set-based insert is one statement
//! whatever the row count: each column travels as one array and `UNNEST` turns them back into
//! rows, so a batch of 500 conversions costs one round trip instead of 500.

use async_trait::async_trait;
use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{Column, PgPool, Postgres, Row as _, Transaction, TypeInfo};

use super::{Row, Store, StoreError, Table, Tx, Ty, Val, WriteTx};
use crate::server::db::Backend;

/// The writer's pool (a few connections: the writer holds one at a time).
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(2).connect(url).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&mut self) -> Result<Box<dyn Tx + '_>, StoreError> {
        Ok(Box::new(PgTx { tx: self.pool.begin().await? }))
    }
}

pub struct PgTx {
    tx: Transaction<'static, Postgres>,
}

/// A batch read by a set of values, planned with those values every time (an unnamed statement).
/// A generic plan cached while a table was young (a sequential scan of a few rows) would
/// otherwise stay in use until the next ANALYZE, while the table grows by thousands of rows a
/// second. Every other statement keeps its cached plan: planning a per-item read each time cost
/// reward level postbacks a quarter of their rate.
fn read(sql: &str) -> Query<'_, Postgres, PgArguments> {
    sqlx::query(sql).persistent(false)
}

fn bind<'q>(mut query: Query<'q, Postgres, PgArguments>, args: &'q [Val]) -> Query<'q, Postgres, PgArguments> {
    for arg in args {
        query = match arg {
            Val::Int(v) => query.bind(*v),
            Val::Text(v) => query.bind(v.as_deref()),
        };
    }
    query
}

fn decode(row: &PgRow) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match column.type_info().name() {
            "INT8" => Val::Int(row.try_get::<Option<i64>, _>(i)?),
            "INT4" => Val::Int(row.try_get::<Option<i32>, _>(i)?.map(i64::from)),
            "INT2" => Val::Int(row.try_get::<Option<i16>, _>(i)?.map(i64::from)),
            "BOOL" => Val::Int(row.try_get::<Option<bool>, _>(i)?.map(i64::from)),
            _ => Val::Text(row.try_get::<Option<String>, _>(i)?),
        };
        values.push(value);
    }
    Ok(Row(values))
}

#[async_trait]
impl WriteTx for PgTx {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn execute(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        Ok(bind(sqlx::query(sql), args).execute(&mut *self.tx).await?.rows_affected())
    }

    async fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        bind(sqlx::query(sql), args).fetch_all(&mut *self.tx).await?.iter().map(decode).collect()
    }

    async fn select_in(
        &mut self,
        sql_before_list: &str,
        sql_after_list: &str,
        fixed: &[Val],
        values: &[String],
    ) -> Result<Vec<Row>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let column = sql_before_list.trim_end().strip_suffix("IN").ok_or(StoreError::Decode("select_in: the SQL must end with `IN `"))?;
        let sql = format!("{column}= ANY(${}::TEXT[]){sql_after_list}", fixed.len() + 1);
        bind(read(&sql), fixed).bind(values).fetch_all(&mut *self.tx).await?.iter().map(decode).collect()
    }

    async fn select_each(&mut self, sql_before_key: &str, fixed: &[Val], keys: &[String]) -> Result<Vec<Row>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // `LIMIT 1` keeps the subquery from being flattened into a join, so each key is one
        // probe of the unique index on all its columns.
        let sql = format!("SELECT s.* FROM UNNEST(${}::TEXT[]) AS k(key), LATERAL ({sql_before_key}k.key LIMIT 1) AS s", fixed.len() + 1);
        bind(read(&sql), fixed).bind(keys).fetch_all(&mut *self.tx).await?.iter().map(decode).collect()
    }

    async fn insert(&mut self, table: &Table, rows: &[Vec<Val>], tail: &str) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        let arrays = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| format!("${}::{}[]", i + 1, if *ty == Ty::Int { "BIGINT" } else { "TEXT" }))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO {} ({}) SELECT * FROM UNNEST({arrays}) {tail}", table.name, table.column_list());
        let mut query = sqlx::query(&sql);
        for (i, (_, ty)) in table.columns.iter().enumerate() {
            let column = rows.iter().map(|row| row.get(i).cloned().unwrap_or(Val::Text(None)));
            query = match ty {
                Ty::Int => query.bind(
                    column
                        .map(|v| match v {
                            Val::Int(v) => v,
                            Val::Text(v) => v.and_then(|t| t.parse().ok()),
                        })
                        .collect::<Vec<Option<i64>>>(),
                ),
                Ty::Text => query.bind(
                    column
                        .map(|v| match v {
                            Val::Text(v) => v,
                            Val::Int(v) => v.map(|n| n.to_string()),
                        })
                        .collect::<Vec<Option<String>>>(),
                ),
            };
        }
        Ok(query.execute(&mut *self.tx).await?.rows_affected())
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    async fn rollback(self: Box<Self>) {
        let _ = self.tx.rollback().await;
    }
}
