//! Starts the single writer on the database's own store: a `rusqlite` connection on a dedicated
//! OS thread for SQLite, a native `PgPool` for PostgreSQL.

use super::store::postgres::PgStore;
use super::store::sqlite::SqliteStore;
use super::writer::{Env, Writer};
use crate::server::db::{Backend, Db};

/// Starts the writer for `db`, whose migrated database `database_url` names.
pub async fn writer(db: &Db, database_url: &str, env: Env) -> anyhow::Result<Writer> {
    Ok(match db.backend() {
        Backend::Sqlite => Writer::spawn_thread(SqliteStore::open(database_url)?, env)?,
        Backend::Postgres => Writer::spawn(PgStore::connect(database_url).await?, env),
    })
}
