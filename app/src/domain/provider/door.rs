//! The inbound door's judgement of one call to a provider, before anything is written: the
//! provider must be active, the caller's address approved, the signature right, every field
//! well-formed. What is left for the database (does the reward user exist, was the transaction
//! seen) is decided where the call is recorded.

use std::net::IpAddr;

use super::callback::{self, coins, InvalidField, ProviderPostback};
use super::format::Format;
use super::verify::{analyse, verify, SignatureAnalysis, SignedCall};
use crate::domain::offerwall::Rounding;
use crate::domain::IpRule;

/// What the door knows about one provider.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub format: &'a Format,
    pub secret: &'a str,
    /// The secret before the last rotation, and whether its overlap is still running.
    pub previous: Option<(&'a str, bool)>,
    pub rounding: Rounding,
    pub sandbox: bool,
    pub active: bool,
    pub ips: &'a [IpRule],
}

/// Why a call is refused, and how the door answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The provider is deactivated: answered like an unknown provider, so it retries later.
    Inactive,
    /// The caller's address is not approved.
    IpNotApproved,
    /// The signature does not verify; the analysis goes into the postback log.
    Signature(Box<SignatureAnalysis>),
    /// A field is missing or malformed.
    Field(InvalidField),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Inactive => 404,
            Refusal::IpNotApproved | Refusal::Signature(_) => 403,
            Refusal::Field(_) => 400,
        }
    }

    /// The answer's body (the seeds' receivers read plain text).
    pub fn body(&self) -> String {
        match self {
            Refusal::Inactive => "unknown provider".into(),
            Refusal::IpNotApproved => "source IP not approved".into(),
            Refusal::Signature(_) => "invalid signature".into(),
            Refusal::Field(e) => e.to_string(),
        }
    }
}

/// A call that passed every check the door can make by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub postback: ProviderPostback,
    /// The reward in whole coins, rounded as the provider says.
    pub coins: i64,
    /// Checked and answered, never credited.
    pub sandbox: bool,
}

/// Judges a call from `source_ip`: activity, then the address, then the signature (so an
/// unapproved caller learns nothing about the format), then the fields.
pub fn judge(rules: &Rules<'_>, source_ip: IpAddr, call: &SignedCall<'_>) -> Result<Accepted, Refusal> {
    if !rules.active {
        return Err(Refusal::Inactive);
    }
    if !rules.ips.iter().any(|rule| rule.contains(source_ip)) {
        return Err(Refusal::IpNotApproved);
    }
    let mut secrets = vec![rules.secret];
    secrets.extend(rules.previous.filter(|(_, valid)| *valid).map(|(s, _)| s));
    if !verify(rules.format, &secrets, call) {
        return Err(Refusal::Signature(Box::new(analyse(rules.format, rules.secret, rules.previous, call))));
    }
    let postback = callback::parse(rules.format, call.callback).map_err(Refusal::Field)?;
    let coins = coins(&postback.reward, rules.rounding);
    Ok(Accepted { postback, coins, sandbox: rules.sandbox })
}

