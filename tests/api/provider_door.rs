//! `GET`/`POST /api/postback/in/{id}` (SPEC F): every preset driven by calls signed as the
//! provider would sign them (this suite's own md5/HMAC), `OK`, `DUP`, reversals, rounding, each
//! refusal, the signature debugger's findings in the log, and exactly-once under concurrency.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::provider_kit::*;

const SECRET: &str = "medioot-secret";
/// A well-formed reward user id nobody registered.
const STRANGER: &str = "0b0b0b0b-1111-2222-3333-444444444444";

/// The provider's conversion (there is one).
async fn only_conversion(app: &TestApp) -> Value {
    let items = app.conversions("source=provider").await;
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

on_both_backends!(a_medioot_call_credits_once_and_a_reversal_takes_back_exactly_that, |app| {
    let reward = app.setup_reward().await;
    let provider = app.provider(json!({ "name": "Medioot", "preset": "medioot", "secret": SECRET })).await;
    let id = provider["id"].as_str().expect("id");
    let mut feed = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");

    let credit = medioot(SEED_UID, "TX 1", "12.7", "0.35", 1, SECRET);
    let first = app.provider_call(id, &credit).await;
    assert!(first.is(200, "OK"), "{first:?}");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 12, "12.7 rounds down by default, committed before the answer");
    let again = app.provider_call(id, &credit).await;
    assert!(again.is(200, "DUP"), "{again:?}");
    let other_reward = app.provider_call(id, &medioot(SEED_UID, "TX 1", "50", "0.35", 1, SECRET)).await;
    assert!(other_reward.is(200, "DUP"), "the transaction id decides: {other_reward:?}");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 12, "a repeat credits nothing");

    // The reversal says 99: exactly what was credited is taken back, never more.
    let reversal = app.provider_call(id, &medioot(SEED_UID, "TX 1", "99", "0.35", 2, SECRET)).await;
    assert!(reversal.is(200, "OK"), "{reversal:?}");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 0);
    let second = app.provider_call(id, &medioot(SEED_UID, "TX 1", "12.7", "0.35", 2, SECRET)).await;
    assert!(second.is(200, "DUP"), "{second:?}");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 0);

    let conversion = only_conversion(&app).await;
    let cnv = conversion["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (
            conversion["state"].as_str(),
            conversion["amount_cents"].as_i64(),
            conversion["lead_id"].as_str(),
            conversion["offer_name"].as_str()
        ),
        (Some("reversed"), Some(35), Some("TX 1"), Some("Survey A"))
    );
    assert_eq!(conversion["uid"], SEED_UID);
    assert_eq!(ledger_postings(&app).await, vec![(format!("{cnv}:credit"), 12), (format!("{cnv}:reversal"), -12)]);
    assert_ledger_consistent(&app).await;
    assert_eq!(app.count("deliveries").await, 0, "a provider's conversion is never relayed");

    let log = app.provider_log(id).await;
    let outcomes: Vec<&str> = log.iter().map(|e| e["outcome"].as_str().expect("outcome")).collect();
    assert_eq!(outcomes, ["duplicate", "ok", "duplicate", "duplicate", "ok"]);
    assert!(log.iter().all(|e| e["conversion_id"] == cnv.as_str() && e["source"] == "provider" && e["http_status"] == 200), "{log:?}");
    assert_eq!(log[4]["reason"], "credited 12 coins");
    assert_eq!(log[1]["reason"], "reversed: 12 coins taken back");
    assert_eq!(log[4]["params"]["transid"], "TX 1");

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("\"kind\":\"updated\"") {
        let chunk = tokio::time::timeout_at(deadline, feed.chunk()).await.expect("events within 5 s").expect("chunk").expect("open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("\"kind\":\"created\"") && seen.contains(&cnv) && seen.contains("\"source\":\"provider\""), "{seen}");
});

