//! A login email address, trimmed and lowercased so lookups are case-insensitive.

use serde::{Deserialize, Serialize};

/// A syntactically plausible email address (`local@domain.tld`), stored lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("email must look like name@example.com (at most 254 characters)")]
pub struct InvalidEmail;

impl Email {
    /// Parses and normalises an email address.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() || value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail);
        }
        let (local, domain) = value.split_once('@').ok_or(InvalidEmail)?;
        let domain_ok =
            domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@') && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(InvalidEmail);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let email = Email::parse("  Ada@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@example..com",
            "ada@.example.com",
        ] {
            assert_eq!(Email::parse(raw), Err(InvalidEmail), "{raw:?} should be refused");
        }
    }

    proptest! {
        #[test]
        fn never_panics(raw in ".{0,300}") {
            let _ = Email::parse(&raw);
        }
    }
}
