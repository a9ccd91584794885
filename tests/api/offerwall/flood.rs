//! A click flood (browser user agent, 32 connections) while CPA postbacks run: clicks and
//! postbacks share the single writer, so neither meets a locked database.

use serde_json::json;

use super::*;
use crate::on_both_backends;

on_both_backends!(a_click_flood_does_not_lock_out_postbacks, |app| {
    let setup = app.setup_cpa().await;
    app.create_offer(json!({ "name": "Flood", "payout_cents": 200, "url_template": "http://adv.example/?c={click_id}" })).await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.url(&app.click_link(&wall, "s1=flood").await);

    let mut clickers = Vec::new();
    for _ in 0..32 {
        let (client, link) = (app.client.clone(), link.clone());
        clickers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..40 {
                let response = client.get(&link).header("user-agent", DESKTOP_UA).send().await.expect("click");
                statuses.push(response.status().as_u16());
            }
            statuses
        }));
    }
    let mut senders = Vec::new();
    for worker in 0..8 {
        let (client, url) = (app.client.clone(), app.url("/api/postback/cpa"));
        let key = setup.key.clone();
        senders.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..50 {
                let query = format!("key={key}&external_identifier={SEED_PUBLISHER}&amount=5&lead_id=flood-{worker}-{n}");
                statuses.push(client.get(format!("{url}?{query}")).send().await.expect("postback").status().as_u16());
            }
            statuses
        }));
    }
    for clicker in clickers {
        assert!(clicker.await.expect("task").iter().all(|s| *s == 302), "every click redirected");
    }
    for sender in senders {
        assert!(sender.await.expect("task").iter().all(|s| *s == 200), "every postback answered 200");
    }
    let (clicks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM clicks").fetch_one(app.db.pool()).await.expect("clicks");
    assert_eq!(clicks, 32 * 40);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 8 * 50 * 5);
});
