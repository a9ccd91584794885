//! `/api/v1/conversions` (seed 001, SPEC D): the seed's call, the GET form, attribution
//! priority, commissions, idempotent replays and conflicts, concurrency, the admin listings.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(the_seeds_example_call_credits_the_referrers_commission, |app| {
    let program = app.setup_program().await;
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    assert!(body["id"].as_str().expect("id").starts_with("cnv_"));
    assert_eq!(body["external_id"], "ORD005");
    assert_eq!(body["program_id"], program.id.as_str());
    assert_eq!(body["publisher"], json!({ "id": program.publisher, "name": "Affiliate" }));
    assert_eq!(body["attribution"], json!({ "field": "referral_code", "value": SEED_REFERRAL_CODE }));
    assert_eq!((body["amount"].clone(), body["currency"].clone()), (json!("100.00"), json!("USD")));
    assert_eq!((body["commission"].clone(), body["commission_cents"].clone()), (json!("10.00"), json!(1000)));
    assert_eq!(body["status"], "credited");
    assert_eq!(app.balance(&program.publisher).await, 1000);

    // In the admin listings, marked with its program.
    let listed = app.conversions("source=api").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["program_id"], program.id.as_str());
    assert_eq!((listed[0]["amount_cents"].clone(), listed[0]["lead_id"].clone()), (json!(1000), json!("ORD005")));
    assert_eq!(app.conversions(&format!("program={}", program.id)).await.len(), 1);
    assert_eq!(app.conversions("program=prg_other").await.len(), 0);
    let details: Value = app.get(&format!("/api/admin/conversions/{}", body["id"].as_str().expect("id"))).await.json().await.expect("json");
    assert_eq!(details["postbacks"][0]["source"], "api");
    assert!(!details.to_string().contains(&program.key), "the key is never logged");
    assert_ledger_consistent(&app).await;
});

on_both_backends!(the_get_form_takes_the_same_fields_and_meta_data_both_ways, |app| {
    let program = app.setup_program().await;
    let path = "/api/v1/conversions?external_id=G-1&referral_code=nwjinmy&amount=19.99&currency=USD\
        &meta_data=%7B%22plan%22%3A%22pro%22%7D&meta_data[sku]=A%2F1&user_agent=Mozilla%2F5.0&ip=203.0.113.9";
    let body = expect_created(app.v1_get(&program.key, path).await).await;
    assert_eq!((body["amount"].clone(), body["currency"].clone()), (json!("19.99"), json!("USD")));
    assert_eq!(body["commission"], "2.00", "10 % of 19.99 = 1.999, rounded half up");
    assert_eq!(body["meta_data"], json!({ "plan": "pro", "sku": "A/1" }));
    let listed = app.conversions("source=api").await;
    assert_eq!(listed[0]["ip"], "203.0.113.9");
});

