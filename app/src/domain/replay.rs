//! What replaying a logged call finds: the outcome and reason the call would get today, and what
//! it would credit. A replay is a dry run; it changes nothing.

use serde::{Deserialize, Serialize};

/// The verdict of a replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Replay {
    /// The postback log's outcome word for the call today: `ok`, `duplicate`, `held`, `sandbox`,
    /// `unauthorized`, `forbidden`, `invalid_signature`, `bad_request`, `not_found`, `conflict`, …
    pub outcome: String,
    /// Why, in words (a refusal's message, a held conversion's reasons, what was credited).
    pub reason: String,
    /// What the call would credit, or `null` when it would credit nothing.
    pub would_credit: Option<WouldCredit>,
}

/// A ledger movement a replayed call would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WouldCredit {
    /// The ledger account: `publisher:<id>` (cents) or a reward user's coins account.
    pub account: String,
    /// Cents for a publisher, coins for a reward user; negative for a reversal.
    pub amount: i64,
}

impl Replay {
    /// A verdict that credits nothing.
    pub fn nothing(outcome: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { outcome: outcome.into(), reason: reason.into(), would_credit: None }
    }

    /// What to show for it in a sentence.
    pub fn summary(&self) -> String {
        let reason = if self.reason.is_empty() { String::new() } else { format!(": {}", self.reason) };
        match &self.would_credit {
            Some(credit) => format!("{}{reason} — would move {} on {}", self.outcome.replace('_', " "), credit.amount, credit.account),
            None => format!("{}{reason} — would credit nothing", self.outcome.replace('_', " ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_reads_as_a_sentence() {
        let credited = Replay {
            outcome: "ok".into(),
            reason: String::new(),
            would_credit: Some(WouldCredit { account: "publisher:p1".into(), amount: 350 }),
        };
        assert_eq!(credited.summary(), "ok — would move 350 on publisher:p1");
        assert_eq!(Replay::nothing("not_found", "unknown user").summary(), "not found: unknown user — would credit nothing");
        let json = serde_json::to_value(Replay::nothing("duplicate", "")).expect("json");
        assert_eq!(json, serde_json::json!({ "outcome": "duplicate", "reason": "", "would_credit": null }));
    }
}
