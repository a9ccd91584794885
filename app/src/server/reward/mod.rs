//! Reward games (seed 003, SPEC C): the catalogs a level postback is checked against (store
//! apps, reward games), the reward API secrets, reward users with their coin accounts, and the
//! level-postback pipeline whose writes go through the group-commit writer.

pub mod catalog;
pub mod secrets;
pub mod users;

/// The `conversions.source` of level postbacks.
pub const SOURCE: &str = "reward";
