//! Outbound postbacks to publishers (SPEC E, seeds 002 and 004): what one delivery sends, how
//! it is signed, how the receiver's answer is judged, and when a failure is retried.

use serde::{Deserialize, Serialize};

use super::catalog::Conversion;
use super::postback_template::{MacroValues, PostbackTemplate};
use super::signature::{self, SignatureScheme};

/// Which change of a conversion a delivery announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryEvent {
    /// The publisher was credited: `status=1`.
    Credit,
    /// The credit was taken back: `status=2`.
    Reversal,
}

impl DeliveryEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryEvent::Credit => "credit",
            DeliveryEvent::Reversal => "reversal",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "credit" => Some(DeliveryEvent::Credit),
            "reversal" => Some(DeliveryEvent::Reversal),
            _ => None,
        }
    }

    /// The `{status}` macro: 1 credit, 2 reversal.
    pub fn status(self) -> &'static str {
        match self {
            DeliveryEvent::Credit => "1",
            DeliveryEvent::Reversal => "2",
        }
    }

    /// The `{tx_id}` of this event of `conversion_id`: the same on every retry, different for
    /// the credit and its reversal so a receiver that de-duplicates by transaction id (seed 004
    /// asks it to) applies both.
    pub fn tx_id(self, conversion_id: &str) -> String {
        match self {
            DeliveryEvent::Credit => conversion_id.to_owned(),
            DeliveryEvent::Reversal => format!("{conversion_id}-r"),
        }
    }
}

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a worker, request in flight.
    Sending,
    /// The receiver answered 200 with `1` or `OK`.
    Delivered,
    /// The receiver answered `DUP`: it already had it.
    Duplicate,
    /// Every allowed attempt failed.
    Failed,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 5] =
        [DeliveryState::Pending, DeliveryState::Sending, DeliveryState::Delivered, DeliveryState::Duplicate, DeliveryState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sending => "sending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Duplicate => "duplicate",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Delivered,
    Duplicate,
    Failed,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Duplicate => "duplicate",
            AttemptOutcome::Failed => "failed",
        }
    }
}

/// How a receiver says it took a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SuccessRule {
    /// The seeds' schemes: 200 with `1` or `OK`, or `DUP` (see [`judge`]).
    SeedAnswer,
    /// Standard Webhooks: any 2xx status, whatever the body.
    Any2xx,
}

/// Judges a receiver's answer by `rule`.
pub fn judge_by(rule: SuccessRule, status: Option<u16>, body: &str) -> AttemptOutcome {
    match (rule, status) {
        (SuccessRule::Any2xx, Some(200..=299)) => AttemptOutcome::Delivered,
        (SuccessRule::Any2xx, _) => AttemptOutcome::Failed,
        (SuccessRule::SeedAnswer, _) => judge(status, body),
    }
}

/// Judges a receiver's answer: delivered when the status is 200 and the body is or contains
/// `1` or `OK`; `DUP` (with 200 or 409) ends it as already received; anything else failed.
pub fn judge(status: Option<u16>, body: &str) -> AttemptOutcome {
    let body = body.trim();
    match status {
        Some(200 | 409) if body.to_ascii_uppercase().contains("DUP") => AttemptOutcome::Duplicate,
        Some(200) if body.contains('1') || body.to_ascii_uppercase().contains("OK") => AttemptOutcome::Delivered,
        _ => AttemptOutcome::Failed,
    }
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Finished in this state.
    Done(DeliveryState),
    /// Try again at this time (ms), with this many retries left afterwards.
    RetryAt { at_ms: i64, retries_left: i64 },
}

/// What follows an attempt: a failure with retries left is tried again `delay_seconds` later
/// (see [`super::retry::retry_delay_seconds`]), one without is failed for good.
pub fn after_attempt(outcome: AttemptOutcome, retries_left: i64, delay_seconds: i64, now_ms: i64) -> Next {
    match outcome {
        AttemptOutcome::Delivered => Next::Done(DeliveryState::Delivered),
        AttemptOutcome::Duplicate => Next::Done(DeliveryState::Duplicate),
        AttemptOutcome::Failed if retries_left > 0 => {
            Next::RetryAt { at_ms: now_ms.saturating_add(delay_seconds.saturating_mul(1000)), retries_left: retries_left - 1 }
        }
        AttemptOutcome::Failed => Next::Done(DeliveryState::Failed),
    }
}

/// Integer cents as US dollars with two decimals: 350 → `3.50`, -5 → `-0.05`.
pub fn usd(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The macro values of `event` for `conversion`. `reward` is what the publisher's user gets in
/// the wall's currency, already formatted.
pub fn macro_values(conversion: &Conversion, event: DeliveryEvent, reward: String) -> MacroValues {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    MacroValues {
        user_id: text(&conversion.uid),
        tx_id: event.tx_id(&conversion.id),
        reward,
        // Payout and reward are absolute values; `status` says whether to add or subtract.
        payout: usd(conversion.amount_cents.abs()),
        status: event.status().to_owned(),
        offer_name: text(&conversion.offer_name),
        offer_id: text(&conversion.offer_id),
        event_id: conversion.lead_id.clone().or_else(|| conversion.click_id.clone()).unwrap_or_default(),
        event_name: event.as_str().to_owned(),
        ip: text(&conversion.ip),
        country_code: text(&conversion.country_code),
        timestamp: (conversion.event_at / 1000).to_string(),
        sub1: text(&conversion.s1),
        sub2: text(&conversion.s2),
        offer_type: conversion.source.clone(),
        click_id: text(&conversion.click_id),
    }
}

/// A request ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundRequest {
    /// `GET` for the URL schemes, `POST` (JSON body) for Standard Webhooks.
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// How the answer is judged.
    pub success: SuccessRule,
}

