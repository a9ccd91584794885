//! Programs through the admin API (SPEC K): create with the API key shown once, attribution
//! handles unique per program, key rotation with an overlap and revocation.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

/// 401 when `key` no longer opens the API, 422 (a field is missing) when it still does.
async fn key_works(app: &TestApp, key: &str) -> bool {
    match app.v1_post(key, "/api/v1/conversions", json!({})).await.status().as_u16() {
        422 => true,
        401 => false,
        other => panic!("unexpected status {other}"),
    }
}

on_both_backends!(create_program_shows_the_key_once_and_stores_a_hash, |app| {
    let response =
        app.post_json("/api/admin/programs", json!({ "name": "Acme Shop", "currency": "EUR", "commission_percent": 12.5 })).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let (id, key) = (body["id"].as_str().expect("id"), body["api_key"].as_str().expect("key"));
    assert!(id.starts_with("prg_") && key.starts_with("tap_") && key.len() > 40, "{body}");
    assert_eq!((body["currency"].clone(), body["commission_percent"].clone()), (json!("EUR"), json!("12.5")));

    let fetched = app.get(&format!("/api/admin/programs/{id}")).await.text().await.expect("text");
    assert!(!fetched.contains(key), "the key is never shown again");
    let fetched: Value = serde_json::from_str(&fetched).expect("json");
    assert_eq!(fetched["name"], "Acme Shop");
    assert_eq!(fetched["keys"].as_array().expect("keys").len(), 1);
    let listed: Value = app.get("/api/admin/programs").await.json().await.expect("json");
    assert_eq!(listed["items"][0]["id"], id);
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("program.create") && !audit.contains(key));
    let stored: Vec<(String,)> = sqlx::query_as("SELECT key_hash FROM program_keys").fetch_all(app.db.pool()).await.expect("rows");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, key);
    assert!(key_works(&app, key).await);
    assert!(!key_works(&app, "tap_wrong").await);

    // The percentage as a string, and the fixed rule.
    let (id, _) = app.create_program(json!({ "name": "Strings", "currency": "USD", "commission_percent": "7.25" })).await;
    let fetched: Value = app.get(&format!("/api/admin/programs/{id}")).await.json().await.expect("json");
    assert_eq!((fetched["commission_percent"].clone(), fetched["commission_cents"].clone()), (json!("7.25"), Value::Null));
    let (id, _) = app.create_program(json!({ "name": "Fixed", "currency": "JPY", "commission_cents": 500 })).await;
    let fetched: Value = app.get(&format!("/api/admin/programs/{id}")).await.json().await.expect("json");
    assert_eq!((fetched["commission_percent"].clone(), fetched["commission_cents"].clone()), (Value::Null, json!(500)));
});

