//! Offers in the catalog: the advertiser's tracking URL template (`{click_id}`, `{s1}`, `{s2}`,
//! `{uid}`), the countries they run in and the devices they are for.

use serde::{Deserialize, Serialize};

use super::country::parse_country;
use super::offerwall::{Device, DeviceTarget};
use super::postback_template::split_macros;

/// A value an offer URL can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferMacro {
    ClickId,
    S1,
    S2,
    Uid,
}

impl OfferMacro {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "click_id" => Some(OfferMacro::ClickId),
            "s1" => Some(OfferMacro::S1),
            "s2" => Some(OfferMacro::S2),
            "uid" => Some(OfferMacro::Uid),
            _ => None,
        }
    }
}

type Part = super::postback_template::Part<OfferMacro>;

/// A parsed offer tracking URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferUrl {
    raw: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferUrlError {
    #[error("unknown macro {{{0}}} (allowed: {{click_id}}, {{s1}}, {{s2}}, {{uid}})")]
    UnknownMacro(String),
    #[error("a '{{' is not closed by '}}'")]
    Unclosed,
    #[error("the URL must start with http:// or https://")]
    Scheme,
    #[error("macros may only follow the host: the scheme, host and port must be written out")]
    MacroInHost,
    #[error("the URL must have at most 2048 characters and no spaces, quotes or control characters")]
    Shape,
}

/// The values filled into an offer URL when a click is redirected.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClickValues<'a> {
    pub click_id: &'a str,
    pub s1: &'a str,
    pub s2: &'a str,
    pub uid: &'a str,
}

impl OfferUrl {
    pub fn parse(raw: &str) -> Result<Self, OfferUrlError> {
        let raw = raw.trim();
        if raw.chars().count() > 2048 || raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
            return Err(OfferUrlError::Shape);
        }
        let lower = raw.to_ascii_lowercase();
        let host_start = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else {
            return Err(OfferUrlError::Scheme);
        };
        if raw.len() == host_start || raw[host_start..].starts_with(['/', '{', '?', '#']) {
            return Err(OfferUrlError::Shape);
        }
        // A value filled into the host (`https://trk{s1}/` with `s1=.evil.com`) would send
        // visitors to any site; only the path, query and fragment may carry values.
        let authority = raw[host_start..].split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains(['{', '}']) {
            return Err(OfferUrlError::MacroInHost);
        }
        let parts = split_macros(raw, OfferMacro::parse, || OfferUrlError::Unclosed, OfferUrlError::UnknownMacro)?;
        Ok(Self { raw: raw.to_owned(), parts })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The URL with each macro replaced by its URL-encoded value.
    pub fn render(&self, values: &ClickValues<'_>) -> String {
        let mut out = String::with_capacity(self.raw.len() + 64);
        for part in &self.parts {
            let value = match part {
                Part::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Part::Value(OfferMacro::ClickId) => values.click_id,
                Part::Value(OfferMacro::S1) => values.s1,
                Part::Value(OfferMacro::S2) => values.s2,
                Part::Value(OfferMacro::Uid) => values.uid,
            };
            out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        }
        out
    }
}

/// The countries an offer runs in; empty means everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countries(Vec<String>);

impl Countries {
    /// Parses ISO 3166-1 alpha-2 codes (any case), naming the first bad one.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, String> {
        let mut codes = Vec::with_capacity(raw.len());
        for code in raw {
            let code = code.as_ref();
            let parsed = parse_country(code.trim()).ok_or_else(|| format!("{code:?} is not an ISO 3166-1 alpha-2 country code"))?;
            if !codes.contains(&parsed) {
                codes.push(parsed);
            }
        }
        codes.sort();
        Ok(Self(codes))
    }

    /// From the stored form (`US,DE`; empty for all).
    pub fn from_stored(stored: &str) -> Self {
        Self(stored.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect())
    }

    pub fn to_stored(&self) -> String {
        self.0.join(",")
    }

    pub fn codes(&self) -> &[String] {
        &self.0
    }

    /// True when the offer runs in `country`; with no known country every offer is shown.
    pub fn allows(&self, country: Option<&str>) -> bool {
        match country {
            Some(c) if !self.0.is_empty() => self.0.iter().any(|code| code == c),
            _ => true,
        }
    }
}

