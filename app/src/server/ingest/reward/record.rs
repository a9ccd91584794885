//! Writes a batch of level postbacks set-wise inside the writer's transaction. Exactly once by the
//! NOT NULL unique `(user_id, gid, level_number)` of `user_postbacks`; coins go to the ledger in
//! the same transaction, and each postback is mirrored as a `reward` conversion for the admin
//! listings and the live feed. Each user's cursor (`postback_seq`) is taken with one `UPDATE …
//! RETURNING` per user and batch, which locks the user's row until commit, so concurrent writers
//! (other instances on PostgreSQL) queue there and cursors grow in commit order.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;

use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::reward::catalog::RewardUser;
use crate::domain::reward::postback::LevelPostback;
use crate::domain::reward::{Award, RewardUserId};
use crate::server::ingest::conversion::{self, NewConversion};
use crate::server::ingest::credit::{self, Entry};
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::store::{args, StoreError, Table, Ty, Val, WriteTx};
use crate::server::ingest::writer::{Env, Source};

/// A level postback that passed every check before the write.
#[derive(Debug, Clone)]
pub struct AcceptedLevel {
    pub postback: LevelPostback,
    pub user_id: RewardUserId,
    pub game_name: String,
    pub log: NewLogEntry,
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
}

/// The writer's reward source.
pub struct Level;

#[async_trait]
impl Source for Level {
    type Item = AcceptedLevel;
    type Output = RewardRecorded;

    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[AcceptedLevel]) -> Result<Vec<RewardRecorded>, StoreError> {
        record(tx, env, items).await
    }

    fn committed(env: &Env, output: &RewardRecorded) {
        if let RewardRecorded::Recorded(level) = output {
            env.events.publish("created", level.conversion.clone());
        }
    }
}

type LevelKey = (String, String, i64);

fn key(item: &AcceptedLevel) -> LevelKey {
    (item.user_id.to_string(), item.postback.gid.clone(), i64::from(item.postback.level.get()))
}

/// A user's row as the batch takes cursors from it.
struct UserRow {
    next_seq: i64,
    app_id: String,
    device_id: String,
    created_at: i64,
    coins: i64,
}

const USER_POSTBACKS: Table = Table {
    name: "user_postbacks",
    columns: &[
        ("user_id", Ty::Text),
        ("seq", Ty::Int),
        ("gid", Ty::Text),
        ("pid", Ty::Text),
        ("level_number", Ty::Int),
        ("milestone", Ty::Int),
        ("awarded", Ty::Int),
        ("coin_delta", Ty::Int),
        ("reason", Ty::Text),
        ("conversion_id", Ty::Text),
        ("created_at", Ty::Int),
    ],
};

