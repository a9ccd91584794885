//! Publishers' outbound postback URL templates (SPEC E, seeds 002 and 004): `{macros}` are
//! parsed once when the template is saved — an unknown macro is refused, naming it — and
//! rendered with URL-encoded values for each delivery.

use serde::{Deserialize, Serialize};

/// A value a template can ask for. Aliases from seed 004 map onto the same values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Macro {
    UserId,
    TxId,
    Reward,
    Payout,
    Status,
    OfferName,
    OfferId,
    EventId,
    EventName,
    Ip,
    CountryCode,
    Timestamp,
    Sub1,
    Sub2,
    Signature,
    OfferType,
    ClickId,
}

impl Macro {
    /// The macro named `name` (case-sensitive, as the seeds write them).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "user_id" | "subid" => Macro::UserId,
            "tx_id" | "transid" => Macro::TxId,
            "reward" => Macro::Reward,
            "payout" => Macro::Payout,
            "status" => Macro::Status,
            "offer_name" => Macro::OfferName,
            "offer_id" | "campaign_id" => Macro::OfferId,
            "event_id" => Macro::EventId,
            "event_name" => Macro::EventName,
            "ip" | "userIp" => Macro::Ip,
            "country_code" | "country" => Macro::CountryCode,
            "timestamp" => Macro::Timestamp,
            "sub1" => Macro::Sub1,
            "sub2" => Macro::Sub2,
            "signature" => Macro::Signature,
            "offer_type" => Macro::OfferType,
            "uuid" => Macro::ClickId,
            _ => return None,
        })
    }
}

/// A piece of a URL template: literal text or a `{macro}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Part<M> {
    Text(String),
    Value(M),
}

/// Splits `raw` into text and `{macros}` named by `lookup`; `unclosed` and `unknown` build the
/// caller's errors. Shared by every URL template (outbound postbacks, offer tracking URLs).
pub(crate) fn split_macros<M, E>(
    raw: &str,
    lookup: impl Fn(&str) -> Option<M>,
    unclosed: impl Fn() -> E,
    unknown: impl Fn(String) -> E,
) -> Result<Vec<Part<M>>, E> {
    let mut parts = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(&unclosed)?;
        let name = &after[..close];
        parts.push(Part::Value(lookup(name).ok_or_else(|| unknown(name.to_owned()))?));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_owned()));
    }
    Ok(parts)
}

/// A parsed postback URL template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostbackTemplate {
    parts: Vec<Part<Macro>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown macro {{{0}}}")]
    UnknownMacro(String),
    #[error("a '{{' is not closed by '}}'")]
    Unclosed,
    #[error("the URL must start with http:// or https://")]
    Scheme,
    #[error("the URL must have at most 2048 characters and no spaces or control characters")]
    Shape,
}

/// The values of one delivery, already formatted as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacroValues {
    pub user_id: String,
    pub tx_id: String,
    pub reward: String,
    pub payout: String,
    pub status: String,
    pub offer_name: String,
    pub offer_id: String,
    pub event_id: String,
    pub event_name: String,
    pub ip: String,
    pub country_code: String,
    pub timestamp: String,
    pub sub1: String,
    pub sub2: String,
    pub offer_type: String,
    pub click_id: String,
}

impl MacroValues {
    fn get(&self, m: Macro) -> &str {
        match m {
            Macro::UserId => &self.user_id,
            Macro::TxId => &self.tx_id,
            Macro::Reward => &self.reward,
            Macro::Payout => &self.payout,
            Macro::Status => &self.status,
            Macro::OfferName => &self.offer_name,
            Macro::OfferId => &self.offer_id,
            Macro::EventId => &self.event_id,
            Macro::EventName => &self.event_name,
            Macro::Ip => &self.ip,
            Macro::CountryCode => &self.country_code,
            Macro::Timestamp => &self.timestamp,
            Macro::Sub1 => &self.sub1,
            Macro::Sub2 => &self.sub2,
            Macro::OfferType => &self.offer_type,
            Macro::ClickId if self.click_id.is_empty() => &self.tx_id,
            Macro::ClickId => &self.click_id,
            Macro::Signature => "",
        }
    }
}

impl PostbackTemplate {
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let raw = raw.trim();
        if raw.chars().count() > 2048 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(TemplateError::Shape);
        }
        let lower = raw.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(TemplateError::Scheme);
        }
        let parts = split_macros(raw, Macro::parse, || TemplateError::Unclosed, TemplateError::UnknownMacro)?;
        Ok(Self { parts })
    }

    /// True when the template asks for `{signature}`.
    pub fn uses_signature(&self) -> bool {
        self.parts.contains(&Part::Value(Macro::Signature))
    }

    /// The URL with every macro replaced by its URL-encoded value; `{signature}` becomes
    /// `signature` (empty when none is given yet).
    pub fn render(&self, values: &MacroValues, signature: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(Macro::Signature) => out.extend(form_urlencoded::byte_serialize(signature.as_bytes())),
                Part::Value(m) => out.extend(form_urlencoded::byte_serialize(values.get(*m).as_bytes())),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values() -> MacroValues {
        MacroValues {
            user_id: "user 1&x".into(),
            tx_id: "cnv_1".into(),
            reward: "350".into(),
            payout: "3.50".into(),
            status: "1".into(),
            sub1: "mysite".into(),
            ..MacroValues::default()
        }
    }

    #[test]
    fn renders_macros_and_aliases_url_encoded() {
        let t = PostbackTemplate::parse(
            "https://pub.example/cb?uid={user_id}&s={subid}&tx={transid}&r={reward}&p={payout}&st={status}&s1={sub1}&c={uuid}",
        )
        .expect("valid");
        assert_eq!(
            t.render(&values(), ""),
            "https://pub.example/cb?uid=user+1%26x&s=user+1%26x&tx=cnv_1&r=350&p=3.50&st=1&s1=mysite&c=cnv_1"
        );
    }

    #[test]
    fn refuses_unknown_macros_naming_them() {
        assert_eq!(PostbackTemplate::parse("https://x.example/?a={user}"), Err(TemplateError::UnknownMacro("user".into())));
        assert_eq!(PostbackTemplate::parse("https://x.example/?a={user_id"), Err(TemplateError::Unclosed));
        assert_eq!(PostbackTemplate::parse("ftp://x.example/"), Err(TemplateError::Scheme));
        assert_eq!(PostbackTemplate::parse("https://x.example/?a=b c"), Err(TemplateError::Shape));
        assert_eq!(TemplateError::UnknownMacro("user".into()).to_string(), "unknown macro {user}");
    }

    #[test]
    fn signature_macro() {
        let t = PostbackTemplate::parse("https://x.example/?sig={signature}&u={user_id}").expect("valid");
        assert!(t.uses_signature());
        assert_eq!(t.render(&values(), "ab+c"), "https://x.example/?sig=ab%2Bc&u=user+1%26x");
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,200}") {
            let _ = PostbackTemplate::parse(&raw);
        }

        #[test]
        fn rendered_values_cannot_break_out_of_their_parameter(value in ".{0,60}") {
            let t = PostbackTemplate::parse("https://x.example/?u={user_id}&tx=1").expect("valid");
            let url = t.render(&MacroValues { user_id: value, ..MacroValues::default() }, "");
            prop_assert!(url.ends_with("&tx=1"));
            prop_assert_eq!(url.matches('&').count(), 1);
        }
    }
}
