//! Outbound postbacks (SPEC E, seeds 002 and 004) seen by a real receiver: macros and encoding,
//! each signature scheme verified as a receiver would, retries, `DUP`, giving up, resending,
//! reversals, and a restart in the middle of a retry schedule.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::{Captured, Receiver};

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("key");
    mac.update(message);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

impl TestApp {
    pub(crate) async fn deliveries(&self, query: &str) -> Vec<Value> {
        let body: Value = self.get(&format!("/api/admin/deliveries?{query}")).await.json().await.expect("json");
        body["items"].as_array().expect("items").clone()
    }

    /// Waits (10 s at most) until the publisher's deliveries all reached a final state.
    pub(crate) async fn settled_deliveries(&self, publisher: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let items = self.deliveries(&format!("publisher={publisher}")).await;
            if items.len() >= count
                && items.iter().all(|d| ["delivered", "duplicate", "failed"].contains(&d["status"].as_str().unwrap_or("")))
            {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("deliveries did not settle: {:?}", self.deliveries(&format!("publisher={publisher}")).await);
    }
}

/// The URL the receiver got, without `&hash=…`, and the hash.
fn split_hash(request: &Captured) -> (String, String) {
    let (unsigned, hash) = request.target.rsplit_once("&hash=").expect("hash is appended");
    (unsigned.to_owned(), hash.to_owned())
}

on_both_backends!(credit_is_relayed_with_macros_and_an_hmac_signature, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "1").await;
    let template = receiver.url("/cb?uid={user_id}&tx={tx_id}&p={payout}&r={reward}&st={status}&o={offer_name}&c={country_code}&ip={ip}&e={event_id}&sub2={sub2}&sig={signature}");
    let secret = app.set_postback(SEED_PUBLISHER, json!({ "url_template": template })).await;
    let query = format!("{SEED_QUERY}&s2=place%26ment");
    assert_eq!(app.cpa(&setup.key, &query).await.status(), 200);

    let request = receiver.wait_for(1).await.remove(0);
    let conversion = &app.conversions("").await[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.param("tx").as_deref(), conversion["id"].as_str());
    assert_eq!(request.param("p").as_deref(), Some("3.50"));
    assert_eq!(request.param("st").as_deref(), Some("1"));
    assert_eq!(request.param("o").as_deref(), Some("Shein Shopping App"));
    assert_eq!(request.param("c").as_deref(), Some("US"));
    assert_eq!(request.param("ip").as_deref(), Some("203.0.113.45"));
    assert_eq!(request.param("e").as_deref(), Some("abc123"));
    assert_eq!(request.param("sub2").as_deref(), Some("place&ment"), "values are URL-encoded");
    assert!(request.target.contains("sub2=place%26ment"));

    // A receiver's check: HMAC-SHA256 of the URL without `&hash=…`, `{signature}` left empty.
    let (unsigned, hash) = split_hash(&request);
    let full_unsigned = format!("http://{}{}", receiver.address, unsigned.replace(&format!("sig={hash}"), "sig="));
    assert_eq!(hash, hmac_hex(secret.as_bytes(), full_unsigned.as_bytes()));
    assert_eq!(request.param("sig"), Some(hash));

    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 1).await;
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["event"], "credit");
    assert_eq!(deliveries[0]["attempts"], 1);
    let details: Value =
        app.get(&format!("/api/admin/deliveries/{}", deliveries[0]["id"].as_str().expect("id"))).await.json().await.expect("json");
    assert_eq!(details["attempt_log"][0]["status_code"], 200);
    assert_eq!(details["attempt_log"][0]["body"], "1");
    assert_eq!(details["attempt_log"][0]["outcome"], "delivered");
});

on_both_backends!(md5_signature_is_the_legacy_formula, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "OK").await;
    let template = receiver.url("/pb?subid={subid}&transid={transid}&reward={reward}&signature={signature}&status={status}&campaign_id={campaign_id}&country={country}&userIp={userIp}");
    let secret = app.set_postback(SEED_PUBLISHER, json!({ "url_template": template, "signature": "md5" })).await;
    assert_eq!(app.cpa(&setup.key, &format!("{SEED_QUERY}&offer_id=77")).await.status(), 200);
    let request = receiver.wait_for(1).await.remove(0);
    let param = |name: &str| request.param(name).unwrap_or_default();
    let mut hasher = Md5::new();
    hasher.update(format!("{}{}{}{}", param("subid"), param("transid"), param("reward"), secret));
    let expected: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(param("signature"), expected);
    assert_eq!(param("hash"), expected);
    assert_eq!(param("campaign_id"), "77");
    assert_eq!(param("country"), "US");
    assert_eq!(param("userIp"), "203.0.113.45");
    assert_eq!(param("status"), "1");
});

