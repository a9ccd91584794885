//! Checking a provider's signature, and the signature debugger: for a call that does not verify,
//! what was signed (with the secret masked), what TapRain expected, what it received, and which
//! part most likely differs — the secret, the order of the fields, or the URL that was signed.
//! The digests are the ones TapRain signs its own postbacks with (`domain::signature`).

use serde::{Deserialize, Serialize};

use super::callback::Callback;
use super::format::{Format, Part, Recipe};
use crate::domain::signature;

/// What the secret is shown as.
pub const SECRET_MASK: &str = "********";

/// One call as signed: the URL it was sent to without its query (`https://host/api/postback/in/prv_…`),
/// the raw (still encoded) query or form body, and the decoded parameters.
#[derive(Debug, Clone, Copy)]
pub struct SignedCall<'a> {
    pub base: &'a str,
    pub raw_query: &'a str,
    pub callback: &'a Callback,
}

/// The raw query without every `name=…` pair whose decoded name is `name`, pairs kept in order.
fn strip_param(raw_query: &str, name: &str) -> String {
    raw_query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            let decoded: String = form_urlencoded::parse(key.as_bytes()).map(|(k, _)| k.into_owned()).next().unwrap_or_default();
            !pair.is_empty() && decoded != name
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn with_query(base: &str, query: &str) -> String {
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

/// The URL an HMAC recipe signs: the call's URL without the signature parameter.
pub fn hmac_message(call: &SignedCall<'_>, signature_name: &str) -> String {
    with_query(call.base, &strip_param(call.raw_query, signature_name))
}

fn value<'a>(format: &Format, call: &SignedCall<'a>, part: Part) -> &'a str {
    format.name_of(part).and_then(|name| call.callback.get(name).ok().flatten()).unwrap_or("")
}

fn md5_of(format: &Format, call: &SignedCall<'_>, order: &[Part], secret: &str) -> String {
    let values: Vec<&str> = order.iter().map(|p| if *p == Part::Secret { secret } else { value(format, call, *p) }).collect();
    signature::md5_hex(&values)
}

/// The signature the call should carry when signed with `secret` (`None` for an unsigned recipe).
pub fn expected(format: &Format, secret: &str, call: &SignedCall<'_>) -> Option<String> {
    match (&format.recipe, format.signature.as_deref()) {
        (Recipe::Md5 { order }, _) => Some(md5_of(format, call, order, secret)),
        (Recipe::HmacSha256, Some(name)) => Some(signature::url_hmac_hex(&hmac_message(call, name), secret)),
        _ => None,
    }
}

/// The signature the call carries, lower-cased (hex digests are case-insensitive).
fn received(format: &Format, call: &SignedCall<'_>) -> Option<String> {
    let name = format.signature.as_deref()?;
    call.callback.get(name).ok().flatten().filter(|v| !v.is_empty()).map(str::to_ascii_lowercase)
}

/// True when the call is signed with one of `secrets` (each compared in constant time), or
/// when the recipe is unsigned.
pub fn verify(format: &Format, secrets: &[&str], call: &SignedCall<'_>) -> bool {
    if format.recipe == Recipe::None {
        return true;
    }
    let Some(got) = received(format, call) else {
        return false;
    };
    // Every secret is tried, so the time taken does not tell which one matched.
    secrets.iter().fold(false, |ok, secret| expected(format, secret, call).is_some_and(|want| signature::ct_eq(&want, &got)) | ok)
}

/// Which part of a call's signature differs from what TapRain expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// Nothing: the signature matches (or the provider is unsigned).
    Nothing,
    /// The call carries no signature parameter.
    SignatureMissing,
    /// The signature is not a digest of the recipe's kind (wrong length or not hex).
    SignatureFormat,
    /// It matches the secret before the last rotation.
    PreviousSecret,
    /// The same fields and secret, concatenated in another order.
    Order,
    /// A different URL was signed (scheme, host, encoding, or the signature left in empty).
    Url,
    /// No variant matches: the secret differs, or a value changed after signing.
    Secret,
}

/// One signed part as shown: its parameter name and value (the secret masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignedPart {
    pub name: String,
    pub value: String,
}

