//! Secrets TapRain hands out (network keys, admin tokens): generated from the OS RNG, shown
//! once, stored only as SHA-256 hashes, compared in constant time.
//!
//! SHA-256 (not argon2) is right here: these are 192-bit random values, not passwords, and they
//! are checked on hot machine endpoints.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A fresh secret such as `trk_3f9a…` (prefix + 48 hex characters).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

/// The stored form of a secret: lowercase hex SHA-256.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality for hashes and tokens.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A short, safe-to-show hint that lets people tell keys apart (`trk_3f9a…`).
pub fn hint(secret: &str) -> String {
    let visible: String = secret.chars().take(8).collect();
    format!("{visible}…")
}

/// Random bytes for ids.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A prefixed id such as `net_9f2c0a1b7d3e4f56` for TapRain's own records.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(random_bytes::<8>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_hash_stably() {
        let a = generate("trk");
        let b = generate("trk");
        assert_ne!(a, b);
        assert!(a.starts_with("trk_") && a.len() == 4 + 48);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(ct_eq(&hash(&a), &hash(&a)));
        assert!(!ct_eq(&hash(&a), &hash(&b)));
        assert!(!ct_eq("abc", "abcd"));
        assert_eq!(hint("trk_123456789"), "trk_1234…");
    }
}
