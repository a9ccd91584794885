//! The fields of a `/api/v1/conversions` or `/api/v1/customers` call, parsed the same way
//! whether they came as a query string (GET) or a JSON body (POST). Every refusal names its
//! field.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{parse_code, HandleKind};
use crate::domain::currency::Currency;
use crate::domain::decimal::Decimal;

/// One field as it arrived. JSON `null` and empty strings count as absent and never get here.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A JSON string or a query-string value.
    Text(String),
    /// A JSON number, as its exact text (never read through a float).
    Number(String),
    /// A JSON object (only `meta_data` takes one).
    Object(Map<String, Value>),
    /// `true`, `false` or an array: valid for no field.
    Other,
}

/// The call's fields by name.
pub type Fields = BTreeMap<String, Input>;

/// A field that is missing or wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// Largest `meta_data` accepted, as compact JSON; more is refused (it is stored and logged).
pub const MAX_META_DATA_BYTES: usize = 4096;

/// Longest `user_agent` kept; longer ones are cut.
pub const MAX_USER_AGENT_CHARS: usize = 1024;

/// A field as text: strings trimmed, numbers as written; `None` when absent or blank.
fn text(fields: &Fields, field: &'static str) -> Result<Option<String>, FieldError> {
    match fields.get(field) {
        None => Ok(None),
        Some(Input::Text(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Some(Input::Number(n)) => Ok(Some(n.clone())),
        Some(_) => Err(refuse(field, "must be a string")),
    }
}

fn code(fields: &Fields, field: &'static str) -> Result<Option<String>, FieldError> {
    text(fields, field)?.map(|raw| parse_code(&raw).map_err(|e| refuse(field, e))).transpose()
}

/// The attribution handles present, highest priority first, normalised for lookup.
fn handles(fields: &Fields) -> Result<Vec<(HandleKind, String)>, FieldError> {
    let mut out = Vec::new();
    for kind in HandleKind::PRIORITY {
        if let Some(value) = code(fields, kind.field())? {
            out.push((kind, kind.normalize(&value)));
        }
    }
    Ok(out)
}

/// What `no attribution field` says.
pub const NO_ATTRIBUTION: &str = "one of coupon, click_id, referral_code, asset_id or source_id is required";

/// A conversion call, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionCall {
    pub external_id: String,
    /// Highest priority first.
    pub handles: Vec<(HandleKind, String)>,
    pub customer_id: Option<String>,
    pub amount: Option<Decimal>,
    pub currency: Option<Currency>,
    pub meta_data: Option<Map<String, Value>>,
    pub user_agent: Option<String>,
    pub ip: Option<IpAddr>,
}

impl ConversionCall {
    /// Checks the fields in this order: external_id, attribution, handle values, customer_id,
    /// amount, currency, meta_data, ip. A `customer_id` alone counts as attribution (lifetime
    /// commission); whether it is known is decided later.
    pub fn parse(fields: &Fields) -> Result<Self, FieldError> {
        let external_id = code(fields, "external_id")?.ok_or_else(|| refuse("external_id", "is required"))?;
        let handles = handles(fields)?;
        let customer_id = code(fields, "customer_id")?;
        if handles.is_empty() && customer_id.is_none() {
            return Err(refuse("referral_code", format!("{NO_ATTRIBUTION} (or the customer_id of a known customer)")));
        }
        let amount = text(fields, "amount")?.map(|raw| Decimal::parse(&raw).map_err(|e| refuse("amount", e.to_string()))).transpose()?;
        let currency =
            text(fields, "currency")?.map(|raw| Currency::parse(&raw).map_err(|e| refuse("currency", e.to_string()))).transpose()?;
        let meta_data = match fields.get("meta_data") {
            None => None,
            Some(Input::Object(map)) => Some(map.clone()),
            Some(Input::Text(raw)) if raw.trim().is_empty() => None,
            Some(Input::Text(raw)) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Object(map)) => Some(map),
                _ => return Err(refuse("meta_data", "must be a JSON object")),
            },
            Some(_) => return Err(refuse("meta_data", "must be a JSON object")),
        };
        if let Some(map) = &meta_data {
            let size = serde_json::to_string(map).map_or(usize::MAX, |s| s.len());
            if size > MAX_META_DATA_BYTES {
                return Err(refuse("meta_data", format!("must be at most {MAX_META_DATA_BYTES} bytes of JSON (got {size})")));
            }
        }
        let user_agent =
            text(fields, "user_agent")?.map(|ua| ua.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect::<String>());
        let ip = text(fields, "ip")?
            .map(|raw| raw.parse::<IpAddr>().map_err(|_| refuse("ip", "must be an IPv4 or IPv6 address")))
            .transpose()?;
        Ok(Self { external_id, handles, customer_id, amount, currency, meta_data, user_agent, ip })
    }

    /// The currency the call is booked in: the program's. A call may repeat it, but a different
    /// one is refused — commissions are credited in the program's minor units, so a `KWD` or
    /// `JPY` call on a USD program would credit 10× or 1/100 of the amount.
    pub fn currency_for(&self, program: Currency) -> Result<Currency, FieldError> {
        match self.currency {
            Some(sent) if sent != program => {
                Err(refuse("currency", format!("must be the program's currency, {}, not {}", program.as_str(), sent.as_str())))
            }
            _ => Ok(program),
        }
    }

    /// A digest of everything the call says, with the currency it ends up in: the same call
    /// sent again (`100` or `"100.00"`, keys in any order) has the same fingerprint.
    pub fn fingerprint(&self, currency: Currency) -> String {
        let handles: Map<String, Value> = self.handles.iter().map(|(k, v)| (k.field().to_owned(), Value::String(v.clone()))).collect();
        let canonical = serde_json::json!({
            "external_id": self.external_id,
            "handles": handles,
            "customer_id": self.customer_id,
            "amount": self.amount.map(|a| a.to_string()),
            "currency": currency.as_str(),
            "meta_data": self.meta_data.clone().map(Value::Object).map(|v| sorted(&v)),
            "user_agent": self.user_agent,
            "ip": self.ip.map(|ip| ip.to_string()),
        });
        hex(&Sha256::digest(sorted(&canonical).to_string().as_bytes()))
    }
}

