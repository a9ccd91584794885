//! Reward users: registered by the reward app, identified by a UUID, owning a coin account in
//! the ledger, and their recorded level postbacks read back by cursor.

use sqlx::AnyConnection;

use crate::domain::label::parse_label;
use crate::domain::page::{self, contains_pattern, search_text, Page};
use crate::domain::reward::catalog::{RewardUser, UserPostback};
use crate::domain::reward::RewardUserId;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::{ServiceError, UniqueKey};
use crate::server::ledger;

const REWARD_USER_KEY: UniqueKey = UniqueKey { postgres: "reward_users_pkey", sqlite: "reward_users.id" };

/// Longest `appId` / `deviceId`.
pub const MAX_APP_FIELD_LEN: usize = 128;
/// Most postbacks returned in one page.
pub const MAX_PAGE: i64 = 500;

/// A user to register, parsed.
#[derive(Debug, Clone)]
pub struct NewRewardUser {
    pub id: Option<RewardUserId>,
    pub app_id: String,
    pub device_id: String,
}

impl NewRewardUser {
    /// Parses raw input, naming the first wrong field. `id` lets an existing user base be
    /// imported with its UUIDs; it is generated (v4) when absent.
    pub fn parse(id: Option<&str>, app_id: &str, device_id: &str) -> Result<Self, ServiceError> {
        let id = match id {
            Some(raw) => Some(RewardUserId::parse(raw).map_err(|e| ServiceError::invalid("id", e.to_string().replacen("uid", "id", 1)))?),
            None => None,
        };
        let app_id = parse_label(app_id, MAX_APP_FIELD_LEN).map_err(|e| ServiceError::invalid("appId", format!("appId {e}")))?;
        let device_id =
            parse_label(device_id, MAX_APP_FIELD_LEN).map_err(|e| ServiceError::invalid("deviceId", format!("deviceId {e}")))?;
        Ok(Self { id, app_id, device_id })
    }
}

pub async fn create(db: &Db, new: NewRewardUser) -> Result<RewardUser, ServiceError> {
    let _changing = db.changing();
    let id = match new.id {
        Some(id) => id,
        None => RewardUserId::parse(&uuid::Uuid::new_v4().to_string()).map_err(|e| ServiceError::Internal(e.into()))?,
    };
    let now = now_ms();
    let inserted = sqlx::query("INSERT INTO reward_users (id, app_id, device_id, postback_seq, created_at) VALUES ($1, $2, $3, 0, $4)")
        .bind(id.as_str())
        .bind(&new.app_id)
        .bind(&new.device_id)
        .bind(now)
        .execute(db.pool())
        .await;
    match inserted {
        Err(e) if REWARD_USER_KEY.violated_by(&e) => return Err(ServiceError::Conflict(format!("reward user {id} already exists"))),
        other => other?,
    };
    Ok(RewardUser { id: id.to_string(), coins: 0, app_id: new.app_id, device_id: new.device_id, created_at: now })
}

/// The user with their current coins, if `id` is a registered user.
pub async fn find(conn: &mut AnyConnection, id: &RewardUserId) -> Result<Option<RewardUser>, sqlx::Error> {
    let row: Option<(String, String, String, i64)> =
        sqlx::query_as("SELECT id, app_id, device_id, created_at FROM reward_users WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id_str, app_id, device_id, created_at)) = row else { return Ok(None) };
    let coins = ledger::balance(conn, &id.account()).await?;
    Ok(Some(RewardUser { id: id_str, coins, app_id, device_id, created_at }))
}

/// True when `id` is a registered user.
pub async fn exists(conn: &mut AnyConnection, id: &RewardUserId) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM reward_users WHERE id = $1").bind(id.as_str()).fetch_optional(conn).await?;
    Ok(row.is_some())
}

/// The user with the raw id `raw` (a malformed id is simply not found).
pub async fn get(db: &Db, raw: &str) -> Result<RewardUser, ServiceError> {
    find_raw(&mut *db.pool().acquire().await?, raw).await?.ok_or(ServiceError::NotFound("reward user"))
}

/// `find` for a raw id: a malformed id is simply not found.
pub async fn find_raw(conn: &mut AnyConnection, raw: &str) -> Result<Option<RewardUser>, sqlx::Error> {
    match RewardUserId::parse(raw) {
        Ok(id) => find(conn, &id).await,
        Err(_) => Ok(None),
    }
}

/// The users a listing shows: `$1` the search, `$2` its pattern.
const MATCHING: &str =
    "WHERE ($1 = '' OR LOWER(u.id) LIKE $2 ESCAPE '\\' OR LOWER(u.app_id) LIKE $2 ESCAPE '\\' OR LOWER(u.device_id) LIKE $2 ESCAPE '\\')";

/// One page of [`list`], with how many users match on all pages.
pub async fn list_page(db: &Db, q: &str, limit: i64, offset: i64) -> Result<Page<RewardUser>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let q = search_text(q);
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM reward_users u {MATCHING}"))
        .bind(&q)
        .bind(contains_pattern(&q))
        .fetch_one(db.pool())
        .await?;
    let items = list(db, Some(&q), limit, offset).await?;
    Ok(Page { items, total, offset, limit })
}

