//! Every refusal of `/api/v1/conversions` — 401, 400, 422 naming the field, 413 — and hostile
//! strings, which are stored verbatim and answered as JSON, never with a 5xx.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(keys_are_required_and_checked, |app| {
    let program = app.setup_program().await;
    let anonymous = app.client.post(app.url("/api/v1/conversions")).json(&seed_conversion()).send().await.expect("send");
    assert_eq!(expect_error(anonymous, 401).await, "Unauthorized");
    expect_error(app.v1_post("tap_unknown", "/api/v1/conversions", seed_conversion()).await, 401).await;
    expect_error(app.v1_post("", "/api/v1/conversions", seed_conversion()).await, 401).await;
    expect_error(app.v1_post(&"k".repeat(300), "/api/v1/conversions", seed_conversion()).await, 401).await;
    expect_error(app.v1_get("tap_unknown", "/api/v1/conversions?external_id=1&referral_code=nwjinmy").await, 401).await;
    // Another program's key, or an admin token, is not this program's key.
    let bearer =
        app.client.post(app.url("/api/v1/conversions")).bearer_auth(&app.token).json(&seed_conversion()).send().await.expect("send");
    expect_error(bearer, 401).await;
    // The key is checked before the body.
    let broken = app.client.post(app.url("/api/v1/conversions")).header("content-type", "application/json").body("{");
    expect_error(broken.send().await.expect("send"), 401).await;
    assert_eq!(app.balance(&program.publisher).await, 0);
    let log: Value = app.get("/api/admin/postback-log?outcome=unauthorized").await.json().await.expect("json");
    assert_eq!(log["items"].as_array().expect("items").len(), 7);
});

on_both_backends!(broken_bodies_are_400, |app| {
    let program = app.setup_program().await;
    let post = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/conversions"))
            .header("x-api-key", &program.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in ["{", "not json", "", "[1,2]", "\"ORD005\"", "{\"external_id\": \"a\",}"] {
        let message = expect_error(post(body).await.expect("send"), 400).await;
        assert!(message.contains("JSON"), "{body}: {message}");
    }
    let huge = format!("{{\"external_id\":\"{}\"}}", "x".repeat(200_000));
    let one_off = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let response = one_off.post(app.url("/api/v1/conversions")).header("x-api-key", &program.key).body(huge).send().await.expect("send");
    assert_eq!(response.status(), 413);
});

on_both_backends!(every_bad_field_is_a_422_that_names_it, |app| {
    let program = app.setup_program().await;
    let with = |extra: Value| {
        let mut body = seed_conversion();
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({ "referral_code": SEED_REFERRAL_CODE }), "external_id"),
        (json!({ "external_id": "", "referral_code": SEED_REFERRAL_CODE }), "external_id"),
        (json!({ "external_id": ["a"], "referral_code": SEED_REFERRAL_CODE }), "external_id"),
        (json!({ "external_id": "x" }), "referral_code"),
        (json!({ "external_id": "x", "amount": "5" }), "referral_code"),
        (json!({ "external_id": "x", "referral_code": "nobody" }), "referral_code"),
        (json!({ "external_id": "x", "coupon": "nobody", "referral_code": "nobody" }), "coupon"),
        (json!({ "external_id": "x", "customer_id": "stranger" }), "customer_id"),
        (json!({ "external_id": "x", "referral_code": true }), "referral_code"),
        (with(json!({ "amount": "ten" })), "amount"),
        (with(json!({ "amount": "-5" })), "amount"),
        (with(json!({ "amount": -5 })), "amount"),
        (with(json!({ "amount": "1,5" })), "amount"),
        (with(json!({ "amount": "0.000000001" })), "amount"),
        (with(json!({ "amount": { "value": 5 } })), "amount"),
        (with(json!({ "currency": "usd" })), "currency"),
        (with(json!({ "currency": "ZZZ" })), "currency"),
        (with(json!({ "currency": 840 })), "currency"),
        (with(json!({ "meta_data": "not an object" })), "meta_data"),
        (with(json!({ "meta_data": [1, 2] })), "meta_data"),
        (with(json!({ "ip": "300.1.1.1" })), "ip"),
    ];
    for (body, field) in cases {
        let message = expect_field_error(app.v1_post(&program.key, "/api/v1/conversions", body.clone()).await, field).await;
        assert!(!message.contains(&program.key), "{message}");
    }
    // The GET form names the same fields.
    for (query, field) in [
        ("referral_code=nwjinmy", "external_id"),
        ("external_id=x", "referral_code"),
        ("external_id=x&referral_code=nwjinmy&amount=1.2.3", "amount"),
        ("external_id=x&referral_code=nwjinmy&amount=1e3", "amount"),
        ("external_id=x&referral_code=nwjinmy&currency=EURO", "currency"),
        ("external_id=x&referral_code=nwjinmy&meta_data=%7Bbroken", "meta_data"),
    ] {
        expect_field_error(app.v1_get(&program.key, &format!("/api/v1/conversions?{query}")).await, field).await;
    }
    assert_eq!(app.balance(&program.publisher).await, 0);
    assert!(app.conversions("source=api").await.is_empty(), "nothing half-written");
});

