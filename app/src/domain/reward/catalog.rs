//! Reward catalogs as admins and the reward app see them: store apps (`pid`), reward games
//! (`gid`), reward API secrets (never the secret itself), reward users and their postbacks.
//! Field names of what the reward app reads follow the seed (`appId`, `deviceId`, `coinDelta`).

use serde::{Deserialize, Serialize};

/// Longest catalog id (`pid`, game id) accepted.
pub const MAX_CATALOG_ID_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCatalogId {
    #[error("must have 1 to 64 characters")]
    Length,
    #[error("must not start or end with spaces")]
    Padded,
    #[error("must not contain control characters")]
    Control,
}

/// Parses a `pid` or game id as an admin registers it. Partners send these values unchanged
/// from the install referrer, so they are matched exactly: no trimming, no case folding.
pub fn parse_catalog_id(raw: &str) -> Result<String, InvalidCatalogId> {
    if raw.is_empty() || raw.chars().count() > MAX_CATALOG_ID_LEN {
        return Err(InvalidCatalogId::Length);
    }
    if raw.chars().any(char::is_control) {
        return Err(InvalidCatalogId::Control);
    }
    if raw.trim() != raw {
        return Err(InvalidCatalogId::Padded);
    }
    Ok(raw.to_owned())
}

/// A registered store app: postbacks must name its `pid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StoreApp {
    pub pid: String,
    pub name: String,
    /// False once deactivated: postbacks naming it are refused like an unknown `pid`.
    pub active: bool,
    pub created_at: i64,
}

/// A registered reward game: postbacks must name its `id` as `gid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RewardGame {
    pub id: String,
    pub name: String,
    /// False once deactivated: postbacks naming it are refused like an unknown `gid`.
    pub active: bool,
    pub created_at: i64,
}

/// A reward API secret as listed: a hint and its validity window, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RewardSecretInfo {
    pub id: String,
    pub hint: String,
    pub created_at: i64,
    /// Unix ms after which the secret stops working; `null` while it is open-ended.
    pub valid_until: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A reward user with the coin balance (the sum of the user's ledger entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RewardUser {
    /// A UUID.
    pub id: String,
    pub coins: i64,
    #[serde(rename = "appId")]
    pub app_id: String,
    #[serde(rename = "deviceId")]
    pub device_id: String,
    pub created_at: i64,
}

/// One recorded level postback of a user, as the reward app reads it to apply coins locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserPostback {
    /// Increases with every postback of this user; pass the last one applied as `after`.
    pub cursor: i64,
    pub level_number: i64,
    pub gid: String,
    pub game_id: String,
    pub pid: String,
    /// Coins credited by this postback (0 unless a milestone).
    #[serde(rename = "coinDelta")]
    pub coin_delta: i64,
    pub awarded: bool,
    pub milestone: bool,
    pub reason: Option<String>,
    /// The matching row in the admin conversion listings.
    pub conversion_id: String,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn catalog_ids_are_exact() {
        assert_eq!(parse_catalog_id("my_game").as_deref(), Ok("my_game"));
        assert_eq!(parse_catalog_id("Cash Giraffe <b>").as_deref(), Ok("Cash Giraffe <b>"));
        assert_eq!(parse_catalog_id(&"x".repeat(64)).map(|s| s.len()), Ok(64));
        assert_eq!(parse_catalog_id(""), Err(InvalidCatalogId::Length));
        assert_eq!(parse_catalog_id(&"x".repeat(65)), Err(InvalidCatalogId::Length));
        assert_eq!(parse_catalog_id(" my_game"), Err(InvalidCatalogId::Padded));
        assert_eq!(parse_catalog_id("my\u{0}game"), Err(InvalidCatalogId::Control));
        assert_eq!(parse_catalog_id("my\ngame"), Err(InvalidCatalogId::Control));
    }

    #[test]
    fn the_user_serializes_with_the_seed_names() {
        let user = RewardUser { id: "u".into(), coins: 5, app_id: "a".into(), device_id: "d".into(), created_at: 1 };
        let json = serde_json::to_value(&user).expect("json");
        assert_eq!(json, serde_json::json!({ "id": "u", "coins": 5, "appId": "a", "deviceId": "d", "created_at": 1 }));
    }

    proptest! {
        #[test]
        fn accepted_ids_are_storable(raw in ".{0,80}") {
            if let Ok(id) = parse_catalog_id(&raw) {
                prop_assert!(!id.chars().any(char::is_control));
                prop_assert!(!id.is_empty() && id.chars().count() <= MAX_CATALOG_ID_LEN);
            }
        }
    }
}