/// Users, newest first, with their coins; `q` narrows to those whose id, app id or device id
/// contains it (case-insensitive).
pub async fn list(db: &Db, q: Option<&str>, limit: i64, offset: i64) -> Result<Vec<RewardUser>, ServiceError> {
    let q = search_text(q.unwrap_or(""));
    let rows: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT u.id, u.app_id, u.device_id, u.created_at, b.balance FROM reward_users u \
         LEFT JOIN balances b ON b.account = 'reward_user:' || u.id {MATCHING} ORDER BY u.created_at DESC, u.id LIMIT $3 OFFSET $4"
    ))
    .bind(&q)
    .bind(contains_pattern(&q))
    .bind(limit.clamp(1, 1000))
    .bind(offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, app_id, device_id, created_at, coins)| RewardUser { id, coins: coins.unwrap_or(0), app_id, device_id, created_at })
        .collect())
}

/// The user's newest postbacks first (for admins), and whether older ones exist.
pub async fn recent_postbacks(conn: &mut AnyConnection, user: &RewardUserId, limit: i64) -> Result<(Vec<UserPostback>, bool), sqlx::Error> {
    let limit = limit.clamp(1, MAX_PAGE);
    let rows: Vec<PostbackRow> = sqlx::query_as(
        "SELECT seq, level_number, gid, pid, coin_delta, milestone, awarded, reason, conversion_id, created_at \
         FROM user_postbacks WHERE user_id = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(user.as_str())
    .bind(limit + 1)
    .fetch_all(conn)
    .await?;
    let more = rows.len() as i64 > limit;
    Ok((rows.into_iter().take(limit as usize).map(to_postback).collect(), more))
}

fn to_postback(row: PostbackRow) -> UserPostback {
    let (cursor, level_number, gid, pid, coin_delta, milestone, awarded, reason, conversion_id, created_at) = row;
    UserPostback {
        cursor,
        level_number,
        game_id: gid.clone(),
        gid,
        pid,
        coin_delta,
        awarded: awarded == 1,
        milestone: milestone == 1,
        reason,
        conversion_id,
        created_at,
    }
}

type PostbackRow = (i64, i64, String, String, i64, i64, i64, Option<String>, String, i64);

/// One page of a user's postbacks (oldest first) and the cursor for the next page, if any.
pub type PostbackPage = (Vec<UserPostback>, Option<i64>);

/// The user's postbacks after `after` (a cursor), oldest first, and the cursor to continue
/// from when more remain.
///
/// The cursor is the user's own `seq`, not a table-wide sequence, and it is gap-free in commit
/// order even with several instances writing: a writer takes the user's next numbers with an
/// `UPDATE reward_users … RETURNING` that row-locks the user until its transaction ends
/// ([`crate::server::ingest::reward::record`]). Another instance's writer wanting numbers for
/// the same user waits on that lock and reads the bumped counter only after the first commits
/// (or rolls back, releasing its numbers unused). So `seq` N+1 is never visible before `seq` N,
/// and a reader that saw N never skips a row by resuming after it. (A shared sequence would
/// not do: two transactions take 7 and 8, the one holding 8 commits first, a reader resumes after
/// 8 and never sees 7.)
pub async fn postbacks_of(db: &Db, user: &RewardUserId, after: i64, limit: i64) -> Result<Option<PostbackPage>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    if !exists(&mut conn, user).await? {
        return Ok(None);
    }
    postbacks(&mut conn, user, after, limit).await.map(Some)
}

/// [`postbacks_of`] on a connection, for a user known to exist.
pub async fn postbacks(conn: &mut AnyConnection, user: &RewardUserId, after: i64, limit: i64) -> Result<PostbackPage, sqlx::Error> {
    let limit = limit.clamp(1, MAX_PAGE);
    let rows: Vec<PostbackRow> = sqlx::query_as(
        "SELECT seq, level_number, gid, pid, coin_delta, milestone, awarded, reason, conversion_id, created_at \
         FROM user_postbacks WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(user.as_str())
    .bind(after)
    .bind(limit + 1)
    .fetch_all(conn)
    .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<UserPostback> = rows.into_iter().take(limit as usize).map(to_postback).collect();
    let next = if more { items.last().map(|p| p.cursor) } else { None };
    Ok((items, next))
}

/// The coins each reward conversion among `conversion_ids` moved (its level postback's
/// `coin_delta`), for showing coins where a CPA conversion shows money. Unknown ids are left out.
pub async fn coins_for_conversions(db: &Db, conversion_ids: &[String]) -> Result<Vec<(String, i64)>, ServiceError> {
    let ids: Vec<&String> = conversion_ids.iter().take(500).collect();
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(100) {
        let statement = format!(
            "SELECT conversion_id, coin_delta FROM user_postbacks WHERE conversion_id IN ({})",
            crate::server::sql::list(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&statement);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}
