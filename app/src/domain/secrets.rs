//! What the secrets screen lists: hints and validity windows, never a secret itself.

use serde::{Deserialize, Serialize};

/// A publisher's outbound signing secret as listed: whose, a hint, and when the settings last
/// changed. The secret is stored (TapRain signs with it) but shown only when it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostbackSecretInfo {
    pub publisher_id: String,
    pub publisher_name: String,
    /// The secret's first characters (`whsec_AbCd…`).
    pub hint: String,
    pub updated_at: i64,
}

/// An offerwall provider's secret as listed: whose, a hint, and during a rotation the previous
/// secret's hint and when it stops. The secret is the provider's own, pasted by the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSecretInfo {
    pub provider_id: String,
    pub provider_name: String,
    pub active: bool,
    pub hint: String,
    pub previous_hint: Option<String>,
    /// Unix ms.
    pub previous_valid_until: Option<i64>,
    pub updated_at: i64,
}

/// An admin API token as listed: never the token, only its first characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminTokenInfo {
    pub id: String,
    /// The admin the token acts for.
    pub user_id: String,
    pub owner_email: String,
    /// The token's first characters (`tra_3f9a…`); empty for tokens made before hints were kept.
    pub hint: String,
    pub created_at: i64,
    /// Unix ms of the last call made with it (updated at most once a minute).
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Where a key or secret is in its life at `now` (unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Current: works with no end date.
    Active,
    /// Replaced by a rotation; still works until the given time.
    Overlap(i64),
    /// Its overlap ran out.
    Expired,
    /// Stopped by an admin.
    Revoked,
}

impl KeyState {
    pub fn at(valid_until: Option<i64>, revoked_at: Option<i64>, now: i64) -> Self {
        match (revoked_at, valid_until) {
            (Some(_), _) => KeyState::Revoked,
            (None, None) => KeyState::Active,
            (None, Some(until)) if until > now => KeyState::Overlap(until),
            (None, Some(_)) => KeyState::Expired,
        }
    }

    /// True while the key still authenticates.
    pub fn works(self) -> bool {
        matches!(self, KeyState::Active | KeyState::Overlap(_))
    }

    /// The status word (`active`, `overlap`, `expired`, `revoked`).
    pub fn word(self) -> &'static str {
        match self {
            KeyState::Active => "active",
            KeyState::Overlap(_) => "overlap",
            KeyState::Expired => "expired",
            KeyState::Revoked => "revoked",
        }
    }
}

/// The overlap choices offered when rotating, in seconds (custom is typed in).
pub const OVERLAP_CHOICES: [(&str, i64); 4] =
    [("None: the old key stops now", 0), ("1 hour", 3600), ("24 hours", 86_400), ("7 days", 604_800)];

/// A signing secret's first characters, enough to tell secrets apart (shown instead of it).
pub fn secret_hint(secret: &str) -> String {
    format!("{}…", secret.chars().take(10).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_states() {
        assert_eq!(KeyState::at(None, None, 10), KeyState::Active);
        assert_eq!(KeyState::at(Some(20), None, 10), KeyState::Overlap(20));
        assert_eq!(KeyState::at(Some(5), None, 10), KeyState::Expired);
        assert_eq!(KeyState::at(None, Some(3), 10), KeyState::Revoked);
        assert!(KeyState::Overlap(1).works() && !KeyState::Expired.works());
        assert_eq!(KeyState::Revoked.word(), "revoked");
    }
}
