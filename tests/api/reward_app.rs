//! The reward app's API: register users, read them with coins, and page through their
//! postbacks by cursor to apply coins locally and resume.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(users_are_registered_and_read_with_coins, |app| {
    let (_, secret) = app.create_reward_secret().await;
    let created = app.reward_post(&secret, "/api/reward/users", json!({ "appId": "com.example.rewards", "deviceId": "dev-1" })).await;
    assert_eq!(created.status(), 201);
    let user: Value = created.json().await.expect("json");
    let id = user["id"].as_str().expect("id").to_owned();
    let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(
        (user["coins"].clone(), user["appId"].clone(), user["deviceId"].clone()),
        (json!(0), json!("com.example.rewards"), json!("dev-1"))
    );

    let read: Value = app.reward_get(&secret, &format!("/api/reward/users/{id}")).await.json().await.expect("json");
    assert_eq!(read, user);
    let by_header = app.client.get(app.url(&format!("/api/reward/users/{id}"))).header("X-Reward-Api-Secret", &secret).send().await;
    assert_eq!(by_header.expect("send").status(), 200);

    // snake_case aliases, and importing a user with a known id.
    let imported = app.reward_post(&secret, "/api/reward/users", json!({ "app_id": "a", "device_id": "d", "id": SEED_UID })).await;
    assert_eq!(imported.status(), 201);
    assert_eq!(imported.json::<Value>().await.expect("json")["id"], SEED_UID);
    expect_error(app.reward_post(&secret, "/api/reward/users", json!({ "appId": "a", "deviceId": "d", "id": SEED_UID })).await, 409).await;

    // Errors: auth first, then the body, then the fields.
    let anonymous = app.client.post(app.url("/api/reward/users")).json(&json!({ "appId": "a", "deviceId": "d" })).send().await;
    expect_error(anonymous.expect("send"), 401).await;
    expect_error(app.reward_post("rws_wrong", "/api/reward/users", json!({ "appId": "a", "deviceId": "d" })).await, 401).await;
    expect_error(app.reward_post(&app.token, "/api/reward/users", json!({ "appId": "a", "deviceId": "d" })).await, 401).await;
    expect_error(app.reward_get("rws_wrong", &format!("/api/reward/users/{id}")).await, 401).await;
    let broken = app
        .client
        .post(app.url("/api/reward/users"))
        .bearer_auth(&secret)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await;
    expect_error(broken.expect("send"), 400).await;
    for (body, field) in [
        (json!({ "deviceId": "d" }), "appId"),
        (json!({ "appId": "a" }), "deviceId"),
        (json!({ "appId": "", "deviceId": "d" }), "appId"),
        (json!({ "appId": "a", "deviceId": "d\u{0}" }), "deviceId"),
        (json!({ "appId": "a".repeat(129), "deviceId": "d" }), "appId"),
        (json!({ "appId": "a", "deviceId": "d", "id": "not-a-uuid" }), "id"),
        (json!({ "appId": 5, "deviceId": "d" }), "appId"),
    ] {
        let message = expect_error(app.reward_post(&secret, "/api/reward/users", body.clone()).await, 422).await;
        assert!(message.contains(field), "{body}: {message}");
    }
    let hostile =
        app.reward_post(&secret, "/api/reward/users", json!({ "appId": "<script>x</script>", "deviceId": "x".repeat(9000) })).await;
    assert_eq!(hostile.status(), 422);
    for path in ["not-a-uuid", "ffffffff-ffff-4fff-8fff-ffffffffffff", "%3Cscript%3E", "ffffffff-ffff-4fff-8fff-ffffffffffff/postbacks"] {
        expect_error(app.reward_get(&secret, &format!("/api/reward/users/{path}")).await, 404).await;
    }
});

on_both_backends!(postbacks_are_paged_by_cursor_to_resume, |app| {
    let reward = app.setup_reward().await;
    for level in 1..=12 {
        assert_eq!(app.reward_postback(&reward.secret, seed_level(level)).await.status(), 200);
    }
    let path = |query: &str| format!("/api/reward/users/{SEED_UID}/postbacks{query}");

    // The app applies pages of 5 and resumes from `next` until it is null.
    let mut after: Option<i64> = None;
    let mut levels = Vec::new();
    let mut coins = 0;
    let mut pages = 0;
    loop {
        let query = match after {
            Some(cursor) => format!("?after={cursor}&limit=5"),
            None => "?limit=5".to_owned(),
        };
        let page: Value = app.reward_get(&reward.secret, &path(&query)).await.json().await.expect("json");
        pages += 1;
        for item in page["items"].as_array().expect("items") {
            levels.push(item["level_number"].as_i64().expect("level"));
            coins += item["coinDelta"].as_i64().expect("delta");
            assert_eq!(item["gid"], SEED_GID);
            assert_eq!(item["pid"], SEED_PID);
            assert_eq!(item["awarded"], item["level_number"].as_i64().expect("level") % 5 == 0);
            assert!(item["created_at"].as_i64().expect("created_at") > 0);
        }
        match page["next"].as_i64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(levels, (1..=12).collect::<Vec<_>>());
    assert_eq!(coins, 50);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, coins);

    // Resuming after the last applied cursor returns only what is new.
    let all: Value = app.reward_get(&reward.secret, &path("")).await.json().await.expect("json");
    let last = all["items"].as_array().expect("items").last().expect("item")["cursor"].as_i64().expect("cursor");
    assert!(all["next"].is_null());
    let empty: Value = app.reward_get(&reward.secret, &path(&format!("?after={last}"))).await.json().await.expect("json");
    assert_eq!(empty, json!({ "items": [], "next": null }));
    assert_eq!(app.reward_postback(&reward.secret, seed_level(15)).await.status(), 200);
    let fresh: Value = app.reward_get(&reward.secret, &path(&format!("?after={last}"))).await.json().await.expect("json");
    assert_eq!(fresh["items"].as_array().expect("items").len(), 1);
    assert_eq!((fresh["items"][0]["level_number"].clone(), fresh["items"][0]["coinDelta"].clone()), (json!(15), json!(25)));

    for bad in ["?after=abc", "?after=-1", "?limit=x", "?after=99999999999999999999"] {
        expect_error(app.reward_get(&reward.secret, &path(bad)).await, 400).await;
    }
    expect_error(app.reward_get("rws_wrong", &path("")).await, 401).await;
});
