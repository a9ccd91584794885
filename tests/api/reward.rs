//! `POST /api/postback` (seed 003): the documented request and responses, aliases, both auth
//! headers, every error status in the documented order, and the legacy 308 paths.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

async fn body(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    response.json().await.expect("json body")
}

on_both_backends!(the_seed_request_and_both_documented_responses, |app| {
    let reward = app.setup_reward().await;
    // Four earlier milestones (15, 20, 25, 30: 25 coins each) give the seed's 125 after level 10.
    for level in [15, 20, 25, 30] {
        assert_eq!(app.reward_postback(&reward.secret, seed_level(level)).await.status(), 200);
    }
    let milestone = body(app.reward_postback(&reward.secret, seed_level(10)).await, 200).await;
    assert_eq!(
        milestone,
        json!({
            "ok": true,
            "awarded": true,
            "milestone": true,
            "pid": "cashgiraffe",
            "gid": "my_game",
            "game_id": "my_game",
            "level_number": 10,
            "coinDelta": 25,
            "user": { "id": SEED_UID, "coins": 125, "appId": "app-1", "deviceId": "device-1" }
        })
    );

    let duplicate = body(app.reward_postback(&reward.secret, seed_level(10)).await, 200).await;
    assert_eq!(
        duplicate,
        json!({
            "ok": true,
            "awarded": false,
            "duplicate": true,
            "pid": "cashgiraffe",
            "gid": "my_game",
            "level_number": 10,
            "message": "Duplicate postback for this user, game, and level"
        })
    );
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 125, "a duplicate credits nothing");
});

on_both_backends!(non_milestone_levels_are_stored_without_coins, |app| {
    let reward = app.setup_reward().await;
    let stored = body(app.reward_postback(&reward.secret, seed_level(7)).await, 200).await;
    assert_eq!(
        stored,
        json!({
            "ok": true,
            "awarded": false,
            "milestone": false,
            "pid": "cashgiraffe",
            "gid": "my_game",
            "game_id": "my_game",
            "level_number": 7,
            "coinDelta": 0,
            "user": { "id": SEED_UID, "coins": 0, "appId": "app-1", "deviceId": "device-1" }
        })
    );
    // Stored: a repeat is a duplicate, and the reward app sees it.
    assert_eq!(body(app.reward_postback(&reward.secret, seed_level(7)).await, 200).await["duplicate"], true);
    let page = body(app.reward_get(&reward.secret, &format!("/api/reward/users/{SEED_UID}/postbacks")).await, 200).await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    assert_eq!(page["items"][0]["awarded"], false);
    assert_eq!(page["items"][0]["coinDelta"], 0);

    // The coin table by range, on milestones.
    for (level, coins) in [(35, 15), (75, 10), (95, 5), (105, 2), (135, 1), (100, 5), (130, 2), (70, 15), (90, 10)] {
        let answer = body(app.reward_postback(&reward.secret, seed_level(level)).await, 200).await;
        assert_eq!(answer["coinDelta"], coins, "level {level}");
    }
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 15 + 10 + 5 + 2 + 1 + 5 + 2 + 15 + 10);
});

on_both_backends!(every_alias_and_both_auth_headers, |app| {
    let reward = app.setup_reward().await;
    let mut level = 0;
    for uid in ["uid", "userId", "user_id"] {
        for gid in ["gid", "game_id", "gameId"] {
            for level_name in ["level_number", "level"] {
                level += 5;
                let mut request = serde_json::Map::new();
                request.insert("pid".into(), json!(SEED_PID));
                request.insert(uid.into(), json!(SEED_UID));
                request.insert(gid.into(), json!(SEED_GID));
                request.insert(level_name.into(), json!(level));
                let answer = body(app.reward_postback(&reward.secret, Value::Object(request)).await, 200).await;
                assert_eq!(
                    (answer["awarded"].clone(), answer["level_number"].clone()),
                    (json!(true), json!(level)),
                    "{uid} {gid} {level_name}"
                );
                assert_eq!(answer["gid"], SEED_GID);
            }
        }
    }
    let with_header = app
        .client
        .post(app.url("/api/postback"))
        .header("X-Reward-Api-Secret", &reward.secret)
        .json(&json!({ "pid": SEED_PID, "uid": SEED_UID, "gid": SEED_GID, "level_number": 500, "reason": "boss beaten" }))
        .send()
        .await
        .expect("send");
    assert_eq!(body(with_header, 200).await["coinDelta"], 1);
    let page = body(app.reward_get(&reward.secret, &format!("/api/reward/users/{SEED_UID}/postbacks?limit=500")).await, 200).await;
    let last = page["items"].as_array().expect("items").last().expect("one").clone();
    assert_eq!((last["level_number"].clone(), last["reason"].clone()), (json!(500), json!("boss beaten")));
    // The uid is matched case-insensitively (UUIDs are stored lowercase).
    let upper = json!({ "pid": SEED_PID, "uid": SEED_UID.to_uppercase(), "gid": SEED_GID, "level_number": 501 });
    assert_eq!(body(app.reward_postback(&reward.secret, upper).await, 200).await["user"]["id"], SEED_UID);
});