on_both_backends!(standard_webhooks_are_signed_per_the_spec, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "OK").await;
    let secret = app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/hook"), "signature": "standard-webhooks" })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    let request = receiver.wait_for(1).await.remove(0);
    assert_eq!(request.method, "POST");
    let id = request.header("webhook-id").expect("webhook-id");
    let timestamp = request.header("webhook-timestamp").expect("webhook-timestamp");
    let key = base64::engine::general_purpose::STANDARD.decode(secret.trim_start_matches("whsec_")).expect("base64 secret");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{timestamp}.{}", request.body).as_bytes());
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(request.header("webhook-signature"), Some(expected));
    let body: Value = serde_json::from_str(&request.body).expect("json body");
    assert_eq!(body["type"], "conversion.credit");
    assert_eq!(body["data"]["payout"], "3.50");
    assert_eq!(body["data"]["status"], "1");
});

on_both_backends!(a_failed_delivery_is_retried_until_ok, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "OK").await;
    receiver.script(&[(500, "oops"), (200, "not yet")]);
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "retry_interval_seconds": 1 })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    let requests = receiver.wait_for(3).await;
    assert_eq!(requests[0].param("tx"), requests[2].param("tx"), "tx_id is stable across retries");
    assert_eq!(requests[0].target, requests[2].target, "the same signed URL every time");
    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 1).await;
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["attempts"], 3);
    assert_eq!(deliveries[0]["retries_left"], 3);
    let details: Value =
        app.get(&format!("/api/admin/deliveries/{}", deliveries[0]["id"].as_str().expect("id"))).await.json().await.expect("json");
    let outcomes: Vec<_> = details["attempt_log"].as_array().expect("log").iter().map(|a| a["outcome"].clone()).collect();
    assert_eq!(outcomes, vec![json!("failed"), json!("failed"), json!("delivered")]);
    assert_eq!(details["attempt_log"][0]["status_code"], 500);
    assert_eq!(details["attempt_log"][0]["body"], "oops");
});

on_both_backends!(dup_ends_a_delivery_as_already_received, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "DUP").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb"), "retry_interval_seconds": 1 })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 1).await;
    assert_eq!(deliveries[0]["status"], "duplicate");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.requests().len(), 1, "no retry after DUP");
});

on_both_backends!(gives_up_after_max_retries_and_can_be_resent, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(503, "down").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb"), "max_retries": 2, "retry_interval_seconds": 1 })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 1).await;
    assert_eq!(deliveries[0]["status"], "failed");
    assert_eq!(deliveries[0]["attempts"], 3, "the first attempt and two retries");
    assert_eq!(receiver.requests().len(), 3);
    assert_eq!(app.deliveries("status=failed").await.len(), 1);

    // Resend one: the receiver is back.
    receiver.answer(200, "OK");
    let id = deliveries[0]["id"].as_str().expect("id").to_owned();
    let resent = app.post_json(&format!("/api/admin/deliveries/{id}/resend"), json!({})).await;
    assert_eq!(resent.status(), 202);
    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 1).await;
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["attempts"], 4);
    let audit: Value = app.get("/api/admin/audit?action=delivery.resend").await.json().await.expect("json");
    assert_eq!(audit["items"].as_array().expect("items").len(), 1);
});

on_both_backends!(resend_all_failed_of_a_publisher, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(500, "down").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "max_retries": 0 })).await;
    for lead in ["l1", "l2", "l3"] {
        let query = SEED_QUERY.replace("lead_id=abc123", &format!("lead_id={lead}")).replace("ip=203.0.113.45", "ip=203.0.113.9");
        assert_eq!(app.cpa(&setup.key, &query).await.status(), 200);
    }
    let failed = app.settled_deliveries(SEED_PUBLISHER, 3).await;
    assert!(failed.iter().all(|d| d["status"] == "failed"));
    receiver.answer(200, "OK");
    let response = app.post_json(&format!("/api/admin/deliveries/resend-failed?publisher={SEED_PUBLISHER}"), json!({})).await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["resent"], 3);
    let delivered = app.settled_deliveries(SEED_PUBLISHER, 3).await;
    assert!(delivered.iter().all(|d| d["status"] == "delivered"), "{delivered:?}");
    assert_eq!(receiver.requests().len(), 6);
});

