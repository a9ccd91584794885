//! How a provider spells its callback: which parameter carries the user, the transaction, the
//! reward, the payout and the status (and which status values mean credit and reversal), which
//! parameter carries the signature, and how that signature is made. The two presets are fixed;
//! `custom` is built from what the admin names and checked once here.

use serde::{Deserialize, Serialize};

/// The kinds of provider TapRain knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Medioot-style (seed 004): md5(subid + transid + reward + secret) in `signature`.
    Medioot,
    /// Another TapRain's outbound postback (seed 002 names): HMAC-SHA256 of the URL in `hash`.
    Taprain,
    /// Parameter names and recipe chosen by the admin.
    Custom,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Medioot, Preset::Taprain, Preset::Custom];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Medioot => "medioot",
            Preset::Taprain => "taprain",
            Preset::Custom => "custom",
        }
    }
}

/// What a signed part of an md5 recipe is: one of the callback's fields, or the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    User,
    Transaction,
    Reward,
    Payout,
    Status,
    Secret,
}

impl Part {
    pub const ALL: [Part; 6] = [Part::User, Part::Transaction, Part::Reward, Part::Payout, Part::Status, Part::Secret];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// An md5 order as typed in a form: `user + transaction, reward secret`.
    pub fn parse_order(raw: &str) -> Result<Vec<Part>, String> {
        raw.split(|c: char| c == '+' || c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(|w| Part::parse(w).ok_or_else(|| format!("{w} is not one of user, transaction, reward, payout, status, secret")))
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Part::User => "user",
            Part::Transaction => "transaction",
            Part::Reward => "reward",
            Part::Payout => "payout",
            Part::Status => "status",
            Part::Secret => "secret",
        }
    }
}

/// How a callback is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipe {
    /// No signature: only approved IPs protect the door.
    None,
    /// Lowercase hex md5 of the parts' decoded values concatenated in this order.
    Md5 { order: Vec<Part> },
    /// Lowercase hex HMAC-SHA256, keyed by the secret, of the callback URL without the
    /// signature parameter.
    HmacSha256,
}

/// The recipe names used in the admin API's `custom.recipe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RecipeKind {
    #[default]
    None,
    Md5,
    HmacSha256,
}

/// A custom provider as the admin describes it. Names are the callback's parameter names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomConfig {
    pub user: String,
    pub transaction: String,
    pub reward: String,
    /// Omitted: the payout is recorded as 0.
    #[serde(default)]
    pub payout: Option<String>,
    /// Omitted: every call is a credit.
    #[serde(default)]
    pub status: Option<String>,
    /// The status value that credits (default `1`).
    #[serde(default)]
    pub status_credit: Option<String>,
    /// The status value that reverses (default `2`).
    #[serde(default)]
    pub status_reversal: Option<String>,
    /// The parameter carrying the signature (needed unless the recipe is `none`).
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub recipe: RecipeKind,
    /// For `md5`: the parts in the order they are concatenated, e.g.
    /// `["user", "transaction", "reward", "secret"]` (exactly one `secret`).
    #[serde(default)]
    pub md5_order: Vec<Part>,
}

/// Optional parameters kept on the conversion when present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExtraNames {
    pub offer_id: Option<String>,
    pub offer_name: Option<String>,
    pub ip: Option<String>,
    pub country: Option<String>,
}

/// A provider's callback format, ready to read and verify calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Format {
    pub user: String,
    pub transaction: String,
    pub reward: String,
    pub payout: Option<String>,
    pub status: Option<String>,
    pub status_credit: String,
    pub status_reversal: String,
    /// `None` exactly when the recipe is `None`.
    pub signature: Option<String>,
    pub recipe: Recipe,
    pub extras: ExtraNames,
    /// What a reversal's transaction id adds to the id of the credit it takes back (TapRain
    /// sends `<conversion id>-r`); `None` when a reversal carries the credit's own id.
    #[serde(default)]
    pub reversal_suffix: Option<String>,
}

/// A custom configuration that cannot work, naming the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("custom.{field}: {message}")]
pub struct InvalidConfig {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidConfig {
    InvalidConfig { field, message: message.into() }
}

/// Longest parameter name or status value.
pub const MAX_NAME: usize = 64;

fn parse_name(field: &'static str, raw: &str) -> Result<String, InvalidConfig> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_NAME
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(invalid(field, format!("must be 1 to {MAX_NAME} letters, digits or _ - . [ ]")))
    }
}

