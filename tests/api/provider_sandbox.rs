//! Sandbox (SPEC F): a sandbox provider's calls, and calls with a network's sandbox key, are
//! checked and answered per the contract, logged with outcome `sandbox` and shown in the live
//! feed — and never credited or relayed.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::provider_kit::*;

const SECRET: &str = "sandbox-secret";

/// Reads the live feed until `needle` shows up (5 s at most); returns what was read.
async fn feed_until(feed: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, feed.chunk()).await.expect("events within 5 s").expect("chunk").expect("open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

on_both_backends!(a_sandbox_provider_is_answered_per_contract_and_credits_nothing, |app| {
    let reward = app.setup_reward().await;
    let provider = app.provider(json!({ "name": "Trial", "preset": "medioot", "secret": SECRET })).await;
    let id = provider["id"].as_str().expect("id");
    assert!(app.provider_call(id, &medioot(SEED_UID, "live-1", "10", "0.10", 1, SECRET)).await.is(200, "OK"));
    assert_eq!(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "sandbox": true })).await.status(), 200);
    let (ledger, conversions) = (ledger_postings(&app).await, app.count("conversions").await);
    let mut feed = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");

    let fresh = app.provider_call(id, &medioot(SEED_UID, "sandbox-1", "25", "0.25", 1, SECRET)).await;
    assert!(fresh.is(200, "OK"), "{fresh:?}");
    assert!(app.provider_call(id, &medioot(SEED_UID, "live-1", "10", "0.10", 1, SECRET)).await.is(200, "DUP"), "a known transaction");
    assert!(app.provider_call(id, &medioot(SEED_UID, "live-1", "10", "0.10", 2, SECRET)).await.is(200, "OK"), "a reversal it would make");
    // Refusals are the same as ever.
    assert!(app.provider_call(id, &medioot(SEED_UID, "s-2", "1", "1", 1, "wrong")).await.is(403, "invalid signature"));
    assert!(app
        .provider_call(id, &medioot("0b0b0b0b-1111-2222-3333-444444444444", "s-3", "1", "1", 1, SECRET))
        .await
        .is(404, "unknown user"));

    assert_eq!(ledger_postings(&app).await, ledger, "the ledger is untouched");
    assert_eq!(app.count("conversions").await, conversions);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 10);
    let log = app.provider_log(id).await;
    let outcomes: Vec<&str> = log.iter().map(|e| e["outcome"].as_str().expect("outcome")).collect();
    assert_eq!(outcomes, ["not_found", "invalid_signature", "sandbox", "sandbox", "sandbox", "ok"]);
    assert_eq!((log[4]["details"]["sandbox"].as_bool(), log[4]["conversion_id"].as_str()), (Some(true), None));
    assert_eq!(log[3]["reason"], "sandbox: answered DUP, nothing credited");
    let seen = feed_until(&mut feed, "sandbox-1").await;
    assert!(seen.contains("\"kind\":\"sandbox\""), "{seen}");
    assert_ledger_consistent(&app).await;
});

on_both_backends!(a_sandbox_network_key_is_checked_and_answered_but_never_credited_or_relayed, |app| {
    let cpa = app.setup_cpa().await;
    let response = app
        .post_json(&format!("/api/admin/networks/{}/keys/rotate", cpa.network_id), json!({ "overlap_seconds": 0, "sandbox": true }))
        .await;
    let sandbox_key = expect_created(response).await["key"].as_str().expect("key").to_owned();
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": "https://pub.example/cb?tx={tx_id}" })).await;
    let mut feed = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");

    expect_cpa(app.cpa(&sandbox_key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.cpa(&sandbox_key, &SEED_QUERY.replace("amount=350", "amount=0")).await.status(), 400);
    assert_eq!(app.count("conversions").await, 0);
    assert_eq!(app.count("ledger_entries").await, 0);
    assert_eq!(app.count("deliveries").await, 0);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    let log: Value = app.get(&format!("/api/admin/postback-log?network={}", cpa.network_id)).await.json().await.expect("json");
    let items = log["items"].as_array().expect("items");
    assert_eq!((items[1]["outcome"].as_str(), items[1]["http_status"].as_i64()), (Some("sandbox"), Some(200)));
    assert_eq!(items[1]["details"]["sandbox"], true);
    assert_eq!((items[0]["outcome"].as_str(), &items[0]["details"]["sandbox"]), (Some("bad_request"), &json!(true)));
    let seen = feed_until(&mut feed, "\"kind\":\"sandbox\"").await;
    assert!(seen.contains("abc123"), "{seen}");

    // The live key beside it still credits.
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    assert_eq!(app.count("deliveries").await, 1);
});
