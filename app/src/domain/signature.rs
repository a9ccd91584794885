//! How outbound postbacks are signed (SPEC E, seeds 002 and 004), so receivers can verify them.
//!
//! - `hmac-sha256` (default): `hash` = lowercase hex HMAC-SHA256 of the final URL without
//!   `&hash=…`, keyed by the publisher's postback secret.
//! - `md5` (legacy, seed 004): `hash` = md5(user_id + tx_id + reward + secret), lowercase hex.
//! - `standard-webhooks`: headers `webhook-id`, `webhook-timestamp`, `webhook-signature`
//!   (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed by the base64 `whsec_` secret).

use base64::Engine;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureScheme {
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    #[serde(rename = "md5")]
    Md5,
    #[serde(rename = "standard-webhooks")]
    StandardWebhooks,
}

impl SignatureScheme {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "hmac-sha256" => Some(Self::HmacSha256),
            "md5" => Some(Self::Md5),
            "standard-webhooks" => Some(Self::StandardWebhooks),
            _ => None,
        }
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The `hash` of the `hmac-sha256` scheme for `url` (which must not contain `hash` yet).
pub fn url_hmac_hex(url: &str, secret: &str) -> String {
    hex_lower(&hmac_sha256(secret.as_bytes(), url.as_bytes()))
}

/// The `hash` of the legacy `md5` scheme.
pub fn legacy_md5_hex(user_id: &str, tx_id: &str, reward: &str, secret: &str) -> String {
    md5_hex(&[user_id, tx_id, reward, secret])
}

/// Lowercase hex md5 of `parts` concatenated (inbound providers choose their own order).
pub fn md5_hex(parts: &[&str]) -> String {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hex_lower(&hasher.finalize())
}

/// Compares two signatures in constant time (for equal lengths; the length is not secret).
pub fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The `webhook-signature` header value for the Standard Webhooks scheme; `None` when the
/// secret is not `whsec_` + base64.
pub fn standard_webhooks(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).ok()?;
    let signed = format!("{msg_id}.{timestamp}.{body}");
    Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(hmac_sha256(&key, signed.as_bytes()))))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_published_test_vector() {
        let signature = standard_webhooks(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signature.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assert_eq!(standard_webhooks("whsec_not base64!", "m", 1, "{}"), None);
    }

    #[test]
    fn hmac_and_md5_known_answers() {
        // RFC 4231 test case 2.
        assert_eq!(
            url_hmac_hex("what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // md5("") and md5 of the concatenation.
        assert_eq!(legacy_md5_hex("", "", "", ""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(legacy_md5_hex("a", "b", "c", ""), legacy_md5_hex("abc", "", "", ""));
        assert_eq!(legacy_md5_hex("abc", "", "", ""), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn schemes_parse() {
        assert_eq!(SignatureScheme::parse("hmac-sha256"), Some(SignatureScheme::HmacSha256));
        assert_eq!(SignatureScheme::parse("md5"), Some(SignatureScheme::Md5));
        assert_eq!(SignatureScheme::parse("standard-webhooks"), Some(SignatureScheme::StandardWebhooks));
        assert_eq!(SignatureScheme::parse("sha1"), None);
    }
}
