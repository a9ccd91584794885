//! Reward-game level postbacks (seed 003): the level number, the milestone rule and coin table,
//! and reward-user ids. The request body is parsed in [`postback`]; the records admins and the
//! reward app see are in [`catalog`].

pub mod catalog;
pub mod postback;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The highest level a postback may report. Far beyond any game; it only keeps numbers sane.
pub const MAX_LEVEL: u32 = 1_000_000;

/// A completed in-game level: a positive integer up to [`MAX_LEVEL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Level(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLevel {
    #[error("Missing required field: level_number")]
    Missing,
    #[error("level_number must be a positive integer (a JSON number such as 10)")]
    NotAnInteger,
    #[error("level_number must be a positive integer (greater than zero)")]
    NotPositive,
    #[error("level_number is too large (at most 1000000)")]
    TooLarge,
}

impl Level {
    /// Parses the JSON value of `level_number`: only an integer JSON number is a level, so
    /// `1.5`, `10.0`, `"10"`, `"ten"`, `true`, `0` and negatives are refused.
    pub fn from_json(value: &Value) -> Result<Self, InvalidLevel> {
        let Value::Number(number) = value else {
            return Err(if value.is_null() { InvalidLevel::Missing } else { InvalidLevel::NotAnInteger });
        };
        if let Some(n) = number.as_u64() {
            return Self::new(n);
        }
        match number.as_i64() {
            Some(_) => Err(InvalidLevel::NotPositive),
            None => Err(InvalidLevel::NotAnInteger),
        }
    }

