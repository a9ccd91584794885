//! Silent quality checks. The service gathers the facts about a conversion; each rule looks
//! at them and may name a reason to hold it for review. New rules (the offerwall's click rules)
//! are added to `RULES` without touching any handler.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::country::parse_country;
use super::ip_class::is_non_public;

/// Why a conversion is held for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    RepeatedIp,
    NonPublicIp,
    InvalidIp,
    InvalidCountry,
    AmountAboveCeiling,
    AmountAboveUsual,
    /// A `clk_…` click id that matches no click.
    UnknownClick,
    /// The click was on an offer of another network than the postback's.
    ForeignClick,
    /// The conversion came sooner after the click than the configured minimum.
    ClickTooFast,
    /// The click's country differs from the postback's `country_code`.
    ClickCountryMismatch,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::RepeatedIp => "repeated_ip",
            Reason::NonPublicIp => "non_public_ip",
            Reason::InvalidIp => "invalid_ip",
            Reason::InvalidCountry => "invalid_country",
            Reason::AmountAboveCeiling => "amount_above_ceiling",
            Reason::AmountAboveUsual => "amount_above_usual",
            Reason::UnknownClick => "unknown_click",
            Reason::ForeignClick => "foreign_click",
            Reason::ClickTooFast => "click_too_fast",
            Reason::ClickCountryMismatch => "click_country_mismatch",
        }
    }
}

/// Thresholds, from settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Window (seconds) in which conversions from one end-user IP are counted.
    pub ip_repeat_window_seconds: i64,
    /// Hold when this many conversions from the same IP are already in the window.
    pub ip_repeat_max: i64,
    /// Hold any conversion above this many cents.
    pub amount_ceiling_cents: i64,
    /// Hold when the amount is more than this multiple of the offer's usual payout…
    pub usual_payout_multiple: i64,
    /// …once the offer has at least this many credited conversions.
    pub usual_payout_min_samples: i64,
    /// Hold a conversion that arrives less than this many seconds after its click.
    pub min_click_seconds: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            ip_repeat_window_seconds: 3600,
            ip_repeat_max: 5,
            amount_ceiling_cents: 50_000,
            usual_payout_multiple: 10,
            usual_payout_min_samples: 5,
            min_click_seconds: 10,
        }
    }
}

/// What is known about a conversion when it is checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub amount_cents: i64,
    pub end_user_ip: Option<String>,
    pub country_code: Option<String>,
    /// Earlier conversions from the same end-user IP within the window.
    pub same_ip_recent: i64,
    /// Average credited amount for the same network and offer, and how many there were.
    pub usual_payout: Option<(i64, i64)>,
    /// What the conversion's `click_id` says.
    pub click: ClickFacts,
}

/// The click behind a conversion, as far as the click rules care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ClickFacts {
    /// No click id, or one that is not TapRain's (`clk_…`): nothing to check.
    #[default]
    NotOurs,
    /// A TapRain click id that matches no click.
    Unknown,
    Found {
        /// The clicked offer belongs to another network than the postback's.
        foreign_network: bool,
        /// Conversion time minus click time, in whole seconds (negative if before the click).
        seconds_after_click: i64,
        /// The country the click came from, when known.
        country: Option<String>,
    },
}

pub type Rule = fn(&Facts, &Thresholds) -> Option<Reason>;

/// Every rule, in the order reasons are listed.
pub const RULES: &[Rule] = &[
    invalid_ip,
    non_public_ip,
    repeated_ip,
    invalid_country,
    amount_above_ceiling,
    amount_above_usual,
    unknown_click,
    foreign_click,
    click_too_fast,
    click_country_mismatch,
];

/// All reasons the facts give; empty means the conversion passes.
pub fn evaluate(facts: &Facts, thresholds: &Thresholds) -> Vec<Reason> {
    RULES.iter().filter_map(|rule| rule(facts, thresholds)).collect()
}

fn parsed_ip(facts: &Facts) -> Option<Result<IpAddr, ()>> {
    facts.end_user_ip.as_deref().map(|raw| raw.parse::<IpAddr>().map_err(|_| ()))
}

fn invalid_ip(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    matches!(parsed_ip(facts), Some(Err(()))).then_some(Reason::InvalidIp)
}

fn non_public_ip(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    matches!(parsed_ip(facts), Some(Ok(ip)) if is_non_public(ip)).then_some(Reason::NonPublicIp)
}

fn repeated_ip(facts: &Facts, t: &Thresholds) -> Option<Reason> {
    (facts.end_user_ip.is_some() && facts.same_ip_recent >= t.ip_repeat_max).then_some(Reason::RepeatedIp)
}

