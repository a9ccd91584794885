//! The reward catalogs and secrets in the admin API: store apps, reward games, reward API
//! secrets (shown once, rotated with an overlap, revoked), all audited and in the OpenAPI document.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(store_apps_and_games_are_registered_listed_and_audited, |app| {
    let created = app.post_json("/api/admin/store-apps", json!({ "pid": "cashgiraffe", "name": "Cash Giraffe" })).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    assert_eq!((created["pid"].clone(), created["name"].clone()), (json!("cashgiraffe"), json!("Cash Giraffe")));
    let game = app.post_json("/api/admin/reward-games", json!({ "id": "my_game", "name": "  My Game " })).await;
    assert_eq!(game.status(), 201);
    assert_eq!(game.json::<Value>().await.expect("json")["name"], "My Game");

    expect_error(app.post_json("/api/admin/store-apps", json!({ "pid": "cashgiraffe", "name": "Again" })).await, 409).await;
    expect_error(app.post_json("/api/admin/reward-games", json!({ "id": "my_game", "name": "Again" })).await, 409).await;

    for (path, body, field) in [
        ("/api/admin/store-apps", json!({ "pid": "", "name": "x" }), "pid"),
        ("/api/admin/store-apps", json!({ "pid": "x".repeat(65), "name": "x" }), "pid"),
        ("/api/admin/store-apps", json!({ "pid": "a\u{0}b", "name": "x" }), "pid"),
        ("/api/admin/store-apps", json!({ "pid": " padded", "name": "x" }), "pid"),
        ("/api/admin/store-apps", json!({ "pid": "ok", "name": "" }), "name"),
        ("/api/admin/store-apps", json!({ "pid": "ok", "name": "n\u{0}" }), "name"),
        ("/api/admin/store-apps", json!({ "name": "x" }), "pid"),
        ("/api/admin/reward-games", json!({ "id": "g\nx", "name": "x" }), "id"),
        ("/api/admin/reward-games", json!({ "id": "g", "name": "x".repeat(121) }), "name"),
        ("/api/admin/reward-games", json!({ "id": 5, "name": "x" }), "id"),
    ] {
        let message = expect_error(app.post_json(path, body.clone()).await, 422).await;
        assert!(message.contains(field), "{body}: {message}");
    }
    let hostile = app.post_json("/api/admin/reward-games", json!({ "id": "<b>g</b>", "name": "<script>alert(1)</script>" })).await;
    assert_eq!(hostile.status(), 201);

    let apps: Value = app.get("/api/admin/store-apps").await.json().await.expect("json");
    assert_eq!(apps["items"].as_array().expect("items").len(), 1);
    let games: Value = app.get("/api/admin/reward-games").await.json().await.expect("json");
    let ids: Vec<&str> = games["items"].as_array().expect("items").iter().map(|g| g["id"].as_str().expect("id")).collect();
    assert_eq!(ids, vec!["<b>g</b>", "my_game"]);

    let audit: Value = app.get("/api/admin/audit?limit=100").await.json().await.expect("json");
    let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().map(|e| e["action"].as_str().expect("action")).collect();
    assert!(actions.contains(&"store_app.create") && actions.contains(&"reward_game.create"), "{actions:?}");

    let anonymous = app.client.post(app.url("/api/admin/store-apps")).json(&json!({ "pid": "p", "name": "n" })).send().await.expect("send");
    expect_error(anonymous, 401).await;
    expect_error(app.client.get(app.url("/api/admin/reward-secrets")).send().await.expect("send"), 401).await;

    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    for path in [
        "/api/admin/store-apps",
        "/api/admin/reward-games",
        "/api/admin/reward-secrets",
        "/api/admin/reward-secrets/{id}",
        "/api/admin/reward-secrets/{id}/rotate",
        "/api/admin/reward-users",
        "/api/postback",
        "/api/reward/users",
        "/api/reward/users/{id}/postbacks",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
});

on_both_backends!(secrets_are_shown_once_rotated_with_overlap_and_revoked, |app| {
    let reward = app.setup_reward().await;
    assert!(reward.secret.starts_with("rws_"));
    let listed: Value = app.get("/api/admin/reward-secrets").await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert_eq!(listed["items"][0]["id"], reward.secret_id.as_str());
    assert!(!listed.to_string().contains(&reward.secret), "the secret is never listed");

    // Rotation: the old secret keeps working for the overlap, then stops.
    let rotated = app.post_json(&format!("/api/admin/reward-secrets/{}/rotate", reward.secret_id), json!({ "overlap_seconds": 2 })).await;
    assert_eq!(rotated.status(), 201);
    let rotated: Value = rotated.json().await.expect("json");
    let new_secret = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new_secret, reward.secret);
    assert_eq!(app.reward_postback(&reward.secret, seed_level(1)).await.status(), 200, "old secret during the overlap");
    assert_eq!(app.reward_postback(&new_secret, seed_level(2)).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    expect_error(app.reward_postback(&reward.secret, seed_level(3)).await, 401).await;
    expect_error(app.reward_get(&reward.secret, &format!("/api/reward/users/{SEED_UID}")).await, 401).await;
    assert_eq!(app.reward_postback(&new_secret, seed_level(3)).await.status(), 200);

    // A second, independent secret; revoking one leaves the other working.
    let (other_id, other) = app.create_reward_secret().await;
    assert_eq!(app.reward_postback(&other, seed_level(4)).await.status(), 200);
    let new_id = rotated["id"].as_str().expect("id");
    assert_eq!(app.delete(&format!("/api/admin/reward-secrets/{new_id}")).await.status(), 204);
    assert_eq!(app.delete(&format!("/api/admin/reward-secrets/{new_id}")).await.status(), 204, "revoking again changes nothing");
    expect_error(app.reward_postback(&new_secret, seed_level(5)).await, 401).await;
    assert_eq!(app.reward_postback(&other, seed_level(5)).await.status(), 200);
    expect_error(app.post_json(&format!("/api/admin/reward-secrets/{new_id}/rotate"), json!({ "overlap_seconds": 5 })).await, 409).await;

    // Zero overlap stops the rotated secret at once.
    let third: Value = app
        .post_json(&format!("/api/admin/reward-secrets/{other_id}/rotate"), json!({ "overlap_seconds": 0 }))
        .await
        .json()
        .await
        .expect("json");
    expect_error(app.reward_postback(&other, seed_level(6)).await, 401).await;
    assert_eq!(app.reward_postback(third["secret"].as_str().expect("secret"), seed_level(6)).await.status(), 200);

    expect_error(app.post_json(&format!("/api/admin/reward-secrets/{other_id}/rotate"), json!({ "overlap_seconds": -1 })).await, 422).await;
    expect_error(app.post_json("/api/admin/reward-secrets/rws_missing/rotate", json!({ "overlap_seconds": 5 })).await, 404).await;
    expect_error(app.delete("/api/admin/reward-secrets/rws_missing").await, 404).await;

    let listed: Value = app.get("/api/admin/reward-secrets").await.json().await.expect("json");
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    assert_eq!(items.iter().filter(|s| !s["revoked_at"].is_null()).count(), 1);
    let audit: Value = app.get("/api/admin/audit?action=reward_secret.&limit=100").await.json().await.expect("json");
    let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().map(|e| e["action"].as_str().expect("action")).collect();
    assert_eq!(actions.iter().filter(|a| **a == "reward_secret.revoke").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "reward_secret.rotate").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "reward_secret.create").count(), 2);
    assert!(!audit.to_string().contains(&new_secret));
});
