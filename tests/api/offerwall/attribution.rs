//! A postback carrying one of our click ids is attributed to the click (publisher, offer, s1,
//! s2, uid, wall), and the click-based quality rules hold suspicious ones with named reasons.

use serde_json::{json, Value};

use super::*;
use crate::on_both_backends;

struct Wall {
    wall: String,
    publisher: String,
}

/// An offer of `network_id` and a wall of a second publisher (not the seed's).
async fn offer_and_wall(app: &TestApp, network_id: &str) -> (String, Wall) {
    let offer = app
        .create_offer(json!({ "name": "Charlie", "payout_cents": 350, "network_id": network_id,
        "url_template": "http://adv.example/land?c={click_id}" }))
        .await;
    let publisher = app.create_publisher("Wall Owner").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    (offer, Wall { wall, publisher })
}

/// Clicks the wall's only card with `query` and returns the click id.
async fn click(app: &TestApp, wall: &Wall, query: &str) -> String {
    let link = app.click_link(&wall.wall, query).await;
    click_id_of(&app.click(&link).await)
}

/// A conversion time a minute from now (unix seconds): well past the minimum click time.
fn later() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64 + 60
}

async fn conversion(app: &TestApp, lead: &str) -> Value {
    app.conversions("limit=1000").await.into_iter().find(|c| c["lead_id"] == lead).expect("conversion")
}

fn reasons(c: &Value) -> Vec<String> {
    c["reasons"].as_array().expect("reasons").iter().map(|r| r.as_str().expect("reason").to_owned()).collect()
}

on_both_backends!(a_postback_with_our_click_id_is_attributed_to_the_click, |app| {
    let cpa = app.setup_cpa().await;
    let (offer, wall) = offer_and_wall(&app, &cpa.network_id).await;
    let click_id = click(&app, &wall, "s1=my+site&s2=home&uid=user-42&country=US").await;
    let query =
        format!("external_identifier={SEED_PUBLISHER}&amount=350&status=1&lead_id=L1&click_id={click_id}&country_code=US&unix={}", later());
    expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;

    let c = conversion(&app, "L1").await;
    assert_eq!(c["state"], "credited", "{c}");
    assert_eq!((c["s1"].as_str(), c["s2"].as_str(), c["uid"].as_str()), (Some("my site"), Some("home"), Some("user-42")));
    assert_eq!((c["offerwall_id"].as_str(), c["catalog_offer_id"].as_str()), (Some(wall.wall.as_str()), Some(offer.as_str())));
    assert_eq!(c["publisher_id"], wall.publisher.as_str(), "the click's wall's publisher is credited");
    assert_eq!(c["click_id"], click_id.as_str());
    assert_eq!(app.balance(&wall.publisher).await, 350);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
});

on_both_backends!(an_approval_after_a_pending_postback_is_attributed_and_checked_too, |app| {
    let cpa = app.setup_cpa().await;
    let (_, wall) = offer_and_wall(&app, &cpa.network_id).await;
    let click_id = click(&app, &wall, "s1=a&uid=u1&country=US").await;
    let base = format!("external_identifier={SEED_PUBLISHER}&amount=350&lead_id=L2&click_id={click_id}&country_code=DE&unix={}", later());
    expect_cpa(app.cpa(&cpa.key, &format!("{base}&status=3")).await, 200, "ok").await;
    assert_eq!(conversion(&app, "L2").await["state"], "pending");
    expect_cpa(app.cpa(&cpa.key, &format!("{base}&status=1")).await, 200, "ok").await;
    let c = conversion(&app, "L2").await;
    assert_eq!((c["state"].as_str(), reasons(&c)), (Some("held"), vec!["click_country_mismatch".to_string()]));
    assert_eq!((c["s1"].as_str(), c["uid"].as_str()), (Some("a"), Some("u1")));
});

