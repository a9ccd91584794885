//! Offerwall providers (SPEC F): other offerwalls that send TapRain their postbacks. A provider
//! has a callback format (a preset or the admin's own parameter names and signature recipe),
//! a secret to verify with, approved IPs, a rounding rule for whole coins, and a sandbox flag.
//! Named "providers" because "source" already means a conversion's kind.

pub mod callback;
pub mod door;
pub mod format;
pub mod verify;

use serde::{Deserialize, Serialize};

pub use callback::{coins, Callback, Direction, InvalidField, ProviderPostback};
pub use format::{postback_url, CustomConfig, Format, Part, Preset, Recipe, RecipeKind};
pub use verify::{analyse, verify, Difference, SignatureAnalysis, SignedCall};

use super::offerwall::Rounding;

/// A provider as the admin API and the dashboard show it. The secret itself is never shown
/// after creation, only its hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Provider {
    /// `prv_…`
    pub id: String,
    pub name: String,
    pub preset: Preset,
    /// The parameter names and recipe of a `custom` provider (`null` for a preset).
    pub custom: Option<CustomConfig>,
    /// The signature recipe in words, with the parameter names.
    pub recipe: String,
    /// The secret's first characters.
    pub secret_hint: String,
    /// While a rotation overlaps: the previous secret's hint and when it stops (unix ms).
    pub previous_secret_hint: Option<String>,
    pub previous_secret_valid_until: Option<i64>,
    pub rounding: Rounding,
    /// Sandbox calls are checked and answered but never credited.
    pub sandbox: bool,
    pub active: bool,
    /// Approved source IPs/CIDRs; calls from anywhere else are refused.
    pub ips: Vec<String>,
    /// The URL to paste into the provider's dashboard.
    pub postback_url: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A source address refused for a provider, waiting for an admin's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProviderRefusedIp {
    pub provider_id: String,
    pub ip: String,
    pub count: i64,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// What `POST /api/admin/providers/{id}/check` finds in a pasted callback URL: the signature
/// analysis, and the first field the door would refuse (400) if the signature passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProviderCheck {
    #[serde(flatten)]
    pub analysis: SignatureAnalysis,
    pub field_error: Option<String>,
}

/// Longest callback URL the debugger reads.
pub const MAX_CALLBACK_URL: usize = 8192;

/// Splits a full callback URL into the part before the query and the raw query (the fragment
/// dropped); `None` unless it is an `http(s)` URL of at most [`MAX_CALLBACK_URL`] characters.
pub fn split_callback_url(raw: &str) -> Option<(&str, &str)> {
    let raw = raw.trim();
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    if raw.len() > MAX_CALLBACK_URL
        || !(lower.starts_with("http://") || lower.starts_with("https://"))
        || raw.chars().any(char::is_whitespace)
    {
        return None;
    }
    let without_fragment = raw.split('#').next().unwrap_or(raw);
    Some(without_fragment.split_once('?').unwrap_or((without_fragment, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls_split_at_the_query() {
        assert_eq!(split_callback_url(" https://t.example/in/prv_1?a=1&b=2#x "), Some(("https://t.example/in/prv_1", "a=1&b=2")));
        assert_eq!(split_callback_url("http://t.example/in"), Some(("http://t.example/in", "")));
        assert_eq!(split_callback_url("ftp://t.example/?a=1"), None);
        assert_eq!(split_callback_url("https://t.example/?a=1 2"), None);
        assert_eq!(split_callback_url(&format!("https://t.example/?a={}", "x".repeat(MAX_CALLBACK_URL))), None);
    }
}
