//! Money amounts as integer cents, parsed strictly from the wire.

use serde::{Deserialize, Serialize};

/// A positive amount of money in US cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(i64);

/// The largest amount a single postback may carry: $1,000,000.00.
pub const MAX_POSTBACK_CENTS: i64 = 100_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAmount {
    #[error("amount is required")]
    Missing,
    #[error("amount must be a positive integer number of cents (e.g. 250 for $2.50)")]
    NotAnInteger,
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("amount must not have leading zeros or surrounding spaces")]
    Padded,
    #[error("amount is out of range (at most 100000000 cents)")]
    OutOfRange,
}

impl Cents {
    /// Parses the CPA `amount` parameter: plain ASCII digits, no sign, no padding, no decimals.
    pub fn parse_amount(raw: &str) -> Result<Self, InvalidAmount> {
        if raw.is_empty() {
            return Err(InvalidAmount::Missing);
        }
        if raw.trim() != raw {
            return Err(InvalidAmount::Padded);
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidAmount::NotAnInteger);
        }
        if raw.bytes().all(|b| b == b'0') {
            return Err(InvalidAmount::NotPositive);
        }
        if raw.starts_with('0') {
            return Err(InvalidAmount::Padded);
        }
        if raw.len() > 18 {
            return Err(InvalidAmount::OutOfRange);
        }
        let value: i64 = raw.parse().map_err(|_| InvalidAmount::OutOfRange)?;
        if value > MAX_POSTBACK_CENTS {
            return Err(InvalidAmount::OutOfRange);
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_plain_positive_integers() {
        assert_eq!(Cents::parse_amount("350").map(Cents::get), Ok(350));
        assert_eq!(Cents::parse_amount("1").map(Cents::get), Ok(1));
        assert_eq!(Cents::parse_amount("100000000").map(Cents::get), Ok(MAX_POSTBACK_CENTS));
    }

    #[test]
    fn refuses_every_bad_variant() {
        let cases = [
            ("", InvalidAmount::Missing),
            ("0", InvalidAmount::NotPositive),
            ("000", InvalidAmount::NotPositive),
            ("-5", InvalidAmount::NotAnInteger),
            ("+5", InvalidAmount::NotAnInteger),
            ("3.50", InvalidAmount::NotAnInteger),
            ("3,50", InvalidAmount::NotAnInteger),
            ("1e3", InvalidAmount::NotAnInteger),
            ("abc", InvalidAmount::NotAnInteger),
            ("١٢", InvalidAmount::NotAnInteger),
            (" 350", InvalidAmount::Padded),
            ("350 ", InvalidAmount::Padded),
            ("0350", InvalidAmount::Padded),
            ("100000001", InvalidAmount::OutOfRange),
            ("9223372036854775808", InvalidAmount::OutOfRange),
            ("99999999999999999999999", InvalidAmount::OutOfRange),
        ];
        for (raw, expected) in cases {
            assert_eq!(Cents::parse_amount(raw), Err(expected), "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_accepts_only_in_range(raw in ".{0,40}") {
            if let Ok(c) = Cents::parse_amount(&raw) {
                prop_assert!(c.get() > 0 && c.get() <= MAX_POSTBACK_CENTS);
                prop_assert_eq!(c.get().to_string(), raw);
            }
        }

        #[test]
        fn every_valid_amount_round_trips(n in 1i64..=MAX_POSTBACK_CENTS) {
            prop_assert_eq!(Cents::parse_amount(&n.to_string()).map(Cents::get), Ok(n));
        }
    }
}
