//! Starts the single writer on the database's own store, on a dedicated OS thread: a `rusqlite`
//! connection for SQLite, a native `PgPool` for PostgreSQL.

use super::store::postgres::PgStore;
use super::store::sqlite::SqliteStore;
use super::writer::{Env, Writer};
use crate::server::db::{Backend, Db};

/// Starts the writer for `db`, whose migrated database `database_url` names.
pub async fn writer(db: &Db, database_url: &str, env: Env) -> anyhow::Result<Writer> {
    let url = database_url.to_owned();
    match db.backend() {
        Backend::Sqlite => Writer::spawn_thread(move || async move { SqliteStore::open(&url) }, env).await,
        Backend::Postgres => Writer::spawn_thread(move || async move { PgStore::connect(&url).await }, env).await,
    }
}