on_both_backends!(every_documented_error_status_in_order, |app| {
    let reward = app.setup_reward().await;
    let post_raw = |auth: Option<(&'static str, String)>, raw: &'static str| {
        let mut request = app.client.post(app.url("/api/postback")).header("content-type", "application/json").body(raw);
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        request.send()
    };
    let bearer = || Some(("authorization", format!("Bearer {}", reward.secret)));
    let seed = r#"{"pid":"cashgiraffe","uid":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","gid":"my_game","level_number":10}"#;

    // 401: no secret, a wrong one, a malformed header — even with a broken body.
    assert_eq!(expect_error(post_raw(None, seed).await.expect("send"), 401).await, "Unauthorized");
    expect_error(post_raw(Some(("authorization", "Bearer rws_wrong".into())), seed).await.expect("send"), 401).await;
    expect_error(post_raw(Some(("x-reward-api-secret", "rws_wrong".into())), seed).await.expect("send"), 401).await;
    expect_error(post_raw(Some(("authorization", format!("Basic {}", reward.secret))), seed).await.expect("send"), 401).await;
    expect_error(post_raw(Some(("authorization", app.token.clone())), seed).await.expect("send"), 401).await;
    expect_error(post_raw(None, "{broken").await.expect("send"), 401).await;

    // 400: broken JSON, not an object, missing fields, bad levels.
    for raw in ["{broken", "", "not json", "[1,2]", "\"x\"", "null"] {
        expect_error(post_raw(bearer(), raw).await.expect("send"), 400).await;
    }
    let ok = seed_level(10);
    for missing in ["pid", "uid", "gid", "level_number"] {
        let mut request = ok.clone();
        request.as_object_mut().expect("object").remove(missing);
        let message = expect_error(app.reward_postback(&reward.secret, request).await, 400).await;
        assert!(message.contains(missing), "{message}");
    }
    for level in
        [json!(0), json!(-1), json!(1.5), json!("ten"), json!("10"), json!(10.0), json!(true), json!(null), json!(1e40), json!(5_000_000)]
    {
        let mut request = ok.clone();
        request["level_number"] = level.clone();
        let message = expect_error(app.reward_postback(&reward.secret, request).await, 400).await;
        assert!(message.contains("level_number"), "{level}: {message}");
    }
    for (field, value) in [("pid", json!(5)), ("uid", json!(42)), ("gid", json!(["x"])), ("reason", json!({}))] {
        let mut request = ok.clone();
        request[field] = value;
        expect_error(app.reward_postback(&reward.secret, request).await, 400).await;
    }

    // 400 unknown pid, 400 unknown gid, 404 unknown or malformed uid — in that order.
    let with = |pid: &str, uid: &str, gid: &str| json!({ "pid": pid, "uid": uid, "gid": gid, "level_number": 10 });
    let unknown_uid = "ffffffff-ffff-4fff-8fff-ffffffffffff";
    let message = expect_error(app.reward_postback(&reward.secret, with("nope", unknown_uid, "nope")).await, 400).await;
    assert!(message.contains("pid"), "{message}");
    let message = expect_error(app.reward_postback(&reward.secret, with(SEED_PID, unknown_uid, "nope")).await, 400).await;
    assert!(message.contains("gid"), "{message}");
    let message = expect_error(app.reward_postback(&reward.secret, with(SEED_PID, unknown_uid, SEED_GID)).await, 404).await;
    assert_eq!(message, "No user found for the given uid");
    expect_error(app.reward_postback(&reward.secret, with(SEED_PID, "not-a-uuid", SEED_GID)).await, 404).await;
    // A bad level wins over an unknown pid; an unknown pid over an unknown user.
    let mut bad_level = with("nope", unknown_uid, "nope");
    bad_level["level_number"] = json!(0);
    expect_error(app.reward_postback(&reward.secret, bad_level).await, 400).await;

    // Nothing was recorded, and every call was logged without the secret.
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 0);
    assert!(app.conversions("source=reward").await.is_empty());
    let log: Value = app.get("/api/admin/postback-log?limit=1000").await.json().await.expect("json");
    let outcomes: Vec<&str> = log["items"].as_array().expect("items").iter().map(|e| e["outcome"].as_str().expect("outcome")).collect();
    for outcome in ["unauthorized", "bad_request", "not_found"] {
        assert!(outcomes.contains(&outcome), "{outcomes:?}");
    }
    assert!(!log.to_string().contains(&reward.secret));
});

