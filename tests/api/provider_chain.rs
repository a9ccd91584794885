//! TapRain feeding TapRain (SPEC F, `taprain` preset): one instance's outbound postback — its
//! delivery worker, its HMAC `hash` — credits a reward user on a second instance, and its
//! reversal takes exactly that back.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::offerwall::click_id_of;
use crate::on_both_backends;

/// Waits (10 s at most) until the downstream user's coins satisfy `done`; returns them.
async fn coins_when(app: &TestApp, secret: &str, done: impl Fn(i64) -> bool) -> i64 {
    for _ in 0..200 {
        let coins = app.reward_coins(secret, SEED_UID).await;
        if done(coins) {
            return coins;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the downstream coins never settled: {}", app.reward_coins(secret, SEED_UID).await);
}

on_both_backends!(one_taprains_outbound_postback_credits_a_user_on_another, settings(allow_private), |upstream| {
    // The downstream instance: its own server and database, on the same kind of database.
    let backend = if upstream.database_url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
    let downstream = try_spawn(backend, |_| {}).await.expect("downstream instance");
    let reward = downstream.setup_reward().await;
    let provider = downstream.provider(json!({ "name": "Upstream TapRain", "preset": "taprain", "secret": "set-below" })).await;
    let provider_id = provider["id"].as_str().expect("id");
    let public = provider["postback_url"].as_str().expect("url").split("/api/").next().expect("base").to_owned();
    let postback_url = provider["postback_url"].as_str().expect("url").replace(&public, &downstream.url(""));

    // Upstream: the downstream provider's URL is its publisher's postback URL, and the
    // publisher's signing secret is the provider's secret.
    let cpa = upstream.setup_cpa().await;
    let secret = upstream.set_postback(SEED_PUBLISHER, json!({ "url_template": postback_url, "signature": "hmac-sha256" })).await;
    assert_eq!(downstream.patch_json(&format!("/api/admin/providers/{provider_id}"), json!({ "secret": secret })).await.status(), 200);
    upstream
        .create_offer(json!({ "name": "Charlie", "payout_cents": 350, "network_id": cpa.network_id, "url_template": "http://adv.example/land?c={click_id}" }))
        .await;
    let wall = upstream.create_wall(SEED_PUBLISHER, json!({})).await["id"].as_str().expect("wall").to_owned();

    // A downstream user clicks the upstream wall (uid = their downstream id); the network converts.
    let click_id = click_id_of(&upstream.click(&upstream.click_link(&wall, &format!("uid={SEED_UID}")).await).await);
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() + 60;
    let query = format!("external_identifier={SEED_PUBLISHER}&amount=350&status=1&lead_id=L1&click_id={click_id}&unix={unix}");
    expect_cpa(upstream.cpa(&cpa.key, &query).await, 200, "ok").await;
    let conversion = upstream.conversions("").await[0].clone();
    assert_eq!((conversion["state"].as_str(), conversion["uid"].as_str()), (Some("credited"), Some(SEED_UID)), "{conversion}");

    let coins = coins_when(&downstream, &reward.secret, |c| c > 0).await;
    let log = downstream.provider_log(provider_id).await;
    let call = &log[0];
    assert_eq!((call["outcome"].as_str(), call["params"]["tx_id"].as_str()), (Some("ok"), conversion["id"].as_str()), "{call}");
    let sent: f64 = call["params"]["reward"].as_str().expect("reward").parse().expect("number");
    assert_eq!(coins, sent.floor() as i64, "the reward sent, rounded down");
    let credited = downstream.conversions("source=provider").await;
    assert_eq!((credited[0]["amount_cents"].as_i64(), credited[0]["state"].as_str()), (Some(350), Some("credited")));

    // Upstream reverses: the reversal (`<id>-r`, status 2) takes exactly that back downstream.
    let id = conversion["id"].as_str().expect("id");
    assert_eq!(upstream.post_json(&format!("/api/admin/conversions/{id}/reverse"), json!({})).await.status(), 200);
    assert_eq!(coins_when(&downstream, &reward.secret, |c| c == 0).await, 0);
    let reversed = downstream.conversions("source=provider").await;
    assert_eq!((reversed.len(), reversed[0]["state"].as_str()), (1, Some("reversed")));
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let deliveries: Value =
            upstream.get(&format!("/api/admin/deliveries?publisher={SEED_PUBLISHER}")).await.json().await.expect("json");
        statuses = deliveries["items"].as_array().expect("items").iter().map(|d| d["status"].as_str().unwrap_or("").to_owned()).collect();
        if statuses == ["delivered", "delivered"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(statuses, ["delivered", "delivered"], "the downstream answered OK to both");
    assert_ledger_consistent(&downstream).await;
    assert_ledger_consistent(&upstream).await;
});