/// An offer as admins see it (the admin API's offer object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Offer {
    pub id: String,
    /// The network whose postbacks pay for this offer, if set.
    pub network_id: Option<String>,
    pub name: String,
    pub description: String,
    pub payout_cents: i64,
    /// Tracking URL with `{click_id}`, `{s1}`, `{s2}`, `{uid}`.
    pub url_template: String,
    /// ISO 3166-1 alpha-2 codes; empty for everywhere.
    pub countries: Vec<String>,
    pub device: DeviceTarget,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An offer as the wall and the click redirect use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferCard {
    pub id: String,
    pub network_id: Option<String>,
    pub name: String,
    pub description: String,
    pub payout_cents: i64,
    pub url: OfferUrl,
    pub countries: Countries,
    pub device: DeviceTarget,
}

impl OfferCard {
    /// True when the offer may be shown to an end user in `country` on `device`.
    pub fn eligible(&self, country: Option<&str>, device: Device) -> bool {
        self.countries.allows(country) && self.device.allows(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_macros_url_encoded() {
        let url = OfferUrl::parse("https://adv.example/go?c={click_id}&a={s1}&b={s2}&u={uid}").expect("valid");
        let values = ClickValues { click_id: "clk_1", s1: "my site", s2: "a&b=c", uid: "ü" };
        assert_eq!(url.render(&values), "https://adv.example/go?c=clk_1&a=my+site&b=a%26b%3Dc&u=%C3%BC");
    }

    #[test]
    fn refuses_bad_urls_naming_unknown_macros() {
        assert_eq!(OfferUrl::parse("https://a.example/?x={sub1}"), Err(OfferUrlError::UnknownMacro("sub1".into())));
        assert!(OfferUrlError::UnknownMacro("sub1".into()).to_string().contains("{sub1}"));
        assert_eq!(OfferUrl::parse("https://a.example/?x={s1"), Err(OfferUrlError::Unclosed));
        assert_eq!(OfferUrl::parse("javascript:alert(1)"), Err(OfferUrlError::Scheme));
        assert_eq!(OfferUrl::parse("https://a.example/\"onclick"), Err(OfferUrlError::Shape));
        assert_eq!(OfferUrl::parse("https://"), Err(OfferUrlError::Shape));
        assert_eq!(OfferUrl::parse("https:///path"), Err(OfferUrlError::Shape));
    }

    #[test]
    fn macros_never_reach_the_scheme_host_or_port() {
        for raw in [
            "https://trk{s1}/go",
            "https://trk.example{s1}",
            "https://trk.example:{s2}/go",
            "https://{uid}@trk.example/go",
            "http://a.example{click_id}?x=1",
            "{s1}://a.example/",
            "http{s1}://a.example/",
        ] {
            assert!(OfferUrl::parse(raw).is_err(), "{raw} must be refused");
        }
        assert_eq!(OfferUrl::parse("https://trk{s1}/go"), Err(OfferUrlError::MacroInHost));
        for raw in ["https://trk.example/{s1}", "https://trk.example:8443/go?s={s1}", "https://trk.example#{uid}"] {
            assert!(OfferUrl::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn countries_filter() {
        let some = Countries::parse(&["us", "DE", "US"]).expect("valid");
        assert_eq!(some.to_stored(), "DE,US");
        assert!(some.allows(Some("US")) && !some.allows(Some("FR")) && some.allows(None));
        assert!(Countries::default().allows(Some("FR")));
        assert!(Countries::parse(&["XX"]).expect_err("bad").contains("\"XX\""));
        assert_eq!(Countries::from_stored("DE,US"), some);
    }

    proptest! {
        #[test]
        fn rendered_values_stay_in_their_parameter(value in ".{0,60}") {
            let url = OfferUrl::parse("https://a.example/?u={uid}&x=1").expect("valid");
            let out = url.render(&ClickValues { uid: &value, ..ClickValues::default() });
            prop_assert!(out.ends_with("&x=1"));
            prop_assert_eq!(out.matches('&').count(), 1);
        }

        #[test]
        fn parse_never_panics(raw in ".{0,120}") {
            let _ = OfferUrl::parse(&raw);
        }
    }
}
