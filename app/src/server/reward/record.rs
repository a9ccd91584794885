//! Applies one level postback inside the writer's transaction. Exactly once by the NOT NULL
//! unique `(user_id, gid, level_number)` of `user_postbacks`; coins go to the ledger in the same
//! transaction, and the postback is mirrored as a `reward` conversion for the admin listings
//! and the live feed.

use sqlx::AnyConnection;

use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::reward::catalog::RewardUser;
use crate::domain::reward::postback::LevelPostback;
use crate::domain::reward::{Award, RewardUserId};
use crate::server::clock::now_ms;
use crate::server::ledger;
use crate::server::postback::log::{self, NewLogEntry};
use crate::server::secrets;

/// A level postback that passed every check before the write.
#[derive(Debug, Clone)]
pub struct AcceptedLevel {
    pub postback: LevelPostback,
    pub user_id: RewardUserId,
    pub game_name: String,
    pub log: NewLogEntry,
}

/// What the writer does for the reward pipeline.
#[derive(Debug, Clone)]
pub enum RewardJob {
    Level(AcceptedLevel),
    /// A refused call: only its log entry.
    Refused(NewLogEntry),
}

/// A newly recorded level: its conversion row, what it earned, and the user afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLevel {
    pub conversion: Conversion,
    pub award: Award,
    pub user: RewardUser,
}

/// What writing did.
#[derive(Debug, Clone, PartialEq)]
pub enum RewardRecorded {
    Recorded(Box<NewLevel>),
    /// The same user, game and level was accepted before; nothing changed.
    Duplicate {
        conversion_id: Option<String>,
    },
    /// The user disappeared between the check and the write.
    UserNotFound,
    Logged,
}

impl RewardRecorded {
    /// The conversion this created, for the live feed.
    pub fn created(&self) -> Option<&Conversion> {
        match self {
            RewardRecorded::Recorded(level) => Some(&level.conversion),
            _ => None,
        }
    }
}

pub async fn apply(conn: &mut AnyConnection, job: &RewardJob) -> Result<RewardRecorded, sqlx::Error> {
    match job {
        RewardJob::Refused(entry) => {
            log::insert(conn, entry, None).await?;
            Ok(RewardRecorded::Logged)
        }
        RewardJob::Level(accepted) => {
            let recorded = record(conn, accepted).await?;
            let mut entry = accepted.log.clone();
            let conversion_id = match &recorded {
                RewardRecorded::Recorded(level) => {
                    entry.outcome = "ok";
                    Some(level.conversion.id.clone())
                }
                RewardRecorded::Duplicate { conversion_id } => {
                    entry.outcome = "duplicate";
                    conversion_id.clone()
                }
                _ => {
                    (entry.outcome, entry.http_status, entry.reason) = ("not_found", 404, "No user found for the given uid".into());
                    None
                }
            };
            log::insert(conn, &entry, conversion_id.as_deref()).await?;
            Ok(recorded)
        }
    }
}

async fn existing(conn: &mut AnyConnection, user: &RewardUserId, p: &LevelPostback) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT conversion_id FROM user_postbacks WHERE user_id = $1 AND gid = $2 AND level_number = $3")
            .bind(user.as_str())
            .bind(&p.gid)
            .bind(i64::from(p.level.get()))
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

async fn record(conn: &mut AnyConnection, accepted: &AcceptedLevel) -> Result<RewardRecorded, sqlx::Error> {
    let AcceptedLevel { postback: p, user_id, game_name, .. } = accepted;
    // Repeats are common (game retries): answer them without writing.
    if let Some(conversion_id) = existing(conn, user_id, p).await? {
        return Ok(RewardRecorded::Duplicate { conversion_id: Some(conversion_id) });
    }
    // Taking the user's next cursor locks the user's row until commit, so concurrent writers
    // (other instances on PostgreSQL) queue here and cursors grow in commit order.
    let taken: Option<(i64, String, String, i64)> = sqlx::query_as(
        "UPDATE reward_users SET postback_seq = postback_seq + 1 WHERE id = $1 RETURNING postback_seq, app_id, device_id, created_at",
    )
    .bind(user_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((seq, app_id, device_id, user_created_at)) = taken else { return Ok(RewardRecorded::UserNotFound) };

    let award = p.level.award();
    let conversion = draft(accepted, &award);
    let inserted = sqlx::query(
        "INSERT INTO user_postbacks (user_id, seq, gid, pid, level_number, milestone, awarded, coin_delta, reason, conversion_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (user_id, gid, level_number) DO NOTHING",
    )
    .bind(user_id.as_str())
    .bind(seq)
    .bind(&p.gid)
    .bind(&p.pid)
    .bind(i64::from(p.level.get()))
    .bind(i64::from(award.milestone))
    .bind(i64::from(award.coins.get() > 0))
    .bind(award.coins.get())
    .bind(p.reason.as_deref())
    .bind(&conversion.id)
    .bind(conversion.created_at)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(RewardRecorded::Duplicate { conversion_id: existing(conn, user_id, p).await? });
    }
    if award.coins.get() > 0 {
        let reason = format!("reward level {} of {}", p.level, game_name);
        ledger::post(conn, &user_id.account(), award.coins.get(), &reason, &format!("{}:credit", conversion.id)).await?;
    }
    insert_conversion(conn, &conversion, &p.pid, &format!("{}:{}:{}", user_id, p.gid, p.level)).await?;
    let coins = ledger::balance(conn, &user_id.account()).await?;
    let user = RewardUser { id: user_id.to_string(), coins, app_id, device_id, created_at: user_created_at };
    Ok(RewardRecorded::Recorded(Box::new(NewLevel { conversion, award, user })))
}

/// The level postback as a conversion: no network or publisher and no money (`amount_cents`
/// 0 — coins are not cents; they are in the ledger and `user_postbacks`). The user is the lead,
/// the game the offer, `status` says the level.
fn draft(accepted: &AcceptedLevel, award: &Award) -> Conversion {
    let now = now_ms();
    let p = &accepted.postback;
    Conversion {
        id: secrets::new_ordered_id("cnv"),
        source: super::SOURCE.into(),
        network_id: None,
        program_id: None,
        publisher_id: None,
        state: if award.coins.get() > 0 { ConversionState::Credited } else { ConversionState::Pending },
        amount_cents: 0,
        network_status: Some(format!("level {}", p.level)),
        reasons: Vec::new(),
        lead_id: Some(accepted.user_id.to_string()),
        click_id: None,
        offer_id: Some(p.gid.clone()),
        offer_name: Some(accepted.game_name.clone()),
        country_code: None,
        ip: None,
        s2: None,
        s1: None,
        uid: None,
        offerwall_id: None,
        catalog_offer_id: None,
        event_at: now,
        created_at: now,
        updated_at: now,
    }
}

/// Inserts the mirror row; its key is `(reward, pid, "<uid>:<gid>:<level>")`.
async fn insert_conversion(conn: &mut AnyConnection, c: &Conversion, scope: &str, dedup_key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO conversions (id, source, scope, dedup_key, state, amount_cents, status_raw, reasons, lead_id, offer_id, offer_name, \
         event_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10, $11, $12, $12)",
    )
    .bind(&c.id)
    .bind(&c.source)
    .bind(scope)
    .bind(dedup_key)
    .bind(c.state.as_str())
    .bind(c.amount_cents)
    .bind(c.network_status.as_deref())
    .bind(c.lead_id.as_deref())
    .bind(c.offer_id.as_deref())
    .bind(c.offer_name.as_deref())
    .bind(c.event_at)
    .bind(c.created_at)
    .execute(conn)
    .await?;
    Ok(())
}
