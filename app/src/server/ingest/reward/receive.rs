//! Deciding a level postback (seed 003, SPEC C): HTTPS → secret → JSON → fields → pid → gid →
//! uid, then (in the writer) duplicate → credit. Every call is logged without the secret.

use std::time::Instant;

use serde_json::Value;

use super::record::{AcceptedLevel, Level, NewLevel, RewardRecorded};
use crate::domain::client_addr::ClientAddr;
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::replay::Replay;
use crate::domain::reward::catalog::RewardUser;
use crate::domain::reward::postback::{clean_text, LevelPostback};
use crate::domain::reward::{Award, RewardUserId};
use crate::server::db::Db;
use crate::server::ingest::answer::ContractAnswer;
use crate::server::ingest::directory::Directory;
use crate::server::ingest::dry_run;
use crate::server::ingest::log::NewLogEntry;
use crate::server::ingest::refused::log_refused;
use crate::server::ingest::store::StoreError;
use crate::server::ingest::writer::{Env, Writer};

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

impl ContractAnswer for RewardAnswer {
    fn status(&self) -> u16 {
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

    fn message(&self) -> String {
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
    pub directory: &'a Directory,
    pub writer: &'a Writer,
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
    let mut log = NewLogEntry::new(super::SOURCE, request.client.ip.to_string());
    let decided = decide(ctx, &request, &mut log).await;
    log.took(started);
    match decided {
        Ok(accepted) => {
            log.http_status = 200;
            let accepted = AcceptedLevel { log, ..accepted };
            let postback = accepted.postback.clone();
            match ctx.writer.submit::<Level>(accepted).await {
                Ok(RewardRecorded::Recorded(level)) => {
                    let NewLevel { award, user, .. } = *level;
                    RewardAnswer::Recorded { postback, award, user }
                }
                Ok(RewardRecorded::Duplicate { .. }) => RewardAnswer::Duplicate { postback },
                Ok(RewardRecorded::UserNotFound) => RewardAnswer::UserNotFound,
                Err(_) => RewardAnswer::Internal,
            }
        }
        Err(answer) => {
            answer.refuse(&mut log);
            log_refused(ctx.writer, log, None).await;
            answer
        }
    }
}

fn internal(err: sqlx::Error) -> RewardAnswer {
    tracing::error!(error = %err, "reward postback lookup failed");
    RewardAnswer::Internal
}

/// HTTPS → secret → body, then [`judge`].
async fn decide(ctx: &RewardContext<'_>, request: &RewardRequest<'_>, log: &mut NewLogEntry) -> Result<AcceptedLevel, RewardAnswer> {
    if ctx.require_https && !request.client.https {
        return Err(RewardAnswer::HttpsRequired);
    }
    let secret = ctx.directory.reward_secret(ctx.db, &request.secrets).await.map_err(internal)?;
    log.reward_secret_id = Some(secret.ok_or(RewardAnswer::Unauthorized)?);
    let body = request.body.ok_or(RewardAnswer::PayloadTooLarge)?;
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| RewardAnswer::BadRequest(if body.is_empty() { "Missing JSON body".into() } else { "Invalid JSON body".into() }))?;
    log.params = params_for_log(&value);
    judge(ctx, &value, log).await
}

/// Everything after the secret and the body — what a replay re-runs: fields → pid → gid → uid,
/// with cached reads. A deactivated store app or game is not found, so it is refused exactly
/// like an unknown one; values that cannot be registered ids never reach the database.
pub async fn judge(ctx: &RewardContext<'_>, body: &Value, log: &NewLogEntry) -> Result<AcceptedLevel, RewardAnswer> {
    let postback = LevelPostback::from_json(body).map_err(|e| RewardAnswer::BadRequest(e.to_string()))?;
    let (db, directory) = (ctx.db, ctx.directory);
    if !directory.store_app_active(db, &postback.pid).await.map_err(internal)? {
        return Err(RewardAnswer::BadRequest("Unknown pid: not a registered store app".into()));
    }
    let Some(game_name) = directory.game_name(db, &postback.gid).await.map_err(internal)? else {
        return Err(RewardAnswer::BadRequest("Unknown gid: not a registered reward game".into()));
    };
    // A uid that is not a UUID cannot name a user: it is answered like an unknown one.
    let Ok(user_id) = RewardUserId::parse(&postback.uid) else { return Err(RewardAnswer::UserNotFound) };
    if !directory.reward_user_exists(db, &user_id).await.map_err(internal)? {
        return Err(RewardAnswer::UserNotFound);
    }
    Ok(AcceptedLevel { postback, user_id, game_name, log: log.clone() })
}

/// Re-runs a logged level postback as a dry run (see [`replay`](crate::server::ingest::replay)).
pub async fn replay(ctx: &RewardContext<'_>, env: &Env, entry: &PostbackLogEntry, _client: ClientAddr) -> Result<Replay, StoreError> {
    if !dry_run::has_params(entry) {
        return Ok(dry_run::unreplayable(entry));
    }
    match judge(ctx, &entry.params, &dry_run::accepted_log(entry, super::SOURCE)).await {
        Ok(accepted) => dry_run::write::<Level>(ctx.db, env, accepted).await,
        Err(answer) => Ok(dry_run::refused(&answer)),
    }
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