on_both_backends!(commissions_are_exact_and_rounded_half_up, |app| {
    let publisher = app.create_publisher("Affiliate").await;
    let (percent, percent_key) = app.create_program(json!({ "name": "P", "currency": "USD", "commission_percent": "12.5" })).await;
    let (fixed, fixed_key) = app.create_program(json!({ "name": "F", "currency": "JPY", "commission_cents": 500 })).await;
    for program in [&percent, &fixed] {
        assert_eq!(app.add_handle(program, "coupons", &publisher, "SAVE").await.status(), 201);
    }
    let call = |id: &str, amount: Value| json!({ "external_id": id, "coupon": "save", "amount": amount });
    let cases = [
        ("n1", json!(19.99), "19.99", "2.50"), // 2.49875 → 2.50
        ("n2", json!("0.04"), "0.04", "0.01"), // 0.005 → 0.01
        ("n3", json!("0.03"), "0.03", "0.00"), // 0.00375 → 0.00
        ("n4", json!("1234567.12345678"), "1234567.12345678", "154320.89"),
        ("n5", json!(100), "100.00", "12.50"),
    ];
    for (id, amount, shown, commission) in cases {
        let body = expect_created(app.v1_post(&percent_key, "/api/v1/conversions", call(id, amount)).await).await;
        assert_eq!((body["amount"].as_str(), body["commission"].as_str()), (Some(shown), Some(commission)), "{id}");
    }
    // Raw JSON numbers, read from their text.
    let post_raw = |key: &str, raw: &'static str| {
        app.client.post(app.url("/api/v1/conversions")).header("x-api-key", key).header("content-type", "application/json").body(raw).send()
    };
    let too_long = post_raw(&percent_key, r#"{"external_id":"n6","coupon":"SAVE","amount":9007199254740993.01}"#);
    expect_field_error(too_long.await.expect("send"), "amount").await; // more than 15 integer digits
    let too_much = post_raw(&percent_key, r#"{"external_id":"n7","coupon":"SAVE","amount":900719925474099.01}"#);
    expect_field_error(too_much.await.expect("send"), "amount").await; // its commission would pass the per-conversion limit
                                                                       // 23 significant digits: a float would lose most of them.
    let exact = post_raw(&fixed_key, r#"{"external_id":"f3","coupon":"SAVE","amount":900719925474099.12345679}"#);
    assert_eq!(expect_created(exact.await.expect("send")).await["amount"], "900719925474099.12345679");

    // Fixed commission in JPY (no minor unit), with and without an amount.
    let body = expect_created(app.v1_post(&fixed_key, "/api/v1/conversions", json!({ "external_id": "f1", "coupon": "SAVE" })).await).await;
    assert_eq!((body["amount"].clone(), body["commission"].clone(), body["currency"].clone()), (Value::Null, json!("500"), json!("JPY")));
    let body = expect_created(app.v1_post(&fixed_key, "/api/v1/conversions", call("f2", json!("1234"))).await).await;
    assert_eq!((body["amount"].clone(), body["commission_cents"].clone()), (json!("1234"), json!(500)));
    assert_eq!(app.balance(&publisher).await, 250 + 1 + 15_432_089 + 1250 + 500 + 500 + 500);
    // A zero commission is recorded without a ledger entry.
    assert!(!ledger_postings(&app).await.iter().any(|(_, delta)| *delta == 0));
    assert_ledger_consistent(&app).await;
});

on_both_backends!(attribution_follows_the_priority_for_every_pair, |app| {
    let (program, key) = app.create_program(json!({ "name": "Shop", "currency": "USD", "commission_cents": 100 })).await;
    let kinds = [
        ("coupon", "coupons"),
        ("click_id", "clicks"),
        ("referral_code", "referral-codes"),
        ("asset_id", "assets"),
        ("source_id", "sources"),
    ];
    let mut owners = Vec::new();
    for (field, collection) in kinds {
        let publisher = app.create_publisher(&format!("Owner of {field}")).await;
        assert_eq!(app.add_handle(&program, collection, &publisher, &format!("code-{field}")).await.status(), 201);
        owners.push((field, publisher));
    }
    let mut n = 0;
    for (i, (high, high_owner)) in owners.iter().enumerate() {
        for (low, _) in &owners[i + 1..] {
            n += 1;
            // The lower-priority field first in the body: order sent does not matter.
            let mut call = serde_json::Map::new();
            call.insert((*low).to_owned(), json!(format!("code-{low}")));
            call.insert((*high).to_owned(), json!(format!("code-{high}")));
            call.insert("external_id".into(), json!(format!("pair-{n}")));
            let body = expect_created(app.v1_post(&key, "/api/v1/conversions", Value::Object(call)).await).await;
            assert_eq!(body["publisher"]["id"], high_owner.as_str(), "{high} beats {low}");
            assert_eq!(body["attribution"]["field"], *high);
        }
    }
    assert_eq!(n, 10);
    // An unknown higher field gives way to a known lower one.
    let body = expect_created(
        app.v1_post(&key, "/api/v1/conversions", json!({ "external_id": "fallback", "coupon": "nope", "source_id": "code-source_id" }))
            .await,
    )
    .await;
    assert_eq!(body["attribution"]["field"], "source_id");
});

on_both_backends!(the_same_call_replays_and_a_different_one_conflicts, |app| {
    let program = app.setup_program().await;
    let first = expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    // The same payload, the amount spelled as a number, the fields in another order, or by GET.
    let again = expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    assert_eq!(again, first);
    let spelled = json!({ "external_id": "ORD005", "amount": 100.00, "referral_code": SEED_REFERRAL_CODE, "coupon": "" });
    assert_eq!(expect_created(app.v1_post(&program.key, "/api/v1/conversions", spelled).await).await, first);
    let by_get =
        expect_created(app.v1_get(&program.key, "/api/v1/conversions?external_id=ORD005&referral_code=nwjinmy&amount=100").await).await;
    assert_eq!(by_get, first);
    assert_eq!(app.balance(&program.publisher).await, 1000, "credited once");

    for different in [
        json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "101", "external_id": "ORD005" }),
        json!({ "referral_code": SEED_REFERRAL_CODE, "external_id": "ORD005" }),
        json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "100", "external_id": "ORD005", "meta_data": { "a": 1 } }),
    ] {
        let message = expect_error(app.v1_post(&program.key, "/api/v1/conversions", different.clone()).await, 409).await;
        assert!(message.starts_with("external_id:"), "{different}: {message}");
    }
    // The same external id in another program is another conversion.
    let (other, other_key) = app.create_program(json!({ "name": "Other", "currency": "USD", "commission_percent": 10 })).await;
    assert_eq!(app.add_handle(&other, "referral-codes", &program.publisher, SEED_REFERRAL_CODE).await.status(), 201);
    let elsewhere = expect_created(app.v1_post(&other_key, "/api/v1/conversions", seed_conversion()).await).await;
    assert_ne!(elsewhere["id"], first["id"]);
    assert_eq!(app.balance(&program.publisher).await, 2000);
    assert_eq!(app.conversions("source=api").await.len(), 2);
    let log: Value = app.get("/api/admin/postback-log?outcome=conflict").await.json().await.expect("json");
    assert_eq!(log["items"].as_array().expect("items").len(), 3);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(thirty_two_concurrent_identical_calls_on_two_instances_credit_once, |app| {
    let program = app.setup_program().await;
    let second = app.second_instance().await;
    let calls = (0..32).map(|i| {
        let instance = if i % 2 == 0 { &app } else { &second };
        instance.v1_post(&program.key, "/api/v1/conversions", seed_conversion())
    });
    let mut bodies = Vec::new();
    for response in futures::future::join_all(calls).await {
        bodies.push(expect_created(response).await);
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "every caller gets the one conversion");
    assert_eq!(app.balance(&program.publisher).await, 1000);
    assert_eq!(ledger_postings(&app).await.len(), 1);
    assert_eq!(app.conversions("source=api").await.len(), 1);
    assert_ledger_consistent(&app).await;

    // Concurrent calls with distinct external ids all count.
    let calls = (0..32).map(|i| {
        let instance = if i % 2 == 0 { &app } else { &second };
        instance.v1_post(
            &program.key,
            "/api/v1/conversions",
            json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "1", "external_id": format!("D-{i}") }),
        )
    });
    for response in futures::future::join_all(calls).await {
        expect_created(response).await;
    }
    assert_eq!(app.balance(&program.publisher).await, 1000 + 32 * 10);
});