on_both_backends!(reversal_is_relayed_with_status_2, settings(allow_private), |app| {
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(200, "OK").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb?tx={tx_id}&st={status}&p={payout}") })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    receiver.wait_for(1).await;
    assert_eq!(app.cpa(&setup.key, &SEED_QUERY.replace("status=1", "status=2")).await.status(), 200);
    let requests = receiver.wait_for(2).await;
    let conversion_id = app.conversions("").await[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(requests[0].param("st").as_deref(), Some("1"));
    assert_eq!(requests[1].param("st").as_deref(), Some("2"));
    assert_eq!(requests[1].param("p").as_deref(), Some("3.50"), "payout is an absolute value");
    assert_eq!(requests[0].param("tx"), Some(conversion_id.clone()));
    assert_eq!(requests[1].param("tx"), Some(format!("{conversion_id}-r")));
    let deliveries = app.settled_deliveries(SEED_PUBLISHER, 2).await;
    let events: Vec<_> = deliveries.iter().map(|d| d["event"].as_str().unwrap_or("").to_owned()).collect();
    assert!(events.contains(&"credit".to_owned()) && events.contains(&"reversal".to_owned()));

    // An admin's reversal of another conversion is relayed too.
    let other = SEED_QUERY.replace("lead_id=abc123", "lead_id=other");
    assert_eq!(app.cpa(&setup.key, &other).await.status(), 200);
    receiver.wait_for(3).await;
    let id = app.conversions("status=credited").await[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(app.post_json(&format!("/api/admin/conversions/{id}/reverse"), json!({})).await.status(), 200);
    let requests = receiver.wait_for(4).await;
    assert_eq!(requests[3].param("tx"), Some(format!("{id}-r")));
});

on_both_backends!(publishers_without_a_postback_get_no_deliveries, |app| {
    let setup = app.setup_cpa().await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    assert!(app.deliveries("").await.is_empty());
});

on_both_backends!(delivery_api_errors, settings(allow_private), |app| {
    expect_error(app.get("/api/admin/deliveries?status=bogus").await, 422).await;
    expect_error(app.post_json("/api/admin/deliveries/dlv_missing/resend", json!({})).await, 404).await;
    expect_error(app.get("/api/admin/deliveries/dlv_missing").await, 404).await;
    let publisher = app.create_publisher("No postback").await;
    expect_error(app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await, 404).await;
    expect_error(app.post_json("/api/admin/publishers/000000000000000000000000/postback/test", json!({})).await, 404).await;
    expect_error(app.post_json("/api/admin/deliveries/resend-failed?publisher=000000000000000000000000", json!({})).await, 404).await;
    let anonymous = app.client.get(app.url("/api/admin/deliveries")).send().await.expect("GET");
    expect_error(anonymous, 401).await;

    // A delivery still waiting for its retry cannot be resent.
    let setup = app.setup_cpa().await;
    let receiver = Receiver::start(500, "down").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb"), "retry_interval_seconds": 3600 })).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pending = app.deliveries("status=pending").await;
    assert_eq!(pending.len(), 1);
    expect_error(app.post_json(&format!("/api/admin/deliveries/{}/resend", pending[0]["id"].as_str().expect("id")), json!({})).await, 409)
        .await;
});

on_both_backends!(test_postback_shows_the_exact_request_and_answer, settings(allow_private), |app| {
    let publisher = app.create_publisher("Tester").await;
    let receiver = Receiver::start(200, "OK").await;
    app.set_postback(&publisher, json!({ "url_template": receiver.url("/cb?u={user_id}&tx={tx_id}&st={status}") })).await;
    let response = app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await;
    assert_eq!(response.status(), 200);
    let test: Value = response.json().await.expect("json");
    assert_eq!(test["delivered"], true);
    assert_eq!(test["status_code"], 200);
    assert_eq!(test["body"], "OK");
    let request = receiver.wait_for(1).await.remove(0);
    assert_eq!(test["url"].as_str(), Some(receiver.url(&request.target).as_str()), "the exact URL requested");
    assert_eq!(request.param("u").as_deref(), Some("test-user"));

    receiver.answer(500, "broken");
    let failed: Value =
        app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await.json().await.expect("json");
    assert_eq!(failed["delivered"], false);
    assert_eq!(failed["status_code"], 500);
    assert_eq!(failed["outcome"], "failed");
    assert!(app.deliveries("").await.is_empty(), "a test is not a delivery");
});
