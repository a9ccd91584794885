//! Offerwalls (seed 000 "Offerwall Embed", SPEC B): the wall's virtual currency — an exact
//! exchange rate and a rounding rule, turned into a reward by `reward_for` — and the device an
//! end user is on, from an override or the user agent.

use serde::{Deserialize, Serialize};

/// Currency units per 1 USD, kept exactly as millionths (`"1000"`, `"0.5"`, `"12.345678"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExchangeRate(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRate {
    #[error("must be a positive decimal number of currency units per 1 USD with at most 6 decimals (e.g. \"1000\" or \"0.5\")")]
    Shape,
    #[error("must be greater than 0 and at most 1000000000")]
    Range,
}

impl ExchangeRate {
    const SCALE: i64 = 1_000_000;
    const MAX_UNITS: i64 = 1_000_000_000;

    /// Parses a plain decimal such as `1000`, `0.5` or `12.345678` (no sign, no exponent).
    pub fn parse(raw: &str) -> Result<Self, InvalidRate> {
        let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 || (raw.contains('.') && fraction.is_empty()) {
            return Err(InvalidRate::Shape);
        }
        let whole: i64 = whole.parse().map_err(|_| InvalidRate::Range)?;
        if whole > Self::MAX_UNITS {
            return Err(InvalidRate::Range);
        }
        let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| InvalidRate::Shape)?;
        let micros = whole * Self::SCALE + fraction;
        if micros == 0 || micros > Self::MAX_UNITS * Self::SCALE {
            return Err(InvalidRate::Range);
        }
        Ok(Self(micros))
    }

    /// From the stored form: millionths of a currency unit per USD (at least 1).
    pub const fn from_micros(micros: i64) -> Self {
        Self(if micros < 1 { 1 } else { micros })
    }

    pub fn micros(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for ExchangeRate {
    /// The shortest exact decimal: `1000`, `0.5`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.0 / Self::SCALE;
        let fraction = self.0 % Self::SCALE;
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{}", format!("{fraction:06}").trim_end_matches('0'))
        }
    }
}

/// How a fractional reward becomes whole currency units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    #[default]
    Down,
    Nearest,
    Up,
}

impl Rounding {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "down" => Some(Rounding::Down),
            "nearest" => Some(Rounding::Nearest),
            "up" => Some(Rounding::Up),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Down => "down",
            Rounding::Nearest => "nearest",
            Rounding::Up => "up",
        }
    }

    /// `numerator / denominator` (denominator > 0) as a whole number rounded this way
    /// (nearest rounds halves up), saturated to `i64`.
    pub fn divide(self, numerator: i128, denominator: i128) -> i64 {
        let floor = numerator.div_euclid(denominator);
        let remainder = numerator.rem_euclid(denominator);
        let rounded = match self {
            Rounding::Down => floor,
            Rounding::Up if remainder > 0 => floor + 1,
            Rounding::Up => floor,
            Rounding::Nearest if remainder * 2 >= denominator => floor + 1,
            Rounding::Nearest => floor,
        };
        i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
    }
}

/// A wall's currency: what the outbound `{reward}` and the offer cards show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallCurrency {
    pub name: String,
    pub rate: ExchangeRate,
    pub rounding: Rounding,
}

/// The reward in whole wall-currency units for a payout in cents: cents / 100 × rate, rounded
/// as the wall says (nearest rounds halves up). Exact integer arithmetic, never floats.
pub fn reward_for(payout_cents: i64, wall: &WallCurrency) -> i64 {
    let numerator = i128::from(payout_cents) * i128::from(wall.rate.micros());
    let denominator = 100 * i128::from(ExchangeRate::SCALE);
    wall.rounding.divide(numerator, denominator)
}

/// An offerwall as admins and publishers see it (the admin API's offerwall object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Offerwall {
    pub id: String,
    pub publisher_id: String,
    pub name: String,
    pub currency_name: String,
    /// Currency units per 1 USD, as an exact decimal string (`"1000"`, `"0.5"`).
    pub exchange_rate: String,
    pub rounding: Rounding,
    pub title: Option<String>,
    /// `#rrggbb` or `#rgb`.
    pub accent_color: Option<String>,
    pub logo_url: Option<String>,
    /// The page's language when the visitor asks for none it speaks: `en`, `es`, `pt`, `de`,
    /// `fr`, `ru`, `tr` or `id`.
    pub language: String,
    pub active: bool,
    /// `<public base URL>/o/{id}`: add `s1`, `s2`, `country`, `device`, `uid` as query parameters.
    pub share_url: String,
    /// The iframe markup of the seed, ready to paste.
    pub embed_code: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `<public base URL>/o/{id}`.
pub fn share_url(public_url: &str, wall_id: &str) -> String {
    format!("{}/o/{wall_id}", public_url.trim_end_matches('/'))
}

/// The iframe markup for a share URL, titled for screen readers (both attribute-escaped).
pub fn embed_code(share_url: &str, title: &str) -> String {
    super::share::embed_code_sized(share_url, "100%", "600", title)
}

/// `#rgb` or `#rrggbb`, lower-cased.
pub fn parse_accent_color(raw: &str) -> Option<String> {
    let hex = raw.trim().strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// An `http(s)` URL of at most 2048 characters with nothing that could leave an HTML attribute.
pub fn parse_web_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\');
    (!rest.is_empty() && !rest.starts_with('/') && raw.chars().count() <= 2048 && !raw.chars().any(bad)).then(|| raw.to_owned())
}

/// The device an end user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    Desktop,
    Mobile,
}