/// The signature debugger's analysis of one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignatureAnalysis {
    /// The recipe with the provider's parameter names: `md5(subid + transid + reward + secret)`.
    pub recipe: String,
    /// What is signed, the secret masked: the concatenation for md5, the URL for HMAC.
    pub canonical: String,
    /// The signed parts in order (for HMAC: the URL, and the key masked).
    pub parts: Vec<SignedPart>,
    /// The signature for the current secret.
    pub expected: Option<String>,
    pub received: Option<String>,
    /// True when the door accepts this signature.
    pub matches: bool,
    pub differs: Difference,
    /// The finding in a sentence.
    pub explanation: String,
}

/// Every ordering of `parts`.
fn permutations(parts: &[Part]) -> Vec<Vec<Part>> {
    if parts.len() <= 1 {
        return vec![parts.to_vec()];
    }
    let mut out = Vec::new();
    for (i, first) in parts.iter().enumerate() {
        let mut rest = parts.to_vec();
        rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, *first);
            out.push(tail);
        }
    }
    out
}

fn names(format: &Format, order: &[Part]) -> String {
    order.iter().map(|p| format.name_of(*p).unwrap_or("secret")).collect::<Vec<_>>().join(" + ")
}

/// A URL the provider may have signed instead, and how to say so.
fn url_variants(call: &SignedCall<'_>, signature_name: &str) -> Vec<(String, &'static str)> {
    let stripped = strip_param(call.raw_query, signature_name);
    let mut variants = Vec::new();
    for (from, to) in [("https://", "http://"), ("http://", "https://")] {
        if let Some(rest) = call.base.strip_prefix(from) {
            variants.push((with_query(&format!("{to}{rest}"), &stripped), "the provider signed the URL with another scheme"));
        }
    }
    let blanked: Vec<String> = call
        .raw_query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key == signature_name => format!("{key}="),
            _ => pair.to_owned(),
        })
        .collect();
    variants.push((with_query(call.base, &blanked.join("&")), "the provider signed the URL with the signature parameter left in, empty"));
    let decoded: String = form_urlencoded::parse(stripped.as_bytes()).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    variants.push((with_query(call.base, &decoded), "the provider signed the URL before encoding its values"));
    if let Some(path_start) = call.base.find("://").and_then(|i| call.base[i + 3..].find('/').map(|j| i + 3 + j)) {
        variants.push((
            with_query(&call.base[path_start..], &stripped),
            "the provider signed only the path and query, without scheme and host",
        ));
    }
    variants.push((stripped, "the provider signed only the query string"));
    variants
}