on_both_backends!(api_conversions_are_streamed_as_events_with_their_program, |app| {
    let program = app.setup_program().await;
    let mut events = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");
    assert_eq!(events.status(), 200);
    expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("ORD005") {
        let chunk = tokio::time::timeout_at(deadline, events.chunk()).await.expect("an event within 5 s").expect("chunk").expect("open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("\"source\":\"api\"") && seen.contains(&format!("\"program_id\":\"{}\"", program.id)), "{seen}");
    // A replay is not a new event.
    expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    assert!(tokio::time::timeout(std::time::Duration::from_millis(500), events.chunk()).await.is_err(), "a replay publishes nothing");
});

on_both_backends!(an_admin_can_reverse_an_api_conversion, |app| {
    let program = app.setup_program().await;
    let body = expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    let reversed = app.post_json(&format!("/api/admin/conversions/{}/reverse", body["id"].as_str().expect("id")), json!({})).await;
    assert_eq!(reversed.status(), 200);
    assert_eq!(app.balance(&program.publisher).await, 0);
    // The replay tells the merchant what happened since.
    let again = expect_created(app.v1_post(&program.key, "/api/v1/conversions", seed_conversion()).await).await;
    assert_eq!(again["status"], "reversed");
    assert_ledger_consistent(&app).await;
});

on_both_backends!(the_landing_snippet_is_served_as_cacheable_javascript, |app| {
    let response = app.client.get(app.url("/t.js")).send().await.expect("GET");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().expect("ascii").starts_with("application/javascript"));
    assert!(response.headers()["cache-control"].to_str().expect("ascii").contains("max-age="));
    let script = response.text().await.expect("text");
    for needle in ["tap_data", "data-days", "SameSite=Lax", "refc", "asset_id", "source_id", "click_id", "coupon"] {
        assert!(script.contains(needle), "{needle}");
    }
});