on_both_backends!(
    a_taprain_call_is_an_hmac_of_the_url_and_its_reversal_carries_the_r_suffix,
    settings(|s| s.public_url = "https://tap.example".into()),
    |app| {
        let reward = app.setup_reward().await;
        let secret = "whsec_upstream";
        let provider = app.provider(json!({ "name": "Upstream", "preset": "taprain", "secret": secret })).await;
        let id = provider["id"].as_str().expect("id");
        let template = provider["postback_url"].as_str().expect("url");
        let values = |tx: &str, status: &str| {
            [
                ("user_id", SEED_UID),
                ("tx_id", tx),
                ("reward", "40"),
                ("payout", "0.50"),
                ("status", status),
                ("offer_id", "o1"),
                ("offer_name", "Big & Co"),
                ("ip", "203.0.113.1"),
                ("country_code", "US"),
            ]
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect::<Vec<_>>()
        };
        // Signed for the public URL the provider was given (the request reaches a local address).
        let unsigned = fill(template, &values("cnv_A", "1").iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        let query = |url: &str| url.split_once('?').expect("query").1.to_owned();
        let signed = format!("{}&hash={}", query(&unsigned), hmac_hex(secret, &unsigned));
        assert!(app.provider_call(id, &signed).await.is(200, "OK"));
        assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 40);
        assert!(app.provider_call(id, &signed).await.is(200, "DUP"));

        // The reversal as a TapRain sends it: tx_id `<conversion id>-r`, signed for the URL the
        // request actually reached.
        let local = template.replace("https://tap.example", &app.url(""));
        let reversal = fill(&local, &values("cnv_A-r", "2").iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        let signed_reversal = format!("{}&hash={}", query(&reversal), hmac_hex(secret, &reversal));
        let answer = app.provider_call(id, &signed_reversal).await;
        assert!(answer.is(200, "OK"), "{answer:?}");
        assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 0);
        assert!(app.provider_call(id, &signed_reversal).await.is(200, "DUP"));
        let tampered = app.provider_call(id, &signed.replace("reward=40", "reward=400")).await;
        assert!(tampered.is(403, "invalid signature"), "{tampered:?}");
        let conversion = only_conversion(&app).await;
        assert_eq!((conversion["state"].as_str(), conversion["country_code"].as_str()), (Some("reversed"), Some("US")));
        assert_ledger_consistent(&app).await;
    }
);

