//! Deciding a level postback (seed 003, SPEC C): HTTPS → secret → JSON → fields → pid → gid →
//! uid, then (in the writer) duplicate → credit. Every call is logged without the secret.

use std::time::Instant;

use serde_json::Value;

use super::record::{AcceptedLevel, Level, NewLevel, RewardRecorded};
use crate::domain::client_addr::ClientAddr;
use crate::domain::reward::catalog::RewardUser;
use crate::domain::reward::postback::{clean_text, LevelPostback};
use crate::domain::reward::{Award, RewardUserId};
use crate::server::db::Db;
use crate::server::ingest::answer::ContractAnswer;
use crate::server::ingest::directory::Directory;
use crate::server::ingest::log::NewLogEntry;
use crate::server::ingest::refused::log_refused;
use crate::server::ingest::writer::Writer;

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
    let found = lookup(ctx, &request.secrets, fields, user_id.as_ref()).await.map_err(|err| {
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
/// user — all cached reads. A deactivated store app or game is not found, so it is refused
/// exactly like an unknown one; values that cannot be registered ids never reach the database.
async fn lookup(
    ctx: &RewardContext<'_>,
    presented: &[&str],
    fields: Option<&LevelPostback>,
    user: Option<&RewardUserId>,
) -> Result<Found, sqlx::Error> {
    let (db, directory) = (ctx.db, ctx.directory);
    if !directory.reward_secret_valid(db, presented).await? {
        return Ok(Found { authorized: false, pid: false, game_name: None, user: false });
    }
    let pid = match fields {
        Some(p) => directory.store_app_active(db, &p.pid).await?,
        None => false,
    };
    let game_name = match fields {
        Some(p) => directory.game_name(db, &p.gid).await?,
        None => None,
    };
    let user = match user {
        Some(user) => directory.reward_user_exists(db, user).await?,
        None => false,
    };
    Ok(Found { authorized: true, pid, game_name, user })
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
