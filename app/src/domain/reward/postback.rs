//! The level postback's JSON body (seed 003): fields, their aliases, and their types. Whether
//! `pid`, `gid` and `uid` are known is decided later, against the catalogs.

use serde_json::Value;

use super::{InvalidLevel, Level};

/// Longest `reason` kept (longer text is cut).
pub const MAX_REASON_LEN: usize = 500;

/// The names each field is accepted under, preferred first.
pub const PID: &[&str] = &["pid"];
pub const UID: &[&str] = &["uid", "user_id", "userId"];
pub const GID: &[&str] = &["gid", "game_id", "gameId"];
pub const LEVEL: &[&str] = &["level_number", "level"];

/// A level postback whose fields are present and of the right type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelPostback {
    /// As sent; matched exactly against `store_apps.pid`.
    pub pid: String,
    /// As sent; parsed as a reward-user id when the user is looked up.
    pub uid: String,
    /// As sent; matched exactly against `reward_games.id`.
    pub gid: String,
    pub level: Level,
    /// Free text, without control characters, at most [`MAX_REASON_LEN`] characters.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPostback {
    #[error("Invalid JSON: the body must be a JSON object")]
    NotAnObject,
    #[error("Missing required field: {0}")]
    Missing(&'static str),
    #[error("Field {0} must be a string")]
    NotAString(&'static str),
    #[error("{0}")]
    Level(InvalidLevel),
}

/// The first of `names` present with a non-null value.
fn field<'a>(object: &'a serde_json::Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| object.get(*name).filter(|v| !v.is_null()))
}

fn required_string(object: &serde_json::Map<String, Value>, names: &[&'static str]) -> Result<String, InvalidPostback> {
    match field(object, names) {
        None => Err(InvalidPostback::Missing(names[0])),
        Some(Value::String(s)) if s.is_empty() => Err(InvalidPostback::Missing(names[0])),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(InvalidPostback::NotAString(names[0])),
    }
}

impl LevelPostback {
    /// Checks presence and types, in the order pid, uid, gid, level_number, reason.
    pub fn from_json(body: &Value) -> Result<Self, InvalidPostback> {
        let Value::Object(object) = body else { return Err(InvalidPostback::NotAnObject) };
        let pid = required_string(object, PID)?;
        let uid = required_string(object, UID)?;
        let gid = required_string(object, GID)?;
        let level = Level::from_json(field(object, LEVEL).unwrap_or(&Value::Null)).map_err(InvalidPostback::Level)?;
        let reason = match object.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(clean_text(text, MAX_REASON_LEN)).filter(|t| !t.is_empty()),
            Some(_) => return Err(InvalidPostback::NotAString("reason")),
        };
        Ok(Self { pid, uid, gid, level, reason })
    }
}