/// Renders and signs one delivery.
///
/// - `hmac-sha256`: `hash` = hex HMAC-SHA256 (keyed by the secret) of the URL rendered with
///   `{signature}` empty and before `hash` is appended; `{signature}` then carries the same
///   value.
/// - `md5`: `hash` = md5(user_id + tx_id + reward + secret), also in `{signature}`.
/// - `standard-webhooks`: the URL signed as for `hmac-sha256`, sent as a POST whose JSON body
///   holds the values, with `webhook-id` (the event id, stable across retries),
///   `webhook-timestamp` and `webhook-signature` headers.
pub fn sign(
    template: &PostbackTemplate,
    scheme: SignatureScheme,
    secret: &str,
    values: &MacroValues,
    webhook_id: &str,
    now_seconds: i64,
) -> OutboundRequest {
    let hash = match scheme {
        SignatureScheme::Md5 => signature::legacy_md5_hex(&values.user_id, &values.tx_id, &values.reward, secret),
        SignatureScheme::HmacSha256 | SignatureScheme::StandardWebhooks => signature::url_hmac_hex(&template.render(values, ""), secret),
    };
    let rendered = template.render(values, &hash);
    let url = format!("{rendered}{}hash={hash}", if rendered.contains('?') { '&' } else { '?' });
    if scheme != SignatureScheme::StandardWebhooks {
        return OutboundRequest { method: "GET", url, headers: Vec::new(), body: None, success: SuccessRule::SeedAnswer };
    }
    let body = serde_json::json!({
        "type": format!("conversion.{}", values.event_name),
        "timestamp": now_seconds,
        "data": {
            "user_id": values.user_id, "tx_id": values.tx_id, "reward": values.reward, "payout": values.payout,
            "status": values.status, "offer_name": values.offer_name, "offer_id": values.offer_id,
            "event_id": values.event_id, "event_name": values.event_name, "ip": values.ip,
            "country_code": values.country_code, "timestamp": values.timestamp, "sub1": values.sub1, "sub2": values.sub2,
        },
    })
    .to_string();
    let mut headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("webhook-id".to_owned(), webhook_id.to_owned()),
        ("webhook-timestamp".to_owned(), now_seconds.to_string()),
    ];
    if let Some(sig) = signature::standard_webhooks(secret, webhook_id, now_seconds, &body) {
        headers.push(("webhook-signature".to_owned(), sig));
    }
    OutboundRequest { method: "POST", url, headers, body: Some(body), success: SuccessRule::Any2xx }
}

/// Sample values for "send test postback".
pub fn sample_values() -> MacroValues {
    MacroValues {
        user_id: "test-user".into(),
        tx_id: "test-tx".into(),
        reward: "1.00".into(),
        payout: "1.00".into(),
        status: "1".into(),
        offer_name: "Test offer".into(),
        offer_id: "test-offer".into(),
        event_id: "test-event".into(),
        event_name: "credit".into(),
        ip: "203.0.113.45".into(),
        country_code: "US".into(),
        timestamp: "0".into(),
        sub1: "test-sub1".into(),
        sub2: "test-sub2".into(),
        offer_type: "test".into(),
        click_id: "test-click".into(),
    }
}

