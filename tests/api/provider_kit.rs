//! What the provider tests share: signing as a provider would (this file's own md5 and HMAC,
//! not TapRain's), filling a postback URL's macros, and calling a provider's door.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::*;

pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hmac_hex(key: &str, text: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The postback URL of a provider with its macros filled in.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |url, (name, value)| url.replace(&format!("{{{name}}}"), &encode(value)))
}

/// A Medioot call's query, signed md5(subid + transid + reward + secret).
pub fn medioot(user: &str, transid: &str, reward: &str, payout: &str, status: u8, secret: &str) -> String {
    let signature = md5_hex(&format!("{user}{transid}{reward}{secret}"));
    format!(
        "subid={}&transid={}&reward={}&payout={payout}&status={status}&signature={signature}&offer_name=Survey+A&campaign_id=77",
        encode(user),
        encode(transid),
        encode(reward)
    )
}

/// A door's answer: status and plain-text body.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn is(&self, status: u16, body: &str) -> bool {
        self.status == status && self.body == body
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.status, self.body)
    }
}

impl TestApp {
    /// Creates a provider that accepts calls from 127.0.0.1; returns its JSON.
    pub async fn provider(&self, body: Value) -> Value {
        let provider = expect_created(self.post_json("/api/admin/providers", body).await).await;
        let id = provider["id"].as_str().expect("id");
        let approved = self.post_json(&format!("/api/admin/providers/{id}/ips"), json!({ "ip": "127.0.0.1" })).await;
        assert_eq!(approved.status(), 201);
        provider
    }

    /// `GET /api/postback/in/{id}?{query}` from 127.0.0.1.
    pub async fn provider_call(&self, id: &str, query: &str) -> Answer {
        self.answer(self.client.get(self.url(&format!("/api/postback/in/{id}?{query}"))).send().await.expect("call")).await
    }

    /// The same call as a form body.
    pub async fn provider_form(&self, id: &str, form: &str) -> Answer {
        let request = self
            .client
            .post(self.url(&format!("/api/postback/in/{id}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        self.answer(request.send().await.expect("call")).await
    }

    async fn answer(&self, response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        Answer { status, body: response.text().await.expect("body") }
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(self.db.pool()).await.expect("count");
        n
    }

    /// The postback log's entries for a provider, newest first.
    pub async fn provider_log(&self, id: &str) -> Vec<Value> {
        let body: Value = self.get(&format!("/api/admin/postback-log?provider={id}")).await.json().await.expect("json");
        body["items"].as_array().expect("items").clone()
    }
}
