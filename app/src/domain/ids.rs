//! Identifiers people read and copy. Publisher ids follow the seed's format (24 lowercase hex,
//! like `6422f1b3e8a0000012345678`); TapRain's own ids are prefixed (`net_…`, `usr_…`).

use serde::{Deserialize, Serialize};

/// A publisher identifier: exactly 24 lowercase hexadecimal characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublisherId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("publisher id must be 24 lowercase hexadecimal characters")]
pub struct InvalidPublisherId;

impl PublisherId {
    pub const LEN: usize = 24;

    pub fn parse(raw: &str) -> Result<Self, InvalidPublisherId> {
        let ok = raw.len() == Self::LEN && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidPublisherId)
        }
    }

    /// Builds an id from 12 random bytes (the caller supplies the randomness).
    pub fn from_bytes(bytes: [u8; 12]) -> Self {
        let mut out = String::with_capacity(Self::LEN);
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PublisherId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `raw` looks like one of TapRain's own prefixed ids (`net_` + 1..=64 url-safe chars).
pub fn is_prefixed_id(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_seed_example() {
        assert!(PublisherId::parse("6422f1b3e8a0000012345678").is_ok());
    }

    #[test]
    fn refuses_wrong_length_case_or_alphabet() {
        for raw in [
            "",
            "6422f1b3e8a000001234567",
            "6422f1b3e8a00000123456789",
            "6422F1B3E8A0000012345678",
            "6422f1b3e8a000001234567g",
            " 422f1b3e8a0000012345678",
        ] {
            assert!(PublisherId::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn from_bytes_is_parseable() {
        let id = PublisherId::from_bytes([0xab; 12]);
        assert_eq!(PublisherId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn prefixed_ids() {
        assert!(is_prefixed_id("net_abc123", "net"));
        assert!(!is_prefixed_id("net_", "net"));
        assert!(!is_prefixed_id("pub_abc", "net"));
        assert!(!is_prefixed_id("net_a/b", "net"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,64}") {
            let _ = PublisherId::parse(&raw);
        }
    }
}
