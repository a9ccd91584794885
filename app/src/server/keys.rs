//! API keys owned by a record — network security keys, program API keys — kept the same way:
//! generated, shown once, stored as hashes with a hint, valid from `created_at` until
//! `valid_until` (open-ended while current), rotated with an overlap window, revoked. Each owner
//! kind has its own table of the same shape; [`KeyTable`] names it.

use sqlx::AnyConnection;

use super::clock::now_ms;
use super::error::ServiceError;
use super::secrets;
use crate::domain::partners::NetworkKeyInfo;

/// Longest overlap a rotation may give the old key: 30 days.
pub const MAX_OVERLAP_SECONDS: i64 = 30 * 24 * 3600;

/// Where one owner kind keeps its keys.
#[derive(Debug, Clone, Copy)]
pub struct KeyTable {
    /// The keys table (`id, <owner>, key_hash, hint, created_at, valid_until, revoked_at`).
    pub table: &'static str,
    /// Its column naming the owner.
    pub owner_column: &'static str,
    /// The owners' table (with `id` and `active`).
    pub owners: &'static str,
    /// Prefix of generated keys (`trk_…`).
    pub prefix: &'static str,
    /// Whether the table has a `sandbox` column: sandbox keys are checked and answered but
    /// never credit, and rotate separately from live keys.
    pub has_sandbox: bool,
}

pub const NETWORK_KEYS: KeyTable =
    KeyTable { table: "network_keys", owner_column: "network_id", owners: "networks", prefix: "trk", has_sandbox: true };
pub const PROGRAM_KEYS: KeyTable =
    KeyTable { table: "program_keys", owner_column: "program_id", owners: "programs", prefix: "tap", has_sandbox: false };

/// Refuses an overlap outside `0..=MAX_OVERLAP_SECONDS`.
pub fn check_overlap(overlap_seconds: i64) -> Result<(), ServiceError> {
    if (0..=MAX_OVERLAP_SECONDS).contains(&overlap_seconds) {
        Ok(())
    } else {
        Err(ServiceError::invalid("overlap_seconds", format!("overlap_seconds must be between 0 and {MAX_OVERLAP_SECONDS}")))
    }
}

type KeyRow = (String, String, i64, Option<i64>, Option<i64>, i64);

impl KeyTable {
    /// Issues a new, open-ended key for `owner` and returns it (the only time it is seen).
    pub async fn insert(&self, conn: &mut AnyConnection, owner: &str, now: i64) -> Result<String, sqlx::Error> {
        self.insert_kind(conn, owner, now, false).await
    }

    async fn insert_kind(&self, conn: &mut AnyConnection, owner: &str, now: i64, sandbox: bool) -> Result<String, sqlx::Error> {
        let key = secrets::generate(self.prefix);
        let (column, value) = if self.has_sandbox { (", sandbox", ", $6") } else { ("", "") };
        let query = format!(
            "INSERT INTO {} (id, {}, key_hash, hint, created_at{column}) VALUES ($1, $2, $3, $4, $5{value})",
            self.table, self.owner_column
        );
        let mut insert =
            sqlx::query(&query).bind(secrets::new_id("key")).bind(owner).bind(secrets::hash(&key)).bind(secrets::hint(&key)).bind(now);
        if self.has_sandbox {
            insert = insert.bind(i64::from(sandbox));
        }
        insert.execute(conn).await?;
        Ok(key)
    }

    /// Issues a new key; every key of `owner` still valid keeps working for `overlap_seconds`,
    /// then stops. An earlier deadline stands: rotating never extends a key's life.
    pub async fn rotate(&self, conn: &mut AnyConnection, owner: &str, overlap_seconds: i64) -> Result<String, ServiceError> {
        self.rotate_kind(conn, owner, overlap_seconds, false).await
    }