/// Explains a call's signature. `previous` is the secret before the last rotation and whether
/// it still works.
pub fn analyse(format: &Format, secret: &str, previous: Option<(&str, bool)>, call: &SignedCall<'_>) -> SignatureAnalysis {
    let recipe = format.recipe_text();
    let got = received(format, call);
    let mut analysis = SignatureAnalysis {
        recipe,
        canonical: String::new(),
        parts: Vec::new(),
        expected: expected(format, secret, call),
        received: got.clone(),
        matches: false,
        differs: Difference::Secret,
        explanation: String::new(),
    };
    let sig_name = format.signature.clone().unwrap_or_default();
    let digest_len = match &format.recipe {
        Recipe::None => {
            analysis.matches = true;
            analysis.differs = Difference::Nothing;
            analysis.explanation = "This provider is not signed: only its approved IPs are checked.".into();
            return analysis;
        }
        Recipe::Md5 { order } => {
            analysis.parts = order
                .iter()
                .map(|p| SignedPart {
                    name: format.name_of(*p).unwrap_or("secret").to_owned(),
                    value: if *p == Part::Secret { SECRET_MASK.to_owned() } else { value(format, call, *p).to_owned() },
                })
                .collect();
            analysis.canonical = analysis.parts.iter().map(|p| p.value.as_str()).collect();
            32
        }
        Recipe::HmacSha256 => {
            let message = hmac_message(call, &sig_name);
            analysis.parts = vec![
                SignedPart { name: "message".into(), value: message.clone() },
                SignedPart { name: "key".into(), value: SECRET_MASK.into() },
            ];
            analysis.canonical = message;
            64
        }
    };
    let Some(got) = got else {
        analysis.differs = Difference::SignatureMissing;
        analysis.explanation = format!("The call has no {sig_name} parameter.");
        return analysis;
    };
    if verify(format, &[secret], call) {
        analysis.matches = true;
        analysis.differs = Difference::Nothing;
        analysis.explanation = "The signature matches.".into();
        return analysis;
    }
    if let Some((old, still_valid)) = previous.filter(|(old, _)| verify(format, &[old], call)) {
        let _ = old;
        analysis.matches = still_valid;
        analysis.differs = Difference::PreviousSecret;
        analysis.explanation = if still_valid {
            "Signed with the previous secret, which still works during the rotation overlap: update the provider's secret.".into()
        } else {
            "Signed with the previous secret, whose overlap has ended: paste the current secret into the provider's dashboard.".into()
        };
        return analysis;
    }
    if got.len() != digest_len || !got.bytes().all(|b| b.is_ascii_hexdigit()) {
        analysis.differs = Difference::SignatureFormat;
        analysis.explanation =
            format!("{sig_name} should be {digest_len} hexadecimal characters; the call's has {} characters.", got.chars().count());
        return analysis;
    }
    match &format.recipe {
        Recipe::Md5 { order } => {
            let found = permutations(order).into_iter().find(|o| o != order && signature::ct_eq(&md5_of(format, call, o, secret), &got));
            if let Some(other) = found {
                analysis.differs = Difference::Order;
                analysis.explanation =
                    format!("The provider concatenated {}; this provider expects {}.", names(format, &other), names(format, order));
                return analysis;
            }
        }
        Recipe::HmacSha256 => {
            let found = url_variants(call, &sig_name)
                .into_iter()
                .find(|(message, _)| signature::ct_eq(&signature::url_hmac_hex(message, secret), &got));
            if let Some((message, why)) = found {
                analysis.differs = Difference::Url;
                analysis.explanation = format!("{}: it signed {message}; TapRain checks {}.", capitalise(why), analysis.canonical);
                return analysis;
            }
        }
        Recipe::None => {}
    }
    analysis.differs = Difference::Secret;
    analysis.explanation = "No variant matches: the provider signs with a different secret, or a value changed after signing.".into();
    analysis
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::provider::format::{CustomConfig, Preset, RecipeKind};
    use hmac::{Hmac, Mac};
    use md5::{Digest, Md5};
    use proptest::prelude::*;
    use sha2::Sha256;

    // The tests sign as a provider would, with their own digest code.
    fn md5(text: &str) -> String {
        Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn hmac(key: &str, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    const BASE: &str = "https://tap.example/api/postback/in/prv_1";
    const USER: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

    fn check(format: &Format, query: &str, secret: &str, previous: Option<(&str, bool)>) -> SignatureAnalysis {
        let callback = Callback::from_query(query);
        analyse(format, secret, previous, &SignedCall { base: BASE, raw_query: query, callback: &callback })
    }

    fn verifies(format: &Format, query: &str, secrets: &[&str]) -> bool {
        let callback = Callback::from_query(query);
        verify(format, secrets, &SignedCall { base: BASE, raw_query: query, callback: &callback })
    }

    #[test]
    fn medioot_md5_verifies_and_explains() {
        let f = Format::preset(Preset::Medioot).expect("preset");
        let sig = md5(&format!("{USER}T-1 12.5s3cret"));
        let q = format!("subid={USER}&transid=T-1+&reward=12.5&payout=1&status=1&signature={sig}");
        assert!(verifies(&f, &q, &["s3cret"]));
        assert!(verifies(&f, &q.replace(&sig, &sig.to_uppercase()), &["s3cret"]));
        assert!(verifies(&f, &q, &["other", "s3cret"]));
        assert!(!verifies(&f, &q, &["other"]));
        let ok = check(&f, &q, "s3cret", None);
        assert_eq!((ok.matches, ok.differs), (true, Difference::Nothing));
        assert_eq!(ok.canonical, format!("{USER}T-1 12.5{SECRET_MASK}"));
        assert_eq!(ok.parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["subid", "transid", "reward", "secret"]);

        let wrong = check(&f, &q, "not-it", None);
        assert_eq!((wrong.matches, wrong.differs), (false, Difference::Secret));
        assert_eq!(wrong.received.as_deref(), Some(sig.as_str()));
        assert_eq!(wrong.expected, Some(md5(&format!("{USER}T-1 12.5not-it"))));
        assert!(!wrong.canonical.contains("not-it"));

        let reordered_sig = md5(&format!("T-1 {USER}12.5s3cret"));
        let reordered = check(&f, &q.replace(&sig, &reordered_sig), "s3cret", None);
        assert_eq!(reordered.differs, Difference::Order);
        assert_eq!(
            reordered.explanation,
            "The provider concatenated transid + subid + reward + secret; this provider expects subid + transid + reward + secret."
        );

        let missing = check(&f, &q.replace(&format!("&signature={sig}"), ""), "s3cret", None);
        assert_eq!(missing.differs, Difference::SignatureMissing);
        let sha1ish = check(&f, &q.replace(&sig, "abc"), "s3cret", None);
        assert_eq!(sha1ish.differs, Difference::SignatureFormat);
    }

    #[test]
    fn previous_secret_during_and_after_the_overlap() {
        let f = Format::preset(Preset::Medioot).expect("preset");
        let q = format!("subid={USER}&transid=T&reward=1&payout=1&status=1&signature={}", md5(&format!("{USER}T1old")));
        let during = check(&f, &q, "new", Some(("old", true)));
        assert_eq!((during.matches, during.differs), (true, Difference::PreviousSecret));
        let after = check(&f, &q, "new", Some(("old", false)));
        assert_eq!((after.matches, after.differs), (false, Difference::PreviousSecret));
    }

    #[test]
    fn taprain_hmac_of_the_url_without_hash() {
        let f = Format::preset(Preset::Taprain).expect("preset");
        let unsigned = format!("user_id={USER}&tx_id=cnv_1&reward=10&payout=0.50&status=1&offer_name=A%20B");
        let hash = hmac("whsec_k", &format!("{BASE}?{unsigned}"));
        let q = format!("{unsigned}&hash={hash}");
        assert!(verifies(&f, &q, &["whsec_k"]));
        assert!(!verifies(&f, &q.replace("reward=10", "reward=11"), &["whsec_k"]));
        let ok = check(&f, &q, "whsec_k", None);
        assert_eq!(ok.canonical, format!("{BASE}?{unsigned}"));
        assert!(ok.matches);

        let http = hmac("whsec_k", &format!("{}?{unsigned}", BASE.replace("https", "http")));
        let other_scheme = check(&f, &format!("{unsigned}&hash={http}"), "whsec_k", None);
        assert_eq!(other_scheme.differs, Difference::Url);
        assert!(other_scheme.explanation.starts_with("The provider signed the URL with another scheme"));

        let wrong = check(&f, &q, "whsec_other", None);
        assert_eq!(wrong.differs, Difference::Secret);
        assert_eq!(wrong.parts[1].value, SECRET_MASK);
    }

    #[test]
    fn custom_recipes() {
        let config = CustomConfig {
            user: "uid".into(),
            transaction: "tx".into(),
            reward: "amt".into(),
            signature: Some("sig".into()),
            recipe: RecipeKind::Md5,
            md5_order: vec![Part::Secret, Part::Transaction, Part::User],
            ..CustomConfig::default()
        };
        let f = Format::custom(&config).expect("valid");
        let q = format!("uid=u1&tx=t9&amt=3&sig={}", md5("kt9u1"));
        assert!(verifies(&f, &q, &["k"]));

        let hmac_config = CustomConfig { recipe: RecipeKind::HmacSha256, md5_order: vec![], ..config.clone() };
        let f = Format::custom(&hmac_config).expect("valid");
        // The signature may sit anywhere; it is removed from where it is.
        let sig = hmac("k", &format!("{BASE}?uid=u1&tx=t9&amt=3"));
        assert!(verifies(&f, &format!("uid=u1&sig={sig}&tx=t9&amt=3"), &["k"]));

        let none = Format::custom(&CustomConfig { recipe: RecipeKind::None, signature: None, md5_order: vec![], ..config }).expect("valid");
        assert!(verifies(&none, "uid=u1", &[]));
        assert_eq!(check(&none, "uid=u1", "", None).differs, Difference::Nothing);
    }

    #[test]
    fn strip_param_keeps_the_rest_in_order() {
        assert_eq!(strip_param("a=1&hash=x&b=2", "hash"), "a=1&b=2");
        assert_eq!(strip_param("hash=x", "hash"), "");
        assert_eq!(strip_param("a=1&&b", "hash"), "a=1&b");
        assert_eq!(permutations(&[Part::User, Part::Reward, Part::Secret]).len(), 6);
    }

    proptest! {
        #[test]
        fn analyse_never_panics(query in ".{0,200}", secret in ".{0,20}") {
            for preset in [Preset::Medioot, Preset::Taprain] {
                let f = Format::preset(preset).expect("preset");
                let _ = check(&f, &query, &secret, Some(("old", true)));
            }
        }
    }
}
