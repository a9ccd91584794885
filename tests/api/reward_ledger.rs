//! Level postbacks credit coins exactly once, through the ledger, and show up as `reward`
//! conversions in the admin listings and the live feed.

use app::server::ledger;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

async fn assert_ledger_consistent(app: &TestApp) {
    let (_, mismatches) = ledger::verify(&mut app.db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty(), "{mismatches:?}");
}

async fn ledger_entries(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT account, delta FROM ledger_entries ORDER BY id").fetch_all(app.db.pool()).await.expect("entries")
}

on_both_backends!(forty_eight_concurrent_identical_milestones_award_once, |app| {
    let reward = app.setup_reward().await;
    let calls = (0..48).map(|_| app.reward_postback(&reward.secret, seed_level(10)));
    let responses = futures::future::join_all(calls).await;
    let mut awarded = 0;
    let mut duplicates = 0;
    for response in responses {
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.expect("json");
        if answer["awarded"] == true {
            awarded += 1;
            assert_eq!(answer["user"]["coins"], 25);
        } else {
            assert_eq!(answer["duplicate"], true);
            duplicates += 1;
        }
    }
    assert_eq!((awarded, duplicates), (1, 47));
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 25);
    assert_eq!(ledger_entries(&app).await, vec![(format!("reward_user:{SEED_UID}"), 25)]);
    assert_eq!(app.conversions("source=reward").await.len(), 1);
    let log: Value = app.get("/api/admin/postback-log?outcome=duplicate&limit=1000").await.json().await.expect("json");
    assert_eq!(log["items"].as_array().expect("items").len(), 47);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(concurrent_distinct_levels_all_count, |app| {
    let reward = app.setup_reward().await;
    // Levels 1..=60 at once, twice each: 12 milestones, 6 in 1–30 (25) and 6 in 31–60 (15).
    let calls = (1..=60).chain(1..=60).map(|level| app.reward_postback(&reward.secret, seed_level(level)));
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 6 * 25 + 6 * 15);
    assert_eq!(app.conversions("source=reward&limit=1000").await.len(), 60);
    assert_eq!(app.conversions("source=reward&status=credited&limit=1000").await.len(), 12);
    // The reward app's cursors are 1..=60 without gaps or repeats.
    let page: Value =
        app.reward_get(&reward.secret, &format!("/api/reward/users/{SEED_UID}/postbacks?limit=500")).await.json().await.expect("json");
    let cursors: Vec<i64> = page["items"].as_array().expect("items").iter().map(|p| p["cursor"].as_i64().expect("cursor")).collect();
    assert_eq!(cursors, (1..=60).collect::<Vec<_>>());
    let coins: i64 = page["items"].as_array().expect("items").iter().map(|p| p["coinDelta"].as_i64().expect("delta")).sum();
    assert_eq!(coins, 6 * 25 + 6 * 15);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(level_postbacks_are_reward_conversions_in_listings_and_the_feed, |app| {
    let reward = app.setup_reward().await;
    let mut events = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");
    assert_eq!(events.status(), 200);
    assert_eq!(app.reward_postback(&reward.secret, seed_level(10)).await.status(), 200);
    assert_eq!(app.reward_postback(&reward.secret, seed_level(11)).await.status(), 200);

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !(seen.contains("level 10") && seen.contains("level 11")) {
        let chunk =
            tokio::time::timeout_at(deadline, events.chunk()).await.expect("events within 5 s").expect("chunk").expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("\"kind\":\"created\"") && seen.contains("\"source\":\"reward\""), "{seen}");

    let items = app.conversions("source=reward").await;
    assert_eq!(items.len(), 2);
    let (eleven, ten) = (&items[0], &items[1]);
    assert_eq!(ten["source"], "reward");
    assert_eq!(ten["state"], "credited");
    assert_eq!(ten["amount_cents"], 0);
    assert_eq!(ten["lead_id"], SEED_UID);
    assert_eq!(ten["offer_id"], SEED_GID);
    assert_eq!(ten["offer_name"], "My Game");
    assert_eq!(ten["network_status"], "level 10");
    assert_eq!(ten["status"], "credited");
    assert_eq!(eleven["state"], "pending");
    assert!(app.conversions("source=cpa").await.is_empty());

    let details: Value = app.get(&format!("/api/admin/conversions/{}", ten["id"].as_str().expect("id"))).await.json().await.expect("json");
    let log = details["postbacks"].as_array().expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["source"].clone(), log[0]["outcome"].clone()), (json!("reward"), json!("ok")));
    assert_eq!(log[0]["params"]["level_number"], 10);
    assert!(!details.to_string().contains(&reward.secret));

    // The admin sees the user's coins too; the ledger agrees with them.
    let user: Value = app.get(&format!("/api/admin/reward-users/{SEED_UID}")).await.json().await.expect("json");
    assert_eq!(user["coins"], 25);
    let users: Value = app.get("/api/admin/reward-users").await.json().await.expect("json");
    assert_eq!(users["items"][0]["coins"], 25);
    expect_error(app.get("/api/admin/reward-users/not-a-uuid").await, 404).await;
    assert_ledger_consistent(&app).await;
});

on_both_backends!(the_same_level_in_another_game_or_for_another_user_counts, |app| {
    let reward = app.setup_reward().await;
    assert_eq!(app.post_json("/api/admin/reward-games", json!({ "id": "other_game", "name": "Other" })).await.status(), 201);
    let other_user: Value = app
        .reward_post(&reward.secret, "/api/reward/users", json!({ "appId": "app-1", "deviceId": "device-2" }))
        .await
        .json()
        .await
        .expect("json");
    let other_uid = other_user["id"].as_str().expect("id");
    assert_eq!(app.reward_postback(&reward.secret, seed_level(5)).await.status(), 200);
    let other_game = json!({ "pid": SEED_PID, "uid": SEED_UID, "gid": "other_game", "level_number": 5 });
    assert_eq!(app.reward_postback(&reward.secret, other_game).await.json::<Value>().await.expect("json")["awarded"], true);
    let other = json!({ "pid": SEED_PID, "uid": other_uid, "gid": SEED_GID, "level_number": 5 });
    assert_eq!(app.reward_postback(&reward.secret, other).await.json::<Value>().await.expect("json")["awarded"], true);
    // Another pid does not make the same user, game and level new.
    assert_eq!(app.post_json("/api/admin/store-apps", json!({ "pid": "other_app", "name": "Other" })).await.status(), 201);
    let other_pid = json!({ "pid": "other_app", "uid": SEED_UID, "gid": SEED_GID, "level_number": 5 });
    assert_eq!(app.reward_postback(&reward.secret, other_pid).await.json::<Value>().await.expect("json")["duplicate"], true);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 50);
    assert_eq!(app.reward_coins(&reward.secret, other_uid).await, 25);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(an_admin_reversal_takes_the_coins_back, |app| {
    let reward = app.setup_reward().await;
    assert_eq!(app.reward_postback(&reward.secret, seed_level(10)).await.status(), 200);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 25);
    let id = app.conversions("source=reward").await[0]["id"].as_str().expect("id").to_owned();
    let reversed =
        app.client.post(app.url(&format!("/api/admin/conversions/{id}/reverse"))).bearer_auth(&app.token).send().await.expect("reverse");
    assert_eq!(reversed.status(), 200);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 0);
    assert_eq!(ledger_entries(&app).await, vec![(format!("reward_user:{SEED_UID}"), 25), (format!("reward_user:{SEED_UID}"), -25)]);
    assert_ledger_consistent(&app).await;
});