    /// Like [`KeyTable::rotate`], for the owner's live keys or (`sandbox`) its sandbox keys:
    /// each kind rotates on its own, so issuing a sandbox key never retires a live one.
    pub async fn rotate_kind(
        &self,
        conn: &mut AnyConnection,
        owner: &str,
        overlap_seconds: i64,
        sandbox: bool,
    ) -> Result<String, ServiceError> {
        check_overlap(overlap_seconds)?;
        if sandbox && !self.has_sandbox {
            return Err(ServiceError::invalid("sandbox", "sandbox keys exist only for networks"));
        }
        let now = now_ms();
        let until = now + overlap_seconds * 1000;
        let same_kind = if self.has_sandbox { " AND sandbox = $3" } else { "" };
        let query = format!(
            "UPDATE {} SET valid_until = $1 WHERE {} = $2 AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > $1){same_kind}",
            self.table, self.owner_column
        );
        let mut update = sqlx::query(&query).bind(until).bind(owner);
        if self.has_sandbox {
            update = update.bind(i64::from(sandbox));
        }
        update.execute(&mut *conn).await?;
        Ok(self.insert_kind(conn, owner, now, sandbox).await?)
    }

    /// Stops key `key_id` of `owner` at once. `Ok(false)` when there is no such key; revoking a
    /// revoked key changes nothing.
    pub async fn revoke(&self, conn: &mut AnyConnection, owner: &str, key_id: &str) -> Result<bool, sqlx::Error> {
        let found: Option<(String,)> =
            sqlx::query_as(&format!("SELECT id FROM {} WHERE id = $1 AND {} = $2", self.table, self.owner_column))
                .bind(key_id)
                .bind(owner)
                .fetch_optional(&mut *conn)
                .await?;
        if found.is_none() {
            return Ok(false);
        }
        sqlx::query(&format!("UPDATE {} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", self.table))
            .bind(now_ms())
            .bind(key_id)
            .execute(conn)
            .await?;
        Ok(true)
    }

    /// The keys of `owner` as listed (hint and validity, never the key), newest first.
    pub async fn list(&self, conn: &mut AnyConnection, owner: &str) -> Result<Vec<NetworkKeyInfo>, sqlx::Error> {
        let sandbox = if self.has_sandbox { "sandbox" } else { "0" };
        let rows: Vec<KeyRow> = sqlx::query_as(&format!(
            "SELECT id, hint, created_at, valid_until, revoked_at, CAST({sandbox} AS BIGINT) FROM {} WHERE {} = $1 ORDER BY created_at DESC, id",
            self.table, self.owner_column
        ))
        .bind(owner)
        .fetch_all(conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, hint, created_at, valid_until, revoked_at, sandbox)| NetworkKeyInfo {
                id,
                hint,
                created_at,
                valid_until,
                revoked_at,
                sandbox: sandbox == 1,
            })
            .collect())
    }

    /// The owner and validity window of a stored key hash (revoked keys and inactive owners are
    /// not found). The stored hash is compared in constant time.
    pub async fn validity(&self, conn: &mut AnyConnection, key_hash: &str) -> Result<Option<(String, Option<i64>)>, sqlx::Error> {
        let row: Option<(String, String, Option<i64>)> = sqlx::query_as(&format!(
            "SELECT k.{owner}, k.key_hash, k.valid_until FROM {table} k JOIN {owners} o ON o.id = k.{owner} \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND o.active = 1",
            owner = self.owner_column,
            table = self.table,
            owners = self.owners
        ))
        .bind(key_hash)
        .fetch_optional(conn)
        .await?;
        Ok(row.filter(|(_, stored, _)| secrets::ct_eq(stored, key_hash)).map(|(id, _, until)| (id, until)))
    }

    /// True when a stored key hash is one of the sandbox keys (whose calls are never credited).
    pub async fn is_sandbox(&self, conn: &mut AnyConnection, key_hash: &str) -> Result<bool, sqlx::Error> {
        if !self.has_sandbox {
            return Ok(false);
        }
        let row: Option<(i64,)> =
            sqlx::query_as(&format!("SELECT sandbox FROM {} WHERE key_hash = $1", self.table)).bind(key_hash).fetch_optional(conn).await?;
        Ok(row.is_some_and(|(s,)| s == 1))
    }

    /// The owner a presented key belongs to, if the key is valid now.
    pub async fn authenticate(&self, conn: &mut AnyConnection, presented: &str) -> Result<Option<String>, sqlx::Error> {
        if presented.is_empty() || presented.len() > 256 {
            return Ok(None);
        }
        let found = self.validity(conn, &secrets::hash(presented)).await?;
        Ok(found.filter(|(_, until)| until.is_none_or(|u| u > now_ms())).map(|(id, _)| id))
    }
}