fn invalid_country(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    facts.country_code.as_deref().is_some_and(|c| parse_country(c).is_none()).then_some(Reason::InvalidCountry)
}

fn amount_above_ceiling(facts: &Facts, t: &Thresholds) -> Option<Reason> {
    (facts.amount_cents > t.amount_ceiling_cents).then_some(Reason::AmountAboveCeiling)
}

fn amount_above_usual(facts: &Facts, t: &Thresholds) -> Option<Reason> {
    let (average, samples) = facts.usual_payout?;
    (samples >= t.usual_payout_min_samples && average > 0 && facts.amount_cents > average.saturating_mul(t.usual_payout_multiple))
        .then_some(Reason::AmountAboveUsual)
}

fn unknown_click(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    (facts.click == ClickFacts::Unknown).then_some(Reason::UnknownClick)
}

fn foreign_click(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    matches!(facts.click, ClickFacts::Found { foreign_network: true, .. }).then_some(Reason::ForeignClick)
}

fn click_too_fast(facts: &Facts, t: &Thresholds) -> Option<Reason> {
    matches!(facts.click, ClickFacts::Found { seconds_after_click, .. } if seconds_after_click < t.min_click_seconds)
        .then_some(Reason::ClickTooFast)
}

fn click_country_mismatch(facts: &Facts, _: &Thresholds) -> Option<Reason> {
    let ClickFacts::Found { country: Some(clicked), .. } = &facts.click else { return None };
    let converted = parse_country(facts.country_code.as_deref()?)?;
    (converted != *clicked).then_some(Reason::ClickCountryMismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Facts {
        Facts { amount_cents: 350, end_user_ip: Some("203.0.113.45".into()), country_code: Some("US".into()), ..Facts::default() }
    }

    #[test]
    fn the_seed_example_passes() {
        assert!(evaluate(&clean(), &Thresholds::default()).is_empty());
    }

    #[test]
    fn each_rule_names_its_reason() {
        let t = Thresholds::default();
        let with = |f: fn(&mut Facts)| {
            let mut facts = clean();
            f(&mut facts);
            evaluate(&facts, &t)
        };
        assert_eq!(with(|f| f.end_user_ip = Some("10.1.2.3".into())), vec![Reason::NonPublicIp]);
        assert_eq!(with(|f| f.end_user_ip = Some("not-an-ip".into())), vec![Reason::InvalidIp]);
        assert_eq!(with(|f| f.same_ip_recent = 5), vec![Reason::RepeatedIp]);
        assert_eq!(with(|f| f.same_ip_recent = 4), vec![]);
        assert_eq!(with(|f| f.country_code = Some("XX".into())), vec![Reason::InvalidCountry]);
        assert_eq!(with(|f| f.amount_cents = 50_001), vec![Reason::AmountAboveCeiling]);
        assert_eq!(with(|f| f.amount_cents = 50_000), vec![]);
        assert_eq!(
            with(|f| {
                f.usual_payout = Some((300, 5));
                f.amount_cents = 3001
            }),
            vec![Reason::AmountAboveUsual]
        );
        assert_eq!(
            with(|f| {
                f.usual_payout = Some((300, 4));
                f.amount_cents = 3001
            }),
            vec![],
            "too few samples"
        );
        assert_eq!(
            with(|f| {
                f.end_user_ip = None;
                f.country_code = None
            }),
            vec![]
        );
    }

    #[test]
    fn click_rules_name_their_reasons() {
        let t = Thresholds::default();
        let found = |foreign_network, seconds_after_click, country: &str| ClickFacts::Found {
            foreign_network,
            seconds_after_click,
            country: Some(country.to_owned()).filter(|c| !c.is_empty()),
        };
        let with = |click: ClickFacts| evaluate(&Facts { click, ..clean() }, &t);
        assert_eq!(with(ClickFacts::NotOurs), vec![]);
        assert_eq!(with(found(false, 60, "US")), vec![]);
        assert_eq!(with(found(false, 60, "")), vec![], "no click country, nothing to compare");
        assert_eq!(with(ClickFacts::Unknown), vec![Reason::UnknownClick]);
        assert_eq!(with(found(true, 60, "US")), vec![Reason::ForeignClick]);
        assert_eq!(with(found(false, 9, "US")), vec![Reason::ClickTooFast]);
        assert_eq!(with(found(false, 10, "US")), vec![]);
        assert_eq!(with(found(false, -5, "US")), vec![Reason::ClickTooFast]);
        assert_eq!(with(found(false, 60, "DE")), vec![Reason::ClickCountryMismatch]);
    }
}
