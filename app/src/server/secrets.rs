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

/// A prefixed id that starts with the creation time in milliseconds (12 hex digits) followed by
/// 32 random bits, e.g. `cnv_019a8c2f4e1b7c3d9a0f`. For high-volume rows (conversions): new ids
/// land at the right edge of every index keyed by them, so a batch dirties a few index pages
/// instead of one random page per row.
pub fn new_ordered_id(prefix: &str) -> String {
    let millis = u64::try_from(crate::server::clock::now_ms()).unwrap_or(0) & 0xffff_ffff_ffff;
    format!("{prefix}_{millis:012x}{}", hex::encode(random_bytes::<4>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ids_sort_by_creation_time() {
        let first = new_ordered_id("cnv");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_ordered_id("cnv");
        assert!(first < second, "{first} < {second}");
        assert_eq!(first.len(), "cnv_".len() + 20);
        assert!(first["cnv_".len()..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(new_ordered_id("cnv"), new_ordered_id("cnv"));
    }

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