/// A customer call, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerCall {
    pub customer_id: String,
    /// Highest priority first; never empty.
    pub handles: Vec<(HandleKind, String)>,
}

impl CustomerCall {
    pub fn parse(fields: &Fields) -> Result<Self, FieldError> {
        let customer_id = code(fields, "customer_id")?.ok_or_else(|| refuse("customer_id", "is required"))?;
        let handles = handles(fields)?;
        if handles.is_empty() {
            return Err(refuse("referral_code", NO_ATTRIBUTION));
        }
        Ok(Self { customer_id, handles })
    }
}

/// `value` with every object's keys in order, so equal documents print equally.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads a query string (or form body) into fields: the first value of each name wins;
/// `meta_data[key]=value` pairs build the `meta_data` object (merged over a `meta_data` JSON
/// string if both are sent).
pub fn fields_from_query(raw: &[u8]) -> Fields {
    let mut fields = Fields::new();
    let mut meta = Map::new();
    for (name, value) in form_urlencoded::parse(raw).into_owned() {
        if let Some(key) = name.strip_prefix("meta_data[").and_then(|rest| rest.strip_suffix(']')) {
            meta.entry(key.to_owned()).or_insert(Value::String(value));
        } else if !value.trim().is_empty() {
            fields.entry(name).or_insert(Input::Text(value));
        }
    }
    if !meta.is_empty() {
        let mut merged = match fields.get("meta_data") {
            Some(Input::Text(raw)) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Object(map)) => map,
                _ => {
                    // Leave the bad JSON string in place so parsing refuses it.
                    return fields;
                }
            },
            _ => Map::new(),
        };
        merged.extend(meta);
        fields.insert("meta_data".into(), Input::Object(merged));
    }
    fields
}