on_both_backends!(hostile_strings_in_every_field_never_fail_the_server, |app| {
    let reward = app.setup_reward().await;
    let big = "x".repeat(9 * 1024);
    let hostile =
        [json!("<script>alert(1)</script>"), json!("a\u{0}b"), json!(big), json!("'; DROP TABLE users; --"), json!("\u{202e}é\u{7}")];
    for value in &hostile {
        for field in ["pid", "uid", "gid", "level_number", "reason", "userId", "game_id", "level"] {
            let mut request = seed_level(5);
            request[field] = value.clone();
            let response = app.reward_postback(&reward.secret, request).await;
            let status = response.status().as_u16();
            assert!(status < 500, "{field}={value}: {status}");
            assert!([200, 400, 404].contains(&status), "{field}={value}: {status}");
        }
        let as_secret = app.client.post(app.url("/api/postback")).header("x-reward-api-secret", "a\tb").json(&seed_level(5)).send().await;
        assert_eq!(as_secret.expect("send").status(), 401);
    }
    // The hostile reason was stored cleaned, once.
    let page = body(app.reward_get(&reward.secret, &format!("/api/reward/users/{SEED_UID}/postbacks")).await, 200).await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    let reason = page["items"][0]["reason"].as_str().expect("reason");
    assert!(!reason.contains('\u{0}') && reason == "<script>alert(1)</script>", "{reason}");
    let log = app.get("/api/admin/postback-log?limit=1000").await;
    assert_eq!(log.status(), 200);
    assert!(!log.text().await.expect("text").contains('\u{0}'));
});

on_both_backends!(legacy_paths_redirect_with_308_and_keep_the_body, |app| {
    let reward = app.setup_reward().await;
    for path in ["/api/reward/postback", "/api/rewards/postback"] {
        let raw = app.reward_post(&reward.secret, path, seed_level(5)).await;
        assert_eq!(raw.status(), 308, "{path}");
        assert_eq!(raw.headers()["location"], "/api/postback");
    }
    // A client that follows redirects (reqwest's default policy) re-sends the POST and its body.
    let following = reqwest::Client::new();
    let first =
        following.post(app.url("/api/reward/postback")).bearer_auth(&reward.secret).json(&seed_level(5)).send().await.expect("send");
    let answer = body(first, 200).await;
    assert_eq!((answer["awarded"].clone(), answer["coinDelta"].clone()), (json!(true), json!(25)));
    let again =
        following.post(app.url("/api/rewards/postback")).bearer_auth(&reward.secret).json(&seed_level(5)).send().await.expect("send");
    assert_eq!(body(again, 200).await["duplicate"], true);
    let other = following
        .post(app.url("/api/rewards/postback"))
        .header("X-Reward-Api-Secret", &reward.secret)
        .json(&json!({ "pid": SEED_PID, "userId": SEED_UID, "gameId": SEED_GID, "level": 11 }))
        .send()
        .await
        .expect("send");
    assert_eq!(body(other, 200).await["milestone"], false);
    let unauthenticated = following.post(app.url("/api/reward/postback")).json(&seed_level(15)).send().await.expect("send");
    expect_error(unauthenticated, 401).await;
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 25);
});
