use app::server::ingest::credit;
use app::server::ingest::store::any::AnyTx;
use app::server::ledger;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(publishers_get_hex_ids_and_a_ledger_balance, |app| {
    let response = app.post_json("/api/admin/publishers", json!({ "name": "Cash Giraffe", "email": "Ops@CashGiraffe.example" })).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(created["email"], "ops@cashgiraffe.example");

    let fetched: Value = app.get(&format!("/api/admin/publishers/{id}")).await.json().await.expect("json");
    assert_eq!(fetched["name"], "Cash Giraffe");
    assert_eq!(fetched["balance_cents"], 0);

    let mut conn = app.db.pool().acquire().await.expect("conn");
    let entry =
        credit::Entry { account: ledger::publisher_account(&id), delta: 350, reason: "test credit".into(), source_ref: "test:1".into() };
    let mut tx = AnyTx::new(&mut conn, app.db.backend());
    assert!(credit::post(&mut tx, &entry).await.expect("post"));
    assert!(!credit::post(&mut tx, &entry).await.expect("post"), "a source_ref posts once");
    let fetched: Value = app.get(&format!("/api/admin/publishers/{id}")).await.json().await.expect("json");
    assert_eq!(fetched["balance_cents"], 350);
    let (_, mismatches) = ledger::verify(&mut conn).await.expect("verify");
    assert!(mismatches.is_empty());

    let listed: Value = app.get("/api/admin/publishers?search=giraffe").await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
});

on_both_backends!(publisher_ids_can_be_given_and_clash_with_409, |app| {
    let body = json!({ "name": "Seeded", "id": "6422f1b3e8a0000012345678" });
    let response = app.post_json("/api/admin/publishers", body.clone()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.json::<Value>().await.expect("json")["id"], "6422f1b3e8a0000012345678");
    expect_error(app.post_json("/api/admin/publishers", body).await, 409).await;

    for (bad, field) in [
        (json!({ "name": "x", "id": "6422F1B3E8A0000012345678" }), "id"),
        (json!({ "name": "x", "id": "123" }), "id"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "x", "email": "not-an-email" }), "email"),
    ] {
        let message = expect_error(app.post_json("/api/admin/publishers", bad).await, 422).await;
        assert!(message.starts_with(field), "{message}");
    }
    expect_error(app.get("/api/admin/publishers/ffffffffffffffffffffffff").await, 404).await;
});

on_both_backends!(publisher_logins_are_created_once, |app| {
    let id = app.create_publisher("With login").await;
    let path = format!("/api/admin/publishers/{id}/users");
    let response = app.post_json(&path, json!({ "email": "pub@example.com", "password": "a long enough password" })).await;
    assert_eq!(response.status(), 201);
    expect_error(app.post_json(&path, json!({ "email": "PUB@example.com", "password": "a long enough password" })).await, 409).await;
    let message = expect_error(app.post_json(&path, json!({ "email": "other@example.com", "password": "short" })).await, 422).await;
    assert!(message.starts_with("password"), "{message}");
    expect_error(
        app.post_json(
            "/api/admin/publishers/ffffffffffffffffffffffff/users",
            json!({ "email": "x@example.com", "password": "a long enough password" }),
        )
        .await,
        404,
    )
    .await;
});