impl Device {
    /// The `device` override of the embed URL (`desktop` or `mobile`, any case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "desktop" => Some(Device::Desktop),
            "mobile" => Some(Device::Mobile),
            _ => None,
        }
    }

    /// Phones and tablets are `mobile`; everything else (and no user agent) is `desktop`.
    pub fn from_user_agent(ua: &str) -> Self {
        const MOBILE: [&str; 8] = ["mobi", "android", "iphone", "ipad", "ipod", "windows phone", "blackberry", "opera mini"];
        let ua = ua.to_ascii_lowercase();
        if MOBILE.iter().any(|m| ua.contains(m)) {
            Device::Mobile
        } else {
            Device::Desktop
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Mobile => "mobile",
        }
    }
}

/// Which devices an offer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceTarget {
    Desktop,
    Mobile,
    #[default]
    All,
}

impl DeviceTarget {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "desktop" => Some(DeviceTarget::Desktop),
            "mobile" => Some(DeviceTarget::Mobile),
            "all" => Some(DeviceTarget::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceTarget::Desktop => "desktop",
            DeviceTarget::Mobile => "mobile",
            DeviceTarget::All => "all",
        }
    }

    pub fn allows(self, device: Device) -> bool {
        matches!((self, device), (DeviceTarget::All, _) | (DeviceTarget::Desktop, Device::Desktop) | (DeviceTarget::Mobile, Device::Mobile))
    }
}

/// True for user agents of crawlers and link checkers, which must not create clicks.
pub fn is_bot(user_agent: &str) -> bool {
    const BOTS: [&str; 8] = ["bot", "crawler", "spider", "slurp", "facebookexternalhit", "preview", "curl/", "wget/"];
    let ua = user_agent.to_ascii_lowercase();
    BOTS.iter().any(|b| ua.contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wall(rate: &str, rounding: Rounding) -> WallCurrency {
        WallCurrency { name: "Coins".into(), rate: ExchangeRate::parse(rate).expect("rate"), rounding }
    }

    #[test]
    fn rates_parse_exactly_and_print_back() {
        for (raw, micros, shown) in [("1000", 1_000_000_000, "1000"), ("0.5", 500_000, "0.5"), ("12.345678", 12_345_678, "12.345678")] {
            let rate = ExchangeRate::parse(raw).expect(raw);
            assert_eq!((rate.micros(), rate.to_string().as_str()), (micros, shown));
        }
        for bad in ["", "0", "0.0000001", "-1", "1e3", "1.", ".5", " 1", "abc", "1000000001"] {
            assert!(ExchangeRate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rewards_round_as_the_wall_says() {
        assert_eq!(reward_for(350, &wall("1000", Rounding::Down)), 3500);
        assert_eq!(reward_for(333, &wall("0.5", Rounding::Down)), 1);
        assert_eq!(reward_for(333, &wall("0.5", Rounding::Up)), 2);
        assert_eq!(reward_for(333, &wall("0.5", Rounding::Nearest)), 2);
        assert_eq!(reward_for(300, &wall("0.5", Rounding::Nearest)), 2, "1.5 rounds up");
        assert_eq!(reward_for(299, &wall("0.5", Rounding::Nearest)), 1);
        assert_eq!(reward_for(200, &wall("0.5", Rounding::Up)), 1, "exact stays exact");
        assert_eq!(reward_for(1, &wall("100", Rounding::Down)), 1);
    }

    #[test]
    fn devices_from_overrides_and_user_agents() {
        assert_eq!(Device::parse("Mobile"), Some(Device::Mobile));
        assert_eq!(Device::parse("tv"), None);
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        assert_eq!(Device::from_user_agent(iphone), Device::Mobile);
        assert_eq!(Device::from_user_agent("Mozilla/5.0 (Linux; Android 14; Pixel 8)"), Device::Mobile);
        assert_eq!(Device::from_user_agent("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"), Device::Desktop);
        assert_eq!(Device::from_user_agent(""), Device::Desktop);
        assert!(DeviceTarget::All.allows(Device::Mobile));
        assert!(!DeviceTarget::Desktop.allows(Device::Mobile));
    }

    #[test]
    fn share_url_embed_code_and_branding() {
        let url = share_url("https://taprain.example/", "ofw_1");
        assert_eq!(url, "https://taprain.example/o/ofw_1");
        assert_eq!(
            embed_code(&url, "Rewards & more"),
            "<iframe\n  src=\"https://taprain.example/o/ofw_1\"\n  title=\"Rewards &amp; more\"\n  width=\"100%\"\n  height=\"600\"\n  style=\"border-radius: 16px; border: none;\"\n></iframe>"
        );
        assert_eq!(parse_accent_color("#FF8800").as_deref(), Some("#ff8800"));
        assert_eq!(parse_accent_color("#abc").as_deref(), Some("#abc"));
        assert_eq!(parse_accent_color("red; x"), None);
        assert_eq!(parse_web_url("https://cdn.example/logo.png").as_deref(), Some("https://cdn.example/logo.png"));
        assert_eq!(parse_web_url("javascript:alert(1)"), None);
        assert_eq!(parse_web_url("https://x.example/\"onerror"), None);
    }

    #[test]
    fn bots() {
        assert!(is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)"));
        assert!(is_bot("Mozilla/5.0 (compatible; YandexSpider)"));
        assert!(!is_bot("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"));
    }

    proptest! {
        #[test]
        fn reward_is_monotonic_and_bracketed(cents in 0i64..100_000_000, rate in "[1-9][0-9]{0,4}(\\.[0-9]{1,6})?") {
            let down = reward_for(cents, &wall(&rate, Rounding::Down));
            let up = reward_for(cents, &wall(&rate, Rounding::Up));
            let nearest = reward_for(cents, &wall(&rate, Rounding::Nearest));
            prop_assert!(down <= nearest && nearest <= up && up - down <= 1);
        }
    }
}