/// Reads a JSON object body into fields without reading any number through a float: each
/// value is looked at as raw JSON text first. `Err` says why the body is not a JSON object.
pub fn fields_from_json(body: &[u8]) -> Result<Fields, String> {
    let raw: std::collections::HashMap<String, Box<serde_json::value::RawValue>> = match serde_json::from_slice(body) {
        Ok(raw) => raw,
        Err(e) if e.is_data() => return Err("request body must be a JSON object".into()),
        Err(_) => return Err("request body is not valid JSON".into()),
    };
    let mut fields = Fields::new();
    for (name, value) in raw {
        let text = value.get();
        let input = match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<String>(text) {
                Ok(s) if s.trim().is_empty() => continue,
                Ok(s) => Input::Text(s),
                Err(_) => Input::Other,
            },
            Some(b'n') => continue,
            Some(b'{') => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Input::Object(map),
                _ => Input::Other,
            },
            Some(b'-' | b'0'..=b'9') => Input::Number(text.to_owned()),
            _ => Input::Other,
        };
        fields.insert(name, input);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> Fields {
        fields_from_query(q.as_bytes())
    }

    #[test]
    fn the_seed_example_parses() {
        let mut fields = Fields::new();
        fields.insert("referral_code".into(), Input::Text("nwjinmy".into()));
        fields.insert("amount".into(), Input::Text("100".into()));
        fields.insert("external_id".into(), Input::Text("ORD005".into()));
        let call = ConversionCall::parse(&fields).expect("call");
        assert_eq!(call.external_id, "ORD005");
        assert_eq!(call.handles, vec![(HandleKind::ReferralCode, "nwjinmy".to_owned())]);
        assert_eq!(call.amount, Decimal::parse("100").ok());
    }

    #[test]
    fn handles_come_in_priority_order_whatever_the_order_sent() {
        let call = ConversionCall::parse(&query("source_id=s&referral_code=r&coupon=C&external_id=1")).expect("call");
        let kinds: Vec<_> = call.handles.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [HandleKind::Coupon, HandleKind::ReferralCode, HandleKind::SourceId]);
        assert_eq!(call.handles[0].1, "c", "coupons are looked up without case");
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases = [
            ("referral_code=a", "external_id"),
            ("external_id=%20&referral_code=a", "external_id"),
            ("external_id=1", "referral_code"),
            ("external_id=1&coupon=", "referral_code"),
            ("external_id=1&referral_code=a%00b", "referral_code"),
            ("external_id=1&referral_code=a&amount=ten", "amount"),
            ("external_id=1&referral_code=a&amount=-5", "amount"),
            ("external_id=1&referral_code=a&amount=1e3", "amount"),
            ("external_id=1&referral_code=a&currency=usd", "currency"),
            ("external_id=1&referral_code=a&currency=ZZZ", "currency"),
            ("external_id=1&referral_code=a&meta_data=[1]", "meta_data"),
            ("external_id=1&referral_code=a&meta_data=%7Bbroken", "meta_data"),
            ("external_id=1&referral_code=a&ip=999.1.1.1", "ip"),
        ];
        for (q, field) in cases {
            let err = ConversionCall::parse(&query(q)).expect_err(q);
            assert_eq!(err.field, field, "{q}: {err}");
        }
        let mut fields = query("external_id=1");
        fields.insert("coupon".into(), Input::Other);
        assert_eq!(ConversionCall::parse(&fields).expect_err("bool").field, "coupon");
    }

    #[test]
    fn the_currency_is_the_programs() {
        let usd = Currency::parse("USD").expect("usd");
        let plain = ConversionCall::parse(&query("external_id=1&coupon=x&amount=10")).expect("call");
        assert_eq!(plain.currency_for(usd), Ok(usd));
        let same = ConversionCall::parse(&query("external_id=1&coupon=x&amount=10&currency=USD")).expect("call");
        assert_eq!(same.currency_for(usd), Ok(usd));
        for other in ["KWD", "JPY", "EUR"] {
            let call = ConversionCall::parse(&query(&format!("external_id=1&coupon=x&amount=10&currency={other}"))).expect("call");
            let err = call.currency_for(usd).expect_err(other);
            assert_eq!(err.field, "currency");
            assert!(err.message.contains("USD") && err.message.contains(other), "{err}");
        }
    }

    #[test]
    fn meta_data_is_capped() {
        let fits = format!("external_id=1&coupon=x&meta_data[a]={}", "x".repeat(MAX_META_DATA_BYTES - 16));
        assert!(ConversionCall::parse(&query(&fits)).is_ok());
        let over = format!("external_id=1&coupon=x&meta_data[a]={}", "x".repeat(MAX_META_DATA_BYTES));
        assert_eq!(ConversionCall::parse(&query(&over)).expect_err("too big").field, "meta_data");
        let mut fields = query("external_id=1&coupon=x");
        let big: Map<String, Value> = (0..600).map(|i| (format!("k{i}"), Value::from(i))).collect();
        fields.insert("meta_data".into(), Input::Object(big));
        assert_eq!(ConversionCall::parse(&fields).expect_err("many keys").field, "meta_data");
    }

    #[test]
    fn a_customer_id_alone_is_enough_for_a_conversion() {
        let call = ConversionCall::parse(&query("external_id=1&customer_id=c-1")).expect("call");
        assert!(call.handles.is_empty());
        assert_eq!(call.customer_id.as_deref(), Some("c-1"));
    }

    #[test]
    fn meta_data_in_both_get_forms() {
        let call = ConversionCall::parse(&query("external_id=1&coupon=x&meta_data=%7B%22a%22%3A1%7D&meta_data[b]=two")).expect("call");
        assert_eq!(call.meta_data.map(Value::Object), Some(serde_json::json!({ "a": 1, "b": "two" })));
    }

    #[test]
    fn fingerprints_ignore_spelling_but_not_content() {
        let usd = Currency::parse("USD").expect("usd");
        let a = ConversionCall::parse(&query("external_id=1&coupon=x&amount=100&meta_data[a]=1&meta_data[b]=2")).expect("a");
        let b = ConversionCall::parse(&query("meta_data[b]=2&amount=100.00&coupon=X&meta_data[a]=1&external_id=1")).expect("b");
        let c = ConversionCall::parse(&query("external_id=1&coupon=x&amount=100.01&meta_data[a]=1&meta_data[b]=2")).expect("c");
        assert_eq!(a.fingerprint(usd), b.fingerprint(usd));
        assert_ne!(a.fingerprint(usd), c.fingerprint(usd));
        assert_ne!(a.fingerprint(usd), a.fingerprint(Currency::parse("EUR").expect("eur")));
    }

    #[test]
    fn user_agents_lose_control_characters_and_length() {
        let long = format!("external_id=1&coupon=x&user_agent=a%00b{}", "c".repeat(2000));
        let call = ConversionCall::parse(&query(&long)).expect("call");
        let ua = call.user_agent.expect("ua");
        assert!(ua.starts_with("ab") && ua.chars().count() == MAX_USER_AGENT_CHARS);
    }

    #[test]
    fn customers_need_an_id_and_a_handle() {
        assert_eq!(CustomerCall::parse(&query("referral_code=a")).expect_err("id").field, "customer_id");
        assert_eq!(CustomerCall::parse(&query("customer_id=c")).expect_err("handle").field, "referral_code");
        let call = CustomerCall::parse(&query("customer_id=c&asset_id=a&referral_code=r")).expect("call");
        assert_eq!(call.handles[0], (HandleKind::ReferralCode, "r".to_owned()));
    }

    #[test]
    fn json_numbers_keep_their_text() {
        let fields = fields_from_json(br#"{"amount": 100.10, "external_id": 12345678901234567890, "coupon": null, "referral_code": " ", "meta_data": {"a": [1]}, "x": true}"#)
            .expect("fields");
        assert_eq!(fields.get("amount"), Some(&Input::Number("100.10".into())));
        assert_eq!(fields.get("external_id"), Some(&Input::Number("12345678901234567890".into())));
        assert_eq!(fields.get("coupon"), None);
        assert_eq!(fields.get("referral_code"), None);
        assert!(matches!(fields.get("meta_data"), Some(Input::Object(_))));
        assert_eq!(fields.get("x"), Some(&Input::Other));
        assert_eq!(fields_from_json(b"{\"a\": ").expect_err("broken"), "request body is not valid JSON");
        assert_eq!(fields_from_json(b"[1, 2]").expect_err("array"), "request body must be a JSON object");
        assert_eq!(fields_from_json(b"").expect_err("empty"), "request body is not valid JSON");
        let negative = fields_from_json(br#"{"amount": -1e3}"#).expect("fields");
        assert_eq!(negative.get("amount"), Some(&Input::Number("-1e3".into())));
    }
}
