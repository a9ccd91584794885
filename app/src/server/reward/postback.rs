//! The level-postback pipeline (seed 003, SPEC C): HTTPS → secret → JSON → fields → pid → gid
//! → uid → (in the writer) duplicate → credit. Every call is logged without the secret;
//! accepted ones are written by the group-commit writer.

use std::time::Instant;

use serde_json::Value;

use super::catalog;
use super::record::{AcceptedLevel, NewLevel, RewardJob, RewardRecorded};
use crate::domain::client_addr::ClientAddr;
use crate::domain::reward::catalog::RewardUser;
use crate::domain::reward::postback::{clean_text, LevelPostback};
use crate::domain::reward::{Award, RewardUserId};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::postback::log::NewLogEntry;
use crate::server::postback::writer::{Job, JobOutput, PostbackWriter};

/// The contract's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum RewardAnswer {
    /// A new level: credited when `award.milestone`, else stored with no coins.
    Recorded {
        postback: LevelPostback,
        award: Award,
        user: RewardUser,
    },
    /// The same user, game and level again: 200, nothing credited.
    Duplicate {
        postback: LevelPostback,
    },
    HttpsRequired,
    Unauthorized,
    BadRequest(String),
    PayloadTooLarge,
    UserNotFound,
    Internal,
}

/// The seed's words for a repeat.
pub const DUPLICATE_MESSAGE: &str = "Duplicate postback for this user, game, and level";

impl RewardAnswer {
    pub fn status(&self) -> u16 {
        match self {
            RewardAnswer::Recorded { .. } | RewardAnswer::Duplicate { .. } => 200,
            RewardAnswer::HttpsRequired => 403,
            RewardAnswer::Unauthorized => 401,
            RewardAnswer::BadRequest(_) => 400,
            RewardAnswer::PayloadTooLarge => 413,
            RewardAnswer::UserNotFound => 404,
            RewardAnswer::Internal => 500,
        }
    }

    pub fn message(&self) -> String {
        match self {
            RewardAnswer::Recorded { .. } => "ok".into(),
            RewardAnswer::Duplicate { .. } => DUPLICATE_MESSAGE.into(),
            RewardAnswer::HttpsRequired => "HTTPS required".into(),
            RewardAnswer::Unauthorized => "Unauthorized".into(),
            RewardAnswer::BadRequest(message) => message.clone(),
            RewardAnswer::PayloadTooLarge => "Request body too large".into(),
            RewardAnswer::UserNotFound => "No user found for the given uid".into(),
            RewardAnswer::Internal => "Internal Server Error".into(),
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            RewardAnswer::Recorded { .. } => "ok",
            RewardAnswer::Duplicate { .. } => "duplicate",
            RewardAnswer::HttpsRequired => "https_required",
            RewardAnswer::Unauthorized => "unauthorized",
            RewardAnswer::BadRequest(_) | RewardAnswer::PayloadTooLarge => "bad_request",
            RewardAnswer::UserNotFound => "not_found",
            RewardAnswer::Internal => "error",
        }
    }
}

/// What the pipeline needs from the application.
pub struct RewardContext<'a> {
    pub db: &'a Db,
    pub writer: &'a PostbackWriter,
    pub require_https: bool,
}

/// One call as the HTTP layer hands it over.
pub struct RewardRequest<'a> {
    pub client: ClientAddr,
    /// Secrets presented in the headers (see [`secrets::presented`]).
    pub secrets: Vec<&'a str>,
    /// The body, or `None` when it was too large to read.
    pub body: Option<&'a [u8]>,
}

pub async fn receive(ctx: &RewardContext<'_>, request: RewardRequest<'_>) -> RewardAnswer {
    let started = Instant::now();
    let mut log = NewLogEntry {
        received_at: now_ms(),
        source: super::SOURCE,
        network_id: None,
        source_ip: request.client.ip.to_string(),
        outcome: "",
        http_status: 0,
        reason: String::new(),
        latency_us: 0,
        params: Value::Object(serde_json::Map::new()),
    };
    let decided = decide(ctx, &request, &mut log).await;
    log.latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    match decided {
        Ok(accepted) => {
            log.http_status = 200;
            let accepted = AcceptedLevel { log, ..accepted };
            let postback = accepted.postback.clone();
            match ctx.writer.submit(Job::Reward(Box::new(RewardJob::Level(accepted)))).await {
                Ok(JobOutput::Reward(RewardRecorded::Recorded(level))) => {
                    let NewLevel { award, user, .. } = *level;
                    RewardAnswer::Recorded { postback, award, user }
                }
                Ok(JobOutput::Reward(RewardRecorded::Duplicate { .. })) => RewardAnswer::Duplicate { postback },
                Ok(JobOutput::Reward(RewardRecorded::UserNotFound)) => RewardAnswer::UserNotFound,
                _ => RewardAnswer::Internal,
            }
        }
        Err(answer) => {
            log.http_status = answer.status();
            log.outcome = answer.outcome();
            log.reason = answer.message();
            if let Err(err) = ctx.writer.submit(Job::Reward(Box::new(RewardJob::Refused(log)))).await {
                tracing::warn!(error = %err, "a refused reward postback could not be logged");
            }
            answer
        }
    }
}