fn parse_value(field: &'static str, raw: Option<&str>, default: &str) -> Result<String, InvalidConfig> {
    let value = raw.unwrap_or(default);
    if value.is_empty() || value.len() > MAX_NAME || value.chars().any(char::is_control) {
        return Err(invalid(field, format!("must be 1 to {MAX_NAME} characters")));
    }
    Ok(value.to_owned())
}

impl Format {
    /// The fixed format of a preset; `None` for `custom`, which needs its configuration.
    pub fn preset(preset: Preset) -> Option<Format> {
        let s = |v: &str| v.to_owned();
        match preset {
            Preset::Medioot => Some(Format {
                user: s("subid"),
                transaction: s("transid"),
                reward: s("reward"),
                payout: Some(s("payout")),
                status: Some(s("status")),
                status_credit: s("1"),
                status_reversal: s("2"),
                signature: Some(s("signature")),
                recipe: Recipe::Md5 { order: vec![Part::User, Part::Transaction, Part::Reward, Part::Secret] },
                extras: ExtraNames {
                    offer_id: Some(s("campaign_id")),
                    offer_name: Some(s("offer_name")),
                    ip: Some(s("userIp")),
                    country: Some(s("country")),
                },
                reversal_suffix: None,
            }),
            Preset::Taprain => Some(Format {
                user: s("user_id"),
                transaction: s("tx_id"),
                reward: s("reward"),
                payout: Some(s("payout")),
                status: Some(s("status")),
                status_credit: s("1"),
                status_reversal: s("2"),
                signature: Some(s("hash")),
                recipe: Recipe::HmacSha256,
                extras: ExtraNames {
                    offer_id: Some(s("offer_id")),
                    offer_name: Some(s("offer_name")),
                    ip: Some(s("ip")),
                    country: Some(s("country_code")),
                },
                reversal_suffix: Some(s("-r")),
            }),
            Preset::Custom => None,
        }
    }

    /// Checks a custom configuration: names well-formed and distinct, status values distinct, a
    /// signature parameter unless the recipe is `none`, an md5 order naming configured fields
    /// once each and the secret exactly once.
    pub fn custom(config: &CustomConfig) -> Result<Format, InvalidConfig> {
        let user = parse_name("user", &config.user)?;
        let transaction = parse_name("transaction", &config.transaction)?;
        let reward = parse_name("reward", &config.reward)?;
        let payout = config.payout.as_deref().filter(|p| !p.is_empty()).map(|p| parse_name("payout", p)).transpose()?;
        let status = config.status.as_deref().filter(|p| !p.is_empty()).map(|p| parse_name("status", p)).transpose()?;
        let status_credit = parse_value("status_credit", config.status_credit.as_deref(), "1")?;
        let status_reversal = parse_value("status_reversal", config.status_reversal.as_deref(), "2")?;
        if status_credit == status_reversal {
            return Err(invalid("status_reversal", "must differ from status_credit"));
        }
        let signature = match config.recipe {
            RecipeKind::None => None,
            RecipeKind::Md5 | RecipeKind::HmacSha256 => Some(parse_name(
                "signature",
                config.signature.as_deref().ok_or_else(|| invalid("signature", "is needed for a signed recipe"))?,
            )?),
        };
        let mut names: Vec<&str> = vec![&user, &transaction, &reward];
        names.extend(payout.as_deref());
        names.extend(status.as_deref());
        names.extend(signature.as_deref());
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(invalid("user", format!("parameter {name} is named twice")));
            }
        }
        let recipe = match config.recipe {
            RecipeKind::None => Recipe::None,
            RecipeKind::HmacSha256 => Recipe::HmacSha256,
            RecipeKind::Md5 => {
                let order = &config.md5_order;
                if order.iter().filter(|p| **p == Part::Secret).count() != 1 {
                    return Err(invalid("md5_order", "must contain \"secret\" exactly once"));
                }
                if order.len() < 2 {
                    return Err(invalid("md5_order", "must sign at least one field with the secret"));
                }
                for (i, part) in order.iter().enumerate() {
                    if order[..i].contains(part) {
                        return Err(invalid("md5_order", format!("names {} twice", part.as_str())));
                    }
                    let configured = match part {
                        Part::Payout => payout.is_some(),
                        Part::Status => status.is_some(),
                        _ => true,
                    };
                    if !configured {
                        return Err(invalid("md5_order", format!("signs {} but no {0} parameter is named", part.as_str())));
                    }
                }
                Recipe::Md5 { order: order.clone() }
            }
        };
        Ok(Format {
            user,
            transaction,
            reward,
            payout,
            status,
            status_credit,
            status_reversal,
            signature,
            recipe,
            extras: ExtraNames::default(),
            reversal_suffix: None,
        })
    }

    /// The parameter name of a signed part (`None` for the secret or an unnamed field).
    pub fn name_of(&self, part: Part) -> Option<&str> {
        match part {
            Part::User => Some(&self.user),
            Part::Transaction => Some(&self.transaction),
            Part::Reward => Some(&self.reward),
            Part::Payout => self.payout.as_deref(),
            Part::Status => self.status.as_deref(),
            Part::Secret => None,
        }
    }

    /// The recipe in words, with parameter names: `md5(subid + transid + reward + secret)`.
    pub fn recipe_text(&self) -> String {
        match &self.recipe {
            Recipe::None => "none (approved IPs only)".to_owned(),
            Recipe::Md5 { order } => {
                let parts: Vec<&str> = order.iter().map(|p| self.name_of(*p).unwrap_or("secret")).collect();
                format!("md5({})", parts.join(" + "))
            }
            Recipe::HmacSha256 => format!(
                "hmac-sha256(key = secret, message = the callback URL without {})",
                self.signature.as_deref().unwrap_or("the signature")
            ),
        }
    }
}

