//! `/api/v1/customers` and lifetime attribution: a customer belongs to the publisher who brought
//! them, and later conversions naming only the customer go to that publisher.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_customer_earns_their_publisher_every_later_conversion, |app| {
    let program = app.setup_program().await;
    let customer = expect_created(
        app.v1_post(&program.key, "/api/v1/customers", json!({ "customer_id": "jane@example.com", "referral_code": SEED_REFERRAL_CODE }))
            .await,
    )
    .await;
    assert!(customer["id"].as_str().expect("id").starts_with("cus_"));
    assert_eq!(customer["customer_id"], "jane@example.com");
    assert_eq!(customer["publisher"]["id"], program.publisher.as_str());
    assert_eq!(customer["attribution"], json!({ "field": "referral_code", "value": SEED_REFERRAL_CODE }));

    // Months later: only the customer id.
    let later = json!({ "external_id": "R-1", "customer_id": "jane@example.com", "amount": "50" });
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", later).await).await;
    assert_eq!(body["publisher"]["id"], program.publisher.as_str());
    assert_eq!(body["attribution"], json!({ "field": "customer_id", "value": "jane@example.com" }));
    assert_eq!(body["customer"], json!({ "id": customer["id"], "customer_id": "jane@example.com" }));
    // The seed's WooCommerce example sends the id the customers call answered with.
    let by_our_id = json!({ "external_id": "R-2", "customer_id": customer["id"], "amount": "50" });
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", by_our_id).await).await;
    assert_eq!(body["publisher"]["id"], program.publisher.as_str());
    assert_eq!(app.balance(&program.publisher).await, 500 + 500);
});

on_both_backends!(customer_calls_replay_and_refuse_a_second_publisher, |app| {
    let program = app.setup_program().await;
    let rival = app.create_publisher("Rival").await;
    assert_eq!(app.add_handle(&program.id, "coupons", &rival, "RIVAL").await.status(), 201);
    let call = json!({ "customer_id": "c-1", "referral_code": SEED_REFERRAL_CODE });
    let first = expect_created(app.v1_post(&program.key, "/api/v1/customers", call.clone()).await).await;
    assert_eq!(expect_created(app.v1_post(&program.key, "/api/v1/customers", call).await).await, first);
    let by_get = expect_created(app.v1_get(&program.key, "/api/v1/customers?customer_id=c-1&referral_code=nwjinmy").await).await;
    assert_eq!(by_get, first);
    let message =
        expect_error(app.v1_post(&program.key, "/api/v1/customers", json!({ "customer_id": "c-1", "coupon": "rival" })).await, 409).await;
    assert!(message.starts_with("customer_id:"), "{message}");

    // An explicit attribution field still wins over the customer's publisher.
    let body = expect_created(
        app.v1_post(&program.key, "/api/v1/conversions", json!({ "external_id": "E-1", "customer_id": "c-1", "coupon": "RIVAL" })).await,
    )
    .await;
    assert_eq!(body["publisher"]["id"], rival.as_str());
    // Customers are per program.
    let (_, other_key) = app.create_program(json!({ "name": "Other", "currency": "USD", "commission_percent": 10 })).await;
    expect_field_error(
        app.v1_post(&other_key, "/api/v1/conversions", json!({ "external_id": "E-2", "customer_id": "c-1" })).await,
        "customer_id",
    )
    .await;
});

on_both_backends!(a_conversion_with_a_new_customer_id_registers_the_customer, |app| {
    let program = app.setup_program().await;
    let first = json!({ "external_id": "O-1", "referral_code": SEED_REFERRAL_CODE, "customer_id": "42", "amount": 10 });
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", first).await).await;
    assert_eq!(body["customer"]["customer_id"], "42");
    // An integer customer id (WooCommerce's get_customer_id()) is the same customer as the string.
    let renewal = json!({ "external_id": "O-2", "customer_id": 42, "amount": 10 });
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", renewal).await).await;
    assert_eq!(body["publisher"]["id"], program.publisher.as_str());
    assert_eq!(body["attribution"]["field"], "customer_id");
});

on_both_backends!(customer_errors_are_named, |app| {
    let program = app.setup_program().await;
    expect_error(app.client.post(app.url("/api/v1/customers")).json(&json!({ "customer_id": "c" })).send().await.expect("send"), 401).await;
    expect_field_error(app.v1_post(&program.key, "/api/v1/customers", json!({ "referral_code": SEED_REFERRAL_CODE })).await, "customer_id")
        .await;
    expect_field_error(app.v1_post(&program.key, "/api/v1/customers", json!({ "customer_id": "c" })).await, "referral_code").await;
    expect_field_error(app.v1_post(&program.key, "/api/v1/customers", json!({ "customer_id": "c", "coupon": "nope" })).await, "coupon")
        .await;
    expect_field_error(
        app.v1_post(&program.key, "/api/v1/customers", json!({ "customer_id": "c\u{7}", "coupon": "x" })).await,
        "customer_id",
    )
    .await;
    let broken = app.client.post(app.url("/api/v1/customers")).header("x-api-key", &program.key).header("content-type", "application/json");
    expect_error(broken.body("{").send().await.expect("send"), 400).await;
});