/// The first 1 KiB of an answer body, cut at a character boundary.
pub fn body_excerpt(body: &str) -> &str {
    let mut end = body.len().min(1024);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_answers_as_the_seeds_say() {
        assert_eq!(judge(Some(200), "1"), AttemptOutcome::Delivered);
        assert_eq!(judge(Some(200), "OK"), AttemptOutcome::Delivered);
        assert_eq!(judge(Some(200), " ok\n"), AttemptOutcome::Delivered);
        assert_eq!(judge(Some(200), "status: 1 received"), AttemptOutcome::Delivered);
        assert_eq!(judge(Some(200), "DUP"), AttemptOutcome::Duplicate);
        assert_eq!(judge(Some(409), "DUP"), AttemptOutcome::Duplicate);
        assert_eq!(judge(Some(200), ""), AttemptOutcome::Failed);
        assert_eq!(judge(Some(200), "error"), AttemptOutcome::Failed);
        assert_eq!(judge(Some(500), "OK"), AttemptOutcome::Failed);
        assert_eq!(judge(Some(302), "1"), AttemptOutcome::Failed);
        assert_eq!(judge(None, ""), AttemptOutcome::Failed);
    }

    #[test]
    fn standard_webhooks_succeed_on_any_2xx() {
        for status in [200, 201, 202, 204, 299] {
            assert_eq!(judge_by(SuccessRule::Any2xx, Some(status), ""), AttemptOutcome::Delivered, "{status}");
        }
        for status in [Some(199), Some(301), Some(409), Some(500), None] {
            assert_eq!(judge_by(SuccessRule::Any2xx, status, "OK"), AttemptOutcome::Failed, "{status:?}");
        }
        // The seed schemes keep "200 and 1/OK, or DUP".
        assert_eq!(judge_by(SuccessRule::SeedAnswer, Some(204), ""), AttemptOutcome::Failed);
        assert_eq!(judge_by(SuccessRule::SeedAnswer, Some(200), "OK"), AttemptOutcome::Delivered);
        assert_eq!(judge_by(SuccessRule::SeedAnswer, Some(409), "DUP"), AttemptOutcome::Duplicate);
        let t = PostbackTemplate::parse("https://pub.example/hook").expect("valid");
        assert_eq!(sign(&t, SignatureScheme::StandardWebhooks, "whsec_x", &sample_values(), "d", 0).success, SuccessRule::Any2xx);
        assert_eq!(sign(&t, SignatureScheme::HmacSha256, "whsec_x", &sample_values(), "d", 0).success, SuccessRule::SeedAnswer);
    }

    #[test]
    fn retry_schedule() {
        assert_eq!(after_attempt(AttemptOutcome::Delivered, 3, 60, 1000), Next::Done(DeliveryState::Delivered));
        assert_eq!(after_attempt(AttemptOutcome::Duplicate, 0, 60, 1000), Next::Done(DeliveryState::Duplicate));
        assert_eq!(after_attempt(AttemptOutcome::Failed, 5, 21_600, 1000), Next::RetryAt { at_ms: 21_601_000, retries_left: 4 });
        assert_eq!(after_attempt(AttemptOutcome::Failed, 0, 60, 1000), Next::Done(DeliveryState::Failed));
    }

    #[test]
    fn dollars_from_cents() {
        assert_eq!(usd(350), "3.50");
        assert_eq!(usd(5), "0.05");
        assert_eq!(usd(0), "0.00");
        assert_eq!(usd(-1205), "-12.05");
        assert_eq!(usd(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn tx_ids_are_stable_per_event() {
        assert_eq!(DeliveryEvent::Credit.tx_id("cnv_1"), "cnv_1");
        assert_eq!(DeliveryEvent::Reversal.tx_id("cnv_1"), "cnv_1-r");
    }

    #[test]
    fn hmac_signature_covers_the_url_without_hash() {
        let t = PostbackTemplate::parse("https://pub.example/cb?tx={tx_id}&sig={signature}").expect("valid");
        let values = MacroValues { tx_id: "cnv_1".into(), ..MacroValues::default() };
        let req = sign(&t, SignatureScheme::HmacSha256, "s3cret", &values, "dlv_1", 0);
        let expected = signature::url_hmac_hex("https://pub.example/cb?tx=cnv_1&sig=", "s3cret");
        assert_eq!(req.url, format!("https://pub.example/cb?tx=cnv_1&sig={expected}&hash={expected}"));
        assert_eq!(req.method, "GET");
        let no_query = PostbackTemplate::parse("https://pub.example/cb").expect("valid");
        assert!(sign(&no_query, SignatureScheme::HmacSha256, "k", &values, "d", 0).url.starts_with("https://pub.example/cb?hash="));
    }

    #[test]
    fn md5_signature_is_the_legacy_formula() {
        let t = PostbackTemplate::parse("https://pub.example/cb?u={subid}&t={transid}&r={reward}&s={signature}").expect("valid");
        let values = MacroValues { user_id: "u1".into(), tx_id: "t1".into(), reward: "10".into(), ..MacroValues::default() };
        let req = sign(&t, SignatureScheme::Md5, "sec", &values, "d", 0);
        let md5 = signature::legacy_md5_hex("u1", "t1", "10", "sec");
        assert_eq!(req.url, format!("https://pub.example/cb?u=u1&t=t1&r=10&s={md5}&hash={md5}"));
    }

    #[test]
    fn standard_webhooks_posts_a_signed_body() {
        let t = PostbackTemplate::parse("https://pub.example/hook").expect("valid");
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let req = sign(&t, SignatureScheme::StandardWebhooks, secret, &sample_values(), "dlv_9", 1_700_000_000);
        assert_eq!(req.method, "POST");
        let header = |name: &str| req.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        assert_eq!(header("webhook-id").as_deref(), Some("dlv_9"));
        assert_eq!(header("webhook-timestamp").as_deref(), Some("1700000000"));
        let body = req.body.clone().expect("body");
        assert_eq!(header("webhook-signature"), signature::standard_webhooks(secret, "dlv_9", 1_700_000_000, &body));
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["data"]["tx_id"], "test-tx");
    }

    #[test]
    fn body_excerpt_cuts_at_a_char_boundary() {
        let long = "é".repeat(1000);
        let cut = body_excerpt(&long);
        assert!(cut.len() <= 1024);
        assert_eq!(cut.len(), 1024);
        assert_eq!(body_excerpt("short"), "short");
    }
}
