//! `taprain backup --to FILE`: a consistent copy of a live SQLite database, checked before it is
//! given its name.
//!
//! `VACUUM INTO` reads the database inside one read transaction, so the copy holds exactly the
//! transactions committed before it started (every postback already answered 200) and none
//! half-written; writers keep going meanwhile (WAL). The copy is written next to the target
//! under a temporary name, opened read-only, checked (`PRAGMA integrity_check` and the ledger
//! verification), and only then renamed to the target. PostgreSQL is backed up with `pg_dump`
//! (see `docs/operations.md`).

use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection};

use super::db::{Backend, Db};
use super::ledger::{self, Mismatch};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("taprain backup copies SQLite databases; back PostgreSQL up with pg_dump (see docs/operations.md)")]
    NotSqlite,
    #[error("{0} already exists; choose a new file name")]
    Exists(PathBuf),
    #[error("cannot prepare {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("the copy failed: {0}")]
    Copy(sqlx::Error),
    #[error("the copy cannot be read back: {0}")]
    Check(sqlx::Error),
    #[error("the copy is damaged: {0}")]
    Damaged(String),
}

/// What was written and what the check found.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// Accounts whose balances were recomputed from their entries.
    pub accounts: usize,
    /// Balances that disagree with their entries (the copy is kept so it can be examined).
    pub mismatches: Vec<Mismatch>,
    pub conversions: i64,
}

/// Copies the live database `db` to `to`, then checks the copy.
pub async fn sqlite(db: &Db, to: &Path) -> Result<Backup, BackupError> {
    if db.backend() != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let folder = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| BackupError::Io(folder.to_owned(), e))?;
    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "backup".into());
    let partial = folder.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);

    let written = async {
        let target = partial.to_str().ok_or_else(|| BackupError::Io(partial.clone(), std::io::Error::other("the path is not UTF-8")))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(db.pool()).await.map_err(BackupError::Copy)?;
        check(&partial).await
    }
    .await;
    let (accounts, mismatches, conversions) = match written {
        Ok(found) => found,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    std::fs::rename(&partial, to).map_err(|e| BackupError::Io(to.to_owned(), e))?;
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(Backup { path: to.to_owned(), bytes, accounts, mismatches, conversions })
}

/// Opens the copy read-only and checks its pages and its ledger.
async fn check(copy: &Path) -> Result<(usize, Vec<Mismatch>, i64), BackupError> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", copy.display());
    let mut conn = AnyConnection::connect(&url).await.map_err(BackupError::Check)?;
    let integrity: (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await.map_err(BackupError::Check)?;
    if integrity.0 != "ok" {
        return Err(BackupError::Damaged(integrity.0));
    }
    let (accounts, mismatches) = ledger::verify(&mut conn).await.map_err(BackupError::Check)?;
    let conversions: (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM conversions").fetch_one(&mut conn).await.map_err(BackupError::Check)?;
    conn.close().await.map_err(BackupError::Check)?;
    Ok((accounts, mismatches, conversions.0))
}
