//! A provider's callback read into a typed postback: the reward user, the transaction, the
//! reward in the provider's currency, the payout in cents and whether it credits or reverses.
//! A missing or malformed field is refused naming the callback's own parameter name.

use serde::{Deserialize, Serialize};

use super::format::Format;
use crate::domain::country::parse_country;
use crate::domain::decimal::Decimal;
use crate::domain::offerwall::Rounding;
use crate::domain::reward::RewardUserId;

/// The decoded parameters of one call, in the order they came.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Callback {
    pairs: Vec<(String, String)>,
}

impl Callback {
    /// Reads an `application/x-www-form-urlencoded` string (a query string or a form body).
    pub fn from_query(raw: &str) -> Self {
        Self { pairs: form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The value of `name`; an error when it is given more than once (which copy was signed?).
    pub fn get(&self, name: &str) -> Result<Option<&str>, InvalidField> {
        let mut found = self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(InvalidField::new(name, "is given more than once"));
        }
        Ok(first)
    }

    fn required(&self, name: &str) -> Result<&str, InvalidField> {
        match self.get(name)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(InvalidField::new(name, "is missing")),
        }
    }
}

/// A field the call lacks or got wrong: `reward: must be a decimal number such as 12.34`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    /// The callback's parameter name.
    pub field: String,
    pub message: String,
}

impl InvalidField {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

/// Whether the call adds or takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Credit,
    Reversal,
}

/// Longest transaction id kept.
pub const MAX_TRANSACTION: usize = 128;
/// Longest offer id or name kept (longer ones are cut).
pub const MAX_EXTRA: usize = 200;

/// A call read with its provider's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPostback {
    pub user: RewardUserId,
    /// The transaction: a credit's own id, or for a reversal the id of the credit it takes back.
    pub transaction: String,
    /// The reward in the provider's currency, exactly as sent (always a non-negative amount;
    /// the direction says add or subtract).
    pub reward: Decimal,
    pub payout_cents: i64,
    pub direction: Direction,
    pub offer_id: Option<String>,
    pub offer_name: Option<String>,
    pub ip: Option<std::net::IpAddr>,
    /// ISO 3166-1 alpha-2, upper-cased.
    pub country: Option<String>,
}

fn decimal(field: &str, raw: &str) -> Result<Decimal, InvalidField> {
    Decimal::parse(raw).map_err(|e| InvalidField::new(field, e.to_string()))
}

fn text(raw: &str) -> Option<String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).take(MAX_EXTRA).collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Reads a call. The user, transaction and reward are required, as are payout and status when
/// the format names them. Optional extras (offer, IP, country) are kept when well-formed.
pub fn parse(format: &Format, callback: &Callback) -> Result<ProviderPostback, InvalidField> {
    let user_raw = callback.required(&format.user)?;
    let user = RewardUserId::parse(user_raw).map_err(|e| InvalidField::new(&format.user, e.to_string().replace("uid ", "")))?;
    let transaction = callback.required(&format.transaction)?;
    if transaction.chars().count() > MAX_TRANSACTION || transaction.chars().any(char::is_control) {
        return Err(InvalidField::new(
            &format.transaction,
            format!("must be at most {MAX_TRANSACTION} characters, without control characters"),
        ));
    }
    let reward = decimal(&format.reward, callback.required(&format.reward)?)?;
    let payout_cents = match &format.payout {
        Some(name) => decimal(name, callback.required(name)?)?.ppm_in_minor_units(1_000_000, 2),
        None => 0,
    };
    let direction = match &format.status {
        Some(name) => {
            let raw = callback.required(name)?;
            if raw == format.status_credit {
                Direction::Credit
            } else if raw == format.status_reversal {
                Direction::Reversal
            } else {
                return Err(InvalidField::new(name, format!("must be {} or {}", format.status_credit, format.status_reversal)));
            }
        }
        None => Direction::Credit,
    };
    // A reversal names the credit it takes back: its own id less the format's suffix, if any.
    let credited = match (&direction, format.reversal_suffix.as_deref()) {
        (Direction::Reversal, Some(suffix)) => transaction.strip_suffix(suffix).filter(|t| !t.is_empty()).unwrap_or(transaction),
        _ => transaction,
    };
    let optional = |name: &Option<String>| -> Result<Option<&str>, InvalidField> {
        match name {
            Some(n) => callback.get(n),
            None => Ok(None),
        }
    };
    let extras = &format.extras;
    Ok(ProviderPostback {
        user,
        transaction: credited.to_owned(),
        reward,
        payout_cents,
        direction,
        offer_id: optional(&extras.offer_id)?.and_then(text),
        offer_name: optional(&extras.offer_name)?.and_then(text),
        ip: optional(&extras.ip)?.and_then(|v| v.trim().parse().ok()),
        country: optional(&extras.country)?.and_then(|v| parse_country(v.trim())),
    })
}