    /// A level from an integer (also used for values read back from the database).
    pub fn new(n: u64) -> Result<Self, InvalidLevel> {
        match u32::try_from(n) {
            Ok(0) => Err(InvalidLevel::NotPositive),
            Ok(n) if n <= MAX_LEVEL => Ok(Self(n)),
            _ => Err(InvalidLevel::TooLarge),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Every 5th level is a milestone.
    pub fn is_milestone(self) -> bool {
        self.0.is_multiple_of(5)
    }

    /// What completing this level earns: coins on milestones only.
    pub fn award(self) -> Award {
        if self.is_milestone() {
            Award { milestone: true, coins: Coins(milestone_coins(self.0)) }
        } else {
            Award { milestone: false, coins: Coins(0) }
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The seed's coin table, by level range (applied to milestone levels only).
fn milestone_coins(level: u32) -> i64 {
    match level {
        0..=30 => 25,
        31..=70 => 15,
        71..=90 => 10,
        91..=100 => 5,
        101..=130 => 2,
        _ => 1,
    }
}

/// A whole number of reward coins (a delta or a balance).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Coins(i64);

impl Coins {
    pub fn get(self) -> i64 {
        self.0
    }
}

/// The result of completing a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Award {
    pub milestone: bool,
    pub coins: Coins,
}

/// A reward user's id: a UUID in its hyphenated form, stored lowercase. Any version is
/// accepted (the seed's own example, `a1b2c3d4-e5f6-7890-…`, is not a v4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RewardUserId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("uid must be a UUID such as a1b2c3d4-e5f6-7890-abcd-ef1234567890")]
pub struct InvalidUserId;

impl RewardUserId {
    pub fn parse(raw: &str) -> Result<Self, InvalidUserId> {
        let ok = raw.len() == 36
            && raw.bytes().enumerate().all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() });
        if ok {
            Ok(Self(raw.to_ascii_lowercase()))
        } else {
            Err(InvalidUserId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The user's coin account in the ledger.
    pub fn account(&self) -> String {
        format!("reward_user:{}", self.0)
    }
}

impl std::fmt::Display for RewardUserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn coins(level: u32) -> i64 {
        Level::new(u64::from(level)).expect("level").award().coins.get()
    }

    #[test]
    fn only_every_fifth_level_is_a_milestone() {
        for n in 1..=200u32 {
            let award = Level::new(u64::from(n)).expect("level").award();
            assert_eq!(award.milestone, n % 5 == 0, "level {n}");
            if !award.milestone {
                assert_eq!(award.coins.get(), 0, "level {n}");
            }
        }
    }

    #[test]
    fn the_coin_table_at_every_boundary() {
        assert_eq!(coins(5), 25);
        assert_eq!(coins(10), 25);
        assert_eq!(coins(30), 25);
        assert_eq!(coins(35), 15);
        assert_eq!(coins(70), 15);
        assert_eq!(coins(75), 10);
        assert_eq!(coins(90), 10);
        assert_eq!(coins(95), 5);
        assert_eq!(coins(100), 5);
        assert_eq!(coins(105), 2);
        assert_eq!(coins(130), 2);
        assert_eq!(coins(135), 1);
        assert_eq!(coins(1_000_000), 1);
        // The ranges themselves, including their non-milestone edges.
        for (from, to, expected) in [(1, 30, 25), (31, 70, 15), (71, 90, 10), (91, 100, 5), (101, 130, 2), (131, 140, 1)] {
            assert_eq!(milestone_coins(from), expected, "{from}");
            assert_eq!(milestone_coins(to), expected, "{to}");
        }
        for edge in [1, 29, 31, 69, 71, 89, 91, 99, 101, 129, 131] {
            assert_eq!(coins(edge), 0, "level {edge} is not a milestone");
        }
    }

    #[test]
    fn levels_are_positive_json_integers() {
        assert_eq!(Level::from_json(&json!(10)).map(Level::get), Ok(10));
        assert_eq!(Level::from_json(&json!(1)).map(Level::get), Ok(1));
        assert_eq!(Level::from_json(&json!(MAX_LEVEL)).map(Level::get), Ok(MAX_LEVEL));
        let cases = [
            (json!(null), InvalidLevel::Missing),
            (json!(0), InvalidLevel::NotPositive),
            (json!(-1), InvalidLevel::NotPositive),
            (json!(i64::MIN), InvalidLevel::NotPositive),
            (json!(1.5), InvalidLevel::NotAnInteger),
            (json!(10.0), InvalidLevel::NotAnInteger),
            (json!(-0.0), InvalidLevel::NotAnInteger),
            (json!(1e300), InvalidLevel::NotAnInteger),
            (json!("ten"), InvalidLevel::NotAnInteger),
            (json!("10"), InvalidLevel::NotAnInteger),
            (json!(true), InvalidLevel::NotAnInteger),
            (json!([10]), InvalidLevel::NotAnInteger),
            (json!({ "n": 10 }), InvalidLevel::NotAnInteger),
            (json!(MAX_LEVEL + 1), InvalidLevel::TooLarge),
            (json!(u64::MAX), InvalidLevel::TooLarge),
        ];
        for (value, expected) in cases {
            assert_eq!(Level::from_json(&value), Err(expected), "{value}");
        }
        let huge: Value = serde_json::from_str("123456789012345678901234567890").expect("json");
        assert_eq!(Level::from_json(&huge), Err(InvalidLevel::NotAnInteger));
    }

    #[test]
    fn user_ids_are_hyphenated_uuids() {
        let id = RewardUserId::parse("A1B2C3D4-E5F6-7890-ABCD-EF1234567890").expect("uuid");
        assert_eq!(id.as_str(), "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
        assert_eq!(id.account(), "reward_user:a1b2c3d4-e5f6-7890-abcd-ef1234567890");
        for raw in [
            "",
            "a1b2c3d4e5f67890abcdef1234567890",
            "a1b2c3d4-e5f6-7890-abcd-ef123456789",
            "a1b2c3d4-e5f6-7890-abcd-ef12345678901",
            "g1b2c3d4-e5f6-7890-abcd-ef1234567890",
            "{1b2c3d4-e5f6-7890-abcd-ef1234567890}",
            "a1b2c3d4-e5f6-7890-abcd-ef123456789\u{0}",
            "a1b2c3d4_e5f6_7890_abcd_ef1234567890",
        ] {
            assert_eq!(RewardUserId::parse(raw), Err(InvalidUserId), "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn any_json_number_parses_or_is_refused_without_panicking(raw in "-?[0-9]{1,25}(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?") {
            if let Ok(value) = serde_json::from_str::<Value>(&raw) {
                if let Ok(level) = Level::from_json(&value) {
                    prop_assert!(level.get() >= 1 && level.get() <= MAX_LEVEL);
                    prop_assert_eq!(value.as_u64(), Some(u64::from(level.get())));
                }
            }
        }

        #[test]
        fn every_valid_level_round_trips(n in 1u32..=MAX_LEVEL) {
            let level = Level::from_json(&json!(n)).expect("valid");
            prop_assert_eq!(level.get(), n);
            let award = level.award();
            prop_assert_eq!(award.milestone, n % 5 == 0);
            prop_assert!((0..=25).contains(&award.coins.get()));
        }

        #[test]
        fn user_id_parse_never_panics(raw in ".{0,40}") {
            if let Ok(id) = RewardUserId::parse(&raw) {
                prop_assert_eq!(id.as_str().len(), 36);
                prop_assert!(!id.as_str().chars().any(|c| c.is_ascii_uppercase()));
            }
        }
    }
}
