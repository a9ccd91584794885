//! Clicks on offerwall cards. A card links to `/c/{token}`: the token carries the wall, offer,
//! sub-IDs, user, country and device, signed with the wall's click secret (HMAC-SHA256, 128-bit
//! tag) so nobody can forge a click into another offer or wall. The click's id (`clk_…`) is the
//! `{click_id}` the advertiser gets and a later postback brings back.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::ids::is_prefixed_id;
use super::quality::ClickFacts;

/// Prefix of TapRain's click ids; a postback `click_id` with it must match a click.
pub const CLICK_PREFIX: &str = "clk";
/// Longest token accepted.
pub const MAX_TOKEN_LEN: usize = 4096;

/// True when `raw` has the shape of one of TapRain's click ids.
pub fn is_our_click_id(raw: &str) -> bool {
    is_prefixed_id(raw, CLICK_PREFIX)
}

/// What a card link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickToken {
    pub offerwall_id: String,
    pub offer_id: String,
    pub s1: String,
    pub s2: String,
    pub uid: String,
    pub country: String,
    pub device: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed click link")]
    Malformed,
    #[error("click link signature does not match")]
    BadSignature,
}

/// The visit part of a token: wall, s1, s2, uid, country, device.
type Context = (String, String, String, String, String, String);

fn keyed(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

/// Signs the links of one page: the visit context is encoded and the key set up once, then each
/// card costs one short HMAC. A token is `<context>.<offer_id>.<tag>`: the context is base64url
/// JSON, the tag a base64url 128-bit HMAC-SHA256 of `<context>.<offer_id>`.
pub struct ClickSigner {
    /// The HMAC state after `<context>.`, so each card hashes only its offer id.
    mac: Hmac<Sha256>,
    context: String,
}

impl ClickSigner {
    /// `token`'s `offer_id` is ignored: each card passes its own to `sign`.
    pub fn new(key: &[u8], token: &ClickToken) -> Self {
        let context = (&token.offerwall_id, &token.s1, &token.s2, &token.uid, &token.country, &token.device);
        let json = serde_json::to_string(&context).unwrap_or_default();
        let context = URL_SAFE_NO_PAD.encode(json);
        let mut mac = keyed(key);
        mac.update(context.as_bytes());
        mac.update(b".");
        Self { mac, context }
    }

    /// The token for `offer_id` (an id of our own: ASCII letters, digits and `_`).
    pub fn sign(&self, offer_id: &str) -> String {
        let mut out = String::with_capacity(self.context.len() + offer_id.len() + 24);
        self.sign_into(&mut out, offer_id);
        out
    }

    /// Appends the token for `offer_id` to `out`.
    pub fn sign_into(&self, out: &mut String, offer_id: &str) {
        let mut mac = self.mac.clone();
        mac.update(offer_id.as_bytes());
        let full = mac.finalize().into_bytes();
        out.push_str(&self.context);
        out.push('.');
        out.push_str(offer_id);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&full[..16], out);
    }
}

/// Splits a token into its signed part (`<context>.<offer_id>`), context, offer id and tag.
fn split(raw: &str) -> Result<(&str, &str, &str, &str), TokenError> {
    if raw.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let (signed, tag) = raw.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (context, offer_id) = signed.split_once('.').ok_or(TokenError::Malformed)?;
    if offer_id.is_empty() || !offer_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(TokenError::Malformed);
    }
    Ok((signed, context, offer_id, tag))
}

impl ClickToken {
    /// This token's link text, signed with `key` (see `ClickSigner`).
    pub fn sign(&self, key: &[u8]) -> String {
        ClickSigner::new(key, self).sign(&self.offer_id)
    }

    /// Reads a token without checking it, so the caller can find the wall's key.
    pub fn peek(raw: &str) -> Result<Self, TokenError> {
        let (_, context, offer_id, _) = split(raw)?;
        let json = URL_SAFE_NO_PAD.decode(context).map_err(|_| TokenError::Malformed)?;
        let (offerwall_id, s1, s2, uid, country, device): Context = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        Ok(Self { offerwall_id, offer_id: offer_id.to_owned(), s1, s2, uid, country, device })
    }

