//! The CPA postback's parameters (seed 000), parsed from the query string into a typed value.
//! The security key is handled before this and never enters it.

use serde::{Deserialize, Serialize};

use super::cents::{Cents, InvalidAmount};

/// Longest identifier (lead_id, click_id, offer_id, external_identifier, s2) accepted.
pub const MAX_ID_LEN: usize = 256;
/// Display text (offer_name) longer than this is cut.
pub const MAX_TEXT_LEN: usize = 256;

/// What the network says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpaStatus {
    /// `status=1` (also when the parameter is absent): approve and credit.
    Approved,
    /// `status=2`: reverse an earlier credit with the same lead.
    Reversed,
    /// Anything else: stored as pending, not credited.
    Other(String),
}

impl CpaStatus {
    fn parse(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            None | Some("") | Some("1") => CpaStatus::Approved,
            Some("2") => CpaStatus::Reversed,
            Some(other) => CpaStatus::Other(other.to_owned()),
        }
    }
}

/// A CPA postback that passed the field checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpaPostback {
    pub external_identifier: String,
    pub amount: Cents,
    pub status: CpaStatus,
    pub offer_name: Option<String>,
    pub offer_id: Option<String>,
    pub country_code: Option<String>,
    pub ip: Option<String>,
    pub unix: Option<i64>,
    pub lead_id: Option<String>,
    pub click_id: Option<String>,
    pub s2: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpaError {
    #[error("Missing required parameter: {0}")]
    Missing(&'static str),
    #[error("Invalid amount: {0}")]
    Amount(InvalidAmount),
    #[error("Parameter {0} is too long (at most 256 characters)")]
    TooLong(&'static str),
}

/// Removes control characters (NUL cannot even be stored) and surrounding spaces.
fn clean(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned()
}

impl CpaPostback {
    /// The key a repeat of this postback shares: the network's lead id, else its click id.
    pub fn dedup_key(&self) -> Option<String> {
        self.lead_id.as_ref().map(|l| format!("lead:{l}")).or_else(|| self.click_id.as_ref().map(|c| format!("click:{c}")))
    }

    /// Parses the query parameters (first occurrence of a name wins; `key` is ignored).
    pub fn parse(params: &[(String, String)]) -> Result<Self, CpaError> {
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| clean(v)).filter(|v| !v.is_empty());
        let id = |name: &'static str| -> Result<Option<String>, CpaError> {
            match get(name) {
                Some(v) if v.chars().count() > MAX_ID_LEN => Err(CpaError::TooLong(name)),
                other => Ok(other),
            }
        };
        let external_identifier = id("external_identifier")?.ok_or(CpaError::Missing("external_identifier"))?;
        let raw_amount = params.iter().find(|(k, _)| k == "amount").map(|(_, v)| v.as_str()).ok_or(CpaError::Missing("amount"))?;
        let amount = Cents::parse_amount(raw_amount).map_err(|e| match e {
            InvalidAmount::Missing => CpaError::Missing("amount"),
            other => CpaError::Amount(other),
        })?;
        Ok(Self {
            external_identifier,
            amount,
            status: CpaStatus::parse(get("status").as_deref()),
            offer_name: get("offer_name").map(|v| v.chars().take(MAX_TEXT_LEN).collect()),
            offer_id: id("offer_id")?,
            country_code: get("country_code").map(|v| v.chars().take(8).collect()),
            ip: get("ip").map(|v| v.chars().take(64).collect()),
            unix: get("unix").and_then(|v| v.parse::<i64>().ok()).filter(|t| *t > 0 && *t < 32_503_680_000),
            lead_id: id("lead_id")?,
            click_id: id("click_id")?,
            s2: id("s2")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_the_seed_example() {
        let p = CpaPostback::parse(&params(&[
            ("key", "YOUR_SECURITY_KEY"),
            ("external_identifier", "6422f1b3e8a0000012345678"),
            ("amount", "350"),
            ("offer_name", "Shein Shopping App"),
            ("country_code", "US"),
            ("ip", "203.0.113.45"),
            ("status", "1"),
            ("lead_id", "abc123"),
        ]))
        .expect("valid");
        assert_eq!(p.amount.get(), 350);
        assert_eq!(p.status, CpaStatus::Approved);
        assert_eq!(p.offer_name.as_deref(), Some("Shein Shopping App"));
        assert_eq!(p.dedup_key().as_deref(), Some("lead:abc123"));
        assert_eq!(p.unix, None);
    }

    #[test]
    fn required_fields_and_statuses() {
        assert_eq!(CpaPostback::parse(&params(&[("amount", "1")])), Err(CpaError::Missing("external_identifier")));
        assert_eq!(CpaPostback::parse(&params(&[("external_identifier", "x")])), Err(CpaError::Missing("amount")));
        assert_eq!(CpaPostback::parse(&params(&[("external_identifier", "x"), ("amount", "")])), Err(CpaError::Missing("amount")));
        assert_eq!(
            CpaPostback::parse(&params(&[("external_identifier", "x"), ("amount", "0")])),
            Err(CpaError::Amount(InvalidAmount::NotPositive))
        );
        let status =
            |s: &str| CpaPostback::parse(&params(&[("external_identifier", "x"), ("amount", "5"), ("status", s)])).expect("ok").status;
        assert_eq!(status("2"), CpaStatus::Reversed);
        assert_eq!(status("3"), CpaStatus::Other("3".into()));
        assert_eq!(status("abc"), CpaStatus::Other("abc".into()));
        let long = "x".repeat(257);
        assert_eq!(
            CpaPostback::parse(&params(&[("external_identifier", "x"), ("amount", "5"), ("lead_id", &long)])),
            Err(CpaError::TooLong("lead_id"))
        );
    }

    #[test]
    fn click_id_is_the_fallback_dedup_key_and_text_is_cleaned() {
        let p = CpaPostback::parse(&params(&[
            ("external_identifier", "x"),
            ("amount", "5"),
            ("click_id", "c\u{0}1"),
            ("offer_name", "<b>\u{7}Hi</b>"),
        ]))
        .expect("ok");
        assert_eq!(p.dedup_key().as_deref(), Some("click:c1"));
        assert_eq!(p.offer_name.as_deref(), Some("<b>Hi</b>"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(pairs in proptest::collection::vec((".{0,20}", ".{0,300}"), 0..12)) {
            let _ = CpaPostback::parse(&pairs);
        }

        #[test]
        fn accepted_values_are_clean(value in ".{0,300}") {
            let p = params(&[("external_identifier", "x"), ("amount", "5"), ("offer_name", &value), ("lead_id", &value), ("s2", &value)]);
            if let Ok(parsed) = CpaPostback::parse(&p) {
                for text in [parsed.offer_name, parsed.lead_id, parsed.s2].into_iter().flatten() {
                    prop_assert!(!text.chars().any(char::is_control));
                }
            }
        }
    }
}