on_both_backends!(custom_providers_and_every_rounding_mode, |app| {
    let reward = app.setup_reward().await;
    let md5_order = app
        .provider(json!({ "name": "Custom md5", "preset": "custom", "secret": "k3y", "rounding": "nearest",
            "custom": { "user": "uid", "transaction": "tx", "reward": "amt", "payout": "usd", "status": "st",
                        "status_credit": "approved", "status_reversal": "chargeback", "signature": "sig", "recipe": "md5",
                        "md5_order": ["transaction", "user", "reward", "secret"] } }))
        .await;
    let id = md5_order["id"].as_str().expect("id");
    let signed = |tx: &str, amt: &str, st: &str| {
        format!("uid={SEED_UID}&tx={tx}&amt={amt}&usd=1.25&st={st}&sig={}", md5_hex(&format!("{tx}{SEED_UID}{amt}k3y")))
    };
    assert!(app.provider_call(id, &signed("c1", "2.5", "approved")).await.is(200, "OK"));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 3, "nearest: 2.5 → 3");
    assert!(app.provider_call(id, &signed("c2", "2.49", "approved")).await.is(200, "OK"));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 5, "nearest: 2.49 → 2");
    assert!(app.provider_call(id, &signed("c2", "2.49", "chargeback")).await.is(200, "OK"));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 3);
    let status = app.provider_call(id, &signed("c3", "1", "2")).await;
    assert!(status.is(400, "st: must be approved or chargeback"), "{status:?}");

    let unsigned = app
        .provider(json!({ "name": "IP only", "preset": "custom", "rounding": "up",
            "custom": { "user": "u", "transaction": "t", "reward": "r" } }))
        .await;
    let unsigned = unsigned["id"].as_str().expect("id");
    assert!(app.provider_form(unsigned, &format!("u={SEED_UID}&t=9&r=1.2")).await.is(200, "OK"), "a form body works too");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 5, "up: 1.2 → 2");
    assert!(app.provider_call(unsigned, &format!("u={SEED_UID}&t=9&r=1.2")).await.is(200, "DUP"));

    // HMAC-SHA256 of the URL without the signature, wherever the signature sits.
    let hmac = app
        .provider(json!({ "name": "Custom hmac", "preset": "custom", "secret": "h-key",
            "custom": { "user": "player", "transaction": "txn", "reward": "coins", "signature": "sig", "recipe": "hmac-sha256" } }))
        .await;
    let hmac = hmac["id"].as_str().expect("id");
    let url = app.url(&format!("/api/postback/in/{hmac}?player={SEED_UID}&txn=h1&coins=4"));
    let query = format!("sig={}&player={SEED_UID}&txn=h1&coins=4", hmac_hex("h-key", &url));
    assert!(app.provider_call(hmac, &query).await.is(200, "OK"));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 9);
    assert!(app.provider_call(hmac, &query.replace("coins=4", "coins=40")).await.is(403, "invalid signature"));

    let down = app.provider(json!({ "name": "Default", "preset": "medioot", "secret": SECRET })).await;
    let down = down["id"].as_str().expect("id");
    assert!(app.provider_call(down, &medioot(SEED_UID, "d1", "0.99", "0.01", 1, SECRET)).await.is(200, "OK"));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 9, "down: 0.99 → 0 coins, still recorded");
    assert_eq!(app.conversions("source=provider").await.len(), 5);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(each_refusal_has_its_status_and_the_log_explains_a_bad_signature, |app| {
    let reward = app.setup_reward().await;
    let provider = app.provider(json!({ "name": "Medioot", "preset": "medioot", "secret": SECRET })).await;
    let id = provider["id"].as_str().expect("id").to_owned();

    let unknown = app.provider_call("prv_missing", &medioot(SEED_UID, "T", "1", "1", 1, SECRET)).await;
    assert!(unknown.is(404, "unknown provider"), "{unknown:?}");
    let stranger = app.provider_call(&id, &medioot(STRANGER, "T", "1", "1", 1, SECRET)).await;
    assert!(stranger.is(404, "unknown user"), "{stranger:?}");
    let missing = app.provider_call(&id, &medioot(SEED_UID, "T", "1", "1", 1, SECRET).replace("&payout=1", "")).await;
    assert!(missing.is(400, "payout: is missing"), "{missing:?}");
    let malformed = app.provider_call(&id, &medioot(SEED_UID, "T", "ten", "1", 1, SECRET)).await;
    assert!(malformed.status == 400 && malformed.body.starts_with("reward: "), "{malformed:?}");
    let not_a_user = app.provider_call(&id, &medioot("bob", "T", "1", "1", 1, SECRET)).await;
    assert!(not_a_user.status == 400 && not_a_user.body.starts_with("subid: "), "{not_a_user:?}");

    // A wrong secret and a reordered field: 403, and the log keeps what the debugger finds.
    let wrong = medioot(SEED_UID, "T 1", "5", "1", 1, "not-the-secret");
    assert!(app.provider_call(&id, &wrong).await.is(403, "invalid signature"));
    let reordered_sig = md5_hex(&format!("T 1{SEED_UID}5{SECRET}"));
    let reordered = format!("subid={SEED_UID}&transid=T+1&reward=5&payout=1&status=1&signature={reordered_sig}");
    assert!(app.provider_call(&id, &reordered).await.is(403, "invalid signature"));
    let log = app.provider_log(&id).await;
    let (order, secret) = (&log[0], &log[1]);
    assert_eq!((secret["outcome"].as_str(), secret["http_status"].as_i64()), (Some("invalid_signature"), Some(403)));
    let found = &secret["details"]["signature"];
    assert_eq!(found["recipe"], "md5(subid + transid + reward + secret)");
    assert_eq!(found["canonical"], format!("{SEED_UID}T 15********"));
    assert_eq!(found["expected"], md5_hex(&format!("{SEED_UID}T 15{SECRET}")));
    assert_eq!(found["received"], md5_hex(&format!("{SEED_UID}T 15not-the-secret")));
    assert_eq!((found["differs"].as_str(), found["matches"].as_bool()), (Some("secret"), Some(false)));
    assert_eq!(order["details"]["signature"]["differs"], "order");
    assert_eq!(
        order["details"]["signature"]["explanation"],
        "The provider concatenated transid + subid + reward + secret; this provider expects subid + transid + reward + secret."
    );
    assert_eq!(order["details"]["signature"]["received"], reordered_sig);
    let text = serde_json::to_string(&log).expect("json");
    assert!(!text.contains(SECRET), "the secret is never logged");

    // An address the provider has not approved: 403, queued for one-click approval, logged
    // without what it sent.
    let fenced =
        expect_created(app.post_json("/api/admin/providers", json!({ "name": "Fenced", "preset": "medioot", "secret": SECRET })).await)
            .await;
    let fenced = fenced["id"].as_str().expect("id");
    assert_eq!(app.post_json(&format!("/api/admin/providers/{fenced}/ips"), json!({ "ip": "203.0.113.0/24" })).await.status(), 201);
    let refused = app.provider_call(fenced, &medioot(SEED_UID, "F", "1", "1", 1, SECRET)).await;
    assert!(refused.is(403, "source IP not approved"), "{refused:?}");
    let queue: Value = app.get(&format!("/api/admin/providers/{fenced}/refused-ips")).await.json().await.expect("json");
    assert_eq!((queue["items"][0]["ip"].as_str(), queue["items"][0]["count"].as_i64()), (Some("127.0.0.1"), Some(1)));
    let fenced_log = app.provider_log(fenced).await;
    assert_eq!((fenced_log[0]["outcome"].as_str(), &fenced_log[0]["params"]), (Some("forbidden"), &json!({})));
    assert_eq!(app.post_json(&format!("/api/admin/providers/{fenced}/refused-ips/127.0.0.1/approve"), json!({})).await.status(), 201);
    assert!(app.provider_call(fenced, &medioot(SEED_UID, "F", "1", "1", 1, SECRET)).await.is(200, "OK"), "approved at once");

    // A deactivated provider is answered like an unknown one.
    assert_eq!(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "active": false })).await.status(), 200);
    assert!(app.provider_call(&id, &medioot(SEED_UID, "T 2", "5", "1", 1, SECRET)).await.is(404, "unknown provider"));

    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 1, "only the approved call credited");
    assert_eq!(app.conversions("source=provider").await.len(), 1);
});

on_both_backends!(thirty_two_concurrent_identical_calls_credit_once, |app| {
    let reward = app.setup_reward().await;
    let provider = app.provider(json!({ "name": "Medioot", "preset": "medioot", "secret": SECRET })).await;
    let id = provider["id"].as_str().expect("id");
    let call = medioot(SEED_UID, "race", "7", "0.07", 1, SECRET);
    let answers = futures::future::join_all((0..32).map(|_| app.provider_call(id, &call))).await;
    let ok = answers.iter().filter(|a| a.is(200, "OK")).count();
    let dup = answers.iter().filter(|a| a.is(200, "DUP")).count();
    assert_eq!((ok, dup), (1, 31), "{answers:?}");
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 7);
    assert_eq!(ledger_postings(&app).await.len(), 1);
    assert_eq!(app.conversions("source=provider").await.len(), 1);
    assert_eq!(app.provider_log(id).await.len(), 32, "every call is logged");
    assert_ledger_consistent(&app).await;
});
