//! The error every service returns; the HTTP layers map it to their own contract.

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}

/// A unique constraint, named the way each database reports it: PostgreSQL by the constraint's
/// name (`users_email_key`, `publishers_pkey`), SQLite by its columns (`users.email`), since
/// SQLite's errors carry no constraint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueKey {
    pub postgres: &'static str,
    pub sqlite: &'static str,
}

impl UniqueKey {
    /// True when `err` violates this constraint, and not some other unique constraint of the
    /// same statement (checked by kind and constraint, never by free message text).
    pub fn violated_by(&self, err: &sqlx::Error) -> bool {
        let sqlx::Error::Database(db) = err else { return false };
        if !db.is_unique_violation() {
            return false;
        }
        match db.constraint() {
            Some(name) => name == self.postgres,
            None => db.message().strip_prefix("UNIQUE constraint failed: ") == Some(self.sqlite),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::UniqueKey;
    use sqlx::sqlite::SqlitePoolOptions;

    const EMAIL: UniqueKey = UniqueKey { postgres: "t_email_key", sqlite: "t.email" };
    const ID: UniqueKey = UniqueKey { postgres: "t_pkey", sqlite: "t.id" };

    #[tokio::test]
    async fn a_violation_matches_only_its_own_constraint() {
        let pool = SqlitePoolOptions::new().max_connections(1).connect("sqlite::memory:").await.expect("sqlite");
        sqlx::query("CREATE TABLE t (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE)").execute(&pool).await.expect("create");
        sqlx::query("INSERT INTO t VALUES ('a', 'a@x')").execute(&pool).await.expect("first row");
        let same_email = sqlx::query("INSERT INTO t VALUES ('b', 'a@x')").execute(&pool).await.expect_err("email taken");
        assert!(EMAIL.violated_by(&same_email));
        assert!(!ID.violated_by(&same_email));
        let same_id = sqlx::query("INSERT INTO t VALUES ('a', 'b@x')").execute(&pool).await.expect_err("id taken");
        assert!(ID.violated_by(&same_id));
        assert!(!EMAIL.violated_by(&same_id));
        let not_null = sqlx::query("INSERT INTO t VALUES ('c', NULL)").execute(&pool).await.expect_err("null email");
        assert!(!EMAIL.violated_by(&not_null));
    }
}
