//! Conversions as admins see them: the lifecycle state, the conversion record of listings, details
//! and the live feed, and the log of postback calls. The UI and the admin API share these records.

use serde::{Deserialize, Serialize};

/// Where a conversion is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversionState {
    /// Stored, not credited (a status other than approve).
    Pending,
    /// Credited to the publisher's ledger.
    Credited,
    /// Failed a quality check; waits for an admin.
    Held,
    /// Held and rejected by an admin; never credited.
    Rejected,
    /// Credited, then compensated (or reversed before it was credited).
    Reversed,
    /// A reversal that arrived before its credit; settled when the credit arrives.
    ReversalPending,
}

impl ConversionState {
    pub const ALL: [ConversionState; 6] = [
        ConversionState::Pending,
        ConversionState::Credited,
        ConversionState::Held,
        ConversionState::Rejected,
        ConversionState::Reversed,
        ConversionState::ReversalPending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConversionState::Pending => "pending",
            ConversionState::Credited => "credited",
            ConversionState::Held => "held",
            ConversionState::Rejected => "rejected",
            ConversionState::Reversed => "reversed",
            ConversionState::ReversalPending => "reversal_pending",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A conversion as admins see it in listings, details and the live feed. In JSON, `status` and
/// `state` both carry the lifecycle (`credited`, `held`, …; `status` is what the listing filter
/// is named after) and `network_status` is the status value the postback carried.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Conversion {
    pub id: String,
    /// `cpa`, `reward`, or `api` (the conversions API of a program).
    pub source: String,
    pub network_id: Option<String>,
    /// The program of an `api` conversion.
    pub program_id: Option<String>,
    pub publisher_id: Option<String>,
    pub state: ConversionState,
    pub amount_cents: i64,
    /// The postback's own status value (`1`, `2`, …; `level N` for reward postbacks).
    pub network_status: Option<String>,
    /// Quality-check reasons when held, e.g. `non_public_ip`.
    pub reasons: Vec<String>,
    pub lead_id: Option<String>,
    pub click_id: Option<String>,
    pub offer_id: Option<String>,
    pub offer_name: Option<String>,
    pub country_code: Option<String>,
    pub ip: Option<String>,
    pub s2: Option<String>,
    /// Offerwall attribution (from the conversion's click): the first sub-ID, the end user's id,
    /// the wall and the catalog offer that was clicked.
    pub s1: Option<String>,
    pub uid: Option<String>,
    pub offerwall_id: Option<String>,
    pub catalog_offer_id: Option<String>,
    /// When it happened (the postback's `unix`, else receive time), unix ms.
    pub event_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Serialize for Conversion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Conversion", 25)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("source", &self.source)?;
        out.serialize_field("network_id", &self.network_id)?;
        out.serialize_field("program_id", &self.program_id)?;
        out.serialize_field("publisher_id", &self.publisher_id)?;
        out.serialize_field("status", &self.state)?;
        out.serialize_field("state", &self.state)?;
        out.serialize_field("amount_cents", &self.amount_cents)?;
        out.serialize_field("network_status", &self.network_status)?;
        out.serialize_field("reasons", &self.reasons)?;
        out.serialize_field("lead_id", &self.lead_id)?;
        out.serialize_field("click_id", &self.click_id)?;
        out.serialize_field("offer_id", &self.offer_id)?;
        out.serialize_field("offer_name", &self.offer_name)?;
        out.serialize_field("country_code", &self.country_code)?;
        out.serialize_field("ip", &self.ip)?;
        out.serialize_field("s2", &self.s2)?;
        out.serialize_field("s1", &self.s1)?;
        out.serialize_field("uid", &self.uid)?;
        out.serialize_field("offerwall_id", &self.offerwall_id)?;
        out.serialize_field("catalog_offer_id", &self.catalog_offer_id)?;
        out.serialize_field("event_at", &self.event_at)?;
        out.serialize_field("created_at", &self.created_at)?;
        out.serialize_field("updated_at", &self.updated_at)?;
        out.end()
    }
}

/// One postback call as logged (the key is never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostbackLogEntry {
    pub id: i64,
    pub received_at: i64,
    pub source: String,
    pub network_id: Option<String>,
    /// The offerwall provider a call was addressed to.
    pub provider_id: Option<String>,
    /// The program whose API key a conversions-API call presented.
    pub program_id: Option<String>,
    /// The reward API secret a level postback presented.
    pub reward_secret_id: Option<String>,
    pub source_ip: String,
    /// `ok`, `duplicate`, `held`, `sandbox`, `unauthorized`, `forbidden`, `invalid_signature`, `bad_request`, `not_found`,
    /// `https_required`, `error`.
    pub outcome: String,
    pub http_status: i64,
    pub reason: String,
    pub latency_us: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub params: serde_json::Value,
    pub conversion_id: Option<String>,
    /// For a provider's call refused for its signature: the signature debugger's findings
    /// (`signature`); for a sandbox call, `"sandbox": true`.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub details: Option<serde_json::Value>,
}