    /// Checks the token's tag against `key` (constant time) and returns what it carries.
    pub fn verify(raw: &str, key: &[u8]) -> Result<Self, TokenError> {
        let token = Self::peek(raw)?;
        let (signed, _, _, tag) = split(raw)?;
        let presented = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TokenError::Malformed)?;
        if presented.len() != 16 {
            return Err(TokenError::BadSignature);
        }
        let mut mac = keyed(key);
        mac.update(signed.as_bytes());
        mac.verify_truncated_left(&presented).map_err(|_| TokenError::BadSignature)?;
        Ok(token)
    }
}

/// A recorded click, as attribution and the click rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Click {
    pub id: String,
    pub offerwall_id: String,
    pub publisher_id: String,
    pub offer_id: String,
    /// The network of the clicked offer (none when the offer has no network).
    pub network_id: Option<String>,
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub uid: Option<String>,
    pub country: Option<String>,
    pub device: String,
    /// Unix ms.
    pub created_at: i64,
}

/// What the click rules need to know about a conversion's `click_id`. Only ids of our shape
/// (`clk_…`) are looked up: networks also send their own click ids, which say nothing here.
pub fn click_facts(click_id: Option<&str>, click: Option<&Click>, network_id: &str, event_at_ms: i64) -> ClickFacts {
    match (click_id, click) {
        (Some(_), Some(click)) => ClickFacts::Found {
            foreign_network: click.network_id.as_deref().is_some_and(|n| n != network_id),
            seconds_after_click: (event_at_ms - click.created_at).div_euclid(1000),
            country: click.country.clone(),
        },
        (Some(id), None) if is_our_click_id(id) => ClickFacts::Unknown,
        _ => ClickFacts::NotOurs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn token() -> ClickToken {
        ClickToken {
            offerwall_id: "ofw_1".into(),
            offer_id: "off_1".into(),
            s1: "my site".into(),
            s2: String::new(),
            uid: "u.1".into(),
            country: "US".into(),
            device: "mobile".into(),
        }
    }

    #[test]
    fn signed_tokens_round_trip_and_cannot_be_altered() {
        let raw = token().sign(b"secret");
        assert!(raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
        assert_eq!(ClickToken::verify(&raw, b"secret"), Ok(token()));
        assert_eq!(ClickToken::verify(&raw, b"other"), Err(TokenError::BadSignature));
        let (signed, tag) = raw.rsplit_once('.').expect("dot");
        let (context, _) = signed.split_once('.').expect("dot");
        assert_eq!(ClickToken::verify(&format!("{context}.off_2.{tag}"), b"secret"), Err(TokenError::BadSignature), "offer swapped");
        let other_context = ClickToken { s1: "other".into(), ..token() }.sign(b"secret");
        let other_context = other_context.split_once('.').expect("dot").0;
        assert_eq!(ClickToken::verify(&format!("{other_context}.off_1.{tag}"), b"secret"), Err(TokenError::BadSignature));
        assert_eq!(ClickToken::verify(&format!("{signed}."), b"secret"), Err(TokenError::BadSignature), "empty tag");
        assert_eq!(ClickToken::verify(&format!("{signed}.AAAA"), b"secret"), Err(TokenError::BadSignature), "short tag");
        assert_eq!(ClickToken::verify(&format!("{context}.off/1.{tag}"), b"secret"), Err(TokenError::Malformed));
        assert_eq!(ClickToken::verify("nonsense", b"secret"), Err(TokenError::Malformed));
    }

    #[test]
    fn click_facts_look_only_at_our_ids() {
        let click = Click {
            id: "clk_1".into(),
            offerwall_id: "ofw_1".into(),
            publisher_id: "p".into(),
            offer_id: "off_1".into(),
            network_id: Some("net_a".into()),
            s1: None,
            s2: None,
            uid: None,
            country: Some("US".into()),
            device: "desktop".into(),
            created_at: 10_000,
        };
        assert_eq!(click_facts(None, None, "net_a", 0), ClickFacts::NotOurs);
        assert_eq!(click_facts(Some("network-own-id"), None, "net_a", 0), ClickFacts::NotOurs);
        assert_eq!(click_facts(Some("clk_abc"), None, "net_a", 0), ClickFacts::Unknown);
        assert_eq!(
            click_facts(Some("clk_1"), Some(&click), "net_b", 15_500),
            ClickFacts::Found { foreign_network: true, seconds_after_click: 5, country: Some("US".into()) }
        );
    }

    proptest! {
        #[test]
        fn peek_never_panics(raw in ".{0,200}") {
            let _ = ClickToken::peek(&raw);
            let _ = ClickToken::verify(&raw, b"k");
        }
    }
}