/// Judges a call that may have been signed for any of several URLs — the public URL the
/// provider was given, or the one the request actually reached — each a [`SignedCall`] of the
/// same parameters: the first whose signature passes decides; when none does, the first call's
/// signature refusal stands (its analysis is made against the public URL).
pub fn judge_any(rules: &Rules<'_>, source_ip: IpAddr, calls: &[SignedCall<'_>]) -> Result<Accepted, Refusal> {
    let mut first = None;
    for call in calls {
        match judge(rules, source_ip, call) {
            Ok(accepted) => return Ok(accepted),
            Err(refusal @ Refusal::Signature(_)) => {
                first.get_or_insert(refusal);
            }
            // Activity and address do not depend on the URL; a field refusal means this URL's
            // signature passed.
            Err(other) => return Err(other),
        }
    }
    Err(first.unwrap_or(Refusal::Inactive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::provider::callback::{Callback, Direction};
    use crate::domain::provider::format::Preset;
    use crate::domain::provider::verify::Difference;
    use md5::{Digest, Md5};

    const USER: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
    const BASE: &str = "https://tap.example/api/postback/in/prv_1";

    // Signed as the provider would, with this test's own md5.
    fn signed(query: &str, secret: &str) -> String {
        let p = Callback::from_query(query);
        let get = |n: &str| p.get(n).ok().flatten().unwrap_or("").to_owned();
        let sig: String = Md5::digest(format!("{}{}{}{secret}", get("subid"), get("transid"), get("reward")).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{query}&signature={sig}")
    }

    fn run(rules: &Rules<'_>, ip: &str, query: &str) -> Result<Accepted, Refusal> {
        let callback = Callback::from_query(query);
        judge(rules, ip.parse().expect("ip"), &SignedCall { base: BASE, raw_query: query, callback: &callback })
    }

    #[test]
    fn each_refusal_in_order_and_an_accepted_call() {
        let format = Format::preset(Preset::Medioot).expect("preset");
        let ips = [IpRule::parse("203.0.113.0/24").expect("rule")];
        let rules = Rules { format: &format, secret: "s", previous: None, rounding: Rounding::Up, sandbox: false, active: true, ips: &ips };
        let good = signed(&format!("subid={USER}&transid=T1&reward=12.5&payout=0.35&status=1"), "s");

        let accepted = run(&rules, "203.0.113.9", &good).expect("accepted");
        assert_eq!((accepted.coins, accepted.postback.payout_cents, accepted.postback.direction), (13, 35, Direction::Credit));

        assert_eq!(run(&Rules { active: false, ..rules }, "203.0.113.9", &good), Err(Refusal::Inactive));
        let refused = run(&rules, "198.51.100.1", &good).expect_err("ip");
        assert_eq!((refused.status(), refused.body().as_str()), (403, "source IP not approved"));
        let bad = run(&rules, "203.0.113.9", &signed(&format!("subid={USER}&transid=T1&reward=12.5&payout=0.35&status=1"), "x"))
            .expect_err("signature");
        assert_eq!((bad.status(), bad.body().as_str()), (403, "invalid signature"));
        assert!(matches!(&bad, Refusal::Signature(a) if a.differs == Difference::Secret));
        let field = run(&rules, "203.0.113.9", &signed(&format!("subid={USER}&transid=T1&reward=12.5&status=1"), "s")).expect_err("field");
        assert_eq!((field.status(), field.body().as_str()), (400, "payout: is missing"));
        let sandbox = run(&Rules { sandbox: true, ..rules }, "203.0.113.9", &good).expect("sandbox calls are judged the same");
        assert!(sandbox.sandbox);
    }

    #[test]
    fn any_signed_url_passes_and_the_first_refusal_stands() {
        let format = Format::preset(Preset::Medioot).expect("preset");
        let ips = [IpRule::parse("0.0.0.0/0").expect("rule")];
        let rules =
            Rules { format: &format, secret: "s", previous: None, rounding: Rounding::Down, sandbox: false, active: true, ips: &ips };
        let query = signed(&format!("subid={USER}&transid=T1&reward=1&payout=1&status=1"), "s");
        let callback = Callback::from_query(&query);
        let at = |base| SignedCall { base, raw_query: &query, callback: &callback };
        let ip = "192.0.2.1".parse().expect("ip");
        assert!(judge_any(&rules, ip, &[at(BASE), at("http://127.0.0.1:9/api/postback/in/prv_1")]).is_ok());
        let wrong = Rules { secret: "other", ..rules };
        assert!(matches!(judge_any(&wrong, ip, &[at(BASE), at("http://x")]), Err(Refusal::Signature(_))));
        assert_eq!(judge_any(&Rules { active: false, ..rules }, ip, &[at(BASE)]), Err(Refusal::Inactive));
        assert_eq!(judge_any(&rules, ip, &[]), Err(Refusal::Inactive));
    }

    #[test]
    fn the_previous_secret_works_only_during_its_overlap() {
        let format = Format::preset(Preset::Medioot).expect("preset");
        let ips = [IpRule::parse("0.0.0.0/0").expect("rule")];
        let old = signed(&format!("subid={USER}&transid=T1&reward=1&payout=1&status=1"), "old");
        let during = Rules {
            format: &format,
            secret: "new",
            previous: Some(("old", true)),
            rounding: Rounding::Down,
            sandbox: false,
            active: true,
            ips: &ips,
        };
        assert!(run(&during, "192.0.2.1", &old).is_ok());
        let after = Rules { previous: Some(("old", false)), ..during };
        assert!(matches!(run(&after, "192.0.2.1", &old), Err(Refusal::Signature(a)) if a.differs == Difference::PreviousSecret));
    }
}