async fn decide(ctx: &RewardContext<'_>, request: &RewardRequest<'_>, log: &mut NewLogEntry) -> Result<AcceptedLevel, RewardAnswer> {
    if ctx.require_https && !request.client.https {
        return Err(RewardAnswer::HttpsRequired);
    }
    if request.secrets.is_empty() {
        return Err(RewardAnswer::Unauthorized);
    }
    // Everything is read in one round trip; the answers still come in the contract's order.
    let value: Option<Value> = request.body.and_then(|body| serde_json::from_slice(body).ok());
    let parsed = value.as_ref().map(LevelPostback::from_json);
    let fields = parsed.as_ref().and_then(|p| p.as_ref().ok());
    let user_id = fields.and_then(|p| RewardUserId::parse(&p.uid).ok());
    let found = lookup(ctx.db, &request.secrets, fields, user_id.as_ref()).await.map_err(|err| {
        tracing::error!(error = %err, "reward postback lookup failed");
        RewardAnswer::Internal
    })?;
    if !found.authorized {
        return Err(RewardAnswer::Unauthorized);
    }
    let body = request.body.ok_or(RewardAnswer::PayloadTooLarge)?;
    let (Some(value), Some(parsed)) = (value, parsed) else {
        return Err(RewardAnswer::BadRequest(if body.is_empty() { "Missing JSON body".into() } else { "Invalid JSON body".into() }));
    };
    log.params = params_for_log(&value);
    let postback = parsed.map_err(|e| RewardAnswer::BadRequest(e.to_string()))?;
    if !found.pid {
        return Err(RewardAnswer::BadRequest("Unknown pid: not a registered store app".into()));
    }
    let Some(game_name) = found.game_name else {
        return Err(RewardAnswer::BadRequest("Unknown gid: not a registered reward game".into()));
    };
    // A uid that is not a UUID cannot name a user: it is answered like an unknown one.
    match user_id {
        Some(user_id) if found.user => Ok(AcceptedLevel { postback, user_id, game_name, log: log.clone() }),
        _ => Err(RewardAnswer::UserNotFound),
    }
}

/// What the hot path reads before writing.
struct Found {
    authorized: bool,
    pid: bool,
    game_name: Option<String>,
    user: bool,
}

/// Checks the presented secrets and, when the fields parsed, looks up the pid, the game and the
/// user — one query. A deactivated store app or game is not found, so it is refused exactly
/// like an unknown one. Values that cannot be registered ids are looked up as `''`, which matches
/// nothing, so NUL bytes and 9 KB strings never reach the database.
async fn lookup(db: &Db, presented: &[&str], fields: Option<&LevelPostback>, user: Option<&RewardUserId>) -> Result<Found, sqlx::Error> {
    let hashes: Vec<String> = presented.iter().filter(|s| s.len() <= 256).map(|s| crate::server::secrets::hash(s)).collect();
    let first = hashes.first().cloned().unwrap_or_default();
    let second = hashes.get(1).cloned().unwrap_or_else(|| first.clone());
    let id = |raw: Option<&str>| raw.filter(|r| catalog::could_be_id(r)).unwrap_or("").to_owned();
    let (authorized, pid, game_name, user): (i64, i64, Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM reward_secrets WHERE secret_hash IN ($1, $2) AND revoked_at IS NULL \
         AND (valid_until IS NULL OR valid_until > $3)), (SELECT COUNT(*) FROM store_apps WHERE pid = $4 AND active = 1), \
         (SELECT name FROM reward_games WHERE id = $5 AND active = 1), (SELECT COUNT(*) FROM reward_users WHERE id = $6)",
    )
    .bind(first)
    .bind(second)
    .bind(now_ms())
    .bind(id(fields.map(|p| p.pid.as_str())))
    .bind(id(fields.map(|p| p.gid.as_str())))
    .bind(user.map(RewardUserId::as_str).unwrap_or(""))
    .fetch_one(db.pool())
    .await?;
    Ok(Found { authorized: authorized > 0, pid: pid > 0, game_name, user: user > 0 })
}

/// The body as logged: the first 16 members of an object, text cleaned and capped.
fn params_for_log(body: &Value) -> Value {
    let Value::Object(object) = body else { return Value::Object(serde_json::Map::new()) };
    let mut map = serde_json::Map::new();
    for (name, value) in object.iter().take(16) {
        let value = match value {
            Value::String(text) => Value::String(clean_text(text, 256)),
            Value::Number(_) | Value::Bool(_) | Value::Null => value.clone(),
            other => Value::String(clean_text(&other.to_string(), 256)),
        };
        map.insert(clean_text(name, 64), value);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_params_are_bounded_and_clean() {
        let body = serde_json::json!({ "pid": "p\u{0}x", "reason": "r".repeat(1000), "level": 5, "nested": { "a": [1, 2] } });
        let logged = params_for_log(&body);
        assert_eq!(logged["pid"], "px");
        assert_eq!(logged["reason"].as_str().map(str::len), Some(256));
        assert_eq!(logged["level"], 5);
        assert_eq!(logged["nested"], "{\"a\":[1,2]}");
        assert_eq!(params_for_log(&serde_json::json!([1])), serde_json::json!({}));
    }

    #[test]
    fn answers_follow_the_contract() {
        assert_eq!(RewardAnswer::Unauthorized.status(), 401);
        assert_eq!(RewardAnswer::BadRequest("x".into()).status(), 400);
        assert_eq!(
            (RewardAnswer::UserNotFound.status(), RewardAnswer::UserNotFound.message().as_str()),
            (404, "No user found for the given uid")
        );
        assert_eq!(RewardAnswer::Internal.message(), "Internal Server Error");
    }
}