on_both_backends!(hostile_strings_are_stored_verbatim_and_answered_as_json, |app| {
    let program = app.setup_program().await;
    let hostile = "<img src=x onerror=alert(1)>'; DROP TABLE conversions; -- \u{202e}é\"\\";
    let hostile_code = "<script>alert('ref')</script>";
    assert_eq!(app.add_handle(&program.id, "referral-codes", &program.publisher, hostile_code).await.status(), 201);
    let body = json!({
        "external_id": hostile,
        "referral_code": hostile_code,
        "amount": "1",
        "customer_id": hostile,
        "meta_data": { hostile: hostile, "nested": { "nul": "a\u{0}b" } },
        "user_agent": format!("{hostile}\u{0}\r\n"),
    });
    let answer = app.v1_post(&program.key, "/api/v1/conversions", body.clone()).await;
    assert_eq!(answer.status(), 201);
    assert!(answer.headers()["content-type"].to_str().expect("ascii").starts_with("application/json"));
    let answer: Value = answer.json().await.expect("json");
    assert_eq!(answer["external_id"], hostile.trim());
    assert_eq!(answer["attribution"]["value"], hostile_code);
    assert_eq!(answer["meta_data"][hostile], hostile);
    assert_eq!(answer["meta_data"]["nested"]["nul"], "a\u{0}b");
    // And it replays.
    assert_eq!(app.v1_post(&program.key, "/api/v1/conversions", body).await.json::<Value>().await.expect("json"), answer);

    // Control characters in identifiers are refused, in every spelling.
    for bad in ["a\u{0}b", "tab\there", "\u{1b}[31m"] {
        expect_field_error(
            app.v1_post(&program.key, "/api/v1/conversions", json!({ "external_id": bad, "referral_code": SEED_REFERRAL_CODE })).await,
            "external_id",
        )
        .await;
    }
    expect_field_error(app.v1_get(&program.key, "/api/v1/conversions?external_id=%00&referral_code=nwjinmy").await, "external_id").await;
    let long = "x".repeat(256);
    expect_field_error(
        app.v1_post(&program.key, "/api/v1/conversions", json!({ "external_id": long, "referral_code": "x" })).await,
        "external_id",
    )
    .await;
    // Invalid UTF-8 and odd encodings in the query string are still a clear answer.
    let odd = app.v1_get(&program.key, "/api/v1/conversions?external_id=%FF%FE&referral_code=%E2%28%A1&amount=%00").await;
    assert!(odd.status().is_client_error(), "{}", odd.status());
    let listing = app.get("/api/admin/conversions?source=api").await;
    assert_eq!(listing.status(), 200);
    assert!(!listing.text().await.expect("text").contains('\u{0}'));
});

on_both_backends!(oversize_meta_data_is_refused, |app| {
    let program = app.setup_program().await;
    let mut body = seed_conversion();
    body["meta_data"] = json!({ "notes": "x".repeat(8 * 1024) });
    expect_field_error(app.v1_post(&program.key, "/api/v1/conversions", body).await, "meta_data").await;
    let query = format!("/api/v1/conversions?external_id=ORD6&referral_code=nwjinmy&meta_data[notes]={}", "y".repeat(5000));
    expect_field_error(app.v1_get(&program.key, &query).await, "meta_data").await;
    let mut small = seed_conversion();
    small["meta_data"] = json!({ "notes": "x".repeat(1024) });
    assert_eq!(app.v1_post(&program.key, "/api/v1/conversions", small).await.status(), 201);
});

on_both_backends!(a_currency_other_than_the_programs_is_refused, |app| {
    let program = app.setup_program().await;
    for currency in ["KWD", "JPY"] {
        let mut body = seed_conversion();
        body["currency"] = json!(currency);
        expect_field_error(app.v1_post(&program.key, "/api/v1/conversions", body).await, "currency").await;
    }
    let get = "/api/v1/conversions?external_id=ORD7&referral_code=nwjinmy&amount=100&currency=KWD";
    expect_field_error(app.v1_get(&program.key, get).await, "currency").await;
    assert_eq!(app.balance(&program.publisher).await, 0, "nothing credited in another currency's units");
    let mut usd = seed_conversion();
    usd["currency"] = json!("USD");
    assert_eq!(app.v1_post(&program.key, "/api/v1/conversions", usd).await.status(), 201);
    assert_eq!(app.balance(&program.publisher).await, 1000, "10 % of 100.00 USD in cents");
});