on_both_backends!(each_click_rule_holds_with_a_named_reason, |app| {
    let cpa = app.setup_cpa().await;
    let (other_network, _) = app.create_network("Other Network").await;
    let (_, wall) = offer_and_wall(&app, &cpa.network_id).await;
    let foreign_offer = app
        .create_offer(json!({ "name": "Foreign", "payout_cents": 100, "network_id": other_network,
        "url_template": "http://other.example/?c={click_id}" }))
        .await;
    assert!(foreign_offer.starts_with("off_"));

    let ok = click(&app, &wall, "q=Charlie&country=US").await;
    let fast = click(&app, &wall, "q=Charlie&country=US").await;
    let elsewhere = click(&app, &wall, "q=Charlie&country=US").await;
    let foreign = click(&app, &wall, "q=Foreign&country=US").await;
    let base = format!("external_identifier={SEED_PUBLISHER}&amount=100&status=1");
    let t = later();
    let cases = [
        ("ok", format!("click_id={ok}&unix={t}&country_code=US"), vec![]),
        ("theirs", format!("click_id=network-own-123&unix={t}&country_code=US"), vec![]),
        ("unknown", format!("click_id=clk_0000000000000000&unix={t}&country_code=US"), vec!["unknown_click"]),
        ("foreign", format!("click_id={foreign}&unix={t}&country_code=US"), vec!["foreign_click"]),
        ("fast", format!("click_id={fast}&country_code=US"), vec!["click_too_fast"]),
        ("elsewhere", format!("click_id={elsewhere}&unix={t}&country_code=DE"), vec!["click_country_mismatch"]),
    ];
    for (lead, extra, expected) in cases {
        expect_cpa(app.cpa(&cpa.key, &format!("{base}&lead_id={lead}&{extra}")).await, 200, "ok").await;
        let c = conversion(&app, lead).await;
        assert_eq!(reasons(&c), expected, "{lead}: {c}");
        assert_eq!(c["state"], if expected.is_empty() { "credited" } else { "held" }, "{lead}");
    }
});

on_both_backends!(the_minimum_click_time_is_a_setting, settings(|s| s.thresholds.min_click_seconds = 0), |app| {
    let cpa = app.setup_cpa().await;
    let (_, wall) = offer_and_wall(&app, &cpa.network_id).await;
    let click_id = click(&app, &wall, "").await;
    expect_cpa(
        app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=100&lead_id=now&click_id={click_id}")).await,
        200,
        "ok",
    )
    .await;
    assert_eq!(conversion(&app, "now").await["state"], "credited");
});

on_both_backends!(the_attributed_click_feeds_the_outbound_postback, settings(|s| s.deliveries.allow_private_targets = true), |app| {
    let cpa = app.setup_cpa().await;
    let (_, wall) = offer_and_wall(&app, &cpa.network_id).await;
    // 1000 coins per USD, rounded down: 3.50 USD → 3500 coins.
    let rate = app
        .client
        .patch(app.url(&format!("/api/admin/offerwalls/{}", wall.wall)))
        .bearer_auth(&app.token)
        .json(&json!({ "exchange_rate": "1000" }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(rate.status(), 200);
    let receiver = crate::receiver::Receiver::start(200, "OK").await;
    let template = receiver.url("/cb?u={user_id}&s1={sub1}&s2={sub2}&r={reward}&p={payout}");
    let saved = app
        .client
        .put(app.url(&format!("/api/admin/publishers/{}/postback", wall.publisher)))
        .bearer_auth(&app.token)
        .json(&json!({ "url_template": template }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(saved.status(), 200);
    let click_id = click(&app, &wall, "s1=my+site&s2=home&uid=user-42&country=US").await;
    let query =
        format!("external_identifier={SEED_PUBLISHER}&amount=350&status=1&lead_id=L9&click_id={click_id}&country_code=US&unix={}", later());
    expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;
    let request = receiver.wait_for(1).await.remove(0);
    assert_eq!(request.param("u").as_deref(), Some("user-42"));
    assert_eq!(request.param("s1").as_deref(), Some("my site"));
    assert_eq!(request.param("s2").as_deref(), Some("home"));
    assert_eq!(request.param("r").as_deref(), Some("3500"));
    assert_eq!(request.param("p").as_deref(), Some("3.50"));
});