/// Removes control characters (PostgreSQL cannot store NUL), trims, and cuts to `max` characters.
pub fn clean_text(raw: &str, max: usize) -> String {
    raw.chars().filter(|c| !c.is_control()).collect::<String>().trim().chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const UID_EXAMPLE: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

    #[test]
    fn parses_the_seed_example() {
        let body = json!({ "pid": "cashgiraffe", "uid": UID_EXAMPLE, "gid": "my_game", "level_number": 10 });
        let p = LevelPostback::from_json(&body).expect("valid");
        assert_eq!((p.pid.as_str(), p.uid.as_str(), p.gid.as_str(), p.level.get()), ("cashgiraffe", UID_EXAMPLE, "my_game", 10));
        assert_eq!(p.reason, None);
    }

    #[test]
    fn every_alias_is_accepted() {
        for uid in UID {
            for gid in GID {
                for level in LEVEL {
                    let mut body = serde_json::Map::new();
                    body.insert("pid".into(), json!("p"));
                    body.insert((*uid).into(), json!(UID_EXAMPLE));
                    body.insert((*gid).into(), json!("g"));
                    body.insert((*level).into(), json!(7));
                    let p = LevelPostback::from_json(&Value::Object(body)).expect("valid");
                    assert_eq!((p.uid.as_str(), p.gid.as_str(), p.level.get()), (UID_EXAMPLE, "g", 7));
                }
            }
        }
    }

    #[test]
    fn the_preferred_name_wins_and_null_counts_as_absent() {
        let body = json!({ "pid": "p", "uid": null, "userId": UID_EXAMPLE, "user_id": "other", "gid": "g", "game_id": "h",
            "level_number": 5, "level": 6, "reason": "  boss\u{0} beaten " });
        let p = LevelPostback::from_json(&body).expect("valid");
        assert_eq!((p.uid.as_str(), p.gid.as_str(), p.level.get()), ("other", "g", 5));
        assert_eq!(p.reason.as_deref(), Some("boss beaten"));
    }

    #[test]
    fn refusals_name_the_first_bad_field() {
        let ok = json!({ "pid": "p", "uid": UID_EXAMPLE, "gid": "g", "level_number": 5 });
        let with = |key: &str, value: Value| {
            let mut body = ok.clone();
            body[key] = value;
            LevelPostback::from_json(&body)
        };
        let without = |key: &str| {
            let mut body = ok.clone();
            body.as_object_mut().expect("object").remove(key);
            LevelPostback::from_json(&body)
        };
        assert_eq!(LevelPostback::from_json(&json!([1])), Err(InvalidPostback::NotAnObject));
        assert_eq!(LevelPostback::from_json(&json!("x")), Err(InvalidPostback::NotAnObject));
        assert_eq!(without("pid"), Err(InvalidPostback::Missing("pid")));
        assert_eq!(without("uid"), Err(InvalidPostback::Missing("uid")));
        assert_eq!(without("gid"), Err(InvalidPostback::Missing("gid")));
        assert_eq!(without("level_number"), Err(InvalidPostback::Level(InvalidLevel::Missing)));
        assert_eq!(with("pid", json!("")), Err(InvalidPostback::Missing("pid")));
        assert_eq!(with("pid", json!(5)), Err(InvalidPostback::NotAString("pid")));
        assert_eq!(with("uid", json!(42)), Err(InvalidPostback::NotAString("uid")));
        assert_eq!(with("gid", json!({})), Err(InvalidPostback::NotAString("gid")));
        assert_eq!(with("reason", json!(3)), Err(InvalidPostback::NotAString("reason")));
        assert_eq!(with("level_number", json!(0)), Err(InvalidPostback::Level(InvalidLevel::NotPositive)));
        assert_eq!(with("level_number", json!(-1)), Err(InvalidPostback::Level(InvalidLevel::NotPositive)));
        assert_eq!(with("level_number", json!(1.5)), Err(InvalidPostback::Level(InvalidLevel::NotAnInteger)));
        assert_eq!(with("level_number", json!("ten")), Err(InvalidPostback::Level(InvalidLevel::NotAnInteger)));
        // pid is checked before level.
        let both = json!({ "uid": UID_EXAMPLE, "gid": "g", "level_number": 0 });
        assert_eq!(LevelPostback::from_json(&both), Err(InvalidPostback::Missing("pid")));
    }

    #[test]
    fn reasons_are_cleaned_and_capped() {
        let long = "é".repeat(MAX_REASON_LEN + 50);
        let body = json!({ "pid": "p", "uid": UID_EXAMPLE, "gid": "g", "level_number": 5, "reason": long });
        let reason = LevelPostback::from_json(&body).expect("valid").reason.expect("reason");
        assert_eq!(reason.chars().count(), MAX_REASON_LEN);
        let blank = json!({ "pid": "p", "uid": UID_EXAMPLE, "gid": "g", "level_number": 5, "reason": " \u{0} " });
        assert_eq!(LevelPostback::from_json(&blank).expect("valid").reason, None);
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_reasons_are_clean(
            pid in ".{0,80}", uid in ".{0,80}", gid in ".{0,80}", level in proptest::num::i64::ANY, reason in ".{0,600}"
        ) {
            let body = json!({ "pid": pid, "userId": uid, "gameId": gid, "level": level, "reason": reason });
            if let Ok(p) = LevelPostback::from_json(&body) {
                prop_assert!(level >= 1 && i64::from(p.level.get()) == level);
                prop_assert_eq!(p.pid, pid);
                if let Some(reason) = p.reason {
                    prop_assert!(!reason.chars().any(char::is_control));
                    prop_assert!(reason.chars().count() <= MAX_REASON_LEN);
                }
            }
        }

        #[test]
        fn arbitrary_json_never_panics(raw in "[\\[\\]{}:,\"a-z0-9.\\- ]{0,120}") {
            if let Ok(value) = serde_json::from_str::<Value>(&raw) {
                let _ = LevelPostback::from_json(&value);
            }
        }
    }
}