/// The reward in whole coins, rounded as the provider is configured (`down` by default).
pub fn coins(reward: &Decimal, rounding: Rounding) -> i64 {
    let (numerator, denominator) = reward.as_fraction();
    rounding.divide(numerator, denominator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::provider::format::Preset;
    use proptest::prelude::*;

    const USER: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

    fn medioot() -> Format {
        Format::preset(Preset::Medioot).expect("preset")
    }

    fn call(query: &str) -> Result<ProviderPostback, InvalidField> {
        parse(&medioot(), &Callback::from_query(query))
    }

    #[test]
    fn reads_a_medioot_call() {
        let p = call(&format!(
            "subid={USER}&transid=T-1&reward=12.5&payout=0.35&status=1&signature=x&campaign_id=77&offer_name=Survey%20A&userIp=203.0.113.9&country=de"
        ))
        .expect("valid");
        assert_eq!(p.user.as_str(), USER);
        assert_eq!(p.transaction, "T-1");
        assert_eq!(p.reward.to_string(), "12.5");
        assert_eq!(p.payout_cents, 35);
        assert_eq!(p.direction, Direction::Credit);
        assert_eq!((p.offer_id.as_deref(), p.offer_name.as_deref()), (Some("77"), Some("Survey A")));
        assert_eq!(p.ip, Some("203.0.113.9".parse().expect("ip")));
        assert_eq!(p.country.as_deref(), Some("DE"));

        let reversal = call(&format!("subid={USER}&transid=T-1&reward=12.5&payout=0.35&status=2")).expect("valid");
        assert_eq!(reversal.direction, Direction::Reversal);
        let odd_extras = call(&format!("subid={USER}&transid=T&reward=1&payout=1&status=1&userIp=nope&country=Germany")).expect("valid");
        assert_eq!((odd_extras.ip, odd_extras.country), (None, None));
    }

    #[test]
    fn a_taprain_reversal_names_the_credit_it_takes_back() {
        let taprain = Format::preset(Preset::Taprain).expect("preset");
        let read = |q: &str| parse(&taprain, &Callback::from_query(q)).expect("valid");
        let credit = read(&format!("user_id={USER}&tx_id=cnv_1-r&reward=1&payout=1&status=1"));
        assert_eq!(credit.transaction, "cnv_1-r", "only a reversal drops the suffix");
        let reversal = read(&format!("user_id={USER}&tx_id=cnv_1-r&reward=1&payout=1&status=2"));
        assert_eq!((reversal.transaction.as_str(), reversal.direction), ("cnv_1", Direction::Reversal));
        assert_eq!(read(&format!("user_id={USER}&tx_id=-r&reward=1&payout=1&status=2")).transaction, "-r");
        let medioot = call(&format!("subid={USER}&transid=T-r&reward=1&payout=1&status=2")).expect("valid");
        assert_eq!(medioot.transaction, "T-r");
    }

    #[test]
    fn refusals_name_the_callback_parameter() {
        let field = |q: &str| call(q).map(|_| ()).map_err(|e| e.to_string());
        let ok = format!("subid={USER}&transid=T&reward=1&payout=1&status=1");
        assert_eq!(field(&ok), Ok(()));
        assert_eq!(field("transid=T&reward=1&payout=1&status=1"), Err("subid: is missing".into()));
        assert!(field("subid=bob&transid=T&reward=1&payout=1&status=1").is_err_and(|e| e.starts_with("subid: must be a UUID")));
        assert_eq!(field(&format!("subid={USER}&reward=1&payout=1&status=1")), Err("transid: is missing".into()));
        assert_eq!(field(&format!("subid={USER}&transid=&reward=1&payout=1&status=1")), Err("transid: is missing".into()));
        assert!(field(&format!("subid={USER}&transid=T&reward=ten&payout=1&status=1")).is_err_and(|e| e.starts_with("reward: ")));
        assert!(field(&format!("subid={USER}&transid=T&reward=-1&payout=1&status=1")).is_err_and(|e| e.starts_with("reward: ")));
        assert_eq!(field(&format!("subid={USER}&transid=T&reward=1&status=1")), Err("payout: is missing".into()));
        assert_eq!(field(&format!("subid={USER}&transid=T&reward=1&payout=1&status=3")), Err("status: must be 1 or 2".into()));
        assert_eq!(field(&format!("{ok}&transid=U")), Err("transid: is given more than once".into()));
        let long = "x".repeat(MAX_TRANSACTION + 1);
        assert!(field(&format!("subid={USER}&transid={long}&reward=1&payout=1&status=1")).is_err_and(|e| e.starts_with("transid: ")));
    }

    #[test]
    fn rounding_modes_to_whole_coins() {
        let d = |s| Decimal::parse(s).expect("decimal");
        assert_eq!(coins(&d("12.5"), Rounding::Down), 12);
        assert_eq!(coins(&d("12.5"), Rounding::Up), 13);
        assert_eq!(coins(&d("12.5"), Rounding::Nearest), 13);
        assert_eq!(coins(&d("12.49"), Rounding::Nearest), 12);
        assert_eq!(coins(&d("12.01"), Rounding::Up), 13);
        assert_eq!(coins(&d("12"), Rounding::Up), 12);
        assert_eq!(coins(&d("0.99"), Rounding::Down), 0);
        assert_eq!(coins(&d("999999999999999.99999999"), Rounding::Up), 1_000_000_000_000_000);
    }

    proptest! {
        #[test]
        fn parse_never_panics(query in ".{0,200}") {
            let _ = call(&query);
        }

        #[test]
        fn rounding_brackets_the_exact_value(whole in 0i64..1_000_000, frac in 0u32..100) {
            let reward = Decimal::parse(&format!("{whole}.{frac:02}")).expect("decimal");
            let (down, up, nearest) = (coins(&reward, Rounding::Down), coins(&reward, Rounding::Up), coins(&reward, Rounding::Nearest));
            prop_assert_eq!(down, whole);
            prop_assert_eq!(up, if frac == 0 { whole } else { whole + 1 });
            prop_assert_eq!(nearest, if frac >= 50 { whole + 1 } else { whole });
        }
    }
}
