//! Programs (seed 001, SPEC D): the commission rule, the kinds of attribution handle a publisher
//! owns inside a program, and the order in which a conversion's fields attribute it.

pub mod call;

use serde::{Deserialize, Serialize};

use super::currency::Currency;
use super::decimal::{format_ppm_as_percent, Decimal};
use super::label::parse_label;

/// The largest commission one conversion may credit, in minor units (1,000,000.00).
pub const MAX_COMMISSION_MINOR: i64 = 100_000_000;

/// How a program turns a conversion into a publisher's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommissionRule {
    /// A share of the amount, in parts per million (12.5 % = 125,000).
    Percent { ppm: i64 },
    /// A fixed number of minor units per conversion, whatever the amount.
    Fixed { minor: i64 },
}

impl CommissionRule {
    /// The credit for a conversion of `amount` in a currency with `minor_digits`. A percentage
    /// of the exact amount is rounded once, half up, to the minor unit; no amount earns 0.
    pub fn commission(&self, amount: Option<&Decimal>, minor_digits: u32) -> i64 {
        match *self {
            CommissionRule::Percent { ppm } => amount.map(|a| a.ppm_in_minor_units(ppm, minor_digits)).unwrap_or(0),
            CommissionRule::Fixed { minor } => minor,
        }
    }

    /// `("commission_percent", "12.5")` or `("commission_cents", "250")`, for people.
    pub fn describe(&self) -> (&'static str, String) {
        match *self {
            CommissionRule::Percent { ppm } => ("commission_percent", format_ppm_as_percent(ppm)),
            CommissionRule::Fixed { minor } => ("commission_cents", minor.to_string()),
        }
    }
}

/// A kind of handle a publisher owns inside a program. The order of [`HandleKind::PRIORITY`]
/// is the seed's: when a call carries several, the first one that matches attributes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandleKind {
    Coupon,
    ClickId,
    ReferralCode,
    AssetId,
    SourceId,
}

impl HandleKind {
    /// Highest priority first: coupon > click_id > referral_code > asset_id > source_id.
    pub const PRIORITY: [HandleKind; 5] =
        [HandleKind::Coupon, HandleKind::ClickId, HandleKind::ReferralCode, HandleKind::AssetId, HandleKind::SourceId];

    /// The request field (and stored kind) name.
    pub fn field(self) -> &'static str {
        match self {
            HandleKind::Coupon => "coupon",
            HandleKind::ClickId => "click_id",
            HandleKind::ReferralCode => "referral_code",
            HandleKind::AssetId => "asset_id",
            HandleKind::SourceId => "source_id",
        }
    }

    pub fn parse(field: &str) -> Option<Self> {
        Self::PRIORITY.into_iter().find(|k| k.field() == field)
    }

    /// How a code is stored and looked up: coupons ignore case (shops lower-case what customers
    /// type), every other handle is matched exactly.
    pub fn normalize(self, code: &str) -> String {
        match self {
            HandleKind::Coupon => code.to_lowercase(),
            _ => code.to_owned(),
        }
    }
}

/// A program as admins see it: never a key itself, only hints and validity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Program {
    pub id: String,
    pub name: String,
    /// ISO 4217 code used when a conversion sends none.
    pub currency: String,
    /// The percentage of the amount credited (a decimal string such as `"12.5"`), or `null`.
    pub commission_percent: Option<String>,
    /// The fixed credit per conversion in minor units, or `null`.
    pub commission_cents: Option<i64>,
    pub active: bool,
    pub created_at: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<ProgramKeyInfo>))]
    pub keys: Vec<crate::domain::partners::NetworkKeyInfo>,
    pub handles: Vec<ProgramHandle>,
}

/// A program API key as the OpenAPI document describes it (the JSON is the same as a network
/// key's; the key itself is shown once, when it is created or rotated).
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
pub struct ProgramKeyInfo {
    /// Pass to `DELETE /api/admin/programs/{id}/keys/{key_id}` to revoke the key.
    pub id: String,
    /// The key's last characters, to tell keys apart.
    pub hint: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms after which the key stops authenticating conversions API calls; `null` while it
    /// is the current key.
    pub valid_until: Option<i64>,
    /// Unix ms when an admin revoked it.
    pub revoked_at: Option<i64>,
}

/// A publisher's referral code, coupon, asset id, source id or click id inside a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProgramHandle {
    pub program_id: String,
    pub kind: HandleKind,
    pub code: String,
    pub publisher_id: String,
    pub created_at: i64,
}

/// Longest handle code, external id or customer id.
pub const MAX_CODE_LEN: usize = 255;

/// Parses a handle code, external id or customer id: 1–255 characters after trimming, no
/// control characters.
pub fn parse_code(raw: &str) -> Result<String, String> {
    parse_label(raw, MAX_CODE_LEN).map_err(|e| e.to_string())
}

/// Parses a program name.
pub fn parse_name(raw: &str) -> Result<String, String> {
    parse_label(raw, 100).map_err(|e| e.to_string())
}

/// The program's currency, as the admin gives it.
pub fn parse_currency(raw: &str) -> Result<Currency, String> {
    Currency::parse(raw).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_is_the_seeds() {
        let fields: Vec<_> = HandleKind::PRIORITY.iter().map(|k| k.field()).collect();
        assert_eq!(fields, ["coupon", "click_id", "referral_code", "asset_id", "source_id"]);
        for kind in HandleKind::PRIORITY {
            assert_eq!(HandleKind::parse(kind.field()), Some(kind));
        }
    }

    #[test]
    fn commission_rules() {
        let amount = Decimal::parse("100").expect("decimal");
        assert_eq!(CommissionRule::Percent { ppm: 100_000 }.commission(Some(&amount), 2), 1000);
        assert_eq!(CommissionRule::Percent { ppm: 100_000 }.commission(None, 2), 0);
        assert_eq!(CommissionRule::Fixed { minor: 250 }.commission(Some(&amount), 2), 250);
        assert_eq!(CommissionRule::Fixed { minor: 250 }.commission(None, 2), 250);
        assert_eq!(CommissionRule::Percent { ppm: 125_000 }.describe(), ("commission_percent", "12.5".into()));
    }

    #[test]
    fn coupons_ignore_case() {
        assert_eq!(HandleKind::Coupon.normalize("SUMMER10"), "summer10");
        assert_eq!(HandleKind::ReferralCode.normalize("NwJ"), "NwJ");
    }
}