/// The URL to paste into the provider's dashboard: `<public>/api/postback/in/{id}?` and every
/// parameter with the macro the provider fills in. Presets use the provider's own macro names;
/// `custom` writes each field's role (`{user}`), to be replaced by the provider's macros.
/// TapRain's outbound postbacks append `hash` by themselves, so the `taprain` URL omits it.
pub fn postback_url(public_url: &str, provider_id: &str, preset: Preset, format: &Format) -> String {
    let base = format!("{}/api/postback/in/{provider_id}", public_url.trim_end_matches('/'));
    let pairs: Vec<(String, String)> = match preset {
        Preset::Medioot => {
            ["subid", "transid", "reward", "payout", "status", "signature", "userIp", "campaign_id", "country", "uuid", "offer_name"]
                .iter()
                .map(|n| (n.to_string(), n.to_string()))
                .collect()
        }
        Preset::Taprain => ["user_id", "tx_id", "reward", "payout", "status", "offer_id", "offer_name", "ip", "country_code"]
            .iter()
            .map(|n| (n.to_string(), n.to_string()))
            .collect(),
        Preset::Custom => {
            let mut pairs = vec![
                (format.user.clone(), "user".to_owned()),
                (format.transaction.clone(), "transaction".to_owned()),
                (format.reward.clone(), "reward".to_owned()),
            ];
            pairs.extend(format.payout.iter().map(|n| (n.clone(), "payout".to_owned())));
            pairs.extend(format.status.iter().map(|n| (n.clone(), "status".to_owned())));
            if matches!(format.recipe, Recipe::Md5 { .. }) {
                pairs.extend(format.signature.iter().map(|n| (n.clone(), "signature".to_owned())));
            }
            pairs
        }
    };
    let query: Vec<String> = pairs.iter().map(|(name, mac)| format!("{name}={{{mac}}}")).collect();
    format!("{base}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn custom() -> CustomConfig {
        CustomConfig {
            user: "uid".into(),
            transaction: "tx".into(),
            reward: "amount".into(),
            payout: Some("usd".into()),
            status: Some("state".into()),
            status_credit: Some("approved".into()),
            status_reversal: Some("chargeback".into()),
            signature: Some("sig".into()),
            recipe: RecipeKind::Md5,
            md5_order: vec![Part::Transaction, Part::Secret, Part::User],
        }
    }

    #[test]
    fn presets_follow_the_seeds() {
        let medioot = Format::preset(Preset::Medioot).expect("preset");
        assert_eq!(medioot.recipe_text(), "md5(subid + transid + reward + secret)");
        let taprain = Format::preset(Preset::Taprain).expect("preset");
        assert_eq!((taprain.user.as_str(), taprain.transaction.as_str(), taprain.signature.as_deref()), ("user_id", "tx_id", Some("hash")));
        assert_eq!(taprain.recipe, Recipe::HmacSha256);
        assert!(Format::preset(Preset::Custom).is_none());
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.as_str()), Some(p));
        }
        assert_eq!(Preset::parse("tar-go"), None);
    }

    #[test]
    fn custom_configs_are_checked() {
        let format = Format::custom(&custom()).expect("valid");
        assert_eq!(format.recipe_text(), "md5(tx + secret + uid)");
        assert_eq!(format.status_credit, "approved");

        let refused = |edit: fn(&mut CustomConfig), field: &str| {
            let mut c = custom();
            edit(&mut c);
            assert_eq!(Format::custom(&c).map_err(|e| e.field), Err(field), "{c:?}");
        };
        refused(|c| c.user = String::new(), "user");
        refused(|c| c.reward = "a b".into(), "reward");
        refused(|c| c.transaction = "uid".into(), "user");
        refused(|c| c.signature = None, "signature");
        refused(|c| c.md5_order = vec![Part::User, Part::Transaction], "md5_order");
        refused(|c| c.md5_order = vec![Part::Secret, Part::Secret, Part::User], "md5_order");
        refused(|c| c.md5_order = vec![Part::Secret], "md5_order");
        refused(|c| c.md5_order = vec![Part::User, Part::User, Part::Secret], "md5_order");
        refused(
            |c| {
                c.payout = None;
                c.md5_order = vec![Part::Payout, Part::Secret];
            },
            "md5_order",
        );
        refused(|c| c.status_reversal = Some("approved".into()), "status_reversal");

        let none = CustomConfig { user: "u".into(), transaction: "t".into(), reward: "r".into(), ..CustomConfig::default() };
        let format = Format::custom(&none).expect("unsigned is allowed");
        assert_eq!((format.recipe, format.signature, format.status_credit.as_str()), (Recipe::None, None, "1"));
    }

    #[test]
    fn md5_orders_parse_from_a_form() {
        assert_eq!(
            Part::parse_order("user + transaction, reward secret"),
            Ok(vec![Part::User, Part::Transaction, Part::Reward, Part::Secret])
        );
        assert!(Part::parse_order("user + pepper").is_err_and(|e| e.starts_with("pepper")));
        assert_eq!(Part::parse_order(""), Ok(vec![]));
    }

    #[test]
    fn postback_urls_carry_the_macros() {
        let medioot = Format::preset(Preset::Medioot).expect("preset");
        assert_eq!(
            postback_url("https://tap.example/", "prv_1", Preset::Medioot, &medioot),
            "https://tap.example/api/postback/in/prv_1?subid={subid}&transid={transid}&reward={reward}&payout={payout}&status={status}\
             &signature={signature}&userIp={userIp}&campaign_id={campaign_id}&country={country}&uuid={uuid}&offer_name={offer_name}"
        );
        let taprain = Format::preset(Preset::Taprain).expect("preset");
        let url = postback_url("https://tap.example", "prv_2", Preset::Taprain, &taprain);
        assert!(url.starts_with("https://tap.example/api/postback/in/prv_2?user_id={user_id}&tx_id={tx_id}&reward={reward}"));
        assert!(!url.contains("hash"));
        let custom = Format::custom(&custom()).expect("valid");
        assert_eq!(
            postback_url("https://tap.example", "prv_3", Preset::Custom, &custom),
            "https://tap.example/api/postback/in/prv_3?uid={user}&tx={transaction}&amount={reward}&usd={payout}&state={status}&sig={signature}"
        );
    }

    proptest! {
        #[test]
        fn custom_never_panics(user in ".{0,70}", order in proptest::collection::vec(0usize..6, 0..8)) {
            let parts = [Part::User, Part::Transaction, Part::Reward, Part::Payout, Part::Status, Part::Secret];
            let config = CustomConfig {
                user, transaction: "t".into(), reward: "r".into(), signature: Some("s".into()), recipe: RecipeKind::Md5,
                md5_order: order.into_iter().map(|i| parts[i]).collect(), ..CustomConfig::default()
            };
            let _ = Format::custom(&config);
        }
    }
}