async fn record(tx: &mut dyn WriteTx, env: &Env, items: &[AcceptedLevel]) -> Result<Vec<RewardRecorded>, StoreError> {
    let existing = existing(tx, items).await?;
    // New levels per user, in arrival order (a repeat inside the batch is a duplicate of the first).
    let mut fresh: BTreeMap<String, i64> = BTreeMap::new();
    let mut firsts: HashMap<LevelKey, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let key = key(item);
        if !existing.contains_key(&key) && !firsts.contains_key(&key) {
            firsts.insert(key, index);
            *fresh.entry(item.user_id.to_string()).or_default() += 1;
        }
    }
    let mut users = take_cursors(tx, &fresh).await?;
    let mut outputs = Vec::with_capacity(items.len());
    let (mut rows, mut entries, mut conversions) = (Vec::new(), Vec::new(), Vec::new());
    let mut logs: Vec<(NewLogEntry, Option<String>)> = Vec::with_capacity(items.len());
    let mut created: HashMap<usize, String> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let key = key(item);
        let mut entry = item.log.clone();
        let output = if let Some(id) = existing.get(&key) {
            RewardRecorded::Duplicate { conversion_id: id.clone() }
        } else if firsts.get(&key) != Some(&index) {
            RewardRecorded::Duplicate { conversion_id: firsts.get(&key).and_then(|first| created.get(first)).cloned() }
        } else if let Some(user) = users.get_mut(&key.0) {
            let p = &item.postback;
            let award = p.level.award();
            let c = draft(item, &award);
            user.coins += award.coins.get();
            rows.push(vec![
                key.0.as_str().into(),
                user.next_seq.into(),
                p.gid.as_str().into(),
                p.pid.as_str().into(),
                key.2.into(),
                award.milestone.into(),
                (award.coins.get() > 0).into(),
                award.coins.get().into(),
                p.reason.as_deref().into(),
                c.id.as_str().into(),
                c.created_at.into(),
            ]);
            user.next_seq += 1;
            if award.coins.get() > 0 {
                entries.push(Entry {
                    account: item.user_id.account(),
                    delta: award.coins.get(),
                    reason: format!("reward level {} of {}", p.level, item.game_name),
                    source_ref: format!("{}:credit", c.id),
                });
            }
            created.insert(index, c.id.clone());
            conversions.push((p.pid.clone(), format!("{}:{}:{}", item.user_id, p.gid, p.level), c.clone()));
            let user = RewardUser {
                id: key.0.clone(),
                coins: user.coins,
                app_id: user.app_id.clone(),
                device_id: user.device_id.clone(),
                created_at: user.created_at,
            };
            RewardRecorded::Recorded(Box::new(NewLevel { conversion: c, award, user }))
        } else {
            RewardRecorded::UserNotFound
        };
        let conversion_id = match &output {
            RewardRecorded::Recorded(level) => {
                entry.outcome = "ok";
                Some(level.conversion.id.clone())
            }
            RewardRecorded::Duplicate { conversion_id } => {
                entry.outcome = "duplicate";
                conversion_id.clone()
            }
            RewardRecorded::UserNotFound => {
                (entry.outcome, entry.http_status, entry.reason) = ("not_found", 404, "No user found for the given uid".into());
                None
            }
        };
        logs.push((entry, conversion_id));
        outputs.push(output);
    }
    tx.insert(&USER_POSTBACKS, &rows, "").await?;
    credit::post_new(tx, &entries).await?;
    let new: Vec<NewConversion<'_>> =
        conversions.iter().map(|(pid, key, c)| NewConversion { scope: pid, dedup_key: key, conversion: c, api: None }).collect();
    conversion::insert(tx, &new, false).await?;
    log::insert(tx, &env.metrics, &logs.iter().map(|(e, id)| (e, id.as_deref())).collect::<Vec<_>>()).await?;
    Ok(outputs)
}

/// The conversions of levels already recorded, by key (repeats are common: game retries).
async fn existing(tx: &mut dyn WriteTx, items: &[AcceptedLevel]) -> Result<HashMap<LevelKey, Option<String>>, StoreError> {
    let mut found = HashMap::new();
    for item in items {
        let key = key(item);
        if found.contains_key(&key) {
            continue;
        }
        let sql = "SELECT conversion_id FROM user_postbacks WHERE user_id = $1 AND gid = $2 AND level_number = $3";
        if let Some(row) = tx.query_one(sql, args![key.0.as_str(), key.1.as_str(), key.2]).await? {
            found.insert(key, row.opt_text(0)?);
        }
    }
    Ok(found)
}

/// Takes `count` cursor values for each user (locking the user's row) and reads their coins.
async fn take_cursors(tx: &mut dyn WriteTx, fresh: &BTreeMap<String, i64>) -> Result<HashMap<String, UserRow>, StoreError> {
    let mut users = HashMap::with_capacity(fresh.len());
    for (user_id, count) in fresh {
        let sql = "UPDATE reward_users SET postback_seq = postback_seq + $1 WHERE id = $2 \
                   RETURNING postback_seq, app_id, device_id, created_at";
        let Some(row) = tx.query_one(sql, &[Val::from(*count), Val::from(user_id.as_str())]).await? else { continue };
        let account = RewardUserId::parse(user_id).map(|id| id.account()).unwrap_or_default();
        let coins = credit::balance(tx, &account).await?;
        users.insert(
            user_id.clone(),
            UserRow { next_seq: row.int(0)? - count + 1, app_id: row.text(1)?, device_id: row.text(2)?, created_at: row.int(3)?, coins },
        );
    }
    Ok(users)
}

/// The level postback as a conversion: no network or publisher and no money (`amount_cents`
/// 0 — coins are not cents; they are in the ledger and `user_postbacks`). The user is the lead,
/// the game the offer, `status` says the level.
fn draft(accepted: &AcceptedLevel, award: &Award) -> Conversion {
    let p = &accepted.postback;
    Conversion {
        state: if award.coins.get() > 0 { ConversionState::Credited } else { ConversionState::Pending },
        network_status: Some(format!("level {}", p.level)),
        lead_id: Some(accepted.user_id.to_string()),
        offer_id: Some(p.gid.clone()),
        offer_name: Some(accepted.game_name.clone()),
        ..conversion::draft(super::SOURCE)
    }
}
