//! `POST /api/admin/postback-log/{entry_id}/replay`: a logged call of every source re-run against
//! today's rules as a dry run — what it would do, and nothing written (row counts before and after).

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::provider_kit::*;

/// The tables a call can write to, with their row counts.
async fn rows(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in
        ["conversions", "ledger_entries", "balances", "deliveries", "postback_log", "user_postbacks", "refused_ips", "program_customers"]
    {
        counts.push((table, app.count(table).await));
    }
    counts
}

/// The newest log entry (optionally of a network) and its id.
async fn newest(app: &TestApp, query: &str) -> Value {
    let log: Value = app.get(&format!("/api/admin/postback-log?{query}")).await.json().await.expect("json");
    log["items"][0].clone()
}

async fn replay(app: &TestApp, entry: &Value) -> Value {
    let id = entry["id"].as_i64().expect("entry id");
    let response = app.post_json(&format!("/api/admin/postback-log/{id}/replay"), json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

fn outcome(replayed: &Value) -> (&str, &Value) {
    (replayed["outcome"].as_str().expect("outcome"), &replayed["would_credit"])
}

on_both_backends!(replaying_credited_refused_and_held_cpa_calls_writes_nothing, |app| {
    let cpa = app.setup_cpa().await;
    // Credits queue deliveries, so a dry run that leaked one would show.
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": "https://pub.example/cb?tx={tx_id}" })).await;
    let network = format!("network={}", cpa.network_id);

    expect_cpa(app.cpa(&cpa.key, "external_identifier=6422f1b3e8a0000012345678&amount=350&status=1&lead_id=credited").await, 200, "ok")
        .await;
    let credited = newest(&app, &network).await;
    expect_cpa(
        app.cpa(&cpa.key, "external_identifier=6422f1b3e8a0000012345678&amount=250&status=1&lead_id=held&ip=10.0.0.1").await,
        200,
        "ok",
    )
    .await;
    let held = newest(&app, &network).await;
    assert_eq!(held["outcome"], "held");
    assert_eq!(app.cpa(&cpa.key, "external_identifier=6422f1b3e8a0000012345678&amount=abc&lead_id=refused").await.status(), 400);
    let refused = newest(&app, &network).await;
    assert_eq!(app.cpa("trk_wrong", "external_identifier=6422f1b3e8a0000012345678&amount=350&lead_id=stranger").await.status(), 401);
    let stranger = newest(&app, "outcome=unauthorized").await;
    // A second network whose address is not approved yet: refused, then approved.
    let (fenced, fenced_key) = app.create_network("Fenced").await;
    expect_cpa(
        app.cpa(&fenced_key, "external_identifier=6422f1b3e8a0000012345678&amount=120&status=1&lead_id=fenced").await,
        403,
        "Forbidden",
    )
    .await;
    let forbidden = newest(&app, &format!("network={fenced}")).await;
    expect_cpa(
        app.cpa(&fenced_key, "external_identifier=6422f1b3e8a0000012345678&amount=120&status=1&lead_id=fenced-held&ip=10.0.0.2").await,
        403,
        "Forbidden",
    )
    .await;
    let forbidden_private = newest(&app, &format!("network={fenced}")).await;
    assert_eq!(app.post_json(&format!("/api/admin/networks/{fenced}/ips"), json!({ "ip": "127.0.0.1" })).await.status(), 201);
    let before = rows(&app).await;

    let again = replay(&app, &credited).await;
    assert_eq!(outcome(&again), ("duplicate", &Value::Null), "{again}");
    assert_eq!(outcome(&replay(&app, &held).await), ("duplicate", &Value::Null));
    let bad = replay(&app, &refused).await;
    assert_eq!(bad["outcome"], "bad_request");
    assert!(bad["reason"].as_str().expect("reason").contains("amount"), "{bad}");
    let unknown = replay(&app, &stranger).await;
    assert_eq!(outcome(&unknown), ("unauthorized", &Value::Null));
    assert!(unknown["reason"].as_str().expect("reason").contains("cannot be re-run"), "{unknown}");
    // Today the fenced network's address is approved: the call would be credited, or held.
    let now_ok = replay(&app, &forbidden).await;
    assert_eq!(outcome(&now_ok), ("ok", &json!({ "account": format!("publisher:{SEED_PUBLISHER}"), "amount": 120 })), "{now_ok}");
    let now_held = replay(&app, &forbidden_private).await;
    assert_eq!((outcome(&now_held), now_held["reason"].as_str()), (("held", &Value::Null), Some("non_public_ip")), "{now_held}");

    assert_eq!(rows(&app).await, before, "a replay writes nothing");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    assert_ledger_consistent(&app).await;
    expect_error(app.post_json("/api/admin/postback-log/999999/replay", json!({})).await, 404).await;
    expect_error(app.post_json("/api/admin/postback-log/nope/replay", json!({})).await, 404).await;
    let anonymous = app.client.post(app.url(&format!("/api/admin/postback-log/{}/replay", credited["id"]))).send().await.expect("POST");
    assert_eq!(anonymous.status(), 401);
});

on_both_backends!(replaying_reward_api_and_provider_calls_uses_todays_catalogs_and_writes_nothing, |app| {
    let reward = app.setup_reward().await;
    // Reward: a credited level, and one refused for a game registered since.
    assert_eq!(app.reward_postback(&reward.secret, seed_level(5)).await.status(), 200);
    let level = newest(&app, "").await;
    let later_game = json!({ "pid": SEED_PID, "uid": SEED_UID, "gid": "later_game", "level_number": 10 });
    assert_eq!(app.reward_postback(&reward.secret, later_game).await.status(), 400);
    let unknown_game = newest(&app, "").await;
    assert_eq!(app.post_json("/api/admin/reward-games", json!({ "id": "later_game", "name": "Later" })).await.status(), 201);

    // Conversions API: a recorded conversion, and one refused for a referral code added since.
    let program = app.setup_program().await;
    assert_eq!(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await.status(), 201);
    let recorded = newest(&app, "").await;
    let later_code = json!({ "referral_code": "later", "amount": "50", "external_id": "ORD-LATER" });
    assert_eq!(app.v1_post(&program.key, "/api/v1/conversions", later_code).await.status(), 422);
    let unknown_code = newest(&app, "").await;
    assert_eq!(app.add_handle(&program.id, "referral-codes", &program.publisher, "later").await.status(), 201);

    // Provider: a credited call, and one refused for a secret the provider has since been given.
    let provider = app.provider(json!({ "name": "Medioot", "preset": "medioot", "secret": "first-secret" })).await;
    let id = provider["id"].as_str().expect("id");
    assert!(app.provider_call(id, &medioot(SEED_UID, "P1", "8", "0.08", 1, "first-secret")).await.is(200, "OK"));
    let credited = app.provider_log(id).await[0].clone();
    assert!(app.provider_call(id, &medioot(SEED_UID, "P2", "6.5", "0.06", 1, "second-secret")).await.is(403, "invalid signature"));
    let bad_signature = app.provider_log(id).await[0].clone();
    let before = rows(&app).await;

    assert_eq!(outcome(&replay(&app, &credited).await), ("duplicate", &Value::Null));
    let refused_signature = replay(&app, &bad_signature).await;
    assert_eq!(outcome(&refused_signature), ("invalid_signature", &Value::Null));
    assert!(refused_signature["reason"].as_str().expect("reason").contains("different secret"), "{refused_signature}");
    // Today the provider signs with the second secret (the first stopped at once).
    assert_eq!(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "secret": "second-secret" })).await.status(), 200);
    assert_eq!(replay(&app, &credited).await["outcome"], "invalid_signature", "today's rules: the old secret no longer works");

    let user = format!("reward_user:{SEED_UID}");
    assert_eq!(outcome(&replay(&app, &level).await), ("duplicate", &Value::Null));
    assert_eq!(outcome(&replay(&app, &unknown_game).await), ("ok", &json!({ "account": user, "amount": 25 })));
    assert_eq!(outcome(&replay(&app, &recorded).await), ("duplicate", &Value::Null));
    let commission = json!({ "account": format!("publisher:{}", program.publisher), "amount": 500 });
    assert_eq!(outcome(&replay(&app, &unknown_code).await), ("ok", &commission));
    let now_signed = replay(&app, &bad_signature).await;
    assert_eq!(outcome(&now_signed), ("ok", &json!({ "account": user, "amount": 6 })), "{now_signed}");
    assert_eq!(now_signed["reason"], "credited 6 coins");
    assert_eq!(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "sandbox": true })).await.status(), 200);
    assert_eq!(outcome(&replay(&app, &bad_signature).await), ("sandbox", &Value::Null));

    assert_eq!(rows(&app).await, before, "a replay writes nothing");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 25 + 8);
    assert_ledger_consistent(&app).await;
});