on_both_backends!(program_fields_are_validated_and_named, |app| {
    let cases = [
        (json!({ "currency": "USD", "commission_percent": 10 }), "name"),
        (json!({ "name": " ", "currency": "USD", "commission_percent": 10 }), "name"),
        (json!({ "name": "x", "currency": "usd", "commission_percent": 10 }), "currency"),
        (json!({ "name": "x", "currency": "XXX", "commission_percent": 10 }), "currency"),
        (json!({ "name": "x", "currency": "USD" }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_percent": 10, "commission_cents": 100 }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_percent": 100.5 }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_percent": "ten" }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_percent": -1 }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_percent": 0.00001 }), "commission_percent"),
        (json!({ "name": "x", "currency": "USD", "commission_cents": -1 }), "commission_cents"),
        (json!({ "name": "x", "currency": "USD", "commission_cents": 2.5 }), "commission_cents"),
    ];
    for (body, field) in cases {
        let message = expect_error(app.post_json("/api/admin/programs", body.clone()).await, 422).await;
        assert!(message.contains(field), "{body}: {message}");
    }
    let broken = app
        .client
        .post(app.url("/api/admin/programs"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{\"name\":");
    expect_error(broken.send().await.expect("send"), 400).await;
    expect_error(app.get("/api/admin/programs/prg_missing").await, 404).await;
    let anonymous = app.client.post(app.url("/api/admin/programs")).json(&json!({ "name": "x" })).send().await.expect("send");
    expect_error(anonymous, 401).await;
});

on_both_backends!(handles_are_unique_per_program_and_kind, |app| {
    let (program, _) = app.create_program(json!({ "name": "Shop", "currency": "USD", "commission_percent": 10 })).await;
    let (other_program, _) = app.create_program(json!({ "name": "Other", "currency": "USD", "commission_percent": 10 })).await;
    let publisher = app.create_publisher("Affiliate").await;
    for collection in ["referral-codes", "coupons", "assets", "sources", "clicks"] {
        let response = app.add_handle(&program, collection, &publisher, "SAME").await;
        assert_eq!(response.status(), 201, "{collection}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["publisher_id"], publisher.as_str());
        expect_error(app.add_handle(&program, collection, &publisher, "SAME").await, 409).await;
        // The same code in another program is another handle.
        assert_eq!(app.add_handle(&other_program, collection, &publisher, "SAME").await.status(), 201);
    }
    // Coupons ignore case; other handles do not.
    expect_error(app.add_handle(&program, "coupons", &publisher, "same").await, 409).await;
    assert_eq!(app.add_handle(&program, "referral-codes", &publisher, "same").await.status(), 201);

    let fetched: Value = app.get(&format!("/api/admin/programs/{program}")).await.json().await.expect("json");
    let kinds: Vec<&str> = fetched["handles"].as_array().expect("handles").iter().map(|h| h["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds.len(), 6);
    for kind in ["coupon", "click_id", "referral_code", "asset_id", "source_id"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("program.handle.add"));
});

on_both_backends!(a_removed_coupon_no_longer_attributes, |app| {
    let (program, key) = app.create_program(json!({ "name": "Shop", "currency": "USD", "commission_percent": 10 })).await;
    let publisher = app.create_publisher("Affiliate").await;
    assert_eq!(app.add_handle(&program, "coupons", &publisher, "SAVE10").await.status(), 201);
    let sale = |id: &str| json!({ "external_id": id, "coupon": "save10", "amount": "20.00" });
    let credited: Value = app.v1_post(&key, "/api/v1/conversions", sale("before")).await.json().await.expect("json");
    assert_eq!(credited["publisher"]["id"], publisher.as_str(), "{credited}");

    // Removed through the admin API (coupons match regardless of case); the second time it is gone.
    assert_eq!(app.delete(&format!("/api/admin/programs/{program}/handles/coupon/save10")).await.status(), 204);
    expect_error(app.delete(&format!("/api/admin/programs/{program}/handles/coupon/SAVE10")).await, 404).await;
    expect_error(app.delete("/api/admin/programs/prg_missing/handles/coupon/SAVE10").await, 404).await;
    expect_error(app.delete(&format!("/api/admin/programs/{program}/handles/discount/SAVE10")).await, 422).await;
    let fetched: Value = app.get(&format!("/api/admin/programs/{program}")).await.json().await.expect("json");
    assert_eq!(fetched["handles"], json!([]));
    // A sale with the removed coupon is attributed to nobody.
    assert_eq!(app.v1_post(&key, "/api/v1/conversions", sale("after")).await.status(), 422);
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("program.handle.remove"));
});

on_both_backends!(handle_errors_are_named, |app| {
    let (program, _) = app.create_program(json!({ "name": "Shop", "currency": "USD", "commission_percent": 10 })).await;
    let publisher = app.create_publisher("Affiliate").await;
    expect_error(app.add_handle("prg_missing", "coupons", &publisher, "X").await, 404).await;
    expect_error(app.add_handle(&program, "coupons", "aaaaaaaaaaaaaaaaaaaaaaaa", "X").await, 404).await;
    expect_error(app.add_handle(&program, "coupons", "<script>", "X").await, 404).await;
    for bad in ["", "   ", "a\u{0}b", &"x".repeat(256)] {
        let message = expect_error(app.add_handle(&program, "referral-codes", &publisher, bad).await, 422).await;
        assert!(message.starts_with("code:"), "{message}");
    }
    let missing = app.post_json(&format!("/api/admin/programs/{program}/coupons"), json!({ "code": "X" })).await;
    assert!(expect_error(missing, 422).await.contains("publisher_id"));
    expect_error(app.add_handle(&program, "discounts", &publisher, "X").await, 404).await;
});

on_both_backends!(api_keys_rotate_with_an_overlap_and_can_be_revoked, |app| {
    let (id, first) = app.create_program(json!({ "name": "Shop", "currency": "USD", "commission_percent": 10 })).await;
    let response = app.post_json(&format!("/api/admin/programs/{id}/keys/rotate"), json!({ "overlap_seconds": 2 })).await;
    assert_eq!(response.status(), 201);
    let second = response.json::<Value>().await.expect("json")["api_key"].as_str().expect("key").to_owned();
    assert_ne!(first, second);
    assert!(key_works(&app, &first).await, "the old key works during the overlap");
    assert!(key_works(&app, &second).await);
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    assert!(!key_works(&app, &first).await, "the old key stops after the overlap");
    assert!(key_works(&app, &second).await);

    let program: Value = app.get(&format!("/api/admin/programs/{id}")).await.json().await.expect("json");
    let keys = program["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2);
    let current = keys.iter().find(|k| k["valid_until"].is_null()).expect("current key")["id"].as_str().expect("id").to_owned();
    let revoked = app.delete(&format!("/api/admin/programs/{id}/keys/{current}")).await;
    assert_eq!(revoked.status(), 204);
    assert!(!key_works(&app, &second).await, "a revoked key stops at once");
    expect_error(app.delete(&format!("/api/admin/programs/{id}/keys/key_missing")).await, 404).await;
    expect_error(app.delete(&format!("/api/admin/programs/prg_missing/keys/{current}")).await, 404).await;

    expect_error(app.post_json(&format!("/api/admin/programs/{id}/keys/rotate"), json!({ "overlap_seconds": -1 })).await, 422).await;
    expect_error(app.post_json("/api/admin/programs/prg_missing/keys/rotate", json!({ "overlap_seconds": 5 })).await, 404).await;
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("program.key.rotate") && audit.contains("program.key.revoke"));
});

on_both_backends!(the_openapi_document_lists_programs_and_the_conversions_api, |app| {
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    for path in [
        "/api/admin/programs",
        "/api/admin/programs/{id}",
        "/api/admin/programs/{id}/keys/rotate",
        "/api/admin/programs/{id}/keys/{key_id}",
        "/api/admin/programs/{id}/referral-codes",
        "/api/admin/programs/{id}/coupons",
        "/api/admin/programs/{id}/assets",
        "/api/admin/programs/{id}/sources",
        "/api/admin/programs/{id}/clicks",
        "/api/v1/conversions",
        "/api/v1/customers",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["paths"]["/api/v1/conversions"].get("get").is_some() && doc["paths"]["/api/v1/conversions"].get("post").is_some());
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["name"], "X-Api-Key");
});
